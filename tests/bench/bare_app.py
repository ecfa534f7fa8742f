"""The baseline of the HTTP benchmarks: a bare Litestar app answering 1 kB of JSON."""

from __future__ import annotations

from litestar import Litestar, get

_ITEMS = [{"id": i, "name": f"样例幼儿园{i}", "county_id": i % 10, "locale": "urban"}
          for i in range(16)]


@get("/")
async def items() -> dict[str, object]:
    """About 1 kB of JSON, as a list endpoint returns."""
    return {"items": _ITEMS, "total": len(_ITEMS)}


app = Litestar(route_handlers=[items])
