"""Exports: the scores and comments as an xlsx, all designs as one streamed zip."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path
from urllib.parse import quote

import openpyxl

from lianyan import clock
from lianyan.exchanges import designs, reviews
from lianyan.exchanges import schemas as s
from tests.builders.files import DESIGN_B, docx_bytes
from tests.exchanges.conftest import AFTER_DESIGN_DEADLINE, World, headers


async def _upload(world: World, store, username: str, content: bytes, name: str) -> int:
    actor = await world.actor(username)
    design = await designs.create_design(actor, world.exchange_id, s.DesignIn())
    await designs.add_version(
        actor, store, design.id, kind="document", fileobj=io.BytesIO(content),
        filename=name, limits=designs.sniff.DEFAULT_LIMITS,
    )
    return design.id


async def test_scores_and_comments_as_xlsx_with_a_chinese_name(client, world, store):
    t1 = await _upload(world, store, "t1", docx_bytes(), "小兔乖乖.docx")
    expert = await world.actor("expert1")
    top = await reviews.post_comment(expert, t1, s.CommentIn(body="目标表述清楚。"))
    await reviews.post_comment(await world.actor("t1"), t1,
                               s.CommentIn(body="谢谢专家。", parent_id=top.id))
    item = s.ScoreItem(score=4, reason="贴近生活")
    await reviews.put_score(expert, t1, s.ScoreIn(goal=s.ScoreItem(score=5, reason="具体"),
                                                  content=item, process=item, children=item,
                                                  teacher=item))

    response = await client.get(f"/api/v1/exchanges/{world.exchange_id}/export/scores",
                                headers=await headers(client, "lingbao"))

    assert response.status_code == 200, response.text
    name = "中班语言《小兔乖乖》同研异构-评分与点评.xlsx"
    assert f"filename*=UTF-8''{quote(name, safe='')}" in response.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["评分", "点评", "汇总"]
    scores = list(book["评分"].iter_rows(values_only=True))
    assert scores[1][:8] == ("第1组", "灵宝市实验幼儿园", "灵宝市", "教师1", "专家一", "第1版", 5, "具体")
    assert scores[1][-2] == 21
    talk = list(book["点评"].iter_rows(values_only=True))
    assert talk[0][6:9] == ("类型", "视频时间点", "内容")  # a comment's moment, as 05:32
    assert [r[3:9] for r in talk[1:]] == [
        ("专家一", "专家", "第1版", "点评", None, "目标表述清楚。"),
        ("教师1", "执教教师", "第1版", "回复", None, "谢谢专家。")]
    summary = list(book["汇总"].iter_rows(min_row=2, values_only=True))
    assert summary[0][5:7] == (1, 5.0)
    if os.environ.get("LIANYAN_SCREENSHOTS"):
        Path(os.environ["LIANYAN_SCREENSHOTS"], "scores.xlsx").write_bytes(response.content)


async def test_scores_workbook_prints_landscape_one_page_wide_with_the_header_repeated(
    client, world, store
):
    # Arrange: a score with a long reason
    t1 = await _upload(world, store, "t1", docx_bytes(), "小兔乖乖.docx")
    long = "目标具体、可观察，贴近中班幼儿的生活经验，" * 4
    item = s.ScoreItem(score=4, reason=long)
    await reviews.put_score(await world.actor("expert1"), t1, s.ScoreIn(
        goal=item, content=item, process=item, children=item, teacher=item))
    # Act
    response = await client.get(f"/api/v1/exchanges/{world.exchange_id}/export/scores",
                                headers=await headers(client, "lingbao"))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    # Assert: every sheet prints landscape on A4, one page wide, the header row on each page
    for sheet in book.worksheets:
        setup = sheet.page_setup
        assert (setup.orientation, int(setup.paperSize)) == ("landscape", 9)  # A4
        assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
        assert (setup.fitToWidth, setup.fitToHeight) == (1, 0)
        assert sheet.print_title_rows == "$1:$1"
        assert sheet.freeze_panes == "A2"
        assert sheet["A1"].font.b is True
        widths = [sheet.column_dimensions[c.column_letter].width for c in sheet[1]]
        assert all(4 <= w <= 60 for w in widths), widths
    scores = book["评分"]
    header = [c.value for c in scores[1]]
    reason = scores.cell(row=2, column=header.index("目标理由") + 1)
    assert reason.value == long and reason.alignment.wrap_text is True
    assert scores.column_dimensions[reason.column_letter].width >= 14
    assert scores.row_dimensions[2].height > 15  # the long reason's row is several lines tall
    assert book["点评"].column_dimensions["I"].width >= 40  # 内容
    if os.environ.get("LIANYAN_SCREENSHOTS"):  # to look at: soffice --convert-to pdf
        Path(os.environ["LIANYAN_SCREENSHOTS"], "scores-long.xlsx").write_bytes(response.content)


async def test_scores_export_is_for_organisers_and_supervisors(client, world):
    url = f"/api/v1/exchanges/{world.exchange_id}/export/scores"
    teacher = await client.get(url, headers=await headers(client, "t1"))
    expert = await client.get(url, headers=await headers(client, "expert1"))
    outsider = await client.get(url, headers=await headers(client, "hubin"))
    supervisor = await client.get(url, headers=await headers(client, "lushi"))
    assert (teacher.status_code, teacher.json()["code"]) == (403, "export.forbidden")
    assert expert.status_code == 403
    assert outsider.status_code == 404
    assert supervisor.status_code == 200


async def test_designs_zip_streams_every_newest_version_with_chinese_names(client, world, store):
    a, b = docx_bytes(), docx_bytes(DESIGN_B)
    await _upload(world, store, "t1", a, "小兔乖乖教学设计.docx")
    await _upload(world, store, "t2", b, "小兔乖乖教学设计.docx")

    response = await client.get(f"/api/v1/exchanges/{world.exchange_id}/export/designs",
                                headers=await headers(client, "lingbao"))

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    name = quote("中班语言《小兔乖乖》同研异构-教学设计.zip", safe="")
    assert f"filename*=UTF-8''{name}" in response.headers["content-disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert archive.testzip() is None
    names = archive.namelist()
    assert names == ["第1组/灵宝市实验幼儿园-教师1/教学设计-小兔乖乖教学设计.docx",
                     "第1组/卢氏县杜关东村幼儿园-教师2/教学设计-小兔乖乖教学设计.docx"]
    assert all(info.flag_bits & 0x800 for info in archive.infolist())  # UTF-8 names
    assert archive.read(names[0]) == a and archive.read(names[1]) == b


async def test_designs_zip_waits_for_the_blind_period_for_participants(client, world, store):
    await _upload(world, store, "t1", docx_bytes(), "设计.docx")
    url = f"/api/v1/exchanges/{world.exchange_id}/export/designs"
    during = await client.get(url, headers=await headers(client, "t1"))
    expert = await client.get(url, headers=await headers(client, "expert1"))
    with clock.pinned(AFTER_DESIGN_DEADLINE):
        after = await client.get(url, headers=await headers(client, "t1"))
    assert (during.status_code, during.json()["code"]) == (403, "export.forbidden")
    assert "设计提交截止后" in during.json()["detail"]
    assert expert.status_code == 200
    assert after.status_code == 200
    assert len(zipfile.ZipFile(io.BytesIO(after.content)).namelist()) == 1
