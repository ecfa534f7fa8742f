"""Liveness and readiness probes (outside /api/v1)."""

from __future__ import annotations

import anyio
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
        """The database and the object store answer; each gets under a second, checked at once."""
        checks = {"database": "ok", "object_store": "ok"}

        async def database() -> None:
            try:
                with anyio.fail_after(0.8):
                    await db.ping()
            except Exception as exc:  # a probe reports, it does not crash
                checks["database"] = f"error: {type(exc).__name__}"

        async def object_store() -> None:
            try:
                await store.ping()  # bounded by store.PING_SECONDS
            except Exception as exc:
                cause = exc.__cause__ or exc
                checks["object_store"] = f"error: {type(cause).__name__}"

        async with anyio.create_task_group() as group:
            group.start_soon(database)
            group.start_soon(object_store)
        ok = all(v == "ok" for v in checks.values())
        return Response({"status": "ok" if ok else "unavailable", **checks},
                        status_code=200 if ok else 503)
