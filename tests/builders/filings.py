"""Rows of annual filings (年度备案)."""

from __future__ import annotations

from typing import Any

from lianyan import clock
from lianyan.filings.tables import Filing
from tests.builders import insert


async def filing(county_id: int, *, year: int = 2026, status: str = "draft", **columns: Any) -> int:
    """A county's filing of ``year`` in ``status``; other columns as keywords. Returns its id."""
    now = clock.now()
    return await insert(
        Filing, county=county_id, year=year, status=status,
        **{"created_at": now, "updated_at": now, **columns},
    )
