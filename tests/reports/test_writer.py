"""Tests of the report writer: build a filing report, save it, read it back as Word would."""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from docx.document import Document
from docx.oxml.ns import qn
from docx.shared import Emu, Mm
from lxml import etree

from lianyan.reports.docx import (
    SIGN_OFF_LABELS,
    ChineseFontSize,
    ReportFonts,
    ReportWriter,
    cell_text,
    chinese_number,
    display_width,
    format_date_cn,
    outline_number,
)

HEADER = ["序号", "日期", "活动名称", "形式", "组织责任区", "地点", "预计参与人数", "大型专题活动"]
ROW_COUNT = 300
ISSUED_ON = dt.date(2026, 2, 9)
BODY_TEXT = "根据市教育局关于开展学前教育区域联盟教研的通知要求，现将本县年度教研活动安排报备如下。"


def activity_rows(count: int) -> list[list[str]]:
    """附件2-like rows; the title and place columns are long, the others short."""
    forms = ("专业引领", "专题研讨", "专家论坛", "网络教研", "同研异构")
    return [
        [
            str(i),
            f"3月{i % 28 + 1}日",
            f"第{i}次幼儿园区域活动观察与支持策略专题研讨",
            forms[i % 5],
            "第一责任区",
            "县实验幼儿园（城关镇人民路12号）",
            str(30 + i % 50),
            "是" if i % 7 == 0 else "否",
        ]
        for i in range(1, count + 1)
    ]


def build_report(fonts: ReportFonts | None = None) -> ReportWriter:
    """The shape of a county's 附件2 with a written part before the table."""
    writer = ReportWriter(fonts=fonts) if fonts else ReportWriter()
    writer.add_attachment_label(2)
    writer.add_title("某某县2026年度学前教育教研活动备案表")
    writer.add_heading(outline_number(1, 1) + "总体安排", level=1)
    writer.add_paragraph(BODY_TEXT)
    writer.add_heading(outline_number(1, 2) + "活动明细", level=2)
    table = writer.add_table(HEADER, activity_rows(ROW_COUNT))
    writer.add_sign_off_rows(table, unit="某某县教育局", filled_on=ISSUED_ON)
    writer.add_paragraph("特此备案。")
    writer.add_signature("某某县教育局", ISSUED_ON)
    return writer


@pytest.fixture(scope="module")
def report_bytes() -> bytes:
    return build_report().to_bytes()


@pytest.fixture(scope="module")
def report(report_bytes: bytes) -> Document:
    return docx.Document(io.BytesIO(report_bytes))


def style_by_id(document: Document, style_id: str) -> etree._Element:
    return document.styles.element.xpath(f'w:style[@w:styleId="{style_id}"]')[0]


def style_rfonts(document: Document, style_id: str) -> etree._Element | None:
    return style_by_id(document, style_id).find(f"{qn('w:rPr')}/{qn('w:rFonts')}")


def all_paragraph_elements(document: Document) -> list[etree._Element]:
    """Every paragraph of the body (table cells included) and of the footers."""
    paragraphs = list(document.element.body.iter(qn("w:p")))
    section = document.sections[0]
    for footer in (section.footer, section.even_page_footer):
        paragraphs.extend(footer.part.element.iter(qn("w:p")))
    return paragraphs


def data_table(document: Document):
    (table,) = document.tables
    return table


# --- page -----------------------------------------------------------------------------------


def test_page_setup_is_a4_with_official_margins(report: Document) -> None:
    section = report.sections[0]

    measured = {
        "width": section.page_width, "height": section.page_height,
        "top": section.top_margin, "bottom": section.bottom_margin,
        "left": section.left_margin, "right": section.right_margin,
    }

    expected = {"width": 210, "height": 297, "top": 37, "bottom": 35, "left": 28, "right": 26}
    for name, millimetres in expected.items():
        assert abs(measured[name] - Mm(millimetres)) < Mm(0.1), name


def test_doc_grid_gives_22_lines_of_28_characters(report: Document) -> None:
    grid = report.element.body.sectPr.find(qn("w:docGrid"))
    section = report.sections[0]

    line_pitch = int(grid.get(qn("w:linePitch")))
    defaults = report.styles.element.find(qn("w:docDefaults"))
    spacing = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:spacing')}")
    char_pitch_pt = ChineseFontSize.SAN + int(spacing.get(qn("w:val"))) / 20
    text_height = Emu(section.page_height - section.top_margin - section.bottom_margin).twips
    text_width_pt = Emu(section.page_width - section.left_margin - section.right_margin).pt

    # A line grid, the characters condensed: LibreOffice renders a character grid at 14 a line.
    assert grid.get(qn("w:type")) == "lines" and grid.get(qn("w:charSpace")) is None
    assert text_height // line_pitch == 22
    assert line_pitch == pytest.approx(Mm(225).twips / 22, abs=1)
    assert math.floor(text_width_pt / char_pitch_pt) == 28


def test_footers_carry_page_field_odd_right_even_left(report: Document) -> None:
    section = report.sections[0]

    footers = {"odd": section.footer, "even": section.even_page_footer}

    assert report.settings.odd_and_even_pages_header_footer is True
    for side, footer in (("right", footers["odd"]), ("left", footers["even"])):
        assert footer.is_linked_to_previous is False
        (paragraph,) = footer.paragraphs
        p = paragraph._p
        kinds = [el.get(qn("w:fldCharType")) for el in p.iter(qn("w:fldChar"))]
        instructions = "".join(el.text for el in p.iter(qn("w:instrText")))
        assert kinds == ["begin", "separate", "end"]
        assert instructions.strip() == "PAGE"
        assert paragraph.text == "— 1 —"
        assert p.pPr.find(qn("w:jc")).get(qn("w:val")) == side
        assert int(p.pPr.find(qn("w:ind")).get(qn(f"w:{side}"))) == 280  # one 四号 character
    assert style_rfonts(report, "Footer").get(qn("w:eastAsia")) == "宋体"


# --- fonts and styles -----------------------------------------------------------------------


def test_styles_every_used_style_names_an_east_asian_font(report: Document) -> None:
    used = {
        style.get(qn("w:val"))
        for p in all_paragraph_elements(report)
        for style in p.iter(qn("w:pStyle"), qn("w:rStyle"))
    } | {tbl_style.get(qn("w:val")) for tbl_style in report.element.body.iter(qn("w:tblStyle"))}
    used |= {"Normal"}

    missing = {
        style_id for style_id in used
        if not (style_rfonts(report, style_id) is not None
                and style_rfonts(report, style_id).get(qn("w:eastAsia")))
    }

    assert {"Title", "Heading1", "Heading2", "TableHeaderSmall", "TableTextSmall",
            "TableGrid"} <= used
    assert missing == set()


def test_styles_have_official_fonts_and_sizes(report: Document) -> None:
    expected = {
        "Normal": ("仿宋_GB2312", 16),
        "Title": ("方正小标宋简体", 22),
        "Heading1": ("黑体", 16),
        "Heading2": ("楷体_GB2312", 16),
        "AttachmentLabel": ("黑体", 16),
        "TableHeader": ("黑体", 14),
        "TableText": ("仿宋", 14),
        "TableHeaderSmall": ("黑体", 12),
        "TableTextSmall": ("仿宋", 12),
        "Footer": ("宋体", 14),
    }

    actual = {}
    for style_id in expected:
        style = report.styles.element.get_by_id(style_id)
        rfonts = style.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
        size = style.find(f"{qn('w:rPr')}/{qn('w:sz')}")
        actual[style_id] = (rfonts.get(qn("w:eastAsia")), int(size.get(qn("w:val"))) / 2)

    assert actual == expected
    for style_id, (font, _) in expected.items():
        rfonts = style_rfonts(report, style_id)
        assert rfonts.get(qn("w:ascii")) == rfonts.get(qn("w:hAnsi")) == font


def test_styles_keep_no_theme_font_that_could_pick_a_japanese_face(report_bytes: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(report_bytes)) as package:
        styles_xml = package.read("word/styles.xml").decode("utf-8")
        settings_xml = package.read("word/settings.xml").decode("utf-8")

    assert re.search(r"w:(asciiTheme|eastAsiaTheme|hAnsiTheme|cstheme)=", styles_xml) is None
    assert 'w:eastAsia="zh-CN"' in settings_xml
    assert 'eastAsia="ja-JP"' not in settings_xml


def test_font_table_lists_fallbacks_for_the_official_fonts(report_bytes: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(report_bytes)) as package:
        font_table = etree.fromstring(package.read("word/fontTable.xml"))

    fallbacks = {
        font.get(qn("w:name")): font.find(qn("w:altName")).get(qn("w:val"))
        for font in font_table.iter(qn("w:font"))
        if font.find(qn("w:altName")) is not None
    }

    assert fallbacks["方正小标宋简体"] == "宋体"
    assert fallbacks["仿宋_GB2312"] == "仿宋"
    assert fallbacks["楷体_GB2312"] == "楷体"


def test_fonts_override_reaches_every_style() -> None:
    fonts = ReportFonts(title="宋体", body="仿宋", heading2="楷体", table_body="仿宋")

    document = docx.Document(io.BytesIO(build_report(fonts).to_bytes()))

    assert style_rfonts(document, "Normal").get(qn("w:eastAsia")) == "仿宋"
    assert style_rfonts(document, "Title").get(qn("w:eastAsia")) == "宋体"
    assert style_rfonts(document, "Heading2").get(qn("w:eastAsia")) == "楷体"


def test_report_fonts_empty_name_is_refused() -> None:
    with pytest.raises(ValueError, match="body"):
        ReportFonts(body=" ")


def test_report_fonts_from_settings_like_object_keeps_missing_defaults() -> None:
    class FontSettings:
        title = "方正小标宋_GBK"
        body = "仿宋"

    fonts = ReportFonts.from_attributes(FontSettings())

    assert (fonts.title, fonts.body, fonts.heading1) == ("方正小标宋_GBK", "仿宋", "黑体")


# --- paragraphs -----------------------------------------------------------------------------


def test_text_content_is_in_document_order(report: Document) -> None:
    texts = [p.text for p in report.paragraphs if p.text]

    assert texts == [
        "附件2",
        "某某县2026年度学前教育教研活动备案表",
        "一、总体安排",
        BODY_TEXT,
        "（一）活动明细",
        "特此备案。",
        "某某县教育局",
        "2026年2月9日",
    ]


def test_paragraph_styles_follow_the_outline(report: Document) -> None:
    styles = {p.text: p.style.style_id for p in report.paragraphs if p.text}

    assert styles["附件2"] == "AttachmentLabel"
    assert styles["某某县2026年度学前教育教研活动备案表"] == "Title"
    assert styles["一、总体安排"] == "Heading1"
    assert styles["（一）活动明细"] == "Heading2"
    assert styles[BODY_TEXT] == "Normal"


def test_body_paragraph_first_line_is_indented_two_characters(report: Document) -> None:
    ind = style_by_id(report, "Normal").find(f"{qn('w:pPr')}/{qn('w:ind')}")

    assert ind.get(qn("w:firstLineChars")) == "200"
    assert ind.get(qn("w:firstLine")) == "640"


def test_signature_date_sits_two_characters_right_of_the_unit(report: Document) -> None:
    unit, date = (p for p in report.paragraphs if p.text in ("某某县教育局", "2026年2月9日"))

    def right_chars(paragraph) -> int:
        return int(paragraph._p.pPr.find(qn("w:ind")).get(qn("w:rightChars")))

    # Unit and date are both six characters wide, so the date starts two characters further
    # right and ends two characters from the margin; the unit ends four characters from it.
    assert (right_chars(unit), right_chars(date)) == (400, 200)
    assert unit.style.style_id == date.style.style_id == "Signature"


def test_paragraph_with_control_character_drops_it() -> None:
    writer = ReportWriter()

    heading = writer.add_heading("一、张\x0b三的课题", level=1)

    assert heading.text == "一、张三的课题"


def test_paragraph_without_indent_zeroes_both_indent_forms() -> None:
    writer = ReportWriter()

    paragraph = writer.add_paragraph("说明", indent=False)

    ind = paragraph._p.pPr.find(qn("w:ind"))
    assert (ind.get(qn("w:firstLineChars")), ind.get(qn("w:firstLine"))) == ("0", "0")


# --- tables ---------------------------------------------------------------------------------


def test_table_text_matches_the_rows(report: Document) -> None:
    table = data_table(report)

    header = [cell.text for cell in table.rows[0].cells]
    body = [[cell.text for cell in row.cells] for row in table.rows[1 : ROW_COUNT + 1]]

    assert header == HEADER
    assert body == activity_rows(ROW_COUNT)


def test_table_header_row_repeats_and_no_row_splits(report: Document) -> None:
    rows = data_table(report)._tbl.tr_lst

    header_flags = [tr.trPr.find(qn("w:tblHeader")) is not None for tr in rows]

    assert header_flags[0] is True
    assert not any(header_flags[1:])
    assert all(tr.trPr.find(qn("w:cantSplit")) is not None for tr in rows)


def test_table_header_is_bold_hei_ti(report: Document) -> None:
    rpr = style_by_id(report, "TableHeader").find(qn("w:rPr"))

    assert rpr.find(qn("w:b")) is not None
    assert rpr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "黑体"
    first_cell = data_table(report).rows[0].cells[0].paragraphs[0]
    assert first_cell.style.style_id == "TableHeaderSmall"
    assert first_cell.style.base_style.style_id == "TableHeader"


def effective_alignment(paragraph) -> str:
    """The paragraph's own ``w:jc``, else its style's (the table styles centre)."""
    jc = paragraph._p.pPr.find(qn("w:jc"))
    if jc is not None:
        return jc.get(qn("w:val"))
    style = paragraph.style
    while style is not None and style.paragraph_format.alignment is None:
        style = style.base_style
    return style.element.find(f"{qn('w:pPr')}/{qn('w:jc')}").get(qn("w:val"))


def test_table_short_columns_centred_long_columns_left(report: Document) -> None:
    first_data_row = data_table(report).rows[1]

    alignments = [effective_alignment(cell.paragraphs[0]) for cell in first_data_row.cells]

    assert alignments == ["center", "center", "left", "center", "center", "left", "center",
                          "center"]


def test_table_every_cell_is_vertically_centred(report: Document) -> None:
    tbl = data_table(report)._tbl
    data_rows = tbl.tr_lst[: ROW_COUNT + 1]

    valigns = {
        tc.tcPr.find(qn("w:vAlign")).get(qn("w:val")) for tr in data_rows for tc in tr.tc_lst
    }

    assert valigns == {"center"}


def test_table_with_eight_columns_is_set_in_xiao_si(report: Document) -> None:
    cell = data_table(report).rows[1].cells[0].paragraphs[0]

    assert cell.style.style_id == "TableTextSmall"
    assert cell.style.font.size.pt == ChineseFontSize.XIAO_SI


def test_table_with_three_columns_keeps_si_hao() -> None:
    writer = ReportWriter()

    table = writer.add_table(["姓名", "职务", "单位"], [["张三", "组长", "县教育局"]])

    cell = table.rows[1].cells[0].paragraphs[0]
    assert cell.style.style_id == "TableText"
    assert cell.style.font.size.pt == ChineseFontSize.SI


def test_table_font_size_other_than_si_or_xiao_si_is_refused() -> None:
    writer = ReportWriter()

    with pytest.raises(ValueError, match="四号 or 小四"):
        writer.add_table(["姓名"], [["张三"]], font_size=ChineseFontSize.WU)


def test_table_columns_fill_the_text_block(report: Document) -> None:
    grid = [int(col.get(qn("w:w"))) for col in data_table(report)._tbl.iter(qn("w:gridCol"))]
    section = report.sections[0]
    text_width = Emu(section.page_width - section.left_margin - section.right_margin).twips

    assert sum(grid) == text_width
    assert grid[2] > grid[0]  # the long title column gets more room than 序号


def test_table_given_widths_and_alignment_are_used() -> None:
    writer = ReportWriter()

    table = writer.add_table(["姓名", "备注"], [["张三", "短"]], widths=[Mm(40), Mm(116)],
                             align=["left", None])

    grid = [int(col.get(qn("w:w"))) for col in table._tbl.iter(qn("w:gridCol"))]
    jcs = [effective_alignment(cell.paragraphs[0]) for cell in table.rows[1].cells]
    assert grid == [Mm(40).twips, Mm(116).twips]
    assert jcs == ["left", "center"]


def test_table_ragged_row_is_refused() -> None:
    writer = ReportWriter()

    with pytest.raises(ValueError, match="row 2 has 1 cells; the header has 2"):
        writer.add_table(["姓名", "职务"], [["张三", "组长"], ["李四"]])


def test_table_cell_values_render_as_a_reader_expects() -> None:
    writer = ReportWriter()

    table = writer.add_table(
        ["a", "b", "c", "d", "e"],
        [[None, True, dt.date(2026, 3, 5), 42, "甲\x07乙 <&>  丙\n第二行\t末"]],
    )

    cells = table.rows[1].cells
    assert [cell.text for cell in cells[:4]] == ["", "是", "2026年3月5日", "42"]
    assert cells[4].text == "甲乙 <&>  丙\n第二行\t末"


def test_sign_off_rows_follow_the_table_with_labels_and_values(report: Document) -> None:
    rows = data_table(report).rows[ROW_COUNT + 1 :]

    labels = [row.cells[0].text for row in rows]
    values = [row.cells[-1].text for row in rows]

    assert labels == list(SIGN_OFF_LABELS)
    assert values[0] == "某某县教育局"
    assert values[2] == "2026年2月9日"
    assert "（盖章）" in values[3]
    spans = [tc.tcPr.find(qn("w:gridSpan")) for tc in rows[0]._tr.tc_lst]
    assert sum(int(s.get(qn("w:val"))) if s is not None else 1 for s in spans) == len(HEADER)


def test_sign_off_rows_blank_when_nothing_given() -> None:
    writer = ReportWriter()
    table = writer.add_table(["项目", "内容"], [["方向", "游戏化"]])

    writer.add_sign_off_rows(table)

    values = [row.cells[-1].text for row in table.rows[2:]]
    assert values[:3] == ["", "", "　　年　　月　　日"]


def test_sign_off_rows_one_column_table_is_refused() -> None:
    writer = ReportWriter()
    table = writer.add_table(["项目"], [["方向"]])

    with pytest.raises(ValueError, match="two columns"):
        writer.add_sign_off_rows(table)


# --- table of contents ----------------------------------------------------------------------


def test_table_of_contents_is_a_toc_field_word_updates_on_open() -> None:
    writer = ReportWriter()
    writer.add_title("2026年度学前教育教研成果汇编")

    writer.add_table_of_contents()
    writer.add_heading("一、优秀课题", level=1)
    document = docx.Document(io.BytesIO(writer.to_bytes()))

    instructions = [el.text for el in document.element.body.iter(qn("w:instrText"))]
    kinds = [el.get(qn("w:fldCharType")) for el in document.element.body.iter(qn("w:fldChar"))]
    update = document.settings.element.find(qn("w:updateFields"))
    assert [text.strip() for text in instructions] == [r'TOC \o "1-2" \h \z \u']
    assert kinds == ["begin", "separate", "end"]
    assert update is not None and update.get(qn("w:val")) == "true"
    assert [p.text for p in document.paragraphs][1] == "目　录"


# --- saving -------------------------------------------------------------------------------


def test_save_writes_to_a_path_and_to_a_stream(tmp_path: Path) -> None:
    writer = ReportWriter()
    writer.add_title("表彰名单")
    stream = io.BytesIO()

    writer.save(tmp_path / "表彰名单.docx")
    writer.save(stream)

    from_path = docx.Document(str(tmp_path / "表彰名单.docx"))
    from_stream = docx.Document(io.BytesIO(stream.getvalue()))
    assert [p.text for p in from_path.paragraphs] == [p.text for p in from_stream.paragraphs]
    assert from_path.paragraphs[0].text == "表彰名单"


# --- text helpers ---------------------------------------------------------------------------


def test_format_date_cn_drops_leading_zeros() -> None:
    assert format_date_cn(dt.date(2026, 2, 9)) == "2026年2月9日"
    assert format_date_cn(dt.date(2026, 12, 31)) == "2026年12月31日"


@pytest.mark.parametrize(
    ("number", "level", "expected"),
    [(1, 1, "一、"), (10, 1, "十、"), (12, 2, "（十二）"), (21, 1, "二十一、"), (3, 3, "3."),
     (4, 4, "（4）")],
)
def test_outline_number_per_level(number: int, level: int, expected: str) -> None:
    assert outline_number(number, level) == expected


def test_chinese_number_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError):
        chinese_number(100)


def test_display_width_counts_latin_as_half() -> None:
    assert display_width("专题研讨") == 4
    assert display_width("2026-03-15") == 5
    assert display_width("第一行\n长一些的第二行") == 7


def test_cell_text_none_and_bool() -> None:
    assert (cell_text(None), cell_text(False), cell_text(3.5)) == ("", "否", "3.5")


# --- rendering ------------------------------------------------------------------------------


def test_rendered_pdf_shows_page_numbers_title_and_repeated_header(
    report_bytes: bytes,
    render_pdf: Callable[[bytes], Path],
    pdf_text: Callable[[Path], list[str]],
) -> None:
    pdf = render_pdf(report_bytes)

    pages = pdf_text(pdf)

    assert len(pages) > 3
    assert "某某县2026年度学前教育教研活动备案表" in pages[0].replace(" ", "")
    for number, page in enumerate(pages, start=1):
        assert f"— {number} —" in page or f"—{number}—" in page.replace(" ", "")
    # The header row repeats on every page the table runs onto (all pages but the first here).
    assert all("活动名称" in page for page in pages[1:-1])
    assert "市教育局审核意见" in pages[-1]
