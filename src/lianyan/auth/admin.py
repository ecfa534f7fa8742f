"""Account administration used by the command line (no caller: the operator is trusted)."""

from __future__ import annotations

from lianyan import clock
from lianyan.auth.services import create_account
from lianyan.db import atomic
from lianyan.errors import InvalidInput
from lianyan.org import schemas as s
from lianyan.org.services import grant_role
from lianyan.org.tables import County, Kindergarten, Person


async def create_user(
    *,
    username: str,
    name: str,
    role: str,
    password: str,
    county_code: str | None = None,
    zone_id: int | None = None,
    kindergarten_id: int | None = None,
    phone: str | None = None,
) -> int:
    """Create a person, their login and one role; return the person id."""
    county_id = None
    if county_code:
        row = await County.select(County.id).where(County.code == county_code).first()
        if row is None:
            raise InvalidInput("county.not_found", f"没有代码为 {county_code} 的县（市、区）。")
        county_id = row["id"]
    unit = ""
    if kindergarten_id is not None:
        kg = await Kindergarten.select(Kindergarten.county, Kindergarten.name).where(
            Kindergarten.id == kindergarten_id
        ).first()
        if kg is None:
            raise InvalidInput("kindergarten.not_found", "没有找到该幼儿园。")
        county_id, unit = kg["county"], kg["name"]
    async with atomic():
        person_id = (
            await Person.insert(
                Person(name=name, phone=phone, county=county_id, kindergarten=kindergarten_id,
                       unit=unit, created_at=clock.now())
            )
        )[0]["id"]
        await create_account(person_id=person_id, username=username, password=password)
        await grant_role(
            None,
            person_id,
            s.RoleIn(role=role, county_id=county_id if zone_id is None and kindergarten_id is None
                     else None, zone_id=zone_id, kindergarten_id=kindergarten_id),
        )
    return int(person_id)
