"""The nine reports, generated from the platform's data and read back as Word reads them.

Each report is generated through ``services.generate`` (the path the worker takes: check,
load, build) over the world of ``world.py``, opened with python-docx and compared with the
data; one test checks the official format of all nine, and one converts all nine to PDF with
LibreOffice in a single run.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.document import Document
from docx.oxml.ns import qn
from docx.shared import Mm
from pptx import Presentation

from lianyan import clock
from lianyan.reports import services
from lianyan.reports.content import Context
from lianyan.reports.docx import SIGN_OFF_LABELS, ReportFonts
from lianyan.reports.kinds import KINDS
from lianyan.reports.schemas import ReportParams
from tests.reports import rendering
from tests.reports.world import (
    ACCEPTED_NOTE,
    DIRECTIONS,
    ROSTER,
    SECTIONS,
    SUMMARY,
    YEAR,
    World,
    build_world,
)

CONTEXT = Context(city_name="三门峡市", city_bureau="三门峡市教育局", today=clock.today())


@pytest.fixture
async def world(clean_db: None) -> World:
    """The sample city, on empty tables."""
    return await build_world()


async def generate(world: World, kind: str, username: str = "city", **params: Any
                   ) -> tuple[str, Document]:
    """Generate a report as ``username``; return its file name and the opened document."""
    actor = await world.actor(username)
    name, data = await services.generate(actor, kind, ReportParams(**params), context=CONTEXT,
                                         fonts=ReportFonts())
    return name, docx.Document(io.BytesIO(data))


def texts(document: Document) -> list[str]:
    """The non-empty body paragraphs, in order (tables left out)."""
    return [p.text for p in document.paragraphs if p.text.strip()]


def rows(table: Any) -> list[list[str]]:
    """Every row of a table as its cells' text (merged cells once)."""
    result = []
    for row in table.rows:
        cells = []
        for cell in row.cells:
            if not cells or cell._tc is not cells[-1][1]:
                cells.append((cell.text, cell._tc))
        result.append([text for text, _ in cells])
    return result


def body_rows(table: Any) -> list[list[str]]:
    """The data rows: the header and any sign-off rows left out."""
    return [r for r in rows(table)[1:] if r[0] not in SIGN_OFF_LABELS]


def lingbao(world: World) -> dict[str, int]:
    return {"county_id": world.counties["lingbao"], "year": YEAR}


# Content against the data ---------------------------------------------------------------------


async def test_leadership_roster_lists_the_group_with_sign_off_rows(world: World) -> None:
    name, document = await generate(world, "leadership_roster", "lingbao", **lingbao(world))

    (table,) = document.tables
    assert name == "灵宝市2026年区域教研领导小组名单.docx"
    assert texts(document)[:2] == ["附件1", "灵宝市2026年区域教研领导小组名单"]
    assert rows(table)[0] == ["序号", "组内职务", "姓名", "工作单位", "职务或职称", "联系电话"]
    positions = {"leader": "组长", "deputy": "副组长", "member": "成员"}
    assert body_rows(table) == [
        [str(i), positions[pos], name, unit, title, phone or "—"]
        for i, (pos, name, unit, title, phone) in enumerate(ROSTER, start=1)
    ] + [
        ["5", "责任区教研员", "吴静", "灵宝市第一教研责任区（核心园：灵宝市实验幼儿园）", "—", "—"],
        ["6", "责任区教研员", "—", "灵宝市第二教研责任区", "—", "—"],
    ]
    sign_off = {r[0]: r[-1] for r in rows(table)[-4:]}
    assert list(sign_off) == list(SIGN_OFF_LABELS)
    # The same submission and review as 附件2 and 附件3: the one the city accepted.
    assert sign_off["填报单位（盖章）"] == "灵宝市教育体育局"
    assert sign_off["填报日期"] == "2026年2月20日"
    assert sign_off["市教育局审核意见"] == f"{ACCEPTED_NOTE}\n（盖章）\n2026年2月22日"


async def test_activity_filing_has_every_activity_in_date_order_and_sign_off(world: World
                                                                            ) -> None:
    name, document = await generate(world, "activity_filing", "lingbao", **lingbao(world))

    (table,) = document.tables
    data = body_rows(table)
    assert name == "灵宝市2026年教研活动备案表.docx"
    assert texts(document)[:2] == ["附件2", "灵宝市2026年教研活动备案表"]
    assert f"共{len(world.activity_titles)}项教研活动，其中大型专题活动{world.large_activities}项" \
        in texts(document)[2]
    assert "备案状态" not in texts(document)[2]
    assert [r[2] for r in data] == world.activity_titles
    assert [r[0] for r in data] == [str(i) for i in range(1, len(data) + 1)]
    assert data[0] == ["1", "3月5日", world.activity_titles[0], "游戏化课程建设", "专业引领",
                       "灵宝市第一教研责任区", "线上（腾讯会议）", "30", "是"]
    assert sum(r[8] == "是" for r in data) == world.large_activities
    sign_off = {r[0]: r[-1] for r in rows(table)[-4:]}
    assert list(sign_off) == list(SIGN_OFF_LABELS)
    assert sign_off["填报日期"] == "2026年2月20日"  # the resubmission the city accepted
    assert sign_off["市教育局审核意见"].startswith(ACCEPTED_NOTE)


async def test_research_directions_lists_each_direction(world: World) -> None:
    name, document = await generate(world, "research_directions", "lingbao", **lingbao(world))

    (table,) = document.tables
    assert name == "灵宝市2026年学前教育教研方向建议表.docx"
    assert texts(document)[:2] == ["附件3", "灵宝市2026年学前教育教研方向建议表"]
    assert body_rows(table) == [[str(i), *d] for i, d in enumerate(DIRECTIONS, start=1)]
    sign_off = {r[0]: r[-1] for r in rows(table)[-4:]}
    assert sign_off["填报日期"] == "2026年2月20日"
    assert sign_off["市教育局审核意见"].startswith(ACCEPTED_NOTE)


async def test_topic_list_shows_declared_topics_and_counties_at_zero_first(world: World
                                                                          ) -> None:
    name, document = await generate(world, "topic_list", year=YEAR)

    topics, counties = document.tables
    assert name == "三门峡市2026年课题一览表.docx"
    assert [(r[1], r[2], r[7]) for r in body_rows(topics)] == [
        ("灵宝市", "幼儿园户外自主游戏中教师支持策略的研究", "已申报"),
        ("灵宝市", "城乡幼儿园结对教研的实践研究", "已结题（优秀）"),
    ]
    assert body_rows(topics)[0][5:7] == ["王芳", "2"]
    assert rows(counties)[0] == ["序号", "县（市、区）", "立项课题", "待立项", "年度备案", "是否达标"]
    # The submitted topic is waiting for approval: it does not make 灵宝市 compliant alone.
    assert [(r[1], r[2], r[3], r[5]) for r in body_rows(counties)] == [
        ("湖滨区", "0", "0", "未达标"), ("卢氏县", "0", "0", "未达标"), ("灵宝市", "1", "1", "达标"),
    ]
    assert body_rows(counties)[2][4] == "已备案"
    assert any("尚无立项课题的县（市、区）共2个：湖滨区、卢氏县" in t for t in texts(document))


async def test_topic_application_holds_the_topic_host_members_and_content(world: World
                                                                         ) -> None:
    name, document = await generate(world, "topic_application", "lingbao",
                                    topic_id=world.topics["applied"])

    basics, host, members, promise = document.tables
    assert name == "课题申报书（幼儿园户外自主游戏中教师支持策略的研究）.docx"
    assert texts(document)[0] == "2026年度学前教育研究课题申报书"
    fields = dict(body_rows(basics))
    assert fields["课题名称"] == "幼儿园户外自主游戏中教师支持策略的研究"
    assert fields["课题级别"] == "县级"
    assert fields["研究时间"] == "2026年3月1日至2027年6月30日"
    assert fields["关键词"] == "自主游戏、教师支持"
    assert body_rows(host) == [["王芳", "灵宝市实验幼儿园", "教研组长", "一级教师", "13900000001"]]
    assert body_rows(members) == [["1", "李静", "灵宝市实验幼儿园", "二级教师", "核心成员"],
                                  ["2", "陈洁", "灵宝市尹庄镇中心幼儿园", "—", "资料整理"]]
    assert "当前状态" not in fields
    assert "以户外自主游戏为载体，研究教师观察与支持的策略。" in texts(document)
    sign_off = {r[0]: r[-1] for r in rows(promise)[-4:]}
    assert sign_off["填报单位（盖章）"] == "灵宝市实验幼儿园"
    assert sign_off["填报日期"] == "2026年3月10日"


async def test_exchange_record_has_groups_sections_scores_comments_and_summary(world: World
                                                                              ) -> None:
    name, document = await generate(world, "exchange_record", "lingbao",
                                    exchange_id=world.exchange_id)

    overview, groups, *score_tables = document.tables
    body = texts(document)
    assert name == "同研异构活动记录（中班语言《小兔乖乖》同研异构）.docx"
    assert body[0] == "中班语言《小兔乖乖》同研异构活动记录"
    fields = dict(body_rows(overview))
    assert fields["教学内容"] == "中班语言《小兔乖乖》"
    assert fields["年龄班与领域"] == "中班 · 语言"
    assert fields["点评专家"] == "张教授（三门峡职业技术学院，教授）、刘老师"
    assert [r[:4] for r in body_rows(groups)] == [
        ["1", "灵宝市实验幼儿园", "灵宝市", "王芳"],
        ["1", "卢氏县杜关镇东村幼儿园", "卢氏县", "杨雪"],
        ["2", "灵宝市尹庄镇中心幼儿园", "灵宝市", "陈洁"],
        ["2", "湖滨区第一幼儿园", "湖滨区", "马琳"],
    ]
    assert "1.灵宝市实验幼儿园（灵宝市） 执教：王芳" in body
    assert body.count("（1）活动目标") == len(world.designs)
    assert body.count(SECTIONS["preparation"]) == len(world.designs)
    assert len(score_tables) == len(world.designs)
    assert body_rows(score_tables[0]) == [["张教授", "4", "5", "4", "4", "5", "22"],
                                          ["平均", "4.0", "5.0", "4.0", "4.0", "5.0", "22.0"]]
    assert any(t.startswith("张教授点评") and "host的设计目标清晰" in t for t in body)
    assert sum(t.startswith("执教教师回复") for t in body) == len(world.designs)
    summary = body[body.index("四、活动总结") + 1:]
    assert summary == SUMMARY.split("\n")


async def test_annual_summary_of_a_county_is_the_bureaus_report_to_the_city(world: World
                                                                           ) -> None:
    name, document = await generate(world, "annual_summary", "lingbao", **lingbao(world),
                                    doc_number=5)

    figures = dict(body_rows(document.tables[-1]))
    body = texts(document)
    assert name == "灵宝市2026年学前教育区域联盟教研工作总结.docx"
    assert body[0] == "灵教体〔2026〕5号"
    assert body[1].replace("\n", "") == name.removesuffix(".docx")
    assert body[2] == "三门峡市教育局："
    assert figures == {
        "幼儿园": "3所", "教研责任区": "2个", "全面覆盖": "2/3所（66%）", "领导小组": "4人",
        "年度备案": "已备案",
        "备案教研活动": f"{len(world.activity_titles)}项（大型专题活动{world.large_activities}项）",
        "教研方向建议": "2条", "立项课题": "1项（已结题1项）", "待立项课题": "1项",
        "组织同研异构活动": "1次", "参加同研异构": "2园次", "提交教学设计": "2份",
        "专家点评": "2条",
        # The list is published on 20 December, after today: not yet counted.
        "获得表彰": "无" if CONTEXT.today < dt.date(2026, 12, 20) else "2项",
    }
    signature = body.index("灵宝市教育体育局")
    assert body[signature + 1] == (f"{CONTEXT.today.year}年{CONTEXT.today.month}月"
                                   f"{CONTEXT.today.day}日")
    assert body[-1].startswith("灵宝市教育体育局办公室")
    assert "0人" not in "".join(body) and "在研课题2项" not in "".join(body)


async def test_annual_summary_of_the_city_has_a_row_per_county_and_totals(world: World
                                                                         ) -> None:
    name, document = await generate(world, "annual_summary", year=YEAR)

    table = document.tables[-1]
    by_county = {r[0]: r for r in body_rows(table)}
    assert name == "三门峡市2026年学前教育区域联盟教研工作总结.docx"
    assert list(by_county) == ["湖滨区", "卢氏县", "灵宝市", "合计"]
    assert by_county["灵宝市"][1:] == ["3", "66%", str(len(world.activity_titles)),
                                      str(world.large_activities), "1", "1", "2", "已备案"]
    assert by_county["卢氏县"][5:8] == ["0", "0", "1"]
    assert by_county["合计"][1:3] == ["5", "60%"]
    assert any("尚无立项课题的县（市、区）：湖滨区、卢氏县" in t for t in texts(document))


async def test_results_compilation_has_a_filled_table_of_contents_and_both_parts(world: World
                                                                                ) -> None:
    name, document = await generate(world, "results_compilation", year=YEAR)

    body = texts(document)
    instructions = "".join(t.text for t in document.element.body.iter(qn("w:instrText")))
    toc = [p.text for p in document.paragraphs if p.style.style_id in ("TOC1", "TOC2")]
    assert name == "三门峡市2026年学前教育区域联盟教研成果汇编.docx"
    assert 'TOC \\o "1-2"' in instructions
    assert [t.split("\t")[0] for t in toc] == [
        "一、同研异构亮点活动", "（一）中班语言《小兔乖乖》同研异构", "二、课题研究成果",
        "（一）城乡幼儿园结对教研的实践研究"]
    pages = [int(t.split("\t")[1]) for t in toc]
    assert pages[0] == 2 and pages == sorted(pages)  # filled in: the contents take page 1
    settings = document.settings.element
    assert settings.find(qn("w:updateFields")) is None  # Word does not ask to update fields
    assert body.count("（一）中班语言《小兔乖乖》同研异构") == 1  # the heading (the contents has a page)
    assert sum(t.endswith(("执教：王芳", "执教：杨雪", "执教：陈洁", "执教：马琳")) for t in body) == 4
    assert "1位专家评分，平均22.0分（满分25分）。" in body
    assert "活动总结：" + SUMMARY.split("\n")[0] in body
    assert "成果材料：结题报告（城乡结对）.docx" in body
    assert any("结题等级：优秀" in t for t in body)


async def test_award_list_is_a_decision_with_the_list_as_its_attachment(world: World) -> None:
    name, document = await generate(world, "award_list", year=YEAR, doc_number=12)

    zones, kindergartens, people = document.tables
    body = texts(document)
    styles = [p.style.style_id for p in document.paragraphs if p.text.strip()]
    assert name == "三门峡市2026年学前教育区域联盟教研表彰决定.docx"
    # 发文字号, title, 主送机关, body, 附件说明, issuing unit and date.
    assert body[0] == "三教〔2026〕12号" and styles[0] == "DocumentNumber"
    assert body[1].replace("\n", "") == (
        "三门峡市教育局关于表彰2026年度学前教育区域联盟教研先进集体和先进个人的决定")
    assert body[2] == "各县（市、区）教育局："
    assert any("决定授予1个“先进责任区”、1所“先进幼儿园”、2名“先进个人”称号" in t for t in body)
    note = body.index("附件：2026年度学前教育区域联盟教研先进集体和先进个人名单")
    assert body[note + 1:note + 3] == ["三门峡市教育局", "2026年12月20日"]
    # The attachment, on its own page, labelled "附件" with its title on line 3.
    label = body.index("附件")
    assert styles[label] == "AttachmentLabel"
    assert body[label + 1].replace("\n", "") == "2026年度学前教育区域联盟教研先进集体和先进个人名单"
    assert body_rows(zones) == [["1", "灵宝市第一教研责任区", "灵宝市实验幼儿园", "灵宝市"]]
    assert body_rows(kindergartens) == [["1", "卢氏县杜关镇东村幼儿园", "卢氏县"]]
    assert body_rows(people) == [["1", "王芳", "灵宝市实验幼儿园", "灵宝市"],
                                 ["2", "马琳", "湖滨区第一幼儿园", "湖滨区"]]
    # The 版记: 抄送, then 印发机关 and 印发日期, between rules, after the attachment.
    assert styles[-2:] == ["Imprint", "Imprint"]
    assert body[-2] == "抄送：各县（市、区）人民政府，市人民政府教育督导室。"
    assert body[-1] == "三门峡市教育局办公室\t2026年12月20日印发"
    borders = [p._p.find(f"{qn('w:pPr')}/{qn('w:pBdr')}") for p in document.paragraphs[-2:]]
    assert [b.find(qn("w:top")).get(qn("w:sz")) for b in borders] == ["8", "6"]
    assert borders[1].find(qn("w:bottom")).get(qn("w:sz")) == "8"


async def test_every_document_names_its_issuer_and_today_in_its_properties(world: World
                                                                         ) -> None:
    _, award = await generate(world, "award_list", year=YEAR)
    _, filing = await generate(world, "activity_filing", "lingbao", **lingbao(world))

    assert award.core_properties.author == "三门峡市教育局"
    assert filing.core_properties.author == "灵宝市教育体育局"
    assert filing.core_properties.last_modified_by == "灵宝市教育体育局"
    assert filing.core_properties.title == "灵宝市2026年教研活动备案表"
    assert filing.core_properties.created.date() == CONTEXT.today
    assert "python-docx" not in (award.core_properties.author, award.core_properties.comments)


def _keeps_next(p: Any) -> bool:
    return p.find(f"{qn('w:pPr')}/{qn('w:keepNext')}") is not None


def _row_keeps_next(tr: Any) -> bool:
    return all(_keeps_next(p) for p in tr.iter(qn("w:p")))


async def test_writer_keeps_signatures_totals_lead_ins_and_seal_rows_together(world: World
                                                                            ) -> None:
    _, summary = await generate(world, "annual_summary", year=YEAR)
    _, filing = await generate(world, "activity_filing", "lingbao", **lingbao(world))

    # Signature: the last body paragraph and the unit keep with the date.
    paragraphs = [p for p in summary.paragraphs if p.text.strip()]
    unit = next(i for i, p in enumerate(paragraphs) if p.style.style_id == "Signature")
    assert _keeps_next(paragraphs[unit]._p) and _keeps_next(paragraphs[unit - 1]._p)
    assert not _keeps_next(paragraphs[unit + 1]._p) or paragraphs[unit + 2].style.style_id \
        == "Imprint"
    # The 合计 row keeps the row above it (and, the signature coming next, the signature); the
    # rows above flow freely; every row is whole (cantSplit).
    table = summary.tables[-1]._tbl
    trs = table.findall(qn("w:tr"))
    assert _row_keeps_next(trs[-2]) and not _row_keeps_next(trs[1])
    following = table.getnext().find(f"{qn('w:pPr')}/{qn('w:pStyle')}").get(qn("w:val"))
    assert following == "Signature" and _row_keeps_next(trs[-1])
    assert all(tr.find(f"{qn('w:trPr')}/{qn('w:cantSplit')}") is not None for tr in trs)
    # The lead-in sentence of 附件2 stays with its table.
    lead_in = filing.tables[0]._tbl.getprevious()
    assert lead_in.tag == qn("w:p") and _keeps_next(lead_in)
    # Seal rows: the last data row and the first three sign-off rows keep with the next.
    rows_ = filing.tables[0]._tbl.findall(qn("w:tr"))
    assert [_row_keeps_next(tr) for tr in rows_[-5:]] == [True, True, True, True, False]
    assert all(tr.find(f"{qn('w:trPr')}/{qn('w:cantSplit')}") is not None for tr in rows_)
    assert not _row_keeps_next(rows_[-7])  # data rows in the middle flow freely


async def test_filing_package_is_a_submission_with_the_three_attachments(world: World
                                                                       ) -> None:
    name, document = await generate(world, "filing_package", "lingbao", **lingbao(world),
                                    doc_number=3)

    body = texts(document)
    assert name == "灵宝市2026年学前教育区域联盟教研备案材料报送文件.docx"
    assert body[0] == "灵教体〔2026〕3号"
    assert body[2] == "三门峡市教育局："
    assert body[body.index("灵宝市教育体育局") - 3:body.index("灵宝市教育体育局")] == [
        "附件：1．灵宝市2026年区域教研领导小组名单", "2．灵宝市2026年教研活动备案表",
        "3．灵宝市2026年学前教育教研方向建议表"]
    assert [t for t in body if t.startswith("附件") and len(t) == 3] == ["附件1", "附件2", "附件3"]
    assert len(document.tables) == 3
    assert body[-1].startswith("灵宝市教育体育局办公室\t")


async def test_filing_forms_as_spreadsheets_hold_the_rows_of_the_word_forms(world: World
                                                                          ) -> None:
    import openpyxl

    actor = await world.actor("lingbao")
    for kind in ("leadership_roster", "activity_filing", "research_directions"):
        docx_name, docx_data = await services.generate(
            actor, kind, ReportParams(**lingbao(world)), context=CONTEXT, fonts=ReportFonts())
        name, data = await services.generate(
            actor, kind, ReportParams(**lingbao(world), format="xlsx"), context=CONTEXT,
            fonts=ReportFonts())
        word = docx.Document(io.BytesIO(docx_data)).tables[0]
        sheet = openpyxl.load_workbook(io.BytesIO(data)).active

        cells = [[("" if v is None else str(v)) for v in row]
                 for row in sheet.iter_rows(values_only=True)]
        header = rows(word)[0]
        start = cells.index(header)
        assert name == docx_name.replace(".docx", ".xlsx")
        assert cells[0][0] == sheet.title and sheet.title.startswith("附件")
        assert cells[1][0] == name.removesuffix(".xlsx")  # the title row
        assert cells[start + 1:start + 1 + len(body_rows(word))] == body_rows(word)
        assert [r[0] for r in cells[-4:]] == list(SIGN_OFF_LABELS)
        assert sheet.print_title_rows == f"${start + 1}:${start + 1}"
        assert sheet.page_setup.orientation == "landscape"
        assert int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4)
        assert sheet.parent.properties.creator == "灵宝市教育体育局"


async def test_a_spreadsheet_of_a_report_that_is_no_form_is_refused(world: World) -> None:
    from lianyan.errors import InvalidInput

    with pytest.raises(InvalidInput) as refused:
        await generate(world, "topic_list", year=YEAR, format="xlsx")

    assert refused.value.code == "report.format"
    assert "电子表格只适用于附件1—3" in refused.value.detail


# The official format, for all nine -------------------------------------------------------------


def _style_fonts(document: Document) -> dict[str, str | None]:
    fonts = {}
    for style in document.styles.element.findall(qn("w:style")):
        rfonts = style.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
        fonts[style.get(qn("w:styleId"))] = (
            rfonts.get(qn("w:eastAsia")) if rfonts is not None else None)
    return fonts


def format_problems(kind: str, document: Document) -> list[str]:
    """What in ``document`` breaks the official format, in words."""
    problems = []
    section = document.sections[0]
    for what, value, mm in (("width", section.page_width, 210), ("height", section.page_height, 297),
                            ("top", section.top_margin, 37), ("bottom", section.bottom_margin, 35),
                            ("left", section.left_margin, 28), ("right", section.right_margin, 26)):
        if abs(value - Mm(mm)) > Mm(0.1):
            problems.append(f"{kind}: {what} is {value.mm:.1f} mm, not {mm}")
    body = document.element.body
    used = {"Normal"} | {
        el.get(qn("w:val")) for el in body.iter(qn("w:pStyle"), qn("w:rStyle"), qn("w:tblStyle"))
    }
    fonts = _style_fonts(document)
    problems += [f"{kind}: style {s} has no East-Asian font" for s in sorted(used)
                 if not fonts.get(s)]
    for number, table in enumerate(document.tables, start=1):
        first = table._tbl.tr_lst[0]
        if first.trPr is None or first.trPr.find(qn("w:tblHeader")) is None:
            problems.append(f"{kind}: table {number}'s header row does not repeat")
    for side, footer in (("odd", section.footer), ("even", section.even_page_footer)):
        fields = "".join(t.text for t in footer.part.element.iter(qn("w:instrText")))
        if fields.strip() != "PAGE":
            problems.append(f"{kind}: the {side} footer has no PAGE field")
    return problems


async def test_every_report_follows_the_official_format(world: World) -> None:
    documents = {}
    for kind in (k for k in KINDS if k != "year_end_slides"):
        who = "lingbao" if KINDS[kind].scope == "county" else "city"
        _, documents[kind] = await generate(world, kind, who, **params(world, kind))

    problems = [p for kind, document in documents.items() for p in format_problems(kind, document)]

    assert problems == []
    # The header-row check means something: every report but the prose compilation has tables.
    assert [kind for kind, document in documents.items() if not document.tables] == [
        "results_compilation"]


def params(world: World, kind: str) -> dict[str, Any]:
    from tests.reports.world import params_for

    return params_for(world, kind)


async def test_every_report_converts_to_pdf_in_one_libreoffice_run(world: World,
                                                                  tmp_path: Path) -> None:
    # LibreOffice is required, not optional: CI installs it (.ci/run), and a missing one fails.
    assert rendering.SOFFICE, "LibreOffice (soffice) is required to check the reports render"
    sources, titles = [], {}
    for kind in KINDS:
        who = "lingbao" if KINDS[kind].scope == "county" else "city"
        name, data = await services.generate(
            await world.actor(who), kind, ReportParams(**params(world, kind)), context=CONTEXT,
            fonts=ReportFonts(),
        )
        path = tmp_path / f"{kind}{Path(name).suffix}"
        path.write_bytes(data)
        sources.append(path)
        titles[kind] = Path(name).stem

    pdfs = rendering.to_pdf(sources, tmp_path / "pdf")

    for kind, pdf in zip(KINDS, pdfs, strict=True):
        pages = rendering.pdf_pages(pdf)
        first = "".join(pages[0].split())
        assert pages, f"{kind}: empty PDF"
        if kind == "year_end_slides":  # slides carry no page numbers; one page per slide
            assert len(pages) == len(Presentation(str(sources[-1])).slides)
        else:
            assert "—1—" in first, f"{kind}: no page number on page 1"
        # The title is on page one (long titles are broken over two lines there); a notice
        # starts "<bureau>关于…", so its place is the check.
        head = titles[kind].split("（")[0][:8] if kind not in ("award_list", "filing_package") \
            else "关于"
        assert head in first, f"{kind}: {head!r} not on page 1"


async def test_year_end_slides_have_native_charts_from_the_years_figures(world: World) -> None:
    from pptx.util import Emu  # noqa: F401  (python-pptx must be installed)

    name, data = await services.generate(
        await world.actor("city"), "year_end_slides", ReportParams(year=YEAR), context=CONTEXT,
        fonts=ReportFonts())
    _, county_data = await services.generate(
        await world.actor("lingbao"), "year_end_slides", ReportParams(**lingbao(world)),
        context=CONTEXT, fonts=ReportFonts())

    deck = Presentation(io.BytesIO(data))
    slides = list(deck.slides)
    titles = [next((s.text_frame.text for s in slide.shapes if s.has_text_frame), "")
              for slide in slides]
    charts = {title: [s.chart for s in slide.shapes if s.has_chart]
              for title, slide in zip(titles, slides, strict=True)}
    assert name == "三门峡市2026年学前教育区域联盟教研工作开展情况总结汇报.pptx"
    assert titles[0] == name.removesuffix(".pptx")
    assert [t for t, found in charts.items() if found] == [
        "各县（市、区）工作开展情况", "各月份工作开展情况", "课题研究进展"]
    # One chart part (with its embedded workbook) per chart slide: editable in PowerPoint.
    parts = [p.partname for p in deck.part.package.iter_parts() if "/charts/chart" in p.partname]
    assert len(parts) == 3
    by_county = charts["各县（市、区）工作开展情况"][0]
    assert list(by_county.plots[0].categories) == ["湖滨区", "卢氏县", "灵宝市"]
    activities = dict(zip(by_county.plots[0].categories, by_county.series[0].values,
                          strict=True))
    assert activities["灵宝市"] == len(world.activity_titles)
    monthly = charts["各月份工作开展情况"][0]
    assert sum(monthly.series[1].values) == 1  # the one exchange, in March
    assert monthly.series[1].values[2] == 1
    assert deck.core_properties.author == "三门峡市教育局"
    assert any("城乡结对" in t for t in titles)
    pairing = next(s for s, t in zip(slides, titles, strict=True) if t == "城乡结对")
    table = next(s.table for s in pairing.shapes if s.has_table)
    assert "灵宝市实验幼儿园（灵宝市，城区）" in table.cell(1, 2).text
    county = Presentation(io.BytesIO(county_data))
    assert county.core_properties.author == "灵宝市教育体育局"
    county_titles = [next((s.text_frame.text for s in slide.shapes if s.has_text_frame), "")
                     for slide in county.slides]
    assert "各县（市、区）工作开展情况" not in county_titles
