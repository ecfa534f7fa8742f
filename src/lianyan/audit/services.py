"""Writing and reading the audit log."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec

from lianyan import clock
from lianyan.audit.tables import AuditEntry
from lianyan.principal import Principal


class AuditOut(msgspec.Struct, kw_only=True):
    """One audit entry as the API shows it."""

    id: int
    at: dt.datetime
    actor_person_id: int | None
    actor_name: str
    action: str
    object_type: str
    object_id: int
    detail: dict[str, Any]


async def record(
    actor: Principal | None, action: str, object_type: str, object_id: int, **detail: Any
) -> None:
    """Append one entry; call inside the transaction of the change it records."""
    await AuditEntry.insert(
        AuditEntry(
            at=clock.now(),
            actor_person_id=actor.person_id if actor else None,
            actor_name=actor.name if actor else "系统",
            action=action,
            object_type=object_type,
            object_id=object_id,
            detail=msgspec.json.encode(detail).decode(),
        )
    )


async def entries(
    *, object_type: str | None, object_id: int | None, limit: int, offset: int
) -> tuple[list[AuditOut], int]:
    """Entries for one object (or all), newest first, with the total count."""
    query = AuditEntry.select()
    count = AuditEntry.count()
    if object_type:
        query = query.where(AuditEntry.object_type == object_type)
        count = count.where(AuditEntry.object_type == object_type)
    if object_id is not None:
        query = query.where(AuditEntry.object_id == object_id)
        count = count.where(AuditEntry.object_id == object_id)
    rows = await query.order_by(AuditEntry.id, ascending=False).limit(limit).offset(offset)
    for row in rows:
        if isinstance(row["detail"], str):
            row["detail"] = msgspec.json.decode(row["detail"])
        row["at"] = row["at"].astimezone(clock.CITY_TZ)
    return [msgspec.convert(r, AuditOut) for r in rows], await count
