"""Section extraction from lesson design documents (pure: python-docx on bytes)."""

from __future__ import annotations

import io

import docx

from lianyan.exchanges.sections import NONE_FOUND_NOTE, UNREADABLE_NOTE, extract_docx
from tests.builders.files import DESIGN_A, DESIGN_B, docx_bytes


def test_extract_heading_styled_sections_keeps_each_body():
    sections, note = extract_docx(io.BytesIO(docx_bytes(DESIGN_A)))
    assert note == ""
    assert sections["goals"] == (
        "1. 理解故事内容，知道不给陌生人开门。\n2. 能用“小兔乖乖，把门开开”进行对唱。"
    )
    assert sections["preparation"] == "兔妈妈、大灰狼头饰；故事挂图。"
    assert sections["process"].splitlines() == [
        "（一）谈话导入：小朋友，你们一个人在家时有人敲门怎么办？", "（二）讲述故事，分角色表演。"
    ]
    assert sections["extension"] == "在表演区投放头饰，继续表演。"


def test_extract_bold_lines_with_text_after_colon_and_stops_at_other_heading():
    sections, note = extract_docx(io.BytesIO(docx_bytes(DESIGN_B)))
    assert sections["goals"] == "在游戏中学说儿歌，体验角色扮演的快乐。"
    assert sections["preparation"] == "头饰、小房子布景"
    assert sections["process"] == "1. 听音乐做小兔跳进入活动室。"
    assert sections["extension"] is None
    assert note == "文档中没有找到：活动延伸。"


def test_extract_plain_line_with_colon_counts_but_sentence_does_not():
    content = docx_bytes([
        ("p", "活动目标：感受儿歌的节奏。"),
        ("p", "活动过程中教师要注意观察。"),  # a sentence, not a heading
    ])
    sections, _ = extract_docx(io.BytesIO(content))
    assert sections["goals"] == "感受儿歌的节奏。\n活动过程中教师要注意观察。"
    assert sections["process"] is None


def test_extract_keeps_tables_inside_a_section_row_by_row():
    document = docx.Document()
    document.add_heading("活动过程", level=2)
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "环节", "教师指导"
    table.cell(1, 0).text, table.cell(1, 1).text = "导入", "出示小兔图片"
    document.add_heading("活动延伸", level=2)
    document.add_paragraph("回家讲给爸爸妈妈听。")
    buffer = io.BytesIO()
    document.save(buffer)
    sections, _ = extract_docx(buffer)
    assert sections["process"] == "环节 | 教师指导\n导入 | 出示小兔图片"
    assert sections["extension"] == "回家讲给爸爸妈妈听。"


def test_extract_nothing_found_says_how_to_fix():
    sections, note = extract_docx(io.BytesIO(docx_bytes([("p", "一篇没有标题的文章。")])))
    assert set(sections.values()) == {None}
    assert note == NONE_FOUND_NOTE


def test_extract_unreadable_package_gives_note_not_error():
    sections, note = extract_docx(io.BytesIO(b"PK\x03\x04 not really a docx"))
    assert set(sections.values()) == {None}
    assert note == UNREADABLE_NOTE


def test_extract_leaves_file_position_at_start():
    buffer = io.BytesIO(docx_bytes())
    extract_docx(buffer)
    assert buffer.tell() == 0
