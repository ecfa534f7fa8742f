"""A Word design read as HTML in the page: structure kept, everything escaped, bounded."""

from __future__ import annotations

import io

import docx
import pytest
from docx.shared import Inches

from lianyan.files import office
from lianyan.files.docx_html import docx_to_html
from tests.builders.files import docx_bytes, pdf_bytes, png_bytes
from tests.exchanges.conftest import headers
from tests.exchanges.test_designs import _start, _upload
from tests.exchanges.test_hostile_documents import BILLION_LAUGHS, with_document_xml


def rich_docx() -> bytes:
    """Headings, bulleted and numbered lists, bold text, a table with a merged cell, an image,
    and text that looks like HTML."""
    document = docx.Document()
    document.add_heading("中班语言《小兔乖乖》", level=1)
    document.add_heading("一、活动目标", level=2)
    document.add_paragraph("理解故事内容。", style="List Bullet")
    document.add_paragraph("学说对话。", style="List Bullet")
    paragraph = document.add_paragraph("重点：")
    paragraph.add_run("不给陌生人开门").bold = True
    document.add_paragraph('<script>alert("x")</script><img src=x onerror=alert(1)>')
    table = document.add_table(rows=3, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "环节", "时间"
    table.cell(1, 0).text, table.cell(1, 1).text = "导入", "5 分钟"
    table.cell(2, 0).merge(table.cell(2, 1)).text = "共 25 分钟"
    document.add_heading("二、活动过程", level=2)
    document.add_paragraph("谈话导入。", style="List Number")
    document.add_paragraph("分角色表演。", style="List Number")
    picture = io.BytesIO(png_bytes())
    document.add_picture(picture, width=Inches(1))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_docx_to_html_keeps_headings_lists_tables_bold_and_images():
    made = docx_to_html(rich_docx())
    html = made["html"]
    assert "<h2>中班语言《小兔乖乖》</h2>" in html
    assert "<h3>一、活动目标</h3>" in html
    assert "<ul>\n<li>理解故事内容。</li>\n<li>学说对话。</li>\n</ul>" in html
    assert "<p>重点：<strong>不给陌生人开门</strong></p>" in html
    assert "<tr><td>环节</td><td>时间</td></tr><tr><td>导入</td><td>5 分钟</td></tr>" in html
    assert '<tr><td colspan="2">共 25 分钟</td></tr>' in html
    assert "<ol>\n<li>谈话导入。</li>\n<li>分角色表演。</li>\n</ol>" in html
    assert '<img alt="文档中的图片" src="data:image/png;base64,' in html
    assert made["images"] == 1


_WNS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _numbered(document, num_id: int, formats: tuple[str, ...]) -> None:
    """A list definition in numbering.xml: ``formats[i]`` is level i's numFmt."""
    from docx.oxml import parse_xml

    numbering = document.part.numbering_part.element
    levels = "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/></w:lvl>'
        for i, fmt in enumerate(formats))
    # abstractNum elements come before num elements (the schema's order)
    first_num = numbering.find(f"{{{numbering.nsmap['w']}}}num")
    first_num.addprevious(parse_xml(
        f'<w:abstractNum {_WNS} w:abstractNumId="{num_id}">{levels}</w:abstractNum>'))
    numbering.append(parse_xml(
        f'<w:num {_WNS} w:numId="{num_id}"><w:abstractNumId w:val="{num_id}"/></w:num>'))


def _item(document, text: str, num_id: int, level: int = 0):
    from docx.oxml import parse_xml

    paragraph = document.add_paragraph(text)
    paragraph._p.get_or_add_pPr().append(parse_xml(
        f'<w:numPr {_WNS}><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/></w:numPr>'))
    return paragraph


def test_numbered_paragraphs_are_ordered_lists_by_numbering_xml_and_bullets_stay_bullets():
    # Arrange: a numbered list with a lettered level inside, a paragraph between two of its
    # items, a list in Chinese counting, bullets by style, a numbered list by style
    document = docx.Document()
    _numbered(document, 90, ("decimal", "lowerLetter", "bullet"))
    _numbered(document, 91, ("chineseCounting",))
    _item(document, "导入", 90)
    _item(document, "出示图片", 90, level=1)
    _item(document, "提问<b>", 90, level=1)
    _item(document, "展开", 90)
    document.add_paragraph("（过渡语）")
    _item(document, "结束", 90)
    _item(document, "活动目标", 91)
    document.add_paragraph("理解故事。", style="List Bullet")
    document.add_paragraph("第一步", style="List Number")
    out = io.BytesIO()
    document.save(out)
    # Act
    html = docx_to_html(out.getvalue())["html"].replace("\n", "")
    # Assert
    assert ('<ol><li>导入<ol type="a"><li>出示图片</li><li>提问&lt;b&gt;</li></ol></li>'
            "<li>展开</li></ol><p>（过渡语）</p>") in html
    assert '<ol start="3"><li>结束</li></ol>' in html  # Word numbers on: 3. 结束
    assert '<ol class="cjk"><li>活动目标</li></ol>' in html
    assert "<ul><li>理解故事。</li></ul>" in html
    assert "<ol><li>第一步</li></ol>" in html


def test_word_tables_are_html_tables_with_merged_cells_header_rows_and_escaped_text():
    # Arrange: a header row, a cell spanning two columns, a cell spanning two rows, a table
    # inside a cell, and text that looks like HTML
    from docx.oxml import parse_xml

    document = docx.Document()
    table = document.add_table(rows=4, cols=3)
    for c, text in enumerate(("环节", "时间", "说明")):
        table.cell(0, c).text = text
    table.rows[0]._tr.get_or_add_trPr().append(parse_xml(f"<w:tblHeader {_WNS}/>"))
    table.cell(1, 0).text = "导入"
    table.cell(1, 1).merge(table.cell(1, 2)).text = "5 分钟，<谈话>"
    table.cell(2, 0).merge(table.cell(3, 0)).text = "展开"
    table.cell(2, 1).text, table.cell(2, 2).text = "10 分钟", "看图"
    table.cell(3, 1).text = "10 分钟"
    inner = table.cell(3, 2).add_table(rows=1, cols=2)
    inner.cell(0, 0).text, inner.cell(0, 1).text = "甲", "乙"
    out = io.BytesIO()
    document.save(out)
    # Act
    html = docx_to_html(out.getvalue())["html"]
    # Assert
    assert "|" not in html
    assert "<thead><tr><th>环节</th><th>时间</th><th>说明</th></tr></thead>" in html
    assert '<tr><td>导入</td><td colspan="2">5 分钟，&lt;谈话&gt;</td></tr>' in html
    assert '<tr><td rowspan="2">展开</td><td>10 分钟</td><td>看图</td></tr>' in html
    assert ("<tr><td>10 分钟</td><td><table><tbody><tr><td>甲</td><td>乙</td></tr>"
            "</tbody></table></td></tr>") in html


def test_a_huge_table_is_cut_at_the_bound_and_says_so():
    document = docx.Document()
    table = document.add_table(rows=120, cols=50)
    table.cell(0, 0).text = "第一格"
    out = io.BytesIO()
    document.save(out)

    made = docx_to_html(out.getvalue())

    assert made["truncated"] is True
    assert "第一格" in made["html"]
    assert made["html"].count("<td") < 5_000


def test_docx_to_html_escapes_the_documents_text():
    html = docx_to_html(rich_docx())["html"]
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "<script" not in html and "onerror=" not in html.replace("onerror=alert", "")
    assert "<img src=x" not in html


def test_docx_with_a_doctype_is_unreadable_in_the_bounded_child():
    import anyio

    with pytest.raises(Exception) as refused:
        anyio.run(office.run_bounded, docx_to_html, with_document_xml(BILLION_LAUGHS))
    assert getattr(refused.value, "code", "") == "file.unreadable"


async def test_api_reads_a_versions_word_design_as_html(client, world):
    design_id, h = await _start(client, world)
    await _upload(client, design_id, h, "document", "教学设计.docx", rich_docx())
    expert = await headers(client, "expert1")

    response = await client.get(f"/api/v1/designs/{design_id}/versions/1/document",
                                headers=expert)

    assert response.status_code == 200, response.text
    assert response.json()["original_name"] == "教学设计.docx"
    assert "<h3>一、活动目标</h3>" in response.json()["html"]


async def test_pdf_version_missing_version_and_broken_docx_answer_in_chinese(client, world):
    design_id, h = await _start(client, world)
    await _upload(client, design_id, h, "document", "教学设计.pdf", pdf_bytes())
    broken = await _upload(client, design_id, h, "document", "坏.docx",
                           with_document_xml(BILLION_LAUGHS))
    assert broken.status_code == 201  # stored: its sections simply could not be read

    pdf = await client.get(f"/api/v1/designs/{design_id}/versions/1/document", headers=h)
    missing = await client.get(f"/api/v1/designs/{design_id}/versions/9/document", headers=h)
    unreadable = await client.get(f"/api/v1/designs/{design_id}/versions/2/document", headers=h)
    page = await client.get(f"/designs/{design_id}/versions/2/document", headers=h)

    assert pdf.status_code == 400 and pdf.json()["code"] == "design.no_document"
    assert missing.status_code == 404 and missing.json()["code"] == "design.version"
    assert unreadable.status_code == 400 and unreadable.json()["code"] == "file.unreadable"
    assert page.status_code == 400
    assert "该文档无法在线阅读" in page.text and "下载原文件" in page.text


async def test_another_groups_design_is_404_before_the_deadline(client, world):
    design_id, h = await _start(client, world)
    await _upload(client, design_id, h, "document", "教学设计.docx", docx_bytes())
    other_group = await headers(client, "t3")

    response = await client.get(f"/api/v1/designs/{design_id}/versions/1/document",
                                headers=other_group)

    assert response.status_code == 404
