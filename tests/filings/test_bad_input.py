"""Years outside 2000–2100 and numbers that are not ASCII digits are 400s, never 500s."""

from __future__ import annotations

import pytest

from tests.filings import builders as b

BAD_YEARS = ["0", "10000", "1999", "2101"]


@pytest.mark.parametrize("year", BAD_YEARS)
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/filing-deadlines/{year}",
        "/api/v1/filings?year={year}",
        "/api/v1/themes?year={year}",
        "/api/v1/counties/{county}/leadership/{year}",
    ],
)
async def test_api_with_a_year_out_of_range_is_a_400_problem(client, url, year):
    c = await b.county(client)
    response = await client.get(url.format(year=year, county=c.id), headers=c.officer)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "request.invalid"
    assert "year" in response.json()["detail"]


@pytest.mark.parametrize("year", BAD_YEARS)
@pytest.mark.parametrize(
    "url", ["/filings/workspace", "/filings/inbox", "/filings/plans", "/filings/compliance"]
)
async def test_page_with_a_year_out_of_range_is_a_chinese_error_page(client, url, year):
    headers = await b.city(client)
    if url == "/filings/workspace":
        headers = (await b.county(client)).officer
    response = await client.get(f"{url}?year={year}", headers=headers)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert "请求数据不符合要求" in response.text


async def test_create_form_with_a_superscript_year_is_a_400_with_the_chinese_message(client):
    c = await b.county(client)
    await client.get("/filings/plans", headers=c.officer)
    form = {"_csrf_token": client.cookies.get("csrftoken"), "county_id": str(c.id), "year": "²"}
    response = await client.post("/filings/workspace/create", data=form, headers=c.officer)
    assert response.status_code == 400, response.text
    assert "“²”不是有效的数字" in response.text


async def test_create_form_with_a_year_out_of_range_is_a_400(client):
    c = await b.county(client)
    await client.get("/filings/plans", headers=c.officer)
    form = {"_csrf_token": client.cookies.get("csrftoken"), "county_id": str(c.id),
            "year": "10000"}
    response = await client.post("/filings/workspace/create", data=form, headers=c.officer)
    assert response.status_code == 400, response.text
    assert "2000–2100" in response.text


async def test_deadline_form_with_an_arabic_indic_year_is_a_400(client):
    city = await b.city(client)
    await client.get("/filings/inbox", headers=city)
    form = {"_csrf_token": client.cookies.get("csrftoken"), "year": "٣", "due_on": "2026-03-01"}
    response = await client.post("/filings/deadline", data=form, headers=city)
    assert response.status_code == 400, response.text
    assert "不是有效的数字" in response.text
