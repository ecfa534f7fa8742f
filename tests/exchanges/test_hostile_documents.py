"""Hostile Word files as design versions: zip bombs are refused, broken XML is stored unread.

Issue 12: a well-formed ZIP with a broken or DOCTYPE-laden ``document.xml`` was a 500, and a
835 KB file inflating to 400 MB took 200 s and 1.2 GB of the app's memory.
"""

from __future__ import annotations

import io
import zipfile

import pytest

from lianyan.errors import InvalidInput
from lianyan.exchanges.tables import DesignVersion
from lianyan.files import office
from lianyan.files.tables import StoredFile
from tests.builders.files import docx_bytes
from tests.exchanges.test_designs import _start, _upload

MiB = 1024 * 1024
NO_SECTIONS = {"goals": None, "preparation": None, "process": None, "extension": None}


def with_document_xml(document_xml: bytes) -> bytes:
    """A real .docx whose ``word/document.xml`` is replaced."""
    source = zipfile.ZipFile(io.BytesIO(docx_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            target.writestr(info.filename, document_xml if info.filename == "word/document.xml"
                            else data)
    return out.getvalue()


def bomb_docx(inflated: int) -> bytes:
    """A .docx whose ``word/document.xml`` inflates to ``inflated`` bytes (of spaces)."""
    source = zipfile.ZipFile(io.BytesIO(docx_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != "word/document.xml":
                target.writestr(info.filename, source.read(info.filename))
                continue
            with target.open("word/document.xml", "w", force_zip64=True) as member:
                chunk = b" " * MiB
                for _ in range(inflated // MiB):
                    member.write(chunk)
    return out.getvalue()


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:body><w:p><w:r><w:t>&lol3;</w:t></w:r></w:p></w:body></w:document>"""


async def test_design_zip_bomb_is_refused_as_unreadable_and_leaves_nothing(client, world, store):
    design_id, h = await _start(client, world)
    before = await store.keys("design/")

    response = await _upload(client, design_id, h, "document", "教案.docx", bomb_docx(16 * MiB))

    assert response.status_code == 400
    assert response.json()["code"] == "file.unreadable"
    assert "压缩炸弹" in response.json()["detail"]
    assert await DesignVersion.count() == 0
    assert await StoredFile.count() == 0
    assert await store.keys("design/") == before


@pytest.mark.parametrize(
    "document_xml",
    [b"<w:document><w:body><w:p>broken", BILLION_LAUGHS],
    ids=["broken-xml", "doctype-entities"],
)
async def test_design_unreadable_xml_is_stored_without_sections(client, world, document_xml):
    design_id, h = await _start(client, world)

    response = await _upload(
        client, design_id, h, "document", "教案.docx", with_document_xml(document_xml)
    )

    assert response.status_code == 201, response.text
    assert response.json()["sections"] == NO_SECTIONS
    assert response.json()["sections_note"].startswith("未能读取章节")
    assert await StoredFile.count() == 1


def test_office_bounds_refuse_too_many_entries_before_inflating():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        for n in range(30):
            archive.writestr(f"word/media/{n}.xml", b"<x/>")

    with pytest.raises(InvalidInput) as refused:
        office.check_archive(out, office.OfficeBounds(entries=20))

    assert refused.value.code == "file.unreadable"
    assert "31 entries" in refused.value.extra["problem"]


async def test_office_parse_over_its_time_limit_is_unreadable_and_the_child_is_gone():
    bounds = office.OfficeBounds(parse_seconds=1)

    with pytest.raises(InvalidInput) as refused:
        await office.run_bounded(_sleep_forever, b"", bounds)

    assert refused.value.code == "file.unreadable"
    assert "longer than" in refused.value.extra["problem"]
    import multiprocessing

    assert [p for p in multiprocessing.active_children() if p.is_alive()] == []


def _sleep_forever(data: bytes) -> None:
    import time

    time.sleep(3600)


async def test_import_spreadsheet_zip_bomb_is_refused_as_unreadable():
    from lianyan.org import imports

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            for _ in range(8):
                member.write(b" " * MiB)

    with pytest.raises(InvalidInput) as refused:
        await imports._parse(out.getvalue(), "幼儿园.xlsx", 10 * MiB, ["幼儿园名称"])

    assert refused.value.code == "file.unreadable"
