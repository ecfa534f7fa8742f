"""Liveness and readiness probes (outside /api/v1)."""

from __future__ import annotations

from litestar import Controller, Response, get

from lianyan import db
from lianyan.files.store import ObjectStore
from lianyan.web.access import PUBLIC, access


class HealthController(Controller):
    """``/health/live`` answers while the process runs; ``/health/ready`` checks its parts."""

    path = "/health"
    opt = access(PUBLIC)
    include_in_schema = True
    tags = ["health"]

    @get("/live")
    async def live(self) -> dict[str, str]:
        """The process is up."""
        return {"status": "ok"}

    @get("/ready")
    async def ready(self, store: ObjectStore) -> Response[dict[str, str]]:
        """The database and the object store answer."""
        checks = {"database": "ok", "object_store": "ok"}
        try:
            await db.ping()
        except Exception as exc:  # a probe reports, it does not crash
            checks["database"] = f"error: {type(exc).__name__}"
        try:
            await store.ping()
        except Exception as exc:
            checks["object_store"] = f"error: {type(exc).__name__}"
        ok = all(v == "ok" for v in checks.values())
        return Response({"status": "ok" if ok else "unavailable", **checks},
                        status_code=200 if ok else 503)
