"""Table of the audit log."""

from __future__ import annotations

from piccolo.columns import JSON, Integer, Serial, Timestamptz, Varchar
from piccolo.table import Table


class AuditEntry(Table):
    """One state change: actor, action, object and a small JSON detail."""

    id: Serial

    at = Timestamptz()
    actor_person_id = Integer(null=True, default=None)
    actor_name = Varchar(length=50, default="")
    action = Varchar(length=50)
    object_type = Varchar(length=30, index=True)
    object_id = Integer(index=True)
    detail = JSON(default="{}")
