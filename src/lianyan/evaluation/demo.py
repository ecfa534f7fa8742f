"""Demo awards for the demo city (``lianyan demo``): this year's list, published.

One 先进责任区, two 先进幼儿园 and three 先进个人 from several counties, names and units copied as
the award records them, and the year's list published a week ago, so the 表彰决定 and the award
slides of the reports have something to show. The year's evaluation (its indicators) comes first.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from lianyan import clock
from lianyan.evaluation.tables import EvaluationAward, EvaluationIndicator, EvaluationYear
from lianyan.org.tables import Kindergarten, Person, Zone


async def load(ids: dict[str, Any]) -> None:
    """Add this year's awards and publish the list (called once by ``lianyan.demo.load``)."""
    year = clock.today().year
    await _evaluation(year)
    now = clock.now()
    zone = await Zone.select(Zone.id, Zone.name, Zone.county, Zone.lead_kindergarten_id).where(
        Zone.id == ids["zones"]["411282"][0]).first()
    assert zone is not None  # lianyan.demo made it
    lead = await Kindergarten.select(Kindergarten.name).where(
        Kindergarten.id == zone["lead_kindergarten_id"]).first()
    kgs = await Kindergarten.select(Kindergarten.id, Kindergarten.name, Kindergarten.county).where(
        Kindergarten.id.is_in([ids["kindergartens"]["411224"][7], ids["kindergartens"]["411202"][0]])
    ).order_by(Kindergarten.id)
    people = await Person.select(Person.id, Person.name, Person.unit, Person.county).where(
        Person.id.is_in([ids["people"]["teacher1"], ids["people"]["teacher2"],
                         ids["people"]["zone1"]])
    ).order_by(Person.id)
    # A zone's unit is its lead kindergarten (核心园), as the award form records it.
    awards = [EvaluationAward(year=year, kind="zone", candidate_id=zone["id"],
                              candidate_name=zone["name"], unit=lead["name"] if lead else "",
                              county=zone["county"], created_at=now)]
    awards += [EvaluationAward(year=year, kind="kindergarten", candidate_id=k["id"],
                               candidate_name=k["name"], county=k["county"], created_at=now)
               for k in kgs]
    awards += [EvaluationAward(year=year, kind="person", candidate_id=p["id"],
                               candidate_name=p["name"], unit=p["unit"], county=p["county"],
                               created_at=now)
               for p in people]
    await EvaluationAward.insert(*awards)
    published = now - dt.timedelta(days=7)
    updated = await EvaluationYear.update(
        {EvaluationYear.published_at: published, EvaluationYear.published_by: ids["people"]["city"],
         EvaluationYear.updated_at: now}
    ).where(EvaluationYear.year == year).returning(EvaluationYear.id)
    if not updated:
        await EvaluationYear.insert(EvaluationYear(
            year=year, published_at=published, published_by=ids["people"]["city"], updated_at=now))


async def _evaluation(year: int) -> None:
    await EvaluationYear.insert(EvaluationYear(year=year, updated_at=clock.now()))
    await EvaluationIndicator.insert(
        *[
            EvaluationIndicator(year=year, name=name, description=description, weight=weight,
                                max_score=weight, sort=index)
            for index, (name, description, weight) in enumerate([
                ("组织管理", "领导小组、责任区制度健全，计划按时备案", 20),
                ("教研活动", "按计划开展活动，形式多样，覆盖全部成员园", 30),
                ("联盟互动", "参与同研异构，推送亮点活动", 25),
                ("课题研究", "课题开展及成果", 25),
            ])
        ]
    )
