"""JSON API of the site-wide search: ``GET /api/v1/search``."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.params import Parameter

from lianyan.principal import Principal
from lianyan.search import schemas as s
from lianyan.search import services
from lianyan.web.access import SIGNED_IN, access


class SearchController(Controller):
    """``/api/v1/search``."""

    path = "/api/v1/search"
    tags = ["search"]

    @get("/", opt=access(SIGNED_IN))
    async def search(
        self,
        actor: Principal,
        q: str | None = None,
        type: str | None = None,
        county_id: str | None = None,
        year: str | None = None,
        domain: str | None = None,
        age_group: str | None = None,
        limit: Annotated[int, Parameter(ge=1, le=100)] = 20,
        offset: Annotated[int, Parameter(ge=0, le=10_000)] = 0,
    ) -> s.SearchPage:
        """What the caller may see containing every word of ``q``, title matches first.

        Refusals (400): ``search.q_empty``, ``search.q_too_long``, ``search.q_too_many_words``,
        ``search.type``, ``search.county``, ``search.year``, ``search.domain``,
        ``search.age_group``.
        """
        query = await services.parse(q=q, type=type, county_id=county_id, year=year,
                                     domain=domain, age_group=age_group)
        return await services.search(actor, query, limit=limit, offset=offset)
