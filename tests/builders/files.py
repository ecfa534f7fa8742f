"""Real sample files for upload tests (Word documents built by python-docx, a PDF with a correct
cross-reference table, a 1×1 PNG, a plain ZIP archive) and ``StoredFile`` rows."""

from __future__ import annotations

import io
import struct
import uuid
import zipfile
import zlib
from collections.abc import Sequence
from typing import Any

import docx

from lianyan import clock
from lianyan.files.tables import StoredFile
from tests.builders import insert

#: A lesson design with headed sections (``h`` heading, ``b`` bold line, ``p`` plain, ``t`` title).
DESIGN_A = [
    ("h", "中班语言《小兔乖乖》"),
    ("h", "一、活动目标"),
    ("p", "1. 理解故事内容，知道不给陌生人开门。"),
    ("p", "2. 能用“小兔乖乖，把门开开”进行对唱。"),
    ("h", "二、活动准备"),
    ("p", "兔妈妈、大灰狼头饰；故事挂图。"),
    ("h", "三、活动过程"),
    ("p", "（一）谈话导入：小朋友，你们一个人在家时有人敲门怎么办？"),
    ("p", "（二）讲述故事，分角色表演。"),
    ("h", "四、活动延伸"),
    ("p", "在表演区投放头饰，继续表演。"),
]
#: A lesson design whose sections are bold lines, with one paragraph outside every section.
DESIGN_B = [
    ("b", "活动目标："),
    ("p", "在游戏中学说儿歌，体验角色扮演的快乐。"),
    ("b", "活动准备：头饰、小房子布景"),
    ("b", "活动过程"),
    ("p", "1. 听音乐做小兔跳进入活动室。"),
    ("b", "活动反思"),
    ("p", "这一段不属于任何一栏。"),
]


def docx_bytes(paragraphs: Sequence[tuple[str, str]] | None = None) -> bytes:
    """A real .docx; ``paragraphs`` are (style, text) with style ``t`` title, ``h`` heading,
    ``b`` bold, ``p`` plain (default :data:`DESIGN_A`)."""
    document = docx.Document()
    for style, text in paragraphs or DESIGN_A:
        if style == "t":
            document.add_heading(text, 0)
        elif style == "h":
            document.add_heading(text, level=1)
        elif style == "b":
            document.add_paragraph().add_run(text).bold = True
        else:
            document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def application_docx(title: str = "课题申报书") -> bytes:
    """A topic's application form (申报书) as a real Word document."""
    return docx_bytes([("h", title), ("p", "一、课题的提出：幼儿园户外自主游戏中教师支持策略的研究。")])


def plan_docx() -> bytes:
    """A county's regional plan (工作方案) as a real Word document."""
    return docx_bytes([("t", "灵宝市学前教育区域联盟教研工作方案"), ("p", "一、指导思想……")])


def pdf_bytes(*, whole: bool = True) -> bytes:
    """A minimal valid one-page PDF with a correct cross-reference table; without ``whole`` it
    is cut before ``%%EOF``."""
    content = b"BT /F1 12 Tf 72 720 Td (Lianyan) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n" % (len(objects) + 1, xref)
    if whole:
        out += b"%%EOF\n"
    return bytes(out)


def png_chunk(kind: bytes, data: bytes) -> bytes:
    """One PNG chunk: length, kind, data and CRC."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bytes() -> bytes:
    """A real 1×1 RGB PNG (a photo of a page is not a document)."""
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + png_chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + png_chunk(b"IEND", b"")
    )


def zip_bytes(entries: dict[str, bytes] | None = None) -> bytes:
    """A plain ZIP archive (not an Office file); by default one text file under ``word/``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in (entries or {"word/readme.txt": "不是 Word 文档".encode()}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


async def stored_file(
    owner_type: str, owner_id: int | None, *, key: str | None = None,
    original_name: str = "文件.docx", kind: str = "topic_document", size: int = 1, **columns: Any,
) -> int:
    """A ``StoredFile`` row (no object in the store unless the test puts one at ``key``);
    returns its id."""
    return await insert(
        StoredFile, key=key or f"{owner_type}/{uuid.uuid4().hex}", original_name=original_name,
        size=size, kind=kind, owner_type=owner_type, owner_id=owner_id,
        **{"content_type": "application/octet-stream", "sha256": "0" * 64,
           "created_at": clock.now(), **columns},
    )
