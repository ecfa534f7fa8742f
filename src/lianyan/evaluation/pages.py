"""Pages of evaluation and awards: the scheme and evaluators (city), score entry with
participation figures (city and named experts), and the award list with its publication."""

from __future__ import annotations

import re
from typing import Annotated, Any

import msgspec
from litestar import Controller, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter
from litestar.response import Redirect, Template

from lianyan import clock
from lianyan.auth.principal import Principal
from lianyan.auth.roles import Role
from lianyan.errors import InvalidInput, LianyanError
from lianyan.evaluation import schemas as s
from lianyan.evaluation import services
from lianyan.filings.api import OptionalYear, YearParam
from lianyan.org import services as org
from lianyan.web.access import SIGNED_IN, access
from lianyan.web.forms import int_or_none
from lianyan.web.pages import page, pager

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
SCORERS = (Role.CITY_ADMIN, Role.EXPERT)
MIN_INDICATOR_ROWS = 5


def _one(value: Any) -> str:
    if isinstance(value, list):
        return str(value[-1]).strip() if value else ""
    return "" if value is None else str(value).strip()


def _many(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


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


def _scheme_from_form(form: dict[str, Any]) -> list[dict[str, Any]]:
    indexes = sorted({int(k.split("_")[-1]) for k in form if re.fullmatch(r"name_\d+", k)})
    rows = []
    for i in indexes:
        name = _one(form.get(f"name_{i}"))
        if not name:
            continue
        rows.append({
            "name": name,
            "description": _one(form.get(f"description_{i}")),
            "weight": _one(form.get(f"weight_{i}")) or "0",
            "max_score": _one(form.get(f"max_score_{i}")) or "100",
        })
    return rows


def _convert(values: dict[str, Any], schema: type[Any]) -> Any:
    try:
        return msgspec.convert(values, schema, strict=False)
    except msgspec.ValidationError as exc:
        message = str(exc)
        row = re.search(r"\[(\d+)\]\.(\w+)", message)
        labels = {"name": "指标名称", "weight": "权重", "max_score": "满分", "score": "得分"}
        if row:
            label = labels.get(row.group(2), row.group(2))
            raise InvalidInput(
                "request.invalid", f"第 {int(row.group(1)) + 1} 行的“{label}”填写不正确，请检查。"
            ) from None
        raise InvalidInput("request.invalid", "请检查表单的填写。") from None


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
        self, actor: Principal, year: int, *, error: str | None = None,
        entered: list[dict[str, Any]] | None = None, status_code: int = 200,
    ) -> Template:
        scheme = await services.get_scheme(actor, year)
        evaluators = await services.list_evaluators(actor, year)
        return page(
            "evaluation/scheme.html", actor, status_code=status_code, year=year, scheme=scheme,
            rows=_indicator_rows(entered if entered is not None else scheme.indicators),
            evaluators=evaluators, named={e.person_id for e in evaluators},
            experts=await services.expert_choices(actor), error=error,
        )

    @post("/{year:int}/scheme", opt=access(Role.CITY_ADMIN))
    async def save_scheme(self, actor: Principal, year: YearParam, data: Form) -> Template | Redirect:
        """Save the scheme from the form."""
        rows = _scheme_from_form(data)
        try:
            await services.put_scheme(actor, year, _convert({"indicators": rows}, s.SchemeIn))
        except LianyanError as exc:
            return await self._scheme(actor, year, error=exc.detail, entered=rows,
                                      status_code=exc.status)
        return Redirect(f"/evaluation?year={year}", status_code=303)

    @post("/{year:int}/evaluators", opt=access(Role.CITY_ADMIN))
    async def save_evaluators(
        self, actor: Principal, year: YearParam, data: Form
    ) -> Template | Redirect:
        """Name the experts who score the year."""
        ids = [i for i in map(int_or_none, _many(data.get("person_id"))) if i is not None]
        try:
            await services.put_evaluators(actor, year, s.EvaluatorsIn(person_ids=ids))
        except LianyanError as exc:
            return await self._scheme(actor, year, error=exc.detail, status_code=exc.status)
        return Redirect(f"/evaluation?year={year}", status_code=303)

    async def _scores(
        self, actor: Principal, year: int, *, kind: str, county_id: int | None, q: str | None,
        limit: int, offset: int, error: str | None = None, status_code: int = 200,
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
            "evaluation/scores.html", actor, status_code=status_code, year=year, board=board,
            kind=kind, county_id=county_id, q=q or "", scored=scored, averages=averages,
            counties=await org.list_counties(actor), kinds=s.CANDIDATE_NAMES,
            award_names=s.AWARD_NAMES, pager=pager(board.total, limit, offset), error=error,
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
    async def save_scores(self, actor: Principal, year: YearParam, data: Form) -> Template | Redirect:
        """Save the scores typed into the table (blank cells are left alone)."""
        kind = _one(data.get("kind")) or "zone"
        entries = []
        for key, value in data.items():
            found = re.fullmatch(r"score_(\d+)_(\d+)", key)
            if found and _one(value):
                entries.append({"candidate_kind": kind, "candidate_id": found.group(1),
                                "indicator_id": found.group(2), "score": _one(value)})
        back = f"/evaluation/{year}/scores?kind={kind}&offset={_one(data.get('offset')) or 0}"
        try:
            await services.put_scores(actor, year, _convert({"scores": entries}, s.ScoresIn))
        except LianyanError as exc:
            return await self._scores(actor, year, kind=kind, county_id=None, q=None, limit=50,
                                      offset=0, error=exc.detail, status_code=exc.status)
        return Redirect(back, status_code=303)

    async def _awards(
        self, actor: Principal, year: int, *, error: str | None = None, status_code: int = 200
    ) -> Template:
        awards = await services.list_awards(actor, year)
        return page("evaluation/awards.html", actor, status_code=status_code, year=year,
                    awards=awards, error=error)

    @get("/{year:int}/awards", opt=access(SIGNED_IN))
    async def awards(self, actor: Principal, year: YearParam) -> Template:
        """The award list: published for everyone; being prepared for the city."""
        return await self._awards(actor, year)

    @post("/{year:int}/awards", opt=access(Role.CITY_ADMIN))
    async def create_award(self, actor: Principal, year: YearParam, data: Form) -> Template | Redirect:
        """Designate an award (from the score page)."""
        values = {"kind": _one(data.get("kind")), "candidate_id": _one(data.get("candidate_id")),
                  "note": _one(data.get("note"))}
        try:
            await services.create_award(actor, year, _convert(values, s.AwardIn))
        except LianyanError as exc:
            return await self._awards(actor, year, error=exc.detail, status_code=exc.status)
        return Redirect(f"/evaluation/{year}/awards", status_code=303)

    @post("/{year:int}/awards/{award_id:int}/delete", opt=access(Role.CITY_ADMIN))
    async def delete_award(
        self, actor: Principal, year: YearParam, award_id: int
    ) -> Template | Redirect:
        """Withdraw an award before publication."""
        try:
            await services.delete_award(actor, year, award_id)
        except LianyanError as exc:
            return await self._awards(actor, year, error=exc.detail, status_code=exc.status)
        return Redirect(f"/evaluation/{year}/awards", status_code=303)

    @post("/{year:int}/awards/publish", opt=access(Role.CITY_ADMIN))
    async def publish(self, actor: Principal, year: YearParam) -> Template | Redirect:
        """Publish the award list."""
        try:
            await services.publish_awards(actor, year)
        except LianyanError as exc:
            return await self._awards(actor, year, error=exc.detail, status_code=exc.status)
        return Redirect(f"/evaluation/{year}/awards", status_code=303)
