"""JSON API of the audit log."""

from __future__ import annotations

from litestar import Controller, get
from litestar.params import Parameter

from lianyan.audit import services
from lianyan.audit.services import AuditOut
from lianyan.principal import Role
from lianyan.schemas import Page
from lianyan.web.access import access


class AuditController(Controller):
    """``GET /api/v1/audit?object_type=&object_id=``: the city and admins read the log."""

    path = "/api/v1/audit"
    opt = access(Role.CITY_ADMIN, Role.ADMIN)
    tags = ["audit"]

    @get("/")
    async def list_entries(
        self,
        object_type: str | None = None,
        object_id: int | None = None,
        limit: int = Parameter(default=50, ge=1, le=200),
        offset: int = Parameter(default=0, ge=0),
    ) -> Page[AuditOut]:
        """Audit entries, newest first."""
        items, total = await services.entries(
            object_type=object_type, object_id=object_id, limit=limit, offset=offset
        )
        return Page(items=items, total=total)
