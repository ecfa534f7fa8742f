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
    """Headings, a bulleted list, bold text, a table, an image, and text that looks like HTML."""
    document = docx.Document()
    document.add_heading("中班语言《小兔乖乖》", level=1)
    document.add_heading("一、活动目标", level=2)
    document.add_paragraph("理解故事内容。", style="List Bullet")
    document.add_paragraph("学说对话。", style="List Bullet")
    paragraph = document.add_paragraph("重点：")
    paragraph.add_run("不给陌生人开门").bold = True
    document.add_paragraph('<script>alert("x")</script><img src=x onerror=alert(1)>')
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "环节", "时间"
    table.cell(1, 0).text, table.cell(1, 1).text = "导入", "5 分钟"
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
    assert '<img alt="文档中的图片" src="data:image/png;base64,' in html
    assert made["images"] == 1


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
