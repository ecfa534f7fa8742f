"""The guard every change of a filing's content passes: scope and role, then, under the
filing's lock (``filing:county:year``, the one submit, accept and return take), its status read
again, so a change that loses the race with a submission is refused (``filing.locked``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from lianyan.db import atomic
from lianyan.errors import Conflict, NotFound
from lianyan.filings import queries
from lianyan.filings.access import require_county_officer
from lianyan.filings.tables import Filing
from lianyan.principal import Principal

#: States in which the county edits its filing.
EDITABLE = ("draft", "returned")


async def editable(
    actor: Principal, filing_id: int, *, allow: tuple[str, ...] = EDITABLE
) -> dict[str, Any]:
    """The filing row if the caller may change it in its current state."""
    row = await queries.filing_row(actor, filing_id)
    require_county_officer(actor, row["county_id"])
    if row["status"] not in allow:
        raise locked(row["status"])
    return row


def lock_name(filing: dict[str, Any]) -> str:
    """The lock every change of a filing's content or state takes (``filing:county:year``)."""
    return f"filing:{filing['county_id']}:{filing['year']}"


@asynccontextmanager
async def change(
    actor: Principal, filing_id: int, *, allow: tuple[str, ...] = EDITABLE
) -> AsyncIterator[dict[str, Any]]:
    """A write transaction on a filing the caller may change, yielding its row.

    Checks scope and role, then takes the filing's lock (the one submit, accept and return
    take) and reads the status again inside the transaction, so a submission or acceptance
    that lands between the first check and the write refuses the change (``filing.locked``).
    """
    row = await editable(actor, filing_id, allow=allow)
    async with atomic(lock=lock_name(row)):
        row["status"] = await still_editable(filing_id, allow)
        yield row


async def still_editable(filing_id: int, allow: tuple[str, ...]) -> str:
    """The filing's status read again under its lock; ``filing.locked`` unless in ``allow``."""
    current = await Filing.select(Filing.status).where(Filing.id == filing_id).first()
    if current is None:
        raise NotFound("filing.not_found", "没有找到该备案，或您无权查看。")
    if current["status"] not in allow:
        raise locked(current["status"])
    return str(current["status"])


def locked(status: str) -> Conflict:
    if status == "submitted":
        return Conflict(
            "filing.locked",
            "备案已报送，正在等待市教育局审核，暂时不能修改；如需修改，请联系市教育局退回。",
            filing_status=status,
        )
    return Conflict(
        "filing.locked",
        "备案已由市教育局备案，不能再修改；新增的教研活动可以单独报备。",
        filing_status=status,
    )


