"""Tests of upload checking by content: real sample files built here, and hostile ones."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pytest

from lianyan.errors import InvalidInput, TooLarge
from lianyan.files.sniff import (
    DOCX,
    ENCRYPTED_OFFICE,
    EXECUTABLE,
    GIF,
    HEAD_SIZE,
    HEIC,
    JPEG,
    MAX_NAME_LENGTH,
    MOV,
    MP4,
    OFFICE_OTHER,
    OLE,
    OPENDOCUMENT,
    PDF,
    PNG,
    PPTX,
    TAIL_SIZE,
    UPLOAD_KINDS,
    WEBP,
    XLSX,
    ZIP,
    GiB,
    Limits,
    MiB,
    check_declared,
    check_upload,
    clean_filename,
    detect,
    human_size,
    max_size,
)
from tests.builders.files import docx_bytes, pdf_bytes, png_bytes, zip_bytes

# --------------------------------------------------------------------------- sample files

_OOXML = "application/vnd.openxmlformats-officedocument"
_RELS_CT = "application/vnd.openxmlformats-package.relationships+xml"


def _docx_bytes() -> bytes:
    return docx_bytes(
        [("h", "中班语言《小兔乖乖》教学设计"), ("p", "活动目标：理解故事内容，学说“小兔乖乖，把门开开”。")]
    )


def _xlsx_bytes() -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["幼儿园名称", "县（市、区）", "城乡类型"])
    sheet.append(["实验幼儿园", "湖滨区", "城区"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _ooxml_bytes(main_part: str, main_content_type: str, extra: dict[str, bytes] | None = None):
    """A minimal Office Open XML package with one main part, built by hand."""
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        f'<Default Extension="rels" ContentType="{_RELS_CT}"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{main_part}" ContentType="{main_content_type}"/>'
        "</Types>"
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        f'relationships/officeDocument" Target="{main_part}"/></Relationships>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", rels)
        archive.writestr(main_part, "<root/>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _pptx_bytes() -> bytes:
    return _ooxml_bytes("ppt/presentation.xml", f"{_OOXML}.presentationml.presentation.main+xml")


class _Unseekable(io.RawIOBase):
    """A write-only stream that cannot seek, so zipfile writes data descriptors."""

    def __init__(self) -> None:
        self.data = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, chunk) -> int:  # type: ignore[override]
        self.data += chunk
        return len(chunk)


def _streamed_copy(archive_bytes: bytes) -> bytes:
    """The same ZIP entries written as a streaming writer does (sizes after the data)."""
    sink = _Unseekable()
    with (
        zipfile.ZipFile(io.BytesIO(archive_bytes)) as source,
        zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for name in source.namelist():
            target.writestr(name, source.read(name))
    return bytes(sink.data)


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def _mp4_bytes(
    *,
    major: bytes = b"isom",
    compatible: tuple[bytes, ...] = (b"isom", b"iso2", b"avc1", b"mp41"),
    mdat_size: int = 1000,
    moov_size: int = 100,
    moov_first: bool = True,
) -> bytes:
    ftyp = _box(b"ftyp", major + struct.pack(">I", 512) + b"".join(compatible))
    moov = _box(b"moov", _box(b"mvhd", bytes(moov_size)))
    mdat = _box(b"mdat", bytes(mdat_size))
    return ftyp + (moov + mdat if moov_first else mdat + moov)


_JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
_GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00"
    b"\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


def _webp_bytes() -> bytes:
    chunk = b"VP8L" + struct.pack("<I", 5) + b"\x2f\x00\x00\x00\x00" + b"\x00"
    payload = b"WEBP" + chunk
    return b"RIFF" + struct.pack("<I", len(payload)) + payload


def _elf_bytes() -> bytes:
    return b"\x7fELF\x02\x01\x01\x00" + bytes(56) + b"\x90" * 200


def _pe_bytes() -> bytes:
    image = bytearray(512)
    image[0:2] = b"MZ"
    image[0x3C:0x40] = struct.pack("<I", 0x80)
    image[0x80:0x84] = b"PE\x00\x00"
    return bytes(image)


def _ole_bytes(*streams: str) -> bytes:
    """An OLE2 compound-file header and a first directory sector naming ``streams``."""
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    header[30:32] = struct.pack("<H", 9)  # 512-byte sectors
    header[48:52] = struct.pack("<I", 0)  # the directory starts at sector 0
    directory = bytearray(512)
    for index, name in enumerate(("Root Entry", *streams)):
        encoded = name.encode("utf-16-le") + b"\x00\x00"
        directory[index * 128 : index * 128 + len(encoded)] = encoded
        directory[index * 128 + 64 : index * 128 + 66] = struct.pack("<H", len(encoded))
    return bytes(header + directory)


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --------------------------------------------------------------------------- detect: formats


def test_detect_docx_built_by_python_docx_is_docx_and_intact(tmp_path: Path) -> None:
    path = _write(tmp_path, "教案.docx", _docx_bytes())

    found = detect(path=path)

    assert found is not None
    assert found.file_type is DOCX
    assert found.intact is True


def test_detect_pptx_built_by_hand_is_pptx(tmp_path: Path) -> None:
    path = _write(tmp_path, "课件.pptx", _pptx_bytes())

    found = detect(path=path)

    assert found is not None
    assert (found.file_type, found.intact) == (PPTX, True)


def test_detect_xlsx_built_by_openpyxl_is_xlsx(tmp_path: Path) -> None:
    path = _write(tmp_path, "幼儿园.xlsx", _xlsx_bytes())

    found = detect(path=path)

    assert found is not None
    assert (found.file_type, found.intact) == (XLSX, True)


def test_detect_xlsx_from_head_only_goes_by_folder_names() -> None:
    # openpyxl writes [Content_Types].xml last, so a short head sees only xl/ parts.
    data = _xlsx_bytes()

    found = detect(data[:1500])

    assert found is not None
    assert (found.file_type, found.intact) == (XLSX, None)


def test_detect_pdf_with_tail_is_intact() -> None:
    data = pdf_bytes()

    found = detect(data[:100], total_size=len(data), tail=data[-100:])

    assert found is not None
    assert (found.file_type, found.intact) == (PDF, True)


def test_detect_pdf_head_only_is_unverified() -> None:
    data = pdf_bytes()

    found = detect(data[:100])

    assert found is not None
    assert (found.file_type, found.intact) == (PDF, None)


def test_detect_pdf_without_eof_marker_is_broken() -> None:
    data = pdf_bytes()
    cut = data[: len(data) // 2]

    found = detect(cut, total_size=len(cut))

    assert found is not None
    assert (found.file_type, found.intact) == (PDF, False)


@pytest.mark.parametrize(
    ("data", "expected"),
    [(_JPEG, JPEG), (png_bytes(), PNG), (_GIF, GIF), (_webp_bytes(), WEBP)],
    ids=["jpeg", "png", "gif", "webp"],
)
def test_detect_images_by_magic_bytes(data: bytes, expected) -> None:
    found = detect(data, total_size=len(data))

    assert found is not None
    assert found.file_type is expected
    assert found.intact is not False


def test_detect_png_without_iend_is_broken() -> None:
    data = png_bytes()[:-12]

    found = detect(data, total_size=len(data))

    assert found is not None
    assert (found.file_type, found.intact) == (PNG, False)


def test_detect_mp4_head_only_for_direct_upload() -> None:
    data = _mp4_bytes(mdat_size=300_000)

    found = detect(data[:HEAD_SIZE])

    assert found is not None
    assert (found.file_type, found.intact, found.variant) == (MP4, None, "isom")


def test_detect_mp4_head_and_tail_walks_boxes_to_the_end() -> None:
    # moov after a large mdat, as cameras write it: the mdat header is in the head and the
    # moov header it points to is in the tail.
    data = _mp4_bytes(mdat_size=500_000, moov_first=False)

    found = detect(data[:HEAD_SIZE], total_size=len(data), tail=data[-HEAD_SIZE:])

    assert found is not None
    assert (found.file_type, found.intact) == (MP4, True)


def test_detect_mp4_uses_read_at_for_boxes_out_of_reach() -> None:
    # A large moov first pushes the mdat header beyond both windows; ranged reads find it.
    data = _mp4_bytes(moov_size=200_000, mdat_size=500_000)
    calls: list[tuple[int, int]] = []

    def read_at(offset: int, length: int) -> bytes:
        calls.append((offset, length))
        return data[offset : offset + length]

    without = detect(data[:HEAD_SIZE], total_size=len(data), tail=data[-HEAD_SIZE:])
    found = detect(data[:HEAD_SIZE], total_size=len(data), tail=data[-HEAD_SIZE:], read_at=read_at)

    assert without is not None and without.intact is None
    assert found is not None
    assert (found.file_type, found.intact) == (MP4, True)
    assert len(calls) == 1


def test_detect_mp4_truncated_is_broken() -> None:
    data = _mp4_bytes(mdat_size=300_000)
    cut = data[:200_000]

    found = detect(cut[:HEAD_SIZE], total_size=len(cut), tail=cut[-HEAD_SIZE:])

    assert found is not None
    assert found.file_type is MP4
    assert found.intact is False
    assert "past the end" in found.problem


def test_detect_mp4_without_moov_is_broken() -> None:
    # A recording cut off by a flat battery has its media but no index.
    data = _box(b"ftyp", b"mp42" + struct.pack(">I", 0) + b"mp42isom") + _box(b"mdat", bytes(99))

    found = detect(data, total_size=len(data))

    assert found is not None
    assert (found.file_type, found.intact) == (MP4, False)


def test_detect_mov_by_quicktime_brand() -> None:
    data = _mp4_bytes(major=b"qt  ", compatible=(b"qt  ",))

    found = detect(data, total_size=len(data))

    assert found is not None
    assert (found.file_type, found.intact) == (MOV, True)


def test_detect_heic_photo_is_not_taken_for_mp4() -> None:
    data = _box(b"ftyp", b"heic" + bytes(4) + b"mif1heiciso8") + _box(b"meta", bytes(40))

    found = detect(data, total_size=len(data))

    assert found is not None
    assert found.file_type is HEIC


@pytest.mark.parametrize(
    ("data", "variant"),
    [
        (_elf_bytes(), "elf"),
        (_pe_bytes(), "pe"),
        (b"\xcf\xfa\xed\xfe" + bytes(60), "mach-o"),
        (b"#!/bin/sh\nrm -rf ~\n", "script"),
    ],
    ids=["elf", "pe", "mach-o", "shebang"],
)
def test_detect_executables_are_recognised(data: bytes, variant: str) -> None:
    found = detect(data, total_size=len(data))

    assert found is not None
    assert (found.file_type, found.variant) == (EXECUTABLE, variant)


def test_detect_old_office_compound_file_is_ole() -> None:
    data = _ole_bytes("WordDocument", "1Table")

    found = detect(data, total_size=len(data))

    assert found is not None
    assert found.file_type is OLE


def test_detect_password_protected_docx_is_encrypted_office() -> None:
    data = _ole_bytes("EncryptionInfo", "EncryptedPackage")

    found = detect(data, total_size=len(data))

    assert found is not None
    assert found.file_type is ENCRYPTED_OFFICE


def test_detect_unknown_bytes_is_none() -> None:
    assert detect(b"just some text, not a document\n") is None


# --------------------------------------------------------------------------- detect: ZIP


def test_detect_plain_zip_is_not_docx(tmp_path: Path) -> None:
    path = _write(tmp_path, "假的.docx", zip_bytes({"照片/001.jpg": _JPEG, "说明.txt": b"hi"}))

    found = detect(path=path)

    assert found is not None
    assert (found.file_type, found.intact) == (ZIP, True)


def test_detect_zip_with_word_folder_but_no_content_types_is_plain_zip(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.docx", zip_bytes({"word/document.xml": b"<w:document/>"}))

    found = detect(path=path)

    assert found is not None
    assert found.file_type is ZIP


def test_detect_office_content_types_without_main_part_is_broken(tmp_path: Path) -> None:
    data = _ooxml_bytes("word/document.xml", f"{_OOXML}.wordprocessingml.document.main+xml")
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        entries = {n: source.read(n) for n in source.namelist() if n != "word/document.xml"}
    path = _write(tmp_path, "a.docx", zip_bytes(entries))

    found = detect(path=path)

    assert found is not None
    assert (found.file_type, found.intact) == (DOCX, False)


def test_detect_docx_with_macros_is_office_other(tmp_path: Path) -> None:
    data = _ooxml_bytes(
        "word/document.xml",
        "application/vnd.ms-word.document.macroEnabled.main+xml",
        {"word/vbaProject.bin": b"\x00" * 64},
    )
    path = _write(tmp_path, "宏.docx", data)

    found = detect(path=path)

    assert found is not None
    assert found.file_type is OFFICE_OTHER


def test_detect_opendocument_text_is_recognised() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    data = buffer.getvalue()

    found = detect(data)

    assert found is not None
    assert found.file_type is OPENDOCUMENT


def test_detect_docx_head_and_tail_reads_central_directory() -> None:
    data = _docx_bytes()

    found = detect(data[:2000], total_size=len(data), tail=data[-2000:])

    assert found is not None
    assert (found.file_type, found.intact) == (DOCX, True)


def test_detect_plain_zip_head_and_tail_is_zip_even_named_like_office() -> None:
    data = zip_bytes({"word/document.xml": b"x", "照片.jpg": bytes(200_000)})

    found = detect(data[:HEAD_SIZE], total_size=len(data), tail=data[-HEAD_SIZE:])

    assert found is not None
    assert (found.file_type, found.intact) == (ZIP, True)


def test_detect_zip_cut_off_before_its_end_record_is_broken() -> None:
    data = zip_bytes({"照片.jpg": bytes(200_000), "说明.txt": b"hi"})
    cut = data[:-30]

    found = detect(cut[:HEAD_SIZE], total_size=len(cut), tail=cut[-HEAD_SIZE:])

    assert found is not None
    assert found.intact is False


def test_detect_streamed_docx_with_data_descriptors_from_head() -> None:
    data = _streamed_copy(_docx_bytes())

    head_only = detect(data[:HEAD_SIZE])
    whole = detect(data, total_size=len(data))

    assert head_only is not None and head_only.file_type is DOCX
    assert whole is not None
    assert (whole.file_type, whole.intact) == (DOCX, True)


def test_detect_zip64_end_record_is_followed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(zipfile, "ZIP_FILECOUNT_LIMIT", 1)  # force a ZIP64 end record
    data = bytearray(_pptx_bytes())
    # Mark the classic end record's fields “see ZIP64”, as large-archive writers do.
    eocd = data.rfind(b"PK\x05\x06")
    data[eocd + 8 : eocd + 12] = b"\xff\xff\xff\xff"
    data[eocd + 12 : eocd + 20] = b"\xff\xff\xff\xff" * 2

    found = detect(bytes(data[:30]), total_size=len(data), tail=bytes(data))

    assert found is not None
    assert (found.file_type, found.intact) == (PPTX, True)


# --------------------------------------------------------------------------- check_upload


def test_check_upload_docx_design_document_is_accepted(tmp_path: Path) -> None:
    data = _docx_bytes()
    path = _write(tmp_path, "upload.tmp", data)

    checked = check_upload("design_document", filename="小兔乖乖.docx", size=len(data), path=path)

    assert checked.file_type is DOCX
    assert checked.content_type == f"{_OOXML}.wordprocessingml.document"
    assert checked.extension == ".docx"
    assert checked.display_name == "小兔乖乖.docx"
    assert checked.verified is True


def test_check_upload_open_file_is_checked_whole_and_rewound() -> None:
    data = _docx_bytes()
    upload = io.BytesIO(data)
    upload.seek(123)

    checked = check_upload("design_document", filename="教案.docx", size=len(data), fileobj=upload)

    assert (checked.file_type, checked.verified) == (DOCX, True)
    assert upload.tell() == 123


def test_check_upload_open_file_with_corrupt_main_part_is_refused() -> None:
    # The central directory is intact but word/document.xml is damaged: only reading it tells.
    data = bytearray(_docx_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("word/document.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[start + 10 : start + 40] = bytes(30)

    with pytest.raises(InvalidInput) as caught:
        check_upload(
            "design_document", filename="教案.docx", size=len(data), fileobj=io.BytesIO(data)
        )

    assert caught.value.code == "upload.truncated"


def test_check_upload_pdf_named_docx_is_accepted_as_pdf(tmp_path: Path) -> None:
    data = pdf_bytes()
    path = _write(tmp_path, "upload.tmp", data)

    checked = check_upload("design_document", filename="教案.docx", size=len(data), path=path)

    assert (checked.content_type, checked.extension) == ("application/pdf", ".pdf")
    assert checked.display_name == "教案.pdf"


@pytest.mark.parametrize("data", [_elf_bytes(), _pe_bytes()], ids=["elf", "pe"])
def test_check_upload_executable_renamed_docx_is_refused(tmp_path: Path, data: bytes) -> None:
    path = _write(tmp_path, "upload.tmp", data)

    with pytest.raises(InvalidInput) as caught:
        check_upload("design_document", filename="教案.docx", size=len(data), path=path)

    assert caught.value.code == "upload.type_not_allowed"
    assert caught.value.detail.startswith("文件内容是可执行程序，不是 Word 文档。")
    assert "本处只接受：Word 文档（.docx）、PDF 文档（.pdf）。" in caught.value.detail
    assert "不接受可执行文件" in caught.value.detail


def test_check_upload_plain_zip_renamed_docx_is_refused(tmp_path: Path) -> None:
    data = zip_bytes({"照片/001.jpg": _JPEG})
    path = _write(tmp_path, "upload.tmp", data)

    with pytest.raises(InvalidInput) as caught:
        check_upload("design_document", filename="教案.docx", size=len(data), path=path)

    assert caught.value.code == "upload.type_not_allowed"
    assert "文件内容是 ZIP 压缩包，不是 Word 文档" in caught.value.detail


def test_check_upload_plain_zip_is_accepted_as_topic_result(tmp_path: Path) -> None:
    data = zip_bytes({"活动照片/001.jpg": _JPEG, "活动照片/002.jpg": _JPEG})
    path = _write(tmp_path, "upload.tmp", data)

    checked = check_upload("topic_result", filename="活动照片.zip", size=len(data), path=path)

    assert (checked.file_type, checked.display_name) == (ZIP, "活动照片.zip")


def test_check_upload_truncated_pdf_is_refused(tmp_path: Path) -> None:
    data = pdf_bytes()[:300]
    path = _write(tmp_path, "upload.tmp", data)

    with pytest.raises(InvalidInput) as caught:
        check_upload("design_document", filename="教案.pdf", size=len(data), path=path)

    assert caught.value.code == "upload.truncated"
    assert caught.value.detail == "文件不完整或已损坏，请重新导出后上传。"


def test_check_upload_truncated_pdf_direct_upload_is_refused() -> None:
    data = pdf_bytes()[:300]

    with pytest.raises(InvalidInput) as caught:
        check_upload("slides", filename="课件.pdf", size=len(data), head=data[:100], tail=data)

    assert caught.value.code == "upload.truncated"


def test_check_upload_half_a_docx_is_refused(tmp_path: Path) -> None:
    data = _docx_bytes()
    path = _write(tmp_path, "upload.tmp", data[: len(data) // 2])

    with pytest.raises(InvalidInput) as caught:
        check_upload("topic_document", filename="开题报告.docx", size=len(data) // 2, path=path)

    assert caught.value.code == "upload.truncated"
    assert "不完整或已损坏" in caught.value.detail


def test_check_upload_video_over_limit_names_both_sizes() -> None:
    head = _mp4_bytes()[:64]

    with pytest.raises(TooLarge) as caught:
        check_upload("video", filename="课堂实录.mp4", size=int(2.3 * GiB), head=head)

    assert caught.value.code == "upload.too_large"
    assert caught.value.detail == "文件大小 2.3 GB，超过上限 2 GB。"
    assert caught.value.status == 413


def test_check_upload_pdf_over_document_limit_in_mixed_kind_is_refused() -> None:
    # topic_result also takes 2 GB videos, but a PDF there is still held to 50 MB.
    data = pdf_bytes()

    with pytest.raises(TooLarge) as caught:
        check_upload(
            "topic_result", filename="成果.pdf", size=60 * MiB, head=data[:200], tail=data[-200:]
        )

    assert caught.value.detail == "文件大小 60 MB，超过上限 50 MB。"


def test_check_upload_one_byte_over_limit_does_not_read_as_equal() -> None:
    data = pdf_bytes()

    with pytest.raises(TooLarge) as caught:
        check_upload("design_document", filename="a.pdf", size=50 * MiB + 1, head=data[:200])

    assert caught.value.detail == "文件大小 50.1 MB，超过上限 50 MB。"


def test_check_upload_limits_from_settings_apply() -> None:
    data = pdf_bytes()
    uploads = SimpleNamespace(document_bytes=500, video_bytes=GiB, part_bytes=8 * MiB)

    with pytest.raises(TooLarge) as caught:
        check_upload(
            "design_document",
            filename="a.pdf",
            size=len(data),
            head=data,
            limits=Limits.from_settings(uploads),
        )

    assert caught.value.detail == f"文件大小 {len(data)} 字节，超过上限 500 字节。"


def test_check_upload_empty_file_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        check_upload("image", filename="照片.jpg", size=0, head=b"")

    assert caught.value.code == "upload.empty"
    assert "空" in caught.value.detail


def test_check_upload_docx_as_video_is_refused() -> None:
    data = _docx_bytes()

    with pytest.raises(InvalidInput) as caught:
        check_upload("video", filename="课堂实录.docx", size=len(data), head=data)

    assert caught.value.code == "upload.type_not_allowed"
    assert caught.value.detail == (
        "文件内容是 Word 文档，不能作为课堂视频上传。"
        "本处只接受：MP4 视频（.mp4）、QuickTime 视频（.mov）。"
    )


def test_check_upload_mp4_head_only_direct_upload_is_accepted_unverified() -> None:
    # The moov box at the end is out of reach of the head: accepted, but not verified.
    data = _mp4_bytes(mdat_size=300_000, moov_first=False)

    checked = check_upload("video", filename="课堂实录", size=len(data), head=data[:HEAD_SIZE])

    assert (checked.file_type, checked.content_type) == (MP4, "video/mp4")
    assert checked.display_name == "课堂实录.mp4"
    assert checked.verified is False


def test_check_upload_mp4_head_and_tail_direct_upload_is_verified() -> None:
    data = _mp4_bytes(mdat_size=600_000, moov_first=False)

    checked = check_upload(
        "video",
        filename="课堂实录.MP4",
        size=len(data),
        head=data[:HEAD_SIZE],
        tail=data[-TAIL_SIZE:],
    )

    assert (checked.display_name, checked.verified) == ("课堂实录.MP4", True)


def test_check_upload_truncated_video_direct_upload_is_refused() -> None:
    data = _mp4_bytes(mdat_size=600_000)[:400_000]

    with pytest.raises(InvalidInput) as caught:
        check_upload(
            "video", filename="a.mp4", size=len(data), head=data[:HEAD_SIZE], tail=data[-TAIL_SIZE:]
        )

    assert caught.value.code == "upload.truncated"


def test_check_upload_mov_from_iphone_is_accepted_as_video() -> None:
    data = _mp4_bytes(major=b"qt  ", compatible=(b"qt  ",))

    checked = check_upload("video", filename="IMG_0001.MOV", size=len(data), head=data)

    assert (checked.file_type, checked.content_type) == (MOV, "video/quicktime")


def test_check_upload_heic_photo_is_refused_with_a_way_out() -> None:
    data = _box(b"ftyp", b"heic" + bytes(4) + b"mif1heic") + _box(b"meta", bytes(40))

    with pytest.raises(InvalidInput) as caught:
        check_upload("image", filename="IMG_0002.HEIC", size=len(data), head=data)

    assert caught.value.code == "upload.type_not_allowed"
    assert "HEIC 图片" in caught.value.detail
    assert "JPEG" in caught.value.detail


def test_check_upload_old_doc_is_refused_with_save_as_hint() -> None:
    data = _ole_bytes("WordDocument")

    with pytest.raises(InvalidInput) as caught:
        check_upload("design_document", filename="教案.doc", size=len(data), head=data)

    assert caught.value.detail.startswith("文件内容是旧版 Office 文档，不能作为教学设计上传。")
    assert "另存为 .docx" in caught.value.detail


def test_check_upload_unrecognised_bytes_name_what_was_claimed() -> None:
    data = b"<html><script>alert(1)</script></html>"

    with pytest.raises(InvalidInput) as caught:
        check_upload("image", filename="头像.png", size=len(data), head=data)

    assert caught.value.code == "upload.type_not_allowed"
    assert caught.value.detail.startswith("无法识别文件内容，它不是有效的 PNG 图片。")


def test_check_upload_xlsx_import_is_accepted(tmp_path: Path) -> None:
    data = _xlsx_bytes()
    path = _write(tmp_path, "upload.tmp", data)

    checked = check_upload("import", filename="幼儿园名单.xlsx", size=len(data), path=path)

    assert (checked.file_type, checked.verified) == (XLSX, True)


def test_check_upload_pptx_slides_is_accepted(tmp_path: Path) -> None:
    data = _pptx_bytes()
    path = _write(tmp_path, "upload.tmp", data)

    checked = check_upload("slides", filename="课件", size=len(data), path=path)

    assert (checked.file_type, checked.display_name) == (PPTX, "课件.pptx")


def test_check_upload_name_with_traversal_keeps_base_name(tmp_path: Path) -> None:
    data = png_bytes()

    checked = check_upload("image", filename="../../etc/头像.png", size=len(data), head=data)

    assert checked.display_name == "头像.png"


def test_check_upload_unknown_kind_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown upload kind"):
        check_upload("avatar", filename="a.png", size=10, head=png_bytes())


def test_check_upload_size_that_disagrees_with_file_is_a_programming_error(
    tmp_path: Path,
) -> None:
    path = _write(tmp_path, "upload.tmp", pdf_bytes())

    with pytest.raises(ValueError, match="total_size"):
        check_upload("design_document", filename="a.pdf", size=5, path=path)


def test_check_declared_refuses_oversized_video_before_upload() -> None:
    with pytest.raises(TooLarge) as caught:
        check_declared("video", filename="课堂实录.mp4", size=3 * GiB)

    assert caught.value.detail == "文件大小 3 GB，超过上限 2 GB。"


def test_check_declared_returns_clean_name() -> None:
    assert (
        check_declared("video", filename="C:\\fakepath\\课堂实录.mp4", size=MiB) == "课堂实录.mp4"
    )


# --------------------------------------------------------------------------- kinds and sizes


def test_upload_kinds_allow_lists_match_the_spec() -> None:
    allowed = {name: {t.name for t in kind.allowed} for name, kind in UPLOAD_KINDS.items()}

    assert allowed["design_document"] == {"docx", "pdf"}
    assert allowed["slides"] == {"pptx", "pdf"}
    assert allowed["import"] == {"xlsx"}
    assert "zip" in allowed["topic_result"]
    assert all("zip" not in v for k, v in allowed.items() if k != "topic_result")
    assert all("executable" not in v for v in allowed.values())


def test_max_size_is_the_largest_limit_of_the_kind() -> None:
    assert max_size("design_document") == 50 * MiB
    assert max_size("video") == 2 * GiB
    assert max_size("topic_result") == 2 * GiB


def test_limits_refuse_nonsense_values() -> None:
    with pytest.raises(ValueError, match="document_bytes"):
        Limits(document_bytes=0)


@pytest.mark.parametrize(
    ("size", "shown"),
    [(0, "0 字节"), (1023, "1023 字节"), (1536, "1.5 KB"), (50 * MiB, "50 MB"),
     (int(2.3 * GiB), "2.3 GB"), (1024 * MiB - 1, "1 GB")],
)  # fmt: skip
def test_human_size_reads_like_a_file_manager(size: int, shown: str) -> None:
    assert human_size(size) == shown


# --------------------------------------------------------------------------- file names


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\Windows\\system.ini", "system.ini"),
        ("/var/www/教案.docx", "教案.docx"),
        ("C:\\fakepath\\中班语言《小兔乖乖》.docx", "中班语言《小兔乖乖》.docx"),
        ("  大班科学：沉与浮.pdf  ", "大班科学：沉与浮.pdf"),
        ('问题?答案*"草稿"<1>|2.docx', "问题？答案＊＂草稿＂＜1＞｜2.docx"),
        ("报告.docx...", "报告.docx"),
        (".docx", "未命名.docx"),
        ("CON.docx", "_CON.docx"),
        ("lpt1", "_lpt1"),
        ("e\u0301cole.pdf", "\u00e9cole.pdf"),
        ("\ufeff教案.pdf", "教案.pdf"),
    ],
)
def test_clean_filename_neutralises(raw: str, clean: str) -> None:
    assert clean_filename(raw) == clean


@pytest.mark.parametrize(
    "raw",
    ["a\x00.docx", "a\nb.docx", "tab\there.pdf", "a\x7f.pdf", "报告\u202excod.exe", "a\x85b.pdf"],
    ids=["nul", "newline", "tab", "del", "rtl-override", "c1-control"],
)
def test_clean_filename_with_control_characters_is_refused(raw: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        clean_filename(raw)

    assert caught.value.code == "upload.bad_name"
    assert "控制字符" in caught.value.detail


@pytest.mark.parametrize("raw", ["", "   ", "..", "../", "/", "..\\.."])
def test_clean_filename_empty_is_refused(raw: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        clean_filename(raw)

    assert caught.value.code == "upload.bad_name"
    assert "文件名为空" in caught.value.detail


def test_clean_filename_very_long_is_cut_keeping_extension() -> None:
    raw = "幼儿园" * 100 + ".docx"

    clean = clean_filename(raw)

    assert len(clean) == MAX_NAME_LENGTH
    assert clean.endswith("幼儿园.docx")


def test_check_upload_long_name_with_wrong_extension_stays_within_cap() -> None:
    data = pdf_bytes()

    checked = check_upload(
        "design_document", filename="教" * 300 + ".docx", size=len(data), head=data
    )

    assert len(checked.display_name) <= MAX_NAME_LENGTH
    assert checked.display_name.endswith("教.pdf")
