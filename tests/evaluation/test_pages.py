"""Evaluation pages: the scheme form, score entry with participation, the award list."""

from __future__ import annotations

from tests.builders import org as f
from tests.filings import builders as b


async def _scheme_form(client, city, weights):
    await client.get("/evaluation?year=2026", headers=city)
    form = {"_csrf_token": client.cookies.get("csrftoken")}
    for i, weight in enumerate(weights):
        form.update({f"name_{i}": f"指标{i + 1}", f"description_{i}": "",
                     f"weight_{i}": str(weight), f"max_score_{i}": "10"})
    return await client.post("/evaluation/2026/scheme", data=form, headers=city)


async def test_scheme_form_with_weights_of_90_shows_the_message_and_keeps_the_rows(client):
    city = await b.city(client)
    response = await _scheme_form(client, city, [50, 40])
    assert response.status_code == 400
    assert "各项指标的权重之和须为 100，现在是 90（还差 10）" in response.text
    assert 'value="指标2"' in response.text


async def test_scores_page_shows_candidates_participation_and_saves_scores(client):
    # Arrange
    city = await b.city(client)
    c = await b.county(client)
    saved = await _scheme_form(client, city, [60, 40])
    assert saved.status_code == 303
    scheme = (await client.get("/api/v1/evaluations/2026/scheme", headers=city)).json()
    first = scheme["indicators"][0]["id"]
    # Act
    page = await client.get("/evaluation/2026/scores?kind=zone", headers=city)
    posted = await client.post(
        "/evaluation/2026/scores",
        data={"_csrf_token": client.cookies.get("csrftoken"), "kind": "zone",
              f"score_{c.zones[0]}_{first}": "8.5"},
        headers=city,
    )
    too_high = await client.post(
        "/evaluation/2026/scores",
        data={"_csrf_token": client.cookies.get("csrftoken"), "kind": "zone",
              f"score_{c.zones[0]}_{first}": "11"},
        headers=city,
    )
    # Assert
    assert page.status_code == 200 and "灵宝第一责任区" in page.text and "活动" in page.text
    assert posted.status_code == 303
    board = (await client.get("/api/v1/evaluations/2026/scores?kind=zone", headers=city)).json()
    row = next(i for i in board["items"] if i["id"] == c.zones[0])
    assert row["my_scores"] == [{"indicator_id": first, "score": 8.5, "comment": ""}]
    assert too_high.status_code == 400
    assert "“指标1”的得分须在 0 到 10 分之间，您填写的是 11 分。" in too_high.text
    assert f'name="score_{c.zones[0]}_{first}" value="11"' in too_high.text


async def test_awards_page_before_and_after_publication(client):
    city = await b.city(client)
    c = await b.county(client)
    await client.get("/evaluation/2026/awards", headers=city)
    token = client.cookies.get("csrftoken")
    outsider = await f.user("outsider", "expert", name="外地专家")
    refused = await client.post("/evaluation/2026/awards",
                                data={"_csrf_token": token, "kind": "person",
                                      "candidate_id": str(outsider)}, headers=city)
    await client.post("/evaluation/2026/awards",
                      data={"_csrf_token": token, "kind": "zone",
                            "candidate_id": str(c.zones[0])}, headers=city)
    hidden = await client.get("/evaluation/2026/awards", headers=c.officer)
    await client.post("/evaluation/2026/awards/publish", data={"_csrf_token": token},
                      headers=city)
    shown = await client.get("/evaluation/2026/awards", headers=c.officer)
    assert refused.status_code == 400 and "不是本市人员" in refused.text
    assert "尚未公布" in hidden.text and "灵宝第一责任区" not in hidden.text
    assert "先进责任区" in shown.text and "灵宝第一责任区" in shown.text
