"""Evaluation and awards: the scheme's weights, evaluators, score ranges, awards, publication."""

from __future__ import annotations

from lianyan import db
from lianyan.evaluation import services
from lianyan.org.tables import Person
from tests.builders import org as f
from tests.filings import builders as b

SCHEME = {
    "indicators": [
        {"name": "教研活动组织", "weight": 40, "max_score": 40},
        {"name": "同研异构参与", "weight": 30, "max_score": 30},
        {"name": "课题研究", "weight": 30, "max_score": 30},
    ]
}


async def _scheme(client, city) -> list[dict]:
    response = await client.put("/api/v1/evaluations/2026/scheme", json=SCHEME, headers=city)
    assert response.status_code == 200, response.text
    return response.json()["indicators"]


async def test_scheme_with_weights_not_summing_to_100_is_refused_with_the_gap(client):
    # Arrange
    city = await b.city(client)
    body = {"indicators": [{"name": "教研活动组织", "weight": 40},
                           {"name": "课题研究", "weight": 55}]}
    # Act
    response = await client.put("/api/v1/evaluations/2026/scheme", json=body, headers=city)
    # Assert
    assert response.status_code == 400
    assert response.json()["code"] == "evaluation.weights"
    assert response.json()["detail"] == (
        "各项指标的权重之和须为 100，现在是 95（还差 5）。请调整权重后再保存。"
    )
    scheme = await client.get("/api/v1/evaluations/2026/scheme", headers=city)
    assert scheme.json()["indicators"] == []


async def test_scheme_with_weights_summing_to_100_is_saved_in_order(client):
    city = await b.city(client)
    indicators = await _scheme(client, city)
    assert [i["name"] for i in indicators] == ["教研活动组织", "同研异构参与", "课题研究"]
    scheme = await client.get("/api/v1/evaluations/2026/scheme", headers=city)
    assert scheme.json()["total_weight"] == 100


async def test_score_above_the_indicator_maximum_is_refused_and_nothing_saved(client):
    # Arrange
    city = await b.city(client)
    c = await b.county(client)
    indicators = await _scheme(client, city)
    body = {"scores": [
        {"candidate_kind": "zone", "candidate_id": c.zones[0],
         "indicator_id": indicators[0]["id"], "score": 35},
        {"candidate_kind": "zone", "candidate_id": c.zones[0],
         "indicator_id": indicators[1]["id"], "score": 31},
    ]}
    # Act
    response = await client.put("/api/v1/evaluations/2026/scores", json=body, headers=city)
    # Assert
    assert response.status_code == 400
    assert response.json()["code"] == "evaluation.score_range"
    assert response.json()["detail"] == "“同研异构参与”的得分须在 0 到 30 分之间，您填写的是 31 分。"
    board = await client.get("/api/v1/evaluations/2026/scores?kind=zone", headers=city)
    assert all(item["my_scores"] == [] for item in board.json()["items"])


async def test_negative_score_is_refused(client):
    city = await b.city(client)
    c = await b.county(client)
    indicators = await _scheme(client, city)
    body = {"scores": [{"candidate_kind": "kindergarten", "candidate_id": c.kindergartens[0],
                        "indicator_id": indicators[2]["id"], "score": -1}]}
    response = await client.put("/api/v1/evaluations/2026/scores", json=body, headers=city)
    assert response.status_code == 400
    assert response.json()["code"] == "evaluation.score_range"


async def test_scores_give_city_the_weighted_total_and_lock_the_scheme(client):
    # Arrange
    city = await b.city(client)
    c = await b.county(client)
    indicators = await _scheme(client, city)
    await f.user("expert1", "expert", county_id=c.id)
    expert_id = (await Person.select(Person.id).where(Person.name == "expert1").first())["id"]
    named = await client.put("/api/v1/evaluations/2026/evaluators",
                             json={"person_ids": [expert_id]}, headers=city)
    assert named.status_code == 200, named.text
    expert = await f.bearer(client, "expert1")
    zone = c.zones[0]

    def scores(values):
        return {"scores": [
            {"candidate_kind": "zone", "candidate_id": zone, "indicator_id": i["id"], "score": v}
            for i, v in zip(indicators, values, strict=True)
        ]}

    # Act
    await client.put("/api/v1/evaluations/2026/scores", json=scores([40, 30, 30]), headers=city)
    saved = await client.put("/api/v1/evaluations/2026/scores", json=scores([20, 15, 15]),
                             headers=expert)
    city_view = await client.get("/api/v1/evaluations/2026/scores?kind=zone", headers=city)
    expert_view = await client.get("/api/v1/evaluations/2026/scores?kind=zone", headers=expert)
    relock = await client.put("/api/v1/evaluations/2026/scheme", json=SCHEME, headers=city)
    # Assert
    assert saved.json() == {"saved": 3}
    row = next(i for i in city_view.json()["items"] if i["id"] == zone)
    assert row["total"] == 75.0  # the averages are 30/40, 22.5/30, 22.5/30 → 75 of 100
    mine = next(i for i in expert_view.json()["items"] if i["id"] == zone)
    assert [s_["score"] for s_ in mine["my_scores"]] == [20, 15, 15]
    assert mine["averages"] is None and mine["total"] is None
    assert relock.status_code == 409
    assert relock.json()["code"] == "evaluation.scheme_locked"


async def test_expert_not_named_cannot_score(client):
    city = await b.city(client)
    c = await b.county(client)
    indicators = await _scheme(client, city)
    await f.user("expert2", "expert")
    expert = await f.bearer(client, "expert2")
    body = {"scores": [{"candidate_kind": "zone", "candidate_id": c.zones[0],
                        "indicator_id": indicators[0]["id"], "score": 10}]}
    response = await client.put("/api/v1/evaluations/2026/scores", json=body, headers=expert)
    assert response.status_code == 403
    assert response.json()["code"] == "evaluation.not_evaluator"


async def test_naming_a_non_expert_as_evaluator_is_refused(client):
    city = await b.city(client)
    teacher_id = await f.user("teacher", "teacher")
    response = await client.put("/api/v1/evaluations/2026/evaluators",
                                json={"person_ids": [teacher_id]}, headers=city)
    assert response.status_code == 400
    assert response.json()["code"] == "evaluation.not_expert"


async def test_award_for_a_person_outside_the_city_is_refused(client):
    # Arrange: an expert from a university elsewhere, registered in no county of the city.
    city = await b.city(client)
    outsider = await f.user("zhengzhou", "expert", name="郑州大学周教授")
    # Act
    response = await client.post("/api/v1/evaluations/2026/awards",
                                 json={"kind": "person", "candidate_id": outsider},
                                 headers=city)
    # Assert
    assert response.status_code == 400
    assert response.json()["code"] == "award.outside_city"
    assert "“郑州大学周教授”没有登记在本市任何县（市、区）或幼儿园" in response.json()["detail"]
    awards = await client.get("/api/v1/evaluations/2026/awards", headers=city)
    assert awards.json()["items"] == []


async def test_awards_are_published_then_visible_to_counties_and_final(client):
    # Arrange
    city = await b.city(client)
    c = await b.county(client)
    teacher = await f.user("teacher1", "teacher", kindergarten_id=c.kindergartens[0],
                           name="王芳")
    for kind, candidate in (("person", teacher), ("zone", c.zones[0]),
                            ("kindergarten", c.kindergartens[1])):
        response = await client.post("/api/v1/evaluations/2026/awards",
                                     json={"kind": kind, "candidate_id": candidate},
                                     headers=city)
        assert response.status_code == 201, response.text
    before = await client.get("/api/v1/evaluations/2026/awards", headers=c.officer)
    # Act
    published = await client.post("/api/v1/evaluations/2026/awards/publish", headers=city)
    after = await client.get("/api/v1/evaluations/2026/awards", headers=c.officer)
    late = await client.post("/api/v1/evaluations/2026/awards",
                             json={"kind": "zone", "candidate_id": c.zones[1]}, headers=city)
    # Assert
    assert before.json()["items"] == [] and before.json()["published"] is False
    assert published.status_code == 200
    assert [a["award_name"] for a in after.json()["items"]] == ["先进责任区", "先进幼儿园", "先进个人"]
    assert after.json()["items"][2]["candidate_name"] == "王芳"
    assert after.json()["items"][2]["county_name"] == "灵宝市"
    assert late.status_code == 409
    assert late.json()["code"] == "evaluation.published"


async def test_same_award_twice_is_refused(client):
    city = await b.city(client)
    c = await b.county(client)
    body = {"kind": "zone", "candidate_id": c.zones[0]}
    await client.post("/api/v1/evaluations/2026/awards", json=body, headers=city)
    again = await client.post("/api/v1/evaluations/2026/awards", json=body, headers=city)
    assert again.status_code == 409
    assert again.json()["code"] == "award.exists"


async def test_participation_counts_activities_of_accepted_filings(client):
    # Arrange
    city = await b.city(client)
    c = await b.county(client)
    filing_id = await b.complete_filing(client, c)
    await client.post(f"/api/v1/filings/{filing_id}/submit", headers=c.officer)
    await client.post(f"/api/v1/filings/{filing_id}/accept", headers=city)
    await _scheme(client, city)
    # Act
    board = await client.get("/api/v1/evaluations/2026/scores?kind=zone", headers=city)
    # Assert
    figures = {i["id"]: i["participation"] for i in board.json()["items"]}
    assert figures[c.zones[0]]["activities"] == 1
    assert figures[c.zones[1]]["activities"] == 0


async def test_score_board_runs_the_same_queries_for_1_and_50_candidates(clean_db):
    # Arrange
    await f.user("city", "city_admin")
    actor = await f.principal("city")
    county_id = await f.county()
    zone_id = await f.zone(county_id)
    await f.kindergarten(county_id, zone_id=zone_id, name="园0")

    async def queries() -> int:
        with db.count_queries() as counter:
            board = await services.score_board(actor, 2026, kind="kindergarten", limit=200)
        assert board.items
        return counter[0]

    one = await queries()
    for i in range(49):
        await f.kindergarten(county_id, zone_id=zone_id, name=f"园{i + 1}")
    # Act
    fifty = await queries()
    # Assert
    assert one == fifty


async def test_awards_list_runs_the_same_queries_for_1_and_50_awards(clean_db):
    await f.user("city", "city_admin")
    actor = await f.principal("city")
    county_id = await f.county()
    zones = [await f.zone(county_id, f"责任区{i}") for i in range(50)]
    from lianyan.evaluation import schemas as s

    await services.create_award(actor, 2026, s.AwardIn(kind="zone", candidate_id=zones[0]))
    with db.count_queries() as counter:
        await services.list_awards(actor, 2026)
    one = counter[0]
    for zone in zones[1:]:
        await services.create_award(actor, 2026, s.AwardIn(kind="zone", candidate_id=zone))
    with db.count_queries() as counter:
        listed = await services.list_awards(actor, 2026)
    assert listed.total == 50
    assert counter[0] == one
