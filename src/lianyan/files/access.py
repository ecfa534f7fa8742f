"""Who may download a stored file: the domain that owns it decides.

Each owner type names a coroutine ``(actor, owner_id) -> bool`` in its domain's ``access.py``
(designs: ``exchanges/designs.py``, whose blind rule needs the design's group and deadline).
The names are strings so this module imports no domain (imports point one way).
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable

from lianyan.principal import Principal

#: owner_type → "module:function". Domains add their line here.
READERS: dict[str, str] = {
    "filing": "lianyan.filings.access:can_read_file",
    "topic": "lianyan.topics.access:can_read_file",
    "design": "lianyan.exchanges.designs:can_read_file",
    "report": "lianyan.reports.access:can_read_file",
}


async def may_read(actor: Principal, owner_type: str, owner_id: int | None) -> bool:
    """True when the owner's domain lets ``actor`` read files of that object."""
    if owner_type == "upload":
        # A finished upload not yet attached to anything belongs to its uploader alone.
        return owner_id == actor.person_id
    target = READERS.get(owner_type)
    if target is None or owner_id is None:
        return actor.is_city
    module, name = target.split(":")
    check: Callable[[Principal, int], Awaitable[bool]] = getattr(
        importlib.import_module(module), name
    )
    return await check(actor, owner_id)
