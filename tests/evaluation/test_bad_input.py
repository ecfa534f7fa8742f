"""Evaluation years outside 2000–2100 and non-ASCII form numbers are 400s, never 500s."""

from __future__ import annotations

import pytest

from tests.filings import builders as b


@pytest.mark.parametrize("year", ["0", "10000"])
@pytest.mark.parametrize("path", ["scheme", "evaluators", "scores", "awards"])
async def test_api_with_a_year_out_of_range_is_a_400_problem(client, path, year):
    city = await b.city(client)
    response = await client.get(f"/api/v1/evaluations/{year}/{path}", headers=city)
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "request.invalid"


@pytest.mark.parametrize("url", ["/evaluation?year=0", "/evaluation?year=10000",
                                 "/evaluation/0/awards", "/evaluation/10000/scores"])
async def test_page_with_a_year_out_of_range_is_a_chinese_error_page(client, url):
    city = await b.city(client)
    response = await client.get(url, headers=city)
    assert response.status_code == 400, response.text
    assert "请求数据不符合要求" in response.text


async def test_evaluators_form_with_a_superscript_id_is_a_400_with_the_chinese_message(client):
    city = await b.city(client)
    await client.get("/evaluation?year=2026", headers=city)
    form = {"_csrf_token": client.cookies.get("csrftoken"), "person_id": "²"}
    response = await client.post("/evaluation/2026/evaluators", data=form, headers=city)
    assert response.status_code == 400, response.text
    assert "“²”不是有效的数字" in response.text
