"""The reports page: a form per kind the caller may generate, and their past reports."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import httpx
import pytest

from lianyan.files.store import ObjectStore
from lianyan.reports import worker
from tests.reports.world import YEAR, World, build_world


@pytest.fixture
async def world(client: httpx.AsyncClient) -> World:
    """The sample city, on empty tables."""
    return await build_world(activities=3)


async def bearer(username: str) -> dict[str, str]:
    from lianyan.auth import services as auth_services
    from lianyan.auth.tables import Account

    row = await Account.select(Account.id).where(Account.username == username).first()
    return {"Authorization": f"Bearer {await auth_services.issue_token(row['id'], kind='bearer')}"}


def kinds_on(page: str) -> list[str]:
    return re.findall(r'data-kind="([a-z_]+)"', page)


async def test_city_page_offers_every_report_and_the_navigation_links_it(
    client: httpx.AsyncClient, world: World,
) -> None:
    page = await client.get("/reports", headers=await bearer("city"))

    assert page.status_code == 200
    assert kinds_on(page.text) == [
        "leadership_roster", "activity_filing", "research_directions", "topic_list",
        "topic_application", "exchange_record", "annual_summary", "results_compilation",
        "award_list", "filing_package", "year_end_slides",
    ]
    assert '<a href="/reports">报表</a>' in page.text
    assert '<option value="">全市</option>' in page.text
    assert "还没有生成过报表。" in page.text


async def test_county_officer_page_offers_only_their_county_reports(
    client: httpx.AsyncClient, world: World,
) -> None:
    page = await client.get("/reports", headers=await bearer("lingbao"))

    assert kinds_on(page.text) == [
        "leadership_roster", "activity_filing", "research_directions", "topic_application",
        "exchange_record", "annual_summary", "filing_package", "year_end_slides",
    ]
    counties = set(re.findall(r'<option value="\d+"\s*(?:selected)?>([^<]+)</option>', page.text))
    assert "灵宝市" in counties and "卢氏县" not in counties and "湖滨区" not in counties
    assert "幼儿园户外自主游戏中教师支持策略的研究" in page.text
    assert "湖滨区草稿课题" not in page.text


async def test_teacher_has_no_reports_page(client: httpx.AsyncClient, world: World) -> None:
    page = await client.get("/reports", headers=await bearer("host"))

    assert page.status_code == 403


async def test_form_queues_a_report_and_the_list_shows_it_then_its_download(
    client: httpx.AsyncClient, world: World, store: ObjectStore, settings: Any,
) -> None:
    officer = await bearer("lingbao")
    await client.get("/reports", headers=officer)
    form = {"_csrf_token": client.cookies.get("csrftoken"), "kind": "activity_filing",
            "county_id": str(world.counties["lingbao"]), "year": str(YEAR)}

    posted = await client.post("/reports", data=form, headers=officer)
    queued = await client.get(posted.headers["location"], headers=officer)
    await worker.ReportWorker(store, settings, name="pages").run_until_idle()
    done = await client.get("/reports", headers=officer)

    assert posted.status_code == 303
    assert 'data-status="queued"' in queued.text and "排队中" in queued.text
    assert "已提交，正在排队生成" in queued.text
    assert '<script src="/static/reports/reports.js"' in queued.text
    assert 'data-status="done"' in done.text
    assert "灵宝市2026年教研活动备案表.docx</a>" in done.text
    assert re.search(r'href="/api/v1/reports/\d+/download"', done.text)
    script = await client.get("/static/reports/reports.js")
    assert script.status_code == 200 and "/api/v1/reports/" in script.text


async def test_form_for_another_county_shows_the_refusal_in_chinese(
    client: httpx.AsyncClient, world: World,
) -> None:
    officer = await bearer("lushi")
    await client.get("/reports", headers=officer)
    form = {"_csrf_token": client.cookies.get("csrftoken"), "kind": "activity_filing",
            "county_id": str(world.counties["lingbao"]), "year": str(YEAR)}

    refused = await client.post("/reports", data=form, headers=officer)

    assert refused.status_code == 403
    assert "您不能生成灵宝市的报表：县区教研负责人只能生成本县（市、区）的报表。" in refused.text
    assert 'data-kind="activity_filing"' in refused.text


async def test_failed_report_shows_its_reason_on_the_page(
    client: httpx.AsyncClient, world: World, store: ObjectStore, settings: Any,
) -> None:
    officer = await bearer("lushi")
    await client.get("/reports", headers=officer)
    form = {"_csrf_token": client.cookies.get("csrftoken"), "kind": "research_directions",
            "county_id": str(world.counties["lushi"]), "year": str(YEAR)}
    await client.post("/reports", data=form, headers=officer)

    await worker.ReportWorker(store, settings, name="pages").run_until_idle()
    page = await client.get("/reports", headers=officer)

    assert 'data-status="failed"' in page.text
    assert "卢氏县2026年的年度备案尚未建立，无法生成附件3。" in page.text


async def test_form_asks_a_spreadsheet_with_a_number_and_refuses_a_bad_number(
    client: httpx.AsyncClient, world: World, store: ObjectStore, settings: Any,
) -> None:
    officer = await bearer("lingbao")
    page = await client.get("/reports", headers=officer)
    county = {"_csrf_token": client.cookies.get("csrftoken"),
              "county_id": str(world.counties["lingbao"]), "year": str(YEAR)}

    sheet = await client.post("/reports", data={**county, "kind": "activity_filing",
                                                "format": "xlsx"}, headers=officer)
    bad = await client.post("/reports", data={**county, "kind": "filing_package",
                                              "doc_number": "三"}, headers=officer)
    good = await client.post("/reports", data={**county, "kind": "filing_package",
                                               "doc_number": "7"}, headers=officer)
    done = await _when_built(client, officer, store, settings, 2)

    assert '<option value="xlsx"' in page.text and 'name="doc_number"' in page.text
    assert sheet.status_code == 303 and good.status_code == 303
    assert bad.status_code == 400
    assert "发文编号应为1至9999之间的整数，或留空由文书填写。" in bad.text
    assert 'value="三"' in bad.text  # the form keeps what was typed
    assert "灵宝市2026年教研活动备案表.xlsx</a>" in done.text
    assert "灵宝市2026年学前教育区域联盟教研备案材料报送文件.docx</a>" in done.text


async def _when_built(client: httpx.AsyncClient, officer: dict[str, str], store: ObjectStore,
                      settings: Any, jobs: int) -> httpx.Response:
    """The reports page once ``jobs`` jobs have ended (a worker of an earlier test on the
    same event loop may be the one that builds them)."""
    for _ in range(600):
        await worker.ReportWorker(store, settings, name="pages").run_until_idle()
        listed = (await client.get("/api/v1/reports", headers=officer)).json()["items"]
        if sum(job["status"] in ("done", "failed") for job in listed) >= jobs:
            break
        await asyncio.sleep(0.1)
    return await client.get("/reports", headers=officer)
