"""Who may see and change what in the filings domain (docs/filings.md, "Visibility").

* An accepted filing is a published plan (公开本地教研活动计划): every signed-in user reads it.
* Any other state is seen by the city and by the officers of the filing's county (county and
  zone officers); everyone else gets 404, as if it did not exist.
* Only the county's own officers (``county_officer``) write a filing; the city receives it.
"""

from __future__ import annotations

from typing import Any

from lianyan.errors import Forbidden
from lianyan.filings.tables import Filing
from lianyan.principal import Principal, Role

#: Who writes a county's filing and roster (the services refuse the city, saying why).
WRITERS = (Role.COUNTY_OFFICER, Role.CITY_ADMIN)


def sees_unpublished(actor: Principal, county_id: int) -> bool:
    """True when the caller may see the county's drafts, submissions and returned filings."""
    return actor.is_city or county_id in actor.counties(Role.COUNTY_OFFICER, Role.ZONE_OFFICER)


def sees_phones(actor: Principal, county_id: int) -> bool:
    """True when the caller may see the phone numbers on the county's roster."""
    return actor.is_city or county_id in actor.member_counties


def filing_scope(actor: Principal, filing_table: Any) -> Any:
    """The condition on ``Filing`` rows the caller may read; None means every row."""
    if actor.is_city:
        return None
    condition: Any = filing_table.status == "accepted"
    own = actor.counties(Role.COUNTY_OFFICER, Role.ZONE_OFFICER)
    if own:
        condition = condition | filing_table.county.is_in(sorted(own))
    return condition


def require_county_officer(actor: Principal, county_id: int) -> None:
    """Refuse (403) anyone but the county's own officers: counties file, the city receives."""
    if county_id not in actor.counties(Role.COUNTY_OFFICER):
        if actor.is_city:
            raise Forbidden(
                "filing.county_only",
                "备案材料由各县（市、区）教研负责人填报；市教育局负责接收、退回和备案。",
            )
        raise Forbidden("auth.forbidden", "只有本县（市、区）的教研负责人可以填报备案材料。")


def require_city(actor: Principal) -> None:
    """Refuse (403) anyone but the city's officers."""
    if not actor.is_city:
        raise Forbidden("auth.forbidden", "只有市教育局学前教育科可以进行此操作。")


async def can_read_file(actor: Principal, filing_id: int) -> bool:
    """Files owned by a filing are readable by whoever may read the filing."""
    condition: Any = Filing.id == filing_id
    visible = filing_scope(actor, Filing)
    if visible is not None:
        condition = condition & visible
    return bool(await Filing.exists().where(condition))
