"""The nine reports, generated from the platform's data and read back as Word reads them.

Each report is generated through ``services.generate`` (the path the worker takes: check,
load, build) over the world of ``world.py``, opened with python-docx and compared with the
data; one test checks the official format of all nine, and one converts all nine to PDF with
LibreOffice in a single run.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.document import Document
from docx.oxml.ns import qn
from docx.shared import Mm

from lianyan import clock
from lianyan.reports import services
from lianyan.reports.content import Context
from lianyan.reports.docx import SIGN_OFF_LABELS, ReportFonts
from lianyan.reports.kinds import KINDS
from lianyan.reports.schemas import ReportParams
from tests.reports import rendering
from tests.reports.world import DIRECTIONS, ROSTER, SECTIONS, SUMMARY, YEAR, World, build_world

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
        [str(i), positions[pos], name, unit, title, phone]
        for i, (pos, name, unit, title, phone) in enumerate(ROSTER, start=1)
    ]
    assert [r[0] for r in rows(table)[-4:]] == list(SIGN_OFF_LABELS)


async def test_activity_filing_has_every_activity_in_date_order_and_sign_off(world: World
                                                                            ) -> None:
    name, document = await generate(world, "activity_filing", "lingbao", **lingbao(world))

    (table,) = document.tables
    data = body_rows(table)
    assert name == "灵宝市2026年教研活动备案表.docx"
    assert texts(document)[:2] == ["附件2", "灵宝市2026年教研活动备案表"]
    assert f"共{len(world.activity_titles)}项教研活动，其中大型专题活动{world.large_activities}项" \
        in texts(document)[2]
    assert [r[2] for r in data] == world.activity_titles
    assert [r[0] for r in data] == [str(i) for i in range(1, len(data) + 1)]
    assert data[0] == ["1", "3月5日", world.activity_titles[0], "游戏化课程建设", "专业引领",
                       "灵宝市第一教研责任区", "线上（腾讯会议）", "30", "是"]
    assert sum(r[8] == "是" for r in data) == world.large_activities
    sign_off = {r[0]: r[-1] for r in rows(table)[-4:]}
    assert list(sign_off) == list(SIGN_OFF_LABELS)
    assert sign_off["填报日期"] == "2026年2月20日"


async def test_research_directions_lists_each_direction(world: World) -> None:
    name, document = await generate(world, "research_directions", "lingbao", **lingbao(world))

    (table,) = document.tables
    assert name == "灵宝市2026年学前教育教研方向建议表.docx"
    assert texts(document)[:2] == ["附件3", "灵宝市2026年学前教育教研方向建议表"]
    assert body_rows(table) == [[str(i), *d] for i, d in enumerate(DIRECTIONS, start=1)]
    assert [r[0] for r in rows(table)[-4:]] == list(SIGN_OFF_LABELS)


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
    assert [(r[1], r[2], r[4]) for r in body_rows(counties)] == [
        ("湖滨区", "0", "未达标"), ("卢氏县", "0", "未达标"), ("灵宝市", "2", "达标"),
    ]
    assert body_rows(counties)[2][3] == "已备案"
    assert any("尚无在研课题的县（市、区）共2个：湖滨区、卢氏县" in t for t in texts(document))


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
                                  ["2", "陈洁", "灵宝市尹庄镇中心幼儿园", "", "资料整理"]]
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


async def test_annual_summary_of_a_county_has_the_years_figures(world: World) -> None:
    name, document = await generate(world, "annual_summary", "lingbao", **lingbao(world))

    figures = dict(body_rows(document.tables[-1]))
    body = texts(document)
    assert name == "灵宝市2026年学前教育区域联盟教研工作总结.docx"
    assert figures == {
        "幼儿园": "3所", "教研责任区": "2个", "全面覆盖": "2/3（66%）", "领导小组": "4人",
        "年度备案": "已备案",
        "备案教研活动": f"{len(world.activity_titles)}项（大型专题活动{world.large_activities}项）",
        "教研方向建议": "2条", "在研课题": "2项（已结题1项）", "组织同研异构活动": "1次",
        "参与同研异构": "2园次", "提交教学设计": "2份", "专家点评": "2条", "获得表彰": "2项",
    }
    assert body[-2:] == ["灵宝市学前教育区域教研领导小组", f"{CONTEXT.today.year}年"
                         f"{CONTEXT.today.month}月{CONTEXT.today.day}日"]


async def test_annual_summary_of_the_city_has_a_row_per_county_and_totals(world: World
                                                                         ) -> None:
    name, document = await generate(world, "annual_summary", year=YEAR)

    table = document.tables[-1]
    by_county = {r[0]: r for r in body_rows(table)}
    assert name == "三门峡市2026年学前教育区域联盟教研工作总结.docx"
    assert list(by_county) == ["湖滨区", "卢氏县", "灵宝市", "合计"]
    assert by_county["灵宝市"][1:] == ["3", "66%", str(len(world.activity_titles)),
                                      str(world.large_activities), "2", "2", "2", "已备案"]
    assert by_county["卢氏县"][5:8] == ["0", "1", "1"]
    assert by_county["合计"][1:3] == ["5", "60%"]
    assert any("尚无在研课题的县（市、区）：湖滨区、卢氏县" in t for t in texts(document))


async def test_results_compilation_has_a_filled_table_of_contents_and_both_parts(world: World
                                                                                ) -> None:
    name, document = await generate(world, "results_compilation", year=YEAR)

    body = texts(document)
    instructions = "".join(t.text for t in document.element.body.iter(qn("w:instrText")))
    toc = [p.text for p in document.paragraphs if p.style.style_id in ("TOC1", "TOC2")]
    assert name == "三门峡市2026年学前教育区域联盟教研成果汇编.docx"
    assert 'TOC \\o "1-2"' in instructions
    assert toc == ["一、同研异构亮点活动", "（一）中班语言《小兔乖乖》同研异构", "二、课题研究成果",
                   "（一）城乡幼儿园结对教研的实践研究"]
    assert body.count("（一）中班语言《小兔乖乖》同研异构") == 2  # the contents, then the heading
    assert sum(t.endswith(("执教：王芳", "执教：杨雪", "执教：陈洁", "执教：马琳")) for t in body) == 4
    assert "1位专家评分，平均22.0分（满分25分）。" in body
    assert "活动总结：" + SUMMARY.split("\n")[0] in body
    assert "成果材料：结题报告（城乡结对）.docx" in body
    assert any("结题等级：优秀" in t for t in body)


async def test_award_list_has_a_table_per_kind_and_the_publication_date(world: World) -> None:
    name, document = await generate(world, "award_list", year=YEAR)

    zones, kindergartens, people = document.tables
    body = texts(document)
    assert name == "三门峡市2026年学前教育区域联盟教研表彰名单.docx"
    assert body_rows(zones) == [["1", "灵宝市第一教研责任区", "灵宝市实验幼儿园", "灵宝市"]]
    assert body_rows(kindergartens) == [["1", "卢氏县杜关镇东村幼儿园", "卢氏县"]]
    assert body_rows(people) == [["1", "王芳", "灵宝市实验幼儿园", "灵宝市"],
                                 ["2", "马琳", "湖滨区第一幼儿园", "湖滨区"]]
    assert "一、先进责任区（1个）" in body and "三、先进个人（2名）" in body
    assert body[-2:] == ["三门峡市教育局", "2026年12月20日"]


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
    for kind in KINDS:
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
        path = tmp_path / f"{kind}.docx"
        path.write_bytes(data)
        sources.append(path)
        titles[kind] = name.removesuffix(".docx")

    pdfs = rendering.to_pdf(sources, tmp_path / "pdf")

    for kind, pdf in zip(KINDS, pdfs, strict=True):
        pages = rendering.pdf_pages(pdf)
        first = "".join(pages[0].split())
        assert pages, f"{kind}: empty PDF"
        assert "—1—" in first, f"{kind}: no page number on page 1"
        # The title is on page one (long titles are broken over two lines there).
        head = titles[kind].split("（")[0][:8]
        assert head in first, f"{kind}: {head!r} not on page 1"
