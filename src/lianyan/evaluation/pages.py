"""Pages of evaluation and awards: the scheme and evaluators (city), score entry with
participation figures (city and named experts), and the award list with its publication."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import Parameter
from litestar.response import Redirect, Template

from lianyan import clock
from lianyan.evaluation import schemas as s
from lianyan.evaluation import services
from lianyan.evaluation.access import SCORERS
from lianyan.org import services as org
from lianyan.principal import Principal, Role
from lianyan.web.access import SIGNED_IN, access
from lianyan.web.forms import NO_FORM, Form, FormState, read_form, submit
from lianyan.web.pages import page, pager
from lianyan.web.params import OptionalYear, YearParam

AnyRequest = Request[Any, Any, Any]
MIN_INDICATOR_ROWS = 5


def _indicator_rows(items: list[Any]) -> list[dict[str, Any]]:
    rows = [
        {"name": i["name"] if isinstance(i, dict) else i.name,
         "description": i["description"] if isinstance(i, dict) else i.description,
         "weight": i["weight"] if isinstance(i, dict) else i.weight,
         "max_score": i["max_score"] if isinstance(i, dict) else i.max_score}
        for i in items
    ]
    while len(rows) < max(MIN_INDICATOR_ROWS, len(items) + 2):
        rows.append({"name": "", "description": "", "weight": "", "max_score": ""})
    return rows


def _scheme_rows(form: Form) -> list[dict[str, Any]]:
    """The filled indicator rows of the scheme form (rows without a name are left out)."""
    indexes = sorted({int(k.split("_")[-1]) for k in form.values if re.fullmatch(r"name_\d+", k)})
    return [
        {"name": form.text(f"name_{i}"), "description": form.text(f"description_{i}"),
         "weight": form.text(f"weight_{i}") or "0",
         "max_score": form.text(f"max_score_{i}") or "100"}
        for i in indexes if form.text(f"name_{i}")
    ]


def _scores_body(form: Form) -> dict[str, Any]:
    """The score table's filled cells (``score_<candidate>_<indicator>``) as ``PUT /scores``."""
    kind = form.text("kind") or "zone"
    entries = []
    for key in form.values:
        found = re.fullmatch(r"score_(\d+)_(\d+)", key)
        if found and form.text(key):
            entries.append({"candidate_kind": kind, "candidate_id": found.group(1),
                            "indicator_id": found.group(2), "score": form.text(key)})
    return {"scores": entries}


class EvaluationPages(Controller):
    """``/evaluation/...``."""

    path = "/evaluation"
    include_in_schema = False

    @get("/", opt=access(SIGNED_IN))
    async def index(self, actor: Principal, year: OptionalYear = None) -> Template | Redirect:
        """The city's scheme page; experts go to scoring, everyone else to the awards."""
        year = year or clock.today().year
        if actor.is_city:
            return await self._scheme(actor, year)
        if await services.is_evaluator(actor, year):
            return Redirect(f"/evaluation/{year}/scores")
        return Redirect(f"/evaluation/{year}/awards")

    async def _scheme(
        self, actor: Principal, year: int, *, posted: FormState = NO_FORM
    ) -> Template:
        scheme = await services.get_scheme(actor, year)
        evaluators = await services.list_evaluators(actor, year)
        entered = _scheme_rows(Form("", dict(posted.values))) if posted.name == "scheme" else None
        return page(
            "evaluation/scheme.html", actor, year=year, scheme=scheme,
            rows=_indicator_rows(entered if entered is not None else scheme.indicators),
            evaluators=evaluators, named={e.person_id for e in evaluators},
            experts=await services.expert_choices(actor), error=posted.message, posted=posted,
        )

    async def _on_scheme(
        self, actor: Principal, year: int, request: AnyRequest, name: str,
        action: Callable[[Form], Awaitable[Any]],
    ) -> Any:
        form = await read_form(request, name)
        return await submit(
            form, lambda: action(form), done=f"/evaluation?year={year}",
            again=lambda posted: self._scheme(actor, year, posted=posted),
        )

    @post("/{year:int}/scheme", opt=access(Role.CITY_ADMIN))
    async def save_scheme(self, actor: Principal, year: YearParam, request: AnyRequest) -> Any:
        """Save the scheme from the form."""
        return await self._on_scheme(
            actor, year, request, "scheme",
            lambda form: services.put_scheme(
                actor, year, form.bind(s.SchemeIn, lambda f: {"indicators": _scheme_rows(f)})),
        )

    @post("/{year:int}/evaluators", opt=access(Role.CITY_ADMIN))
    async def save_evaluators(self, actor: Principal, year: YearParam, request: AnyRequest) -> Any:
        """Name the experts who score the year."""
        return await self._on_scheme(
            actor, year, request, "evaluators",
            lambda form: services.put_evaluators(
                actor, year, form.bind(s.EvaluatorsIn, lambda f: {"person_ids": f.all("person_id")})),
        )

    async def _scores(
        self, actor: Principal, year: int, *, kind: str, county_id: int | None, q: str | None,
        limit: int, offset: int, posted: FormState = NO_FORM,
    ) -> Template:
        board = await services.score_board(actor, year, kind=kind, county_id=county_id, q=q,
                                           limit=limit, offset=offset)
        scored = {
            (c.id, sc.indicator_id): sc.score for c in board.items for sc in c.my_scores
        }
        averages = {
            (c.id, a.indicator_id): a.average for c in board.items for a in (c.averages or [])
        }
        return page(
            "evaluation/scores.html", actor, year=year, board=board,
            kind=kind, county_id=county_id, q=q or "", scored=scored, averages=averages,
            counties=await org.list_counties(actor), kinds=s.CANDIDATE_NAMES,
            award_names=s.AWARD_NAMES, pager=pager(board.total, limit, offset),
            error=posted.message, posted=posted,
        )

    @get("/{year:int}/scores", opt=access(*SCORERS))
    async def scores(
        self,
        actor: Principal,
        year: YearParam,
        kind: s.CandidateKind = "zone",
        county_id: int | None = None,
        q: str | None = None,
        limit: Annotated[int, Parameter(ge=1, le=200)] = 50,
        offset: Annotated[int, Parameter(ge=0)] = 0,
    ) -> Template:
        """Score entry for one kind of candidate, participation beside each."""
        return await self._scores(actor, year, kind=kind, county_id=county_id, q=q,
                                  limit=limit, offset=offset)

    @post("/{year:int}/scores", opt=access(*SCORERS))
    async def save_scores(self, actor: Principal, year: YearParam, request: AnyRequest) -> Any:
        """Save the scores typed into the table (blank cells are left alone)."""
        form = await read_form(request, "scores")
        kind = form.text("kind") if form.text("kind") in s.CANDIDATE_NAMES else "zone"
        offset = int(form.text("offset")) if form.text("offset").isdecimal() else 0
        return await submit(
            form,
            lambda: services.put_scores(actor, year, form.bind(s.ScoresIn, _scores_body)),
            done=f"/evaluation/{year}/scores?kind={kind}&offset={offset}",
            again=lambda posted: self._scores(actor, year, kind=kind, county_id=None, q=None,
                                              limit=50, offset=0, posted=posted),
        )

    async def _awards(
        self, actor: Principal, year: int, posted: FormState = NO_FORM
    ) -> Template:
        awards = await services.list_awards(actor, year)
        return page("evaluation/awards.html", actor, year=year, awards=awards,
                    error=posted.message, posted=posted)

    @get("/{year:int}/awards", opt=access(SIGNED_IN))
    async def awards(self, actor: Principal, year: YearParam) -> Template:
        """The award list: published for everyone; being prepared for the city."""
        return await self._awards(actor, year)

    async def _on_awards(
        self, actor: Principal, year: int, request: AnyRequest, name: str,
        action: Callable[[Form], Awaitable[Any]],
    ) -> Any:
        form = await read_form(request, name)
        return await submit(
            form, lambda: action(form), done=f"/evaluation/{year}/awards",
            again=lambda posted: self._awards(actor, year, posted),
        )

    @post("/{year:int}/awards", opt=access(Role.CITY_ADMIN))
    async def create_award(self, actor: Principal, year: YearParam, request: AnyRequest) -> Any:
        """Designate an award (from the score page)."""
        return await self._on_awards(
            actor, year, request, "award",
            lambda form: services.create_award(actor, year, form.bind(s.AwardIn)),
        )

    @post("/{year:int}/awards/{award_id:int}/delete", opt=access(Role.CITY_ADMIN))
    async def delete_award(
        self, actor: Principal, year: YearParam, award_id: int, request: AnyRequest
    ) -> Any:
        """Withdraw an award before publication."""
        return await self._on_awards(
            actor, year, request, "award-delete",
            lambda form: services.delete_award(actor, year, award_id),
        )

    @post("/{year:int}/awards/publish", opt=access(Role.CITY_ADMIN))
    async def publish(self, actor: Principal, year: YearParam, request: AnyRequest) -> Any:
        """Publish the award list."""
        return await self._on_awards(
            actor, year, request, "publish", lambda form: services.publish_awards(actor, year),
        )
