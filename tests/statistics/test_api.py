"""``/api/v1/statistics`` and its downloads: scope refusals with stable codes, SVG documents
that parse, workbooks with Chinese headers, and the page that keeps a refused form."""

from __future__ import annotations

import io
import math
import xml.etree.ElementTree as ET
from urllib.parse import quote

import openpyxl

from lianyan import clock
from tests.builders import org as f
from tests.statistics.world import NOW, YEAR, build

SVG_NS = "{http://www.w3.org/2000/svg}"


async def test_county_officer_asking_another_county_is_refused_with_code(client):
    world = await build()
    headers = await f.bearer(client, "lingbao")

    with clock.pinned(NOW):
        response = await client.get(f"/api/v1/statistics?year={YEAR}&county_id={world.lushi}",
                                    headers=headers)
        zone = await client.get(f"/api/v1/statistics?zone_id={world.zone_lushi}",
                                headers=headers)
        own = await client.get(f"/api/v1/statistics?year={YEAR}&zone_id={world.zone_two}",
                               headers=headers)

    assert response.status_code == 403
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "statistics.out_of_scope"
    assert response.json()["detail"] == "只能查看本人负责范围内的统计。"
    assert zone.status_code == 403
    assert own.status_code == 200
    assert own.json()["scope_name"] == "灵宝市二区"
    assert own.json()["totals"]["activities"] == 1


async def test_year_out_of_range_and_unknown_chart_are_refused_in_chinese(client):
    await build()
    headers = await f.bearer(client, "city")

    with clock.pinned(NOW):
        too_early = await client.get("/api/v1/statistics?year=1999", headers=headers)
        too_late = await client.get("/api/v1/statistics/charts/counties/svg?year=2100",
                                    headers=headers)
        chart = await client.get("/api/v1/statistics/charts/nothing/svg", headers=headers)
        zone = await client.get("/api/v1/statistics?zone_id=999999", headers=headers)

    assert too_early.status_code == 400
    assert too_early.json()["code"] == "statistics.year_out_of_range"
    assert too_early.json()["detail"] == "年度应为2016至2027年之间的整数。"
    assert too_late.status_code == 400
    assert too_late.json()["code"] == "statistics.year_out_of_range"
    assert chart.status_code == 404
    assert chart.json()["code"] == "statistics.chart_not_found"
    assert zone.status_code == 404
    assert zone.json()["code"] == "zone.not_found"


async def test_teachers_and_experts_have_no_statistics(client):
    await build()
    for user in ("teacher1", "expert1"):
        headers = await f.bearer(client, user)
        response = await client.get("/api/v1/statistics", headers=headers)
        assert response.status_code == 403, user


async def test_chart_svg_is_a_well_formed_document_with_title_desc_and_chinese_name(client):
    await build()
    headers = await f.bearer(client, "city")

    with clock.pinned(NOW):
        response = await client.get(f"/api/v1/statistics/charts/counties/svg?year={YEAR}",
                                    headers=headers)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    name = f"三门峡市-{YEAR}年各县（市、区）教研活动.svg"
    assert f"filename*=UTF-8''{quote(name, safe='')}" in response.headers["content-disposition"]
    root = ET.fromstring(response.content)
    assert root.tag == f"{SVG_NS}svg"
    assert root.get("viewBox", "").startswith("0 0 400 ")
    assert root.get("role") == "img"
    assert root.find(f"{SVG_NS}title").text == f"{YEAR}年各县（市、区）教研活动"
    assert "备案活动共2" in root.find(f"{SVG_NS}desc").text
    labels = [t.text for t in root.iter(f"{SVG_NS}tspan")]
    assert labels == ["卢氏县", "灵宝市"]


async def test_every_chart_downloads_as_svg_and_xlsx(client):
    await build()
    headers = await f.bearer(client, "city")
    for chart in ("counties", "counties-designs", "months", "months-designs", "pairings"):
        with clock.pinned(NOW):
            svg = await client.get(f"/api/v1/statistics/charts/{chart}/svg", headers=headers)
            xlsx = await client.get(f"/api/v1/statistics/charts/{chart}/xlsx", headers=headers)
        assert svg.status_code == 200, chart
        ET.fromstring(svg.content)
        assert xlsx.status_code == 200, chart
        openpyxl.load_workbook(io.BytesIO(xlsx.content))


async def test_month_chart_xlsx_holds_the_table_with_chinese_headers_and_total(client):
    await build()
    headers = await f.bearer(client, "lingbao")

    with clock.pinned(NOW):
        response = await client.get(f"/api/v1/statistics/charts/months/xlsx?year={YEAR}",
                                    headers=headers)

    assert response.status_code == 200
    name = f"灵宝市-{YEAR}年各月教研活动.xlsx"
    assert quote(name, safe="") in response.headers["content-disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == f"灵宝市{YEAR}年各月教研活动"
    assert rows[1][0].startswith("备案活动：市教育局已受理（备案）的年度备案中已报送的活动（草稿、待审核和退回的不计）")
    assert rows[2] == ["月份", "备案活动", "同研异构活动", "课题申报", "城乡结对组"]
    assert rows[3] == ["1月", 0, 0, 0, 0]
    assert rows[4] == ["2月", 0, 0, 1, 0]
    assert rows[5] == ["3月", 1, 0, 0, 0]
    assert rows[6] == ["4月", 0, 1, 0, 1]
    assert rows[-1] == ["合计", 2, 1, 1, 1]
    assert sheet.print_title_rows == "$3:$3"
    assert str(sheet.page_setup.paperSize) == sheet.PAPERSIZE_A4  # A4
    assert sheet.column_dimensions["B"].width >= 10
    # The counting rules over the table wrap in merged cells, which no spreadsheet grows by
    # itself: the row is as tall as its lines at that width (10 pt, two width units a 字).
    merged_units = sum(sheet.column_dimensions[c].width for c in "ABCDE")
    lines = math.ceil(len(rows[1][0]) / (merged_units / 2))
    assert sheet.row_dimensions[2].height >= 14 * lines


async def test_not_participating_xlsx_lists_every_kindergarten_rural_first(client):
    await build()
    headers = await f.bearer(client, "city")

    with clock.pinned(NOW):
        response = await client.get("/api/v1/statistics/charts/not-participating/xlsx",
                                    headers=headers)

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[2] == ["序号", "幼儿园", "城乡", "县（市、区）", "责任区"]
    assert rows[3:] == [
        [1, "卢氏乡村未参与园", "乡村", "卢氏县", "城关区"],
        [2, "灵宝乡村未参与园", "乡村", "灵宝市", "二区"],
        [3, "卢氏镇区未参与园", "镇区", "卢氏县", "城关区"],
        [4, "灵宝镇区园", "镇区", "灵宝市", "二区"],
        [5, "卢氏城区未参与园", "城区", "卢氏县", "城关区"],
    ]


async def test_page_shows_charts_and_a_refused_year_keeps_the_form(client):
    await build()
    login = await client.post("/api/v1/auth/login",
                              json={"username": "city", "password": f.PASSWORD})
    assert login.status_code == 200

    with clock.pinned(NOW):
        good = await client.get("/statistics")
        bad = await client.get("/statistics?year=19x9")

    assert good.status_code == 200
    assert good.text.count("<svg") == 5
    assert 'href="/api/v1/statistics/charts/counties/svg?year=2026"' in good.text
    assert "统计口径" in good.text
    assert bad.status_code == 400
    assert "年度应为2016至2027年之间的整数。" in bad.text
    assert 'value="19x9"' in bad.text
    assert "<svg" not in bad.text


async def test_the_statistics_entry_shows_for_officers_only(client):
    await build()
    shown = {}
    for user in ("city", "lingbao", "zone1", "teacher1", "expert1"):
        client.cookies.clear()
        login = await client.post("/api/v1/auth/login",
                                  json={"username": user, "password": f.PASSWORD})
        assert login.status_code == 200
        home = await client.get("/")
        shown[user] = 'href="/statistics"' in home.text
    assert shown == {"city": True, "lingbao": True, "zone1": True, "teacher1": False,
                     "expert1": False}


async def test_page_refuses_another_county_with_the_message_and_keeps_the_year(client):
    world = await build()
    login = await client.post("/api/v1/auth/login",
                              json={"username": "lingbao", "password": f.PASSWORD})
    assert login.status_code == 200

    with clock.pinned(NOW):
        page = await client.get(f"/statistics?year=2025&county_id={world.lushi}")

    assert page.status_code == 403
    assert "只能查看本人负责范围内的统计。" in page.text
    assert 'value="2025"' in page.text
    assert "卢氏" not in page.text
