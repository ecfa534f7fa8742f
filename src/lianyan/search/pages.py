"""The 搜索 page (``/search``), reached from the box in every signed-in page's top bar."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Controller, get
from litestar.params import Parameter
from litestar.response import Template

from lianyan.errors import InvalidInput
from lianyan.labels import AGE_GROUP, DOMAIN
from lianyan.org import services as org
from lianyan.principal import Principal
from lianyan.search import services
from lianyan.search.index import KINDS
from lianyan.web.access import SIGNED_IN, access
from lianyan.web.pages import page, pager

PAGE_SIZE = 20


class SearchPages(Controller):
    """``/search``."""

    path = "/search"
    include_in_schema = False

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
        offset: Annotated[int, Parameter(ge=0, le=10_000)] = 0,
    ) -> Template:
        """Results of the query, or the form with what was wrong (the typed values kept)."""
        form = {"q": q or "", "type": type or "", "county_id": county_id or "",
                "year": year or "", "domain": domain or "", "age_group": age_group or ""}
        context: dict[str, Any] = {
            "form": form, "kinds": KINDS, "domains": DOMAIN, "age_groups": AGE_GROUP,
            "counties": await org.list_counties(actor), "result": None, "error": None,
            "search_q": form["q"],
        }
        if q is None:
            # Filters chosen without a word: say what is missing instead of an empty page.
            context["hint"] = any(v for k, v in form.items() if k != "q")
            return page("search/search.html", actor, **context)
        try:
            query = await services.parse(q=q, type=type, county_id=county_id, year=year,
                                         domain=domain, age_group=age_group)
        except InvalidInput as exc:
            context["error"] = exc.detail
            return page("search/search.html", actor, status_code=400, **context)
        result = await services.search(actor, query, limit=PAGE_SIZE, offset=offset)
        filters = {k: v for k, v in form.items() if v}
        context.update(
            result=result, pager=pager(result.total, PAGE_SIZE, offset),
            page_link=lambda at: "?" + urlencode({**filters, "offset": at}),
            type_link=lambda kind: "?" + urlencode(
                {**{k: v for k, v in filters.items() if k != "type"}, **({"type": kind} if kind else {})}
            ),
        )
        return page("search/search.html", actor, **context)
