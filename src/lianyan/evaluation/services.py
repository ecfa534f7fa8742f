"""Evaluation and awards (评估与表彰): the yearly scheme, evaluators, scores, awards.

* The scheme's weights sum to 100 (``evaluation.weights``); it is fixed once scoring began.
* Evaluators are the city and the experts it names for the year; each keeps their own scores,
  between 0 and the indicator's maximum (``evaluation.score_range``). Experts see only their
  own scores; the city sees everyone's averages and the weighted total.
* The city designates 先进责任区 / 先进幼儿园 / 先进个人 from inside the city (an award for a
  person registered in no county or kindergarten of the city: ``award.outside_city``) and
  publishes the list; after that, scores and awards of the year are final.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import msgspec

from lianyan import clock
from lianyan.audit import services as audit
from lianyan.db import atomic, filtered
from lianyan.errors import Conflict, Forbidden, InvalidInput, NotFound
from lianyan.evaluation import participation
from lianyan.evaluation import schemas as s
from lianyan.evaluation.tables import (
    EvaluationAward,
    EvaluationEvaluator,
    EvaluationIndicator,
    EvaluationScore,
    EvaluationYear,
)
from lianyan.org.tables import County, Kindergarten, Person, RoleAssignment, Zone
from lianyan.principal import Principal, Role


def _require_city(actor: Principal) -> None:
    if not actor.is_city:
        raise Forbidden("auth.forbidden", "只有市教育局学前教育科可以进行此操作。")


async def _published_at(year: int) -> dt.datetime | None:
    row = await EvaluationYear.select(EvaluationYear.published_at).where(
        EvaluationYear.year == year
    ).first()
    return clock.local(row["published_at"]) if row else None


async def _refuse_if_published(year: int) -> None:
    if await _published_at(year) is not None:
        raise Conflict(
            "evaluation.published",
            f"{year} 年的表彰名单已经公布，评分和表彰结果不能再修改。",
        )


# Scheme ------------------------------------------------------------------------------------

_INDICATOR_COLUMNS = (
    EvaluationIndicator.id,
    EvaluationIndicator.name,
    EvaluationIndicator.description,
    EvaluationIndicator.weight,
    EvaluationIndicator.max_score,
)


async def indicators(year: int) -> list[s.IndicatorOut]:
    """The indicators of a year's scheme, in order."""
    rows = await EvaluationIndicator.select(*_INDICATOR_COLUMNS).where(
        EvaluationIndicator.year == year
    ).order_by(EvaluationIndicator.sort)
    return [msgspec.convert(r, s.IndicatorOut) for r in rows]


async def get_scheme(actor: Principal, year: int) -> s.SchemeOut:
    """A year's scheme (empty until the city defines it); readable by everyone signed in."""
    items = await indicators(year)
    return s.SchemeOut(
        year=year,
        indicators=items,
        total_weight=sum(i.weight for i in items),
        locked=await EvaluationScore.exists().where(EvaluationScore.year == year),
        published=await _published_at(year) is not None,
    )


def check_weights(items: list[s.IndicatorIn]) -> None:
    """Refuse a scheme whose weights do not sum to 100, or with a repeated indicator name."""
    total = sum(i.weight for i in items)
    if total != 100:
        gap = f"还差 {100 - total}" if total < 100 else f"多了 {total - 100}"
        raise InvalidInput(
            "evaluation.weights",
            f"各项指标的权重之和须为 100，现在是 {total}（{gap}）。请调整权重后再保存。",
            total_weight=total,
        )
    names = [i.name.strip() for i in items]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise InvalidInput(
            "evaluation.indicator_names", f"指标名称不能重复：{'、'.join(repeated)}。"
        )


async def put_scheme(actor: Principal, year: int, data: s.SchemeIn) -> s.SchemeOut:
    """Replace a year's scheme (city only) while nobody has scored that year.

    Side effects: the year's indicators are replaced (new ids); an audit entry.
    """
    _require_city(actor)
    check_weights(data.indicators)
    async with atomic(lock=f"evaluation:{year}"):
        await _refuse_if_published(year)
        if await EvaluationScore.exists().where(EvaluationScore.year == year):
            raise Conflict(
                "evaluation.scheme_locked",
                f"{year} 年已经开始评分，评估方案不能再修改。",
            )
        await EvaluationIndicator.delete().where(EvaluationIndicator.year == year)
        await EvaluationIndicator.insert(
            *[
                EvaluationIndicator(year=year, name=i.name.strip(), description=i.description,
                                    weight=i.weight, max_score=i.max_score, sort=index)
                for index, i in enumerate(data.indicators)
            ]
        )
        await _touch_year(year)
        await audit.record(actor, "evaluation.scheme", "evaluation", year,
                           indicators=[i.name for i in data.indicators])
    return await get_scheme(actor, year)


async def _touch_year(year: int) -> None:
    if await EvaluationYear.exists().where(EvaluationYear.year == year):
        await EvaluationYear.update({EvaluationYear.updated_at: clock.now()}).where(
            EvaluationYear.year == year
        )
    else:
        await EvaluationYear.insert(EvaluationYear(year=year, updated_at=clock.now()))


# Evaluators --------------------------------------------------------------------------------


async def list_evaluators(actor: Principal, year: int) -> list[s.EvaluatorOut]:
    """The experts named for ``year`` (city only)."""
    _require_city(actor)
    rows = await EvaluationEvaluator.select(
        EvaluationEvaluator.person.as_alias("person_id"),
        EvaluationEvaluator.person.name.as_alias("name"),
        EvaluationEvaluator.person.unit.as_alias("unit"),
    ).where(EvaluationEvaluator.year == year).order_by(EvaluationEvaluator.id)
    return [msgspec.convert(r, s.EvaluatorOut) for r in rows]


async def put_evaluators(
    actor: Principal, year: int, data: s.EvaluatorsIn
) -> list[s.EvaluatorOut]:
    """Name the experts who score ``year`` (city only); each must hold the expert role.

    Scores of an expert taken off the list are kept. Side effects: the year's evaluator rows
    are replaced; an audit entry.
    """
    _require_city(actor)
    wanted = list(dict.fromkeys(data.person_ids))
    experts = {
        r["person"]
        for r in await RoleAssignment.select(RoleAssignment.person).where(
            RoleAssignment.person.is_in(wanted or [0])
            & (RoleAssignment.role == Role.EXPERT)
            & (RoleAssignment.active == True)  # noqa: E712
        )
    }
    missing = [p for p in wanted if p not in experts]
    if missing:
        raise InvalidInput(
            "evaluation.not_expert",
            "只能指定已登记为专家的人员担任评估人；请先在“人员”中为其授予专家角色。",
            person_ids=missing,
        )
    async with atomic(lock=f"evaluation:{year}"):
        await _refuse_if_published(year)
        await EvaluationEvaluator.delete().where(EvaluationEvaluator.year == year)
        if wanted:
            await EvaluationEvaluator.insert(
                *[EvaluationEvaluator(year=year, person=p, created_at=clock.now()) for p in wanted]
            )
        await _touch_year(year)
        await audit.record(actor, "evaluation.evaluators", "evaluation", year, person_ids=wanted)
    return await list_evaluators(actor, year)


async def expert_choices(actor: Principal) -> list[s.EvaluatorOut]:
    """Everyone holding the expert role, for the city to name evaluators from."""
    _require_city(actor)
    rows = await RoleAssignment.select(
        RoleAssignment.person.as_alias("person_id"),
        RoleAssignment.person.name.as_alias("name"),
        RoleAssignment.person.unit.as_alias("unit"),
    ).where(
        (RoleAssignment.role == Role.EXPERT) & (RoleAssignment.active == True)  # noqa: E712
    ).order_by(RoleAssignment.person)
    unique = {r["person_id"]: r for r in rows}
    return [msgspec.convert(r, s.EvaluatorOut) for r in unique.values()]


async def is_evaluator(actor: Principal, year: int) -> bool:
    """True when the caller may score ``year`` (the city, or a named expert)."""
    try:
        await _require_evaluator(actor, year)
    except Forbidden:
        return False
    return True


async def _require_evaluator(actor: Principal, year: int) -> None:
    if actor.is_city:
        return
    if not await EvaluationEvaluator.exists().where(
        (EvaluationEvaluator.year == year) & (EvaluationEvaluator.person == actor.person_id)
    ):
        raise Forbidden(
            "evaluation.not_evaluator",
            f"您不是 {year} 年度评估的评估人；评估人由市教育局指定。",
        )


# Candidates --------------------------------------------------------------------------------


def _candidate_query(kind: str) -> tuple[Any, tuple[Any, ...], Any]:
    """(table, columns with id/name/unit/county_id/county_name, base condition) of a kind."""
    if kind == "zone":
        return Zone, (
            Zone.id, Zone.name, Zone.county.name.as_alias("unit"),
            Zone.county.as_alias("county_id"), Zone.county.name.as_alias("county_name"),
        ), None
    if kind == "kindergarten":
        return Kindergarten, (
            Kindergarten.id, Kindergarten.name, Kindergarten.county.name.as_alias("unit"),
            Kindergarten.county.as_alias("county_id"),
            Kindergarten.county.name.as_alias("county_name"),
        ), None
    # People of the city are those registered in one of its counties (or kindergartens,
    # whose staff always carry the county).
    return Person, (
        Person.id, Person.name, Person.unit, Person.county.as_alias("county_id"),
        Person.county.name.as_alias("county_name"),
    ), Person.county.is_not_null()


async def _candidates(
    kind: str, *, ids: list[int] | None = None, county_id: int | None = None,
    q: str | None = None, limit: int = 50, offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    table, columns, base = _candidate_query(kind)
    conditions = [base]
    if ids is not None:
        conditions.append(table.id.is_in(ids or [0]))
    if county_id:
        conditions.append(table.county == county_id)
    if q:
        conditions.append(table.name.like(f"%{q.strip()}%"))
    query, count = filtered(table.select(*columns), table.count(), conditions)
    rows = await query.order_by(table.county).order_by(table.id).limit(limit).offset(offset)
    return rows, await count


# Scores ------------------------------------------------------------------------------------


async def score_board(
    actor: Principal,
    year: int,
    *,
    kind: str,
    county_id: int | None = None,
    q: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> s.ScoreBoard:
    """Candidates of one kind with participation and scores; a fixed number of queries."""
    await _require_evaluator(actor, year)
    items = await indicators(year)
    rows, total = await _candidates(kind, county_id=county_id, q=q, limit=limit, offset=offset)
    ids = [r["id"] for r in rows]
    figures = await participation.for_candidates(year, kind, ids)
    scores = await EvaluationScore.select(
        EvaluationScore.evaluator, EvaluationScore.candidate_id,
        EvaluationScore.indicator.as_alias("indicator_id"), EvaluationScore.score,
        EvaluationScore.comment,
    ).where(
        (EvaluationScore.year == year)
        & (EvaluationScore.candidate_kind == kind)
        & EvaluationScore.candidate_id.is_in(ids or [0])
    )
    mine: dict[int, list[s.ScoreOut]] = defaultdict(list)
    collected: dict[int, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
    for r in scores:
        collected[r["candidate_id"]][r["indicator_id"]].append(r["score"])
        if r["evaluator"] == actor.person_id:
            mine[r["candidate_id"]].append(
                s.ScoreOut(indicator_id=r["indicator_id"], score=r["score"], comment=r["comment"])
            )
    out = []
    for r in rows:
        averages = total_score = None
        if actor.is_city:
            averages, total_score = _averages(items, collected.get(r["id"], {}))
        out.append(
            s.CandidateOut(
                kind=kind, id=r["id"], name=r["name"], unit=r["unit"] or "",
                county_id=r["county_id"], county_name=r["county_name"],
                participation=figures[r["id"]], my_scores=mine.get(r["id"], []),
                averages=averages, total=total_score,
            )
        )
    return s.ScoreBoard(year=year, kind=kind, indicators=items, items=out, total=total,
                        notes=[])


def _averages(
    items: list[s.IndicatorOut], by_indicator: dict[int, list[float]]
) -> tuple[list[s.AverageOut], float | None]:
    """The evaluators' average per indicator and the weighted total out of 100."""
    averages = []
    total = 0.0
    for indicator in items:
        values = by_indicator.get(indicator.id, [])
        if not values:
            continue
        average = sum(values) / len(values)
        averages.append(s.AverageOut(indicator_id=indicator.id, average=round(average, 2),
                                     evaluators=len(values)))
        total += average / indicator.max_score * indicator.weight
    return averages, (round(total, 2) if averages else None)


async def put_scores(actor: Principal, year: int, data: s.ScoresIn) -> s.ScoresSaved:
    """Save the caller's scores: each between 0 and its indicator's maximum.

    Side effects: the caller's earlier score of each item is replaced; an audit entry.
    """
    await _require_evaluator(actor, year)
    items = {i.id: i for i in await indicators(year)}
    if not items:
        raise Conflict("evaluation.no_scheme", f"市教育局尚未制定 {year} 年的评估方案，暂不能评分。")
    for entry in data.scores:
        indicator = items.get(entry.indicator_id)
        if indicator is None:
            raise InvalidInput(
                "evaluation.indicator", f"指标（编号 {entry.indicator_id}）不属于 {year} 年的评估方案。",
                indicator_id=entry.indicator_id,
            )
        if not 0 <= entry.score <= indicator.max_score:
            raise InvalidInput(
                "evaluation.score_range",
                f"“{indicator.name}”的得分须在 0 到 {indicator.max_score} 分之间，"
                f"您填写的是 {entry.score:g} 分。",
                indicator_id=indicator.id, max_score=indicator.max_score, score=entry.score,
            )
    for kind in ("zone", "kindergarten", "person"):
        wanted = sorted({e.candidate_id for e in data.scores if e.candidate_kind == kind})
        if wanted:
            found, _ = await _candidates(kind, ids=wanted, limit=len(wanted))
            missing = sorted(set(wanted) - {r["id"] for r in found})
            if missing:
                raise InvalidInput(
                    "evaluation.candidate",
                    f"没有找到这些{s.CANDIDATE_NAMES[kind]}（编号 {'、'.join(map(str, missing))}），"
                    "或其不属于本市。",
                    candidate_kind=kind, candidate_ids=missing,
                )
    now = clock.now()
    async with atomic(lock=f"evaluation:{year}"):
        await _refuse_if_published(year)
        for e in data.scores:
            await EvaluationScore.delete().where(
                (EvaluationScore.evaluator == actor.person_id)
                & (EvaluationScore.candidate_kind == e.candidate_kind)
                & (EvaluationScore.candidate_id == e.candidate_id)
                & (EvaluationScore.indicator == e.indicator_id)
            )
        if data.scores:
            await EvaluationScore.insert(
                *[
                    EvaluationScore(year=year, evaluator=actor.person_id,
                                    candidate_kind=e.candidate_kind, candidate_id=e.candidate_id,
                                    indicator=e.indicator_id, score=e.score,
                                    comment=e.comment.strip(), updated_at=now)
                    for e in data.scores
                ]
            )
        await audit.record(actor, "evaluation.scores", "evaluation", year,
                           saved=len(data.scores))
    return s.ScoresSaved(saved=len(data.scores))


# Awards ------------------------------------------------------------------------------------

_AWARD_COLUMNS = (
    EvaluationAward.id,
    EvaluationAward.year,
    EvaluationAward.kind,
    EvaluationAward.candidate_id,
    EvaluationAward.candidate_name,
    EvaluationAward.unit,
    EvaluationAward.county.as_alias("county_id"),
    EvaluationAward.county.name.as_alias("county_name"),
    EvaluationAward.note,
    EvaluationAward.created_at,
)
_KIND_ORDER = {"zone": 0, "kindergarten": 1, "person": 2}


def _award_out(row: dict[str, Any]) -> s.AwardOut:
    row["created_at"] = clock.local(row["created_at"])
    row["award_name"] = s.AWARD_NAMES[row["kind"]]
    return msgspec.convert(row, s.AwardOut)


async def list_awards(actor: Principal, year: int) -> s.AwardList:
    """A year's awards, 先进责任区 first; before publication only the city sees any."""
    published_at = await _published_at(year)
    if published_at is None and not actor.is_city:
        return s.AwardList(year=year, published=False, published_at=None, items=[], total=0)
    rows = await EvaluationAward.select(*_AWARD_COLUMNS).where(
        EvaluationAward.year == year
    ).order_by(EvaluationAward.id)
    items = sorted((_award_out(r) for r in rows), key=lambda a: _KIND_ORDER[a.kind])
    return s.AwardList(year=year, published=published_at is not None,
                       published_at=published_at, items=items, total=len(items))


async def _resolve_candidate(kind: str, candidate_id: int) -> dict[str, Any]:
    """Name, unit and county of a candidate; people must belong to the city."""
    if kind == "person":
        row = await Person.select(
            Person.id, Person.name, Person.unit, Person.county.as_alias("county_id"),
            Person.kindergarten.name.as_alias("kindergarten_name"),
        ).where(Person.id == candidate_id).first()
        if row is None:
            raise NotFound("person.not_found", "没有找到该人员。")
        if row["county_id"] is None:
            raise InvalidInput(
                "award.outside_city",
                f"“{row['name']}”没有登记在本市任何县（市、区）或幼儿园，不是本市人员，"
                "不能授予先进个人。",
                candidate_id=candidate_id,
            )
        return {"name": row["name"], "unit": row["kindergarten_name"] or row["unit"],
                "county_id": row["county_id"]}
    rows, _ = await _candidates(kind, ids=[candidate_id], limit=1)
    if not rows:
        what = s.CANDIDATE_NAMES[kind]
        raise NotFound(f"{kind}.not_found", f"没有找到该{what}。")
    return {"name": rows[0]["name"], "unit": rows[0]["unit"] or "",
            "county_id": rows[0]["county_id"]}


async def create_award(actor: Principal, year: int, data: s.AwardIn) -> s.AwardOut:
    """Designate an award (city only), before the year's list is published.

    Side effects: one ``EvaluationAward`` row holding the names as they are now; an audit entry.
    """
    _require_city(actor)
    candidate = await _resolve_candidate(data.kind, data.candidate_id)
    async with atomic(lock=f"evaluation:{year}"):
        await _refuse_if_published(year)
        if await EvaluationAward.exists().where(
            (EvaluationAward.year == year) & (EvaluationAward.kind == data.kind)
            & (EvaluationAward.candidate_id == data.candidate_id)
        ):
            raise Conflict(
                "award.exists",
                f"“{candidate['name']}”已被评为 {year} 年度{s.AWARD_NAMES[data.kind]}。",
            )
        row = (
            await EvaluationAward.insert(
                EvaluationAward(year=year, kind=data.kind, candidate_id=data.candidate_id,
                                candidate_name=candidate["name"], unit=candidate["unit"],
                                county=candidate["county_id"], note=data.note.strip(),
                                created_by=actor.person_id, created_at=clock.now())
            )
        )[0]
        await _touch_year(year)
        await audit.record(actor, "award.create", "evaluation", year, award_id=row["id"],
                           kind=data.kind, name=candidate["name"])
    found = await EvaluationAward.select(*_AWARD_COLUMNS).where(
        EvaluationAward.id == row["id"]
    ).first()
    assert found is not None  # written in the transaction above
    return _award_out(found)


async def delete_award(actor: Principal, year: int, award_id: int) -> None:
    """Withdraw an award before the list is published (city only)."""
    _require_city(actor)
    async with atomic(lock=f"evaluation:{year}"):
        await _refuse_if_published(year)
        row = await EvaluationAward.select(EvaluationAward.candidate_name).where(
            (EvaluationAward.id == award_id) & (EvaluationAward.year == year)
        ).first()
        if row is None:
            raise NotFound("award.not_found", "没有找到该表彰。")
        await EvaluationAward.delete().where(EvaluationAward.id == award_id)
        await audit.record(actor, "award.delete", "evaluation", year, award_id=award_id,
                           name=row["candidate_name"])


async def publish_awards(actor: Principal, year: int) -> s.AwardList:
    """Publish the year's award list (city only): everyone can read it, nothing changes after.

    Side effects: the year is marked published; an audit entry.
    """
    _require_city(actor)
    async with atomic(lock=f"evaluation:{year}"):
        await _refuse_if_published(year)
        if not await EvaluationAward.exists().where(EvaluationAward.year == year):
            raise Conflict("award.empty", f"{year} 年还没有评出任何先进，不能公布空名单。")
        await _touch_year(year)
        await EvaluationYear.update(
            {EvaluationYear.published_at: clock.now(), EvaluationYear.published_by: actor.person_id}
        ).where(EvaluationYear.year == year)
        await audit.record(actor, "award.publish", "evaluation", year)
    return await list_awards(actor, year)


async def county_names() -> dict[int, str]:
    """County names by id (for pages)."""
    return {r["id"]: r["name"] for r in await County.select(County.id, County.name)}
