"""Builders for tests: the one place that knows how to write a row or make a sample file.

Every builder writes real rows straight into the tables (no service, no HTTP), takes the ids
it hangs on positionally and everything else as keywords with defaults, and returns the new
row's id, so a test or a world (``tests/reports/world.py``) composes them across domains and a
table change is made here once.

* ``org``: counties, zones, kindergartens, people, logins (``user``, ``principal``, ``bearer``);
* ``topics``, ``filings``, ``exchanges``: each domain's rows;
* ``files``: sample files built for real (Word, PDF, PNG, ZIP) and ``StoredFile`` rows.
"""

from __future__ import annotations

from typing import Any

from piccolo.table import Table


async def insert(table: type[Table], **columns: Any) -> int:
    """Insert one row of ``table`` with ``columns``; returns its id."""
    rows = await table.insert(table(**columns))
    return int(rows[0]["id"])
