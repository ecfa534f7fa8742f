"""Check uploaded files by what their bytes are, never by the name the user gave them.

Pure functions: nothing here touches the database, the web layer or the object store. A caller
hands over what it has of a file and gets back what the file really is:

* a buffered multipart upload: ``path`` to the whole file, or the open ``fileobj``;
* a direct upload to the object store: a ranged read of the ``head`` and of the ``tail`` plus the
  ``total_size``, and optionally ``read_at`` for a few more small ranged reads;
* an early look at a stream: only the first bytes.

:func:`detect` says what the bytes are and whether the file looks whole; :func:`check_upload`
applies the allow-list and size limit of one kind of upload and either returns a
:class:`CheckedFile` or raises :mod:`lianyan.errors` with a stable ``code`` and a Chinese message.
The policy in prose is in ``docs/uploads.md``; keep the two in step.
"""

from __future__ import annotations

import os
import re
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from types import MappingProxyType
from typing import IO, Literal

from lianyan.errors import InvalidInput, TooLarge
from lianyan.files import office
from lianyan.labels import human_size

KiB = 1024
MiB = 1024 * KiB
GiB = 1024 * MiB

#: How much of the start of a file callers should read for :func:`detect`.
HEAD_SIZE = 64 * KiB
#: How much of the end of a file callers should read: room for a ZIP central directory.
TAIL_SIZE = 256 * KiB
#: Display names are cut to this many characters, keeping the extension.
MAX_NAME_LENGTH = 200

#: ``read_at(offset, length)`` returns exactly those bytes of the file (fewer only past its end).
RangeReader = Callable[[int, int], bytes]
SizeClass = Literal["document", "import", "image", "archive", "video"]
# The whole file, as ``zipfile`` can open it: a path or a seekable binary file.
_Whole = str | os.PathLike[str] | IO[bytes]


# --------------------------------------------------------------------------- file types


@dataclass(frozen=True, slots=True)
class FileType:
    """A format Lianyan can recognise, with what it is called and how it is served."""

    name: str
    label: str
    content_type: str
    extension: str
    #: Which size limit applies; ``None`` for formats recognised only to be refused.
    size_class: SizeClass | None = None
    aliases: tuple[str, ...] = ()
    #: Appended to a refusal: what the user can do about it.
    hint: str = ""

    @property
    def extensions(self) -> tuple[str, ...]:
        """The canonical extension first, then the other names the format goes by."""
        return (self.extension, *self.aliases)

    @property
    def display(self) -> str:
        """The label with the extension, as listed in “本处只接受：…”."""
        return f"{self.label}（{self.extension}）"


_OOXML = "application/vnd.openxmlformats-officedocument"
_TO_MP4 = "请转换为 MP4 格式后上传。"
_TO_ZIP = "请改用 ZIP 格式打包后上传。"

PDF = FileType("pdf", "PDF 文档", "application/pdf", ".pdf", "document")
DOCX = FileType("docx", "Word 文档", f"{_OOXML}.wordprocessingml.document", ".docx", "document")
PPTX = FileType(
    "pptx", "PowerPoint 演示文稿", f"{_OOXML}.presentationml.presentation", ".pptx", "document"
)
XLSX = FileType("xlsx", "Excel 表格", f"{_OOXML}.spreadsheetml.sheet", ".xlsx", "import")
ZIP = FileType("zip", "ZIP 压缩包", "application/zip", ".zip", "archive")
JPEG = FileType("jpeg", "JPEG 图片", "image/jpeg", ".jpg", "image", (".jpeg", ".jpe", ".jfif"))
PNG = FileType("png", "PNG 图片", "image/png", ".png", "image")
GIF = FileType("gif", "GIF 图片", "image/gif", ".gif", "image")
WEBP = FileType("webp", "WebP 图片", "image/webp", ".webp", "image")
MP4 = FileType("mp4", "MP4 视频", "video/mp4", ".mp4", "video", (".m4v",))
MOV = FileType("mov", "QuickTime 视频", "video/quicktime", ".mov", "video", (".qt",))

# Recognised only so that the refusal can say what the file really is and what to do.
EXECUTABLE = FileType(
    "executable", "可执行程序", "application/octet-stream", ".exe", None,
    (".dll", ".msi", ".com", ".scr", ".bat", ".cmd", ".ps1", ".vbs", ".sh", ".app", ".bin",
     ".elf", ".so", ".dylib", ".jar", ".apk"),
    "出于安全原因，平台不接受可执行文件。",
)  # fmt: skip
OLE = FileType(
    "ole", "旧版 Office 文档", "application/x-ole-storage", ".doc", None,
    (".xls", ".ppt", ".wps", ".et", ".dps"),
    "请用 Word、WPS 等软件另存为 .docx、.pptx 或 .xlsx 格式后上传。",
)  # fmt: skip
ENCRYPTED_OFFICE = FileType(
    "encrypted_office", "设置了打开密码的 Office 文档", "application/x-ole-storage", ".docx", None,
    (), "请取消打开密码后重新保存，再上传。",
)  # fmt: skip
OFFICE_OTHER = FileType(
    "office_other", "Office 模板、放映文件或启用宏的文档", "application/octet-stream", ".docm",
    None,
    (".dotx", ".dotm", ".pptm", ".ppsx", ".ppsm", ".potx", ".potm", ".xlsm", ".xltx", ".xltm",
     ".xlsb"),
    "请在 Word、PowerPoint、Excel 或 WPS 中另存为 .docx、.pptx 或 .xlsx 格式后上传。",
)  # fmt: skip
OPENDOCUMENT = FileType(
    "opendocument", "OpenDocument 文档", "application/vnd.oasis.opendocument", ".odt", None,
    (".ods", ".odp"), "请另存为 .docx、.pptx 或 .xlsx 格式后上传。",
)  # fmt: skip
RAR = FileType("rar", "RAR 压缩包", "application/vnd.rar", ".rar", None, (), _TO_ZIP)
SEVEN_ZIP = FileType("7z", "7z 压缩包", "application/x-7z-compressed", ".7z", None, (), _TO_ZIP)
HEIC = FileType(
    "heic", "HEIC 图片（苹果手机照片格式）", "image/heic", ".heic", None, (".heif",),
    "请转换为 JPEG 后上传；也可在 iPhone 的“设置 > 相机 > 格式”中选择“兼容性最佳”。",
)  # fmt: skip
AVIF = FileType(
    "avif", "AVIF 图片", "image/avif", ".avif", None, (), "请转换为 JPEG 或 PNG 后上传。"
)
AVI = FileType("avi", "AVI 视频", "video/x-msvideo", ".avi", None, (), _TO_MP4)
MKV = FileType("mkv", "MKV/WebM 视频", "video/x-matroska", ".mkv", None, (".webm",), _TO_MP4)
FLV = FileType("flv", "FLV 视频", "video/x-flv", ".flv", None, (".f4v",), _TO_MP4)
WMV = FileType("wmv", "WMV 视频", "video/x-ms-wmv", ".wmv", None, (".asf",), _TO_MP4)
THREE_GP = FileType("3gp", "3GP 视频", "video/3gpp", ".3gp", None, (".3g2",), _TO_MP4)

#: Every recognised format by name.
FILE_TYPES: Mapping[str, FileType] = MappingProxyType(
    {
        t.name: t
        for t in (
            PDF, DOCX, PPTX, XLSX, ZIP, JPEG, PNG, GIF, WEBP, MP4, MOV,
            EXECUTABLE, OLE, ENCRYPTED_OFFICE, OFFICE_OTHER, OPENDOCUMENT, RAR, SEVEN_ZIP,
            HEIC, AVIF, AVI, MKV, FLV, WMV, THREE_GP,
        )
    }
)  # fmt: skip

# What a name's extension claims; the first type to list an extension wins.
_BY_EXTENSION: Mapping[str, FileType] = MappingProxyType(
    {ext: t for t in reversed(list(FILE_TYPES.values())) for ext in t.extensions}
)


# --------------------------------------------------------------------------- kinds and limits


@dataclass(frozen=True, slots=True)
class Limits:
    """Size limits in bytes per size class; field names match ``settings.uploads``."""

    document_bytes: int = 50 * MiB
    video_bytes: int = 2 * GiB
    image_bytes: int = 20 * MiB
    import_bytes: int = 10 * MiB
    archive_bytes: int = 500 * MiB
    #: Bounds on an Office file's ZIP (``lianyan.files.office``): entries, inflated sizes, ratio.
    office_entries: int = 5_000
    office_entry_bytes: int = 128 * MiB
    office_total_bytes: int = 512 * MiB
    office_ratio: int = 200
    office_parse_seconds: int = 20

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"upload limit {field.name} must be a positive int, got {value!r}")

    @classmethod
    def from_settings(cls, uploads: object) -> Limits:
        """Take the limits from ``settings.uploads``; a field it lacks keeps its default."""
        names = [f.name for f in fields(cls)]
        return cls(**{n: getattr(uploads, n) for n in names if hasattr(uploads, n)})

    def for_class(self, size_class: SizeClass) -> int:
        """The limit in bytes for one size class."""
        return int(getattr(self, f"{size_class}_bytes"))


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True, slots=True)
class UploadKind:
    """What an upload is for, and which formats it accepts."""

    name: str
    #: Fits “不能作为{label}上传”.
    label: str
    allowed: tuple[FileType, ...]

    def __post_init__(self) -> None:
        for file_type in self.allowed:
            if file_type.size_class is None:
                raise ValueError(
                    f"{file_type.name} has no size limit, so {self.name} cannot take it"
                )


#: Every kind of upload and its allow-list; callers map API kinds (``document``, ``result``…) here.
UPLOAD_KINDS: Mapping[str, UploadKind] = MappingProxyType(
    {
        k.name: k
        for k in (
            UploadKind("design_document", "教学设计", (DOCX, PDF)),
            UploadKind("slides", "课件", (PPTX, PDF)),
            UploadKind("image", "图片", (JPEG, PNG, WEBP, GIF)),
            UploadKind("video", "课堂视频", (MP4, MOV)),
            UploadKind("topic_document", "课题文档", (DOCX, PDF)),
            UploadKind("topic_result", "课题成果", (DOCX, PDF, PPTX, ZIP, MP4, MOV, JPEG, PNG)),
            UploadKind("filing_document", "区域方案", (DOCX, PDF)),
            UploadKind("import", "导入表格", (XLSX,)),
        )
    }
)


def upload_kind(kind: str) -> UploadKind:
    """The kind named ``kind``; an unknown name is a programming error (``ValueError``)."""
    try:
        return UPLOAD_KINDS[kind]
    except KeyError:
        raise ValueError(f"unknown upload kind {kind!r}; known: {sorted(UPLOAD_KINDS)}") from None


def max_size(kind: str, limits: Limits = DEFAULT_LIMITS) -> int:
    """The largest file any format of ``kind`` may be, for refusing before the bytes arrive."""
    return max(limits.for_class(t.size_class) for t in upload_kind(kind).allowed if t.size_class)


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class Detected:
    """What the bytes are, and whether the file looked whole."""

    file_type: FileType
    #: True: the end of the file is where the format says; False: truncated or broken;
    #: None: not enough of the file was available to tell.
    intact: bool | None
    #: Why ``intact`` is False, in English, for logs.
    problem: str = ""
    #: A finer name, for logs: ``elf``/``pe``/``mach-o``/``script``, or an ISO media brand.
    variant: str = ""


@dataclass(frozen=True, slots=True)
class CheckedFile:
    """An upload that passed: what it is, and the names to keep it under."""

    kind: str
    file_type: FileType
    content_type: str
    #: Canonical extension of the real format, with the dot.
    extension: str
    #: The user's name, cleaned, with an extension that matches the content.
    display_name: str
    size: int
    #: True when the end of the file was checked too, not only its head.
    verified: bool


# --------------------------------------------------------------------------- checking


def check_declared(kind: str, *, filename: str, size: int, limits: Limits = DEFAULT_LIMITS) -> str:
    """Refuse an upload from its name and size alone, before any byte is sent; return the name.

    For starting a resumable upload: the content is checked later with :func:`check_upload`.
    """
    upload_kind(kind)
    name = clean_filename(filename)
    _check_size(size, max_size(kind, limits))
    return name


def check_upload(
    kind: str,
    *,
    filename: str,
    size: int,
    head: bytes | None = None,
    tail: bytes | None = None,
    path: str | os.PathLike[str] | None = None,
    fileobj: IO[bytes] | None = None,
    read_at: RangeReader | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> CheckedFile:
    """Check one upload of ``kind`` by content; raise ``InvalidInput``/``TooLarge`` if refused.

    Give ``path`` or a seekable ``fileobj`` when the whole file is here (the strongest check:
    ``zipfile`` reads Office files); otherwise ``head`` (at least the first
    :data:`HEAD_SIZE` bytes), and for direct uploads ``tail`` (the last :data:`TAIL_SIZE` bytes)
    and optionally ``read_at``. ``size`` is the file's real size in bytes.
    """
    if head is None and path is None and fileobj is None:
        raise ValueError("check_upload needs the head of the file, its path or the file")
    upload = upload_kind(kind)
    name = clean_filename(filename)
    _check_size(size, max_size(kind, limits))
    detected = detect(
        head or b"", total_size=size, tail=tail, path=path, fileobj=fileobj, read_at=read_at,
        limits=limits,
    )
    if detected is None or detected.file_type not in upload.allowed:
        raise InvalidInput(
            "upload.type_not_allowed",
            _not_allowed_message(upload, detected, _BY_EXTENSION.get(_split_ext(name)[1].lower())),
            detected=detected.file_type.name if detected else None,
            allowed=[t.name for t in upload.allowed],
        )
    file_type = detected.file_type
    if detected.intact is False:
        raise InvalidInput(
            "upload.truncated",
            "文件不完整或已损坏，请重新导出后上传。",
            detected=file_type.name,
            problem=detected.problem,
        )
    assert file_type.size_class is not None  # UploadKind refuses allowed types without one
    _check_size(size, limits.for_class(file_type.size_class))
    return CheckedFile(
        kind=kind,
        file_type=file_type,
        content_type=file_type.content_type,
        extension=file_type.extension,
        display_name=_with_extension(name, file_type),
        size=size,
        verified=detected.intact is True,
    )


def _check_size(size: int, limit: int) -> None:
    if size < 0:
        raise ValueError(f"size must not be negative, got {size}")
    if size == 0:
        raise InvalidInput("upload.empty", "文件是空的（0 字节），请检查后重新选择文件。")
    if size > limit:
        shown = human_size(size)
        limit_shown = human_size(limit)
        if shown == limit_shown:
            # 50 MB + 1 byte must not read as “50 MB，超过上限 50 MB”.
            shown = human_size(size, round_up=True)
        raise TooLarge(
            "upload.too_large",
            f"文件大小 {shown}，超过上限 {limit_shown}。",
            size=size,
            limit=limit,
        )


def _not_allowed_message(
    upload: UploadKind, detected: Detected | None, claimed: FileType | None
) -> str:
    allowed = "、".join(t.display for t in upload.allowed)
    if detected is None:
        what = "无法识别文件内容" + (f"，它不是有效的{_cjk(claimed.label)}" if claimed else "")
    elif claimed is not None and claimed != detected.file_type:
        what = f"文件内容是{_cjk(detected.file_type.label)}，不是{_cjk(claimed.label)}"
    else:
        what = f"文件内容是{_cjk(detected.file_type.label)}，不能作为{upload.label}上传"
    hint = detected.file_type.hint if detected else ""
    return f"{what}。本处只接受：{allowed}。{hint}"


def _cjk(label: str) -> str:
    """``label`` after Chinese text: a space before a Latin word, as in “不是 Word 文档”."""
    return f" {label}" if label[:1].isascii() else label



# --------------------------------------------------------------------------- file names

_RESERVED_NAMES = frozenset(
    ["CON", "PRN", "AUX", "NUL"]
    + [f"{p}{n}" for p in ("COM", "LPT") for n in (*"123456789", "¹", "²", "³")]
)
# Windows cannot save a download named with these; full-width forms keep the meaning for readers.
_WINDOWS_UNSAFE = str.maketrans(
    {":": "：", "*": "＊", "?": "？", '"': "＂", "<": "＜", ">": "＞", "|": "｜"}
)
# Bidirectional controls turn “exe.docx” tricks like “报告\u202excod.exe” into a spoofed name.
_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
_EXT_RE = re.compile(r"\.[A-Za-z0-9]{1,15}")


def clean_filename(name: str) -> str:
    """The user's file name made safe to show and to offer as a download name.

    Keeps only the base name (path parts are dropped), NFC-normalises, refuses control and
    bidirectional-control characters (``upload.bad_name``), replaces characters Windows forbids
    with their full-width forms, prefixes Windows device names with ``_`` and cuts the name to
    :data:`MAX_NAME_LENGTH` characters keeping the extension. Chinese text is kept as it is.
    """
    name = unicodedata.normalize("NFC", name).replace("\ufeff", "")
    for char in name:
        if unicodedata.category(char) in ("Cc", "Cs") or char in _BIDI_CONTROLS:
            raise InvalidInput(
                "upload.bad_name",
                "文件名中含有控制字符或不可见的方向控制符，请重命名文件后再上传。",
            )
    parts = [p for p in re.split(r"[\\/]", name) if p.strip()]
    base = parts[-1] if parts else ""
    base = base.translate(_WINDOWS_UNSAFE).strip().rstrip(". ")
    stem, ext = _split_ext(base)
    stem = stem.lstrip(". ")
    if not stem:
        if not ext:
            raise InvalidInput("upload.bad_name", "文件名为空或无效，请重命名文件后再上传。")
        stem = "未命名"
    if stem.split(".")[0].rstrip().upper() in _RESERVED_NAMES:
        stem = "_" + stem
    return _join(stem, ext)


def _split_ext(name: str) -> tuple[str, str]:
    """Split ``name`` into stem and extension; only a short ASCII suffix counts as one."""
    dot = name.rfind(".")
    if dot >= 0 and _EXT_RE.fullmatch(name[dot:]):
        return name[:dot], name[dot:]
    return name, ""


def _join(stem: str, ext: str) -> str:
    if len(stem) + len(ext) > MAX_NAME_LENGTH:
        stem = stem[: MAX_NAME_LENGTH - len(ext)].rstrip(". ") or "未命名"
    return stem + ext


def _with_extension(name: str, file_type: FileType) -> str:
    """``name`` with an extension that matches the content, so a download opens correctly."""
    stem, ext = _split_ext(name)
    if ext.lower() in file_type.extensions:
        return name
    if ext.lower() not in _BY_EXTENSION:
        stem = name  # “第2版.定稿” keeps its suffix: it is part of the name, not a format
    return _join(stem, file_type.extension)


# --------------------------------------------------------------------------- detection


def detect(
    head: bytes = b"",
    *,
    total_size: int | None = None,
    tail: bytes | None = None,
    path: str | os.PathLike[str] | None = None,
    fileobj: IO[bytes] | None = None,
    read_at: RangeReader | None = None,
    limits: Limits | None = None,
) -> Detected | None:
    """What the file is, from what the caller has of it; ``None`` when the format is unknown.

    With the whole file, an Office file beyond the ``office_*`` bounds of ``limits`` is refused
    (``file.unreadable``) before anything of it is inflated.

    ``head`` is the start of the file; ``tail`` its end (needs ``total_size``); ``read_at``
    serves a few more small ranged reads. With ``path`` or a seekable ``fileobj`` the whole file
    is read (``fileobj``'s position is restored) and the other byte arguments are ignored.
    """
    if path is not None:
        with open(path, "rb") as fh:
            return _detect_whole(fh, total_size, path, limits or DEFAULT_LIMITS)
    if fileobj is not None:
        position = fileobj.tell()
        try:
            return _detect_whole(fileobj, total_size, fileobj, limits or DEFAULT_LIMITS)
        finally:
            fileobj.seek(position)
    if tail is not None and total_size is None:
        raise ValueError("a tail needs total_size, to know where it starts")
    if total_size is not None and (len(head) > total_size or len(tail or b"") > total_size):
        raise ValueError(f"head or tail is longer than total_size {total_size}")
    return _sniff(_Source(head, total_size, tail, read_at, max_reads=64), None)


def _detect_whole(
    fh: IO[bytes], total_size: int | None, whole: _Whole, limits: Limits
) -> Detected | None:
    size = fh.seek(0, os.SEEK_END)
    if total_size is not None and total_size != size:
        raise ValueError(f"total_size {total_size} but the file has {size} bytes")
    fh.seek(0)
    source = _Source(fh.read(HEAD_SIZE), size, None, _file_reader(fh), max_reads=None)
    return _sniff(source, (whole, limits))


def _file_reader(fh: IO[bytes]) -> RangeReader:
    def read_at(offset: int, length: int) -> bytes:
        fh.seek(offset)
        return fh.read(length)

    return read_at


class _Source:
    """The parts of one file the caller could give: head, tail, and ranged reads for the rest."""

    def __init__(
        self,
        head: bytes,
        size: int | None,
        tail: bytes | None,
        reader: RangeReader | None,
        max_reads: int | None,
    ) -> None:
        self.head = head
        self.size = size
        self._tail = tail or b""
        self._tail_start = (size - len(self._tail)) if size is not None else 0
        if self._tail and self._tail_start <= len(head):
            # Small file: head and tail touch, so together they are the whole file.
            self.head = head[: self._tail_start] + self._tail
            self._tail = b""
        self._reader = reader
        # Each read may be a request to the object store; a crafted file must not cause thousands.
        self._reads_left = max_reads

    def read(self, offset: int, length: int) -> bytes | None:
        """Exactly ``length`` bytes at ``offset``, or None when they are not available."""
        end = offset + length
        if offset < 0 or length < 0 or (self.size is not None and end > self.size):
            return None
        if end <= len(self.head):
            return self.head[offset:end]
        if self._tail and offset >= self._tail_start:
            return self._tail[offset - self._tail_start : end - self._tail_start]
        if self._reader is None or self.size is None or self._reads_left == 0:
            return None
        if self._reads_left is not None:
            self._reads_left -= 1
        data = self._reader(offset, length)
        return data if len(data) == length else None

    def suffix(self, length: int) -> bytes | None:
        """Up to ``length`` bytes ending at the end of the file, or None if the end is unknown."""
        if self.size is None:
            return None
        length = min(length, self.size)
        data = self.read(self.size - length, length)
        if data is None and self._tail:
            data = self._tail[-length:]
        return data


def _sniff(src: _Source, whole: tuple[_Whole, Limits] | None) -> Detected | None:
    head = src.head
    if head.startswith(b"%PDF-"):
        return _detect_pdf(src)
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _detect_zip(src, whole)
    if head.startswith(b"\xff\xd8\xff"):
        # Not checked for an end marker: phones append data after it (motion photos).
        return Detected(JPEG, None)
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return _detect_png(src)
    if head.startswith((b"GIF87a", b"GIF89a")):
        return Detected(GIF, None)
    if head.startswith(b"RIFF") and len(head) >= 12:
        return _detect_riff(src)
    if head[4:8] == b"ftyp":
        return _detect_iso_media(src)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return _detect_ole(src)
    for magic, file_type in _SIMPLE_MAGIC:
        if head.startswith(magic):
            return Detected(file_type, None)
    variant = _executable_variant(head)
    if variant:
        return Detected(EXECUTABLE, None, variant=variant)
    return None


_SIMPLE_MAGIC: tuple[tuple[bytes, FileType], ...] = (
    (b"Rar!\x1a\x07", RAR),
    (b"7z\xbc\xaf\x27\x1c", SEVEN_ZIP),
    (b"\x1a\x45\xdf\xa3", MKV),
    (b"FLV\x01", FLV),
    (b"\x30\x26\xb2\x75\x8e\x66\xcf\x11\xa6\xd9\x00\xaa\x00\x62\xce\x6c", WMV),
)
_MACH_O = (
    b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",  # universal binary (also a Java class file: refused all the same)
)  # fmt: skip


def _executable_variant(head: bytes) -> str:
    if head.startswith(b"\x7fELF"):
        return "elf"
    if head.startswith(b"MZ"):
        # Every Windows .exe/.dll starts with the DOS stub “MZ”, whatever follows.
        return "pe"
    if head.startswith(_MACH_O):
        return "mach-o"
    if head.startswith((b"#!", b"\xef\xbb\xbf#!")):
        return "script"
    return ""


def _detect_pdf(src: _Source) -> Detected:
    # Readers look for the last “%%EOF” within the final 1024 bytes; a cut-off upload lacks it.
    end = src.suffix(1024)
    if end is None:
        return Detected(PDF, None)
    if b"%%EOF" in end:
        return Detected(PDF, True)
    return Detected(PDF, False, "no %%EOF in the last 1024 bytes")


def _detect_png(src: _Source) -> Detected:
    if src.head[12:16] != b"IHDR" and len(src.head) >= 16:
        return Detected(PNG, False, "first chunk is not IHDR")
    end = src.suffix(64 * KiB)
    if end is None:
        return Detected(PNG, None)
    if b"IEND\xae\x42\x60\x82" in end:
        return Detected(PNG, True)
    return Detected(PNG, False, "no IEND chunk near the end")


def _detect_riff(src: _Source) -> Detected | None:
    head = src.head
    form = head[8:12]
    file_type = {b"WEBP": WEBP, b"AVI ": AVI}.get(form)
    if file_type is None:
        return None
    declared = struct.unpack_from("<I", head, 4)[0] + 8
    if src.size is None:
        return Detected(file_type, None)
    if declared > src.size:
        return Detected(file_type, False, f"RIFF says {declared} bytes, file has {src.size}")
    return Detected(file_type, True)


def _detect_ole(src: _Source) -> Detected:
    """An OLE2 compound file: a pre-2007 Office file, or a password-protected new one."""
    head = src.head
    if len(head) >= 52:
        shift = struct.unpack_from("<H", head, 30)[0]
        first_dir = struct.unpack_from("<I", head, 48)[0]
        if shift in (9, 12) and first_dir < 0xFFFFFFFA:
            sector = src.read((first_dir + 1) << shift, 1 << shift)
            # An encrypted .docx/.xlsx/.pptx is a compound file holding an “EncryptedPackage”.
            if sector and "EncryptedPackage".encode("utf-16-le") in sector:
                return Detected(ENCRYPTED_OFFICE, None)
    return Detected(OLE, None)


# ISO base media (MP4, QuickTime, HEIF): the “ftyp” box names a major brand and compatible ones.
_MP4_BRANDS = frozenset(
    brand.ljust(4).encode("ascii")
    for brand in (
        "isom", "iso2", "iso3", "iso4", "iso5", "iso6", "iso7", "iso8", "iso9",
        "mp41", "mp42", "mp71", "avc1", "M4V", "M4VH", "M4VP", "f4v",
        "dash", "msdh", "msix", "mmp4", "MSNV", "XAVC", "CAEP", "caqv", "FACE",
        "NDAS", "NDSC", "NDSH", "NDSM", "NDSP", "NDSS", "NDXC", "NDXH", "NDXM", "NDXP", "NDXS",
    )
)  # fmt: skip
_QT_BRANDS = frozenset({b"qt  "})
_HEIF_BRANDS = frozenset(
    {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs", b"mif1", b"msf1"}
)
_AVIF_BRANDS = frozenset({b"avif", b"avis"})
_AUDIO_BRANDS = frozenset({b"M4A ", b"M4B ", b"M4P ", b"F4A ", b"F4B "})


def _brand_type(brand: bytes) -> FileType | None:
    if brand in _AVIF_BRANDS:
        return AVIF
    if brand in _HEIF_BRANDS:
        return HEIC
    if brand in _QT_BRANDS:
        return MOV
    if brand[:3] in (b"3gp", b"3g2"):
        return THREE_GP
    if brand in _MP4_BRANDS:
        return MP4
    return None


def _detect_iso_media(src: _Source) -> Detected | None:
    head = src.head
    box_size = struct.unpack_from(">I", head, 0)[0]
    if box_size < 16 or box_size > 4096 or (box_size - 16) % 4:
        return None
    major = head[8:12]
    compatible = [head[i : i + 4] for i in range(16, min(box_size, len(head)) - 3, 4)]
    if major in _AUDIO_BRANDS:
        return None  # an .m4a is not a video, whatever it is compatible with
    file_type = _brand_type(major)
    if file_type is None:
        # Image brands first: an iPhone HEIC photo also lists generic ISO brands.
        for wanted in (AVIF, HEIC, MOV, MP4, THREE_GP):
            if any(_brand_type(b) is wanted for b in compatible):
                file_type = wanted
                break
    if file_type is None:
        return None
    variant = major.decode("latin-1").strip()
    if file_type not in (MP4, MOV, THREE_GP):
        return Detected(file_type, None, variant=variant)
    intact, problem = _walk_boxes(src)
    return Detected(file_type, intact, problem, variant)


def _walk_boxes(src: _Source) -> tuple[bool | None, str]:
    """Follow the top-level boxes to the end: a whole movie ends exactly where its last box does."""
    size = src.size
    if size is None:
        return None, ""
    offset = 0
    seen: set[bytes] = set()
    for _ in range(100_000):
        if offset == size:
            break
        header = src.read(offset, 8) if size - offset >= 8 else b""
        if header is None:
            return None, ""
        box_type = header[4:8]
        if len(header) < 8 or not all(0x20 <= c < 0x7F for c in box_type):
            if {b"moov", b"mdat"} <= seen:
                break  # players ignore padding some cameras write after the last box
            return False, f"unreadable box at byte {offset}"
        box_size = struct.unpack_from(">I", header, 0)[0]
        if box_size == 1:
            large = src.read(offset + 8, 8)
            if large is None:
                return None, ""
            box_size = struct.unpack_from(">Q", large, 0)[0]
            if box_size < 16:
                return False, f"bad 64-bit box size at byte {offset}"
        elif box_size == 0:
            box_size = size - offset  # “to the end of the file”
        elif box_size < 8:
            return False, f"bad box size at byte {offset}"
        if offset + box_size > size:
            over = offset + box_size - size
            return False, f"box {box_type.decode()} at byte {offset} runs {over} bytes past the end"
        seen.add(box_type)
        offset += box_size
    else:
        return None, ""
    missing = [b.decode() for b in (b"moov", b"mdat") if b not in seen]
    if missing:
        return False, f"no {'/'.join(missing)} box"
    return True, ""


# ----------------------------------------------------------------------------- ZIP and Office

_CONTENT_TYPES = "[Content_Types].xml"
_MAIN_PARTS: tuple[tuple[str, FileType], ...] = (
    ("word/document.xml", DOCX),
    ("ppt/presentation.xml", PPTX),
    ("xl/workbook.xml", XLSX),
)
_MAIN_CONTENT_TYPES: Mapping[str, FileType] = MappingProxyType(
    {
        f"{_OOXML}.wordprocessingml.document.main+xml": DOCX,
        f"{_OOXML}.presentationml.presentation.main+xml": PPTX,
        f"{_OOXML}.spreadsheetml.sheet.main+xml": XLSX,
    }
)
# Bounds on what is inflated while looking: a tiny ZIP can claim gigabytes (a “zip bomb”).
_MAX_CONTENT_TYPES = 1 * MiB
_MAX_MAIN_PART = 256 * MiB
_MAX_CENTRAL_DIRECTORY = 4 * MiB


@dataclass(slots=True)
class _Listing:
    """What was learnt of a ZIP's entries: names, whether that is all of them, content types."""

    names: list[str]
    complete: bool
    content_types: bytes | None = None


def _detect_zip(src: _Source, whole: tuple[_Whole, Limits] | None) -> Detected:
    head = src.head
    if head.startswith(b"PK\x05\x06"):
        return Detected(ZIP, None)  # an empty archive
    # OpenDocument puts an uncompressed “mimetype” entry first, by its specification.
    if head[30:38] == b"mimetype" and head[38:].startswith(b"application/vnd.oasis.opendocument"):
        return Detected(OPENDOCUMENT, None)
    local = _scan_local_headers(head)
    if whole is not None:
        return _check_zip_file(*whole, local)
    intact, problem, central = _read_central_directory(src)
    listing = central or local
    if central is not None and central.content_types is None:
        listing.content_types = local.content_types
    file_type, main_part = _classify_zip(listing)
    names = {n.lower() for n in listing.names}
    if intact and listing.complete and main_part is not None and main_part.lower() not in names:
        return Detected(file_type, False, f"main part {main_part} is missing")
    return Detected(file_type, intact, problem)


def _check_zip_file(whole: _Whole, limits: Limits, local: _Listing) -> Detected:
    """The whole file is here: let ``zipfile`` read the central directory and the main part.

    An Office file beyond the ``office_*`` bounds is refused (``file.unreadable``) from its
    central directory, before anything is inflated.
    """
    try:
        with zipfile.ZipFile(whole) as archive:
            names = archive.namelist()
            listing = _Listing(names, complete=True)
            if file_type_of_names(names) is not ZIP:
                problem = office.bounds_problem(
                    archive.infolist(), office.OfficeBounds.from_settings(limits)
                )
                if problem is not None:
                    raise office.unreadable(problem, bomb=True)
            if _CONTENT_TYPES in names:
                with archive.open(_CONTENT_TYPES) as member:
                    listing.content_types = member.read(_MAX_CONTENT_TYPES)
            file_type, main_part = _classify_zip(listing)
            if main_part is None:
                return Detected(file_type, True)
            real_name = {n.lower(): n for n in names}.get(main_part.lower())
            if real_name is None:
                return Detected(file_type, False, f"main part {main_part} is missing")
            with archive.open(real_name) as member:
                # Reading to the end makes zipfile check the CRC of the part that matters most.
                read = 0
                while read <= _MAX_MAIN_PART and (chunk := member.read(MiB)):
                    read += len(chunk)
            return Detected(file_type, True)
    except (zipfile.BadZipFile, EOFError, zlib.error, RuntimeError, NotImplementedError,
            ValueError, struct.error) as exc:  # fmt: skip
        # RuntimeError: an encrypted entry; NotImplementedError: an unknown compression method.
        file_type, _ = _classify_zip(local)
        return Detected(file_type, False, f"{type(exc).__name__}: {exc}")


def file_type_of_names(names: list[str]) -> FileType:
    """Office or plain ZIP, by the entry names alone (an Office file has its main part)."""
    lower = {n.lower() for n in names}
    if _CONTENT_TYPES.lower() in lower or any(p in lower for p, _ in _MAIN_PARTS):
        return OFFICE_OTHER
    return ZIP


def _classify_zip(listing: _Listing) -> tuple[FileType, str | None]:
    """Office format or plain ZIP, and the main part an Office file must contain."""
    names = listing.names
    lower = {n.lower() for n in names}
    main = _main_part(listing.content_types) if listing.content_types else None
    if main is not None:
        content_type, part = main
        file_type = _MAIN_CONTENT_TYPES.get(content_type, OFFICE_OTHER)
        # A macro project makes a .docx a .docm in all but name.
        if any(n.endswith("vbaproject.bin") for n in lower):
            file_type = OFFICE_OTHER
        return file_type, part
    # Every Office file has [Content_Types].xml; with the full list of names its absence is final.
    if _CONTENT_TYPES.lower() in lower or not listing.complete:
        for part, file_type in _MAIN_PARTS:
            if part in lower:
                return file_type, part
    if not listing.complete:
        # Only the head was seen (openpyxl writes [Content_Types].xml last): go by folder names.
        for part, file_type in _MAIN_PARTS:
            folder = part.split("/")[0] + "/"
            if any(n.startswith(folder) for n in lower):
                return file_type, None
    return ZIP, None


_OVERRIDE_RE = re.compile(r"<(?:\w+:)?Override\b([^>]*)>")
_ATTR_RE = re.compile(r"""(\w+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def _main_part(content_types: bytes) -> tuple[str, str] | None:
    """The main part's content type and name, from ``[Content_Types].xml``."""
    # A regular expression, not an XML parser: bounded work on untrusted input, no entities.
    encoding = "utf-16" if content_types[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8"
    text = content_types.decode(encoding, errors="replace")
    for match in _OVERRIDE_RE.finditer(text):
        attrs = {k: a or b for k, a, b in _ATTR_RE.findall(match.group(1))}
        content_type = attrs.get("ContentType", "")
        if content_type.endswith((".main+xml", ".main")) and attrs.get("PartName"):
            return content_type, attrs["PartName"].lstrip("/")
    return None


def _zip_name(raw: bytes, flags: int) -> str:
    # Bit 11 marks UTF-8 names; others are code page 437 as zipfile reads them (GBK names from
    # Windows come out garbled here, which is harmless: only ASCII part names are compared).
    return raw.decode("utf-8" if flags & 0x800 else "cp437", errors="replace")


def _inflate(data: bytes, method: int, limit: int) -> bytes | None:
    if method == 0:
        return data[:limit]
    if method != 8:
        return None
    try:
        return zlib.decompressobj(-15).decompress(data, limit)
    except zlib.error:
        return None


def _scan_local_headers(head: bytes) -> _Listing:
    """Walk the local file headers at the start of a ZIP, as far as ``head`` reaches."""
    listing = _Listing([], complete=False)
    pos = 0
    while len(listing.names) < 10_000:
        signature = head[pos : pos + 4]
        if signature in (b"PK\x01\x02", b"PK\x05\x06", b"PK\x06\x06"):
            listing.complete = True  # reached the central directory: every entry was seen
            break
        if signature != b"PK\x03\x04" or pos + 30 > len(head):
            break
        flags, method = struct.unpack_from("<HH", head, pos + 6)
        csize, _usize, name_len, extra_len = struct.unpack_from("<IIHH", head, pos + 18)
        raw_name = head[pos + 30 : pos + 30 + name_len]
        if len(raw_name) < name_len:
            break
        name = _zip_name(raw_name, flags)
        listing.names.append(name)
        data_start = pos + 30 + name_len + extra_len
        wanted = name == _CONTENT_TYPES
        if flags & 0x08:
            # Sizes follow the data (streamed writer): find the end of the deflate stream itself.
            found = _inflate_stream(head, data_start, method, keep=wanted)
            if found is None:
                break
            data_end, inflated = found
            next_pos = _after_descriptor(head, data_end)
            if next_pos is None:
                break
        else:
            if csize == 0xFFFFFFFF:
                break  # ZIP64 sizes live in the extra field; the central directory will tell
            data_end = next_pos = data_start + csize
            inflated = None
            if wanted and data_end <= len(head):
                inflated = _inflate(head[data_start:data_end], method, _MAX_CONTENT_TYPES)
        if wanted:
            listing.content_types = inflated
        pos = next_pos
    return listing


def _inflate_stream(
    head: bytes, start: int, method: int, *, keep: bool
) -> tuple[int, bytes | None] | None:
    """Where a deflate stream starting at ``start`` ends, and its first bytes when ``keep``."""
    if method != 8:
        return None  # a stored entry of unknown length cannot be skipped
    inflater = zlib.decompressobj(-15)
    kept = b""
    budget = 16 * MiB
    data = head[start:]
    try:
        while not inflater.eof and data and budget > 0:
            out = inflater.decompress(data, 64 * KiB)
            budget -= len(out)
            if keep and len(kept) < _MAX_CONTENT_TYPES:
                kept += out
            data = inflater.unconsumed_tail
    except zlib.error:
        return None
    if not inflater.eof:
        return None
    return len(head) - len(inflater.unused_data), (kept if keep else None)


def _after_descriptor(head: bytes, data_end: int) -> int | None:
    """Skip the data descriptor after an entry; its length varies, so try each and look ahead."""
    signed = head[data_end : data_end + 4] == b"PK\x07\x08"
    for length in (16, 24) if signed else (12, 20):
        candidate = data_end + length
        if head[candidate : candidate + 4] in (b"PK\x03\x04", b"PK\x01\x02"):
            return candidate
    return None


def _read_central_directory(src: _Source) -> tuple[bool | None, str, _Listing | None]:
    """Find the end record and read the central directory, from the tail or ranged reads."""
    end = src.suffix(22 + 0xFFFF)
    if src.size is None or end is None or len(end) < 22:
        return None, "", None
    base = src.size - len(end)
    at = end.rfind(b"PK\x05\x06")
    while at >= 0 and at + 22 > len(end):
        at = end.rfind(b"PK\x05\x06", 0, at)
    if at < 0:
        return False, "no end-of-central-directory record", None
    disk, cd_disk, _, count, cd_size, cd_offset = struct.unpack_from("<HHHHII", end, at + 4)
    eocd = base + at
    if disk or cd_disk:
        return False, "multi-volume archive", None
    limit = eocd
    if count == 0xFFFF or 0xFFFFFFFF in (cd_size, cd_offset):
        zip64 = _zip64_end(src, eocd)
        if zip64 is None:
            return True, "", None  # the end is there; the ZIP64 record is out of reach
        count, cd_size, cd_offset, limit = zip64
    if cd_offset + cd_size > limit:
        return False, "central directory runs past the end record", None
    if cd_size > _MAX_CENTRAL_DIRECTORY:
        return True, "", None
    directory = src.read(cd_offset, cd_size)
    if directory is None:
        return True, "", None
    entries = _parse_central_directory(directory, count)
    if entries is None:
        return False, "central directory is malformed", None
    listing = _Listing([name for name, *_ in entries], complete=True)
    for name, offset, method, csize in entries:
        if name == _CONTENT_TYPES and csize <= _MAX_CONTENT_TYPES:
            listing.content_types = _read_entry(src, offset, method, csize)
    return True, "", listing


def _zip64_end(src: _Source, eocd: int) -> tuple[int, int, int, int] | None:
    locator = src.read(eocd - 20, 20)
    if locator is None or not locator.startswith(b"PK\x06\x07"):
        return None
    record_offset = struct.unpack_from("<Q", locator, 8)[0]
    record = src.read(record_offset, 56)
    if record is None or not record.startswith(b"PK\x06\x06"):
        return None
    count, cd_size, cd_offset = struct.unpack_from("<QQQ", record, 32)
    return count, cd_size, cd_offset, record_offset


def _parse_central_directory(
    directory: bytes, count: int
) -> list[tuple[str, int, int, int]] | None:
    entries = []
    pos = 0
    for _ in range(count):
        if directory[pos : pos + 4] != b"PK\x01\x02" or pos + 46 > len(directory):
            return None
        flags, method = struct.unpack_from("<HH", directory, pos + 8)
        csize = struct.unpack_from("<I", directory, pos + 20)[0]
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", directory, pos + 28)
        local_offset = struct.unpack_from("<I", directory, pos + 42)[0]
        name = _zip_name(directory[pos + 46 : pos + 46 + name_len], flags)
        entries.append((name, local_offset, method, csize))
        pos += 46 + name_len + extra_len + comment_len
    return entries


def _read_entry(src: _Source, offset: int, method: int, csize: int) -> bytes | None:
    header = src.read(offset, 30)
    if header is None or not header.startswith(b"PK\x03\x04"):
        return None
    name_len, extra_len = struct.unpack_from("<HH", header, 26)
    data = src.read(offset + 30 + name_len + extra_len, csize)
    return _inflate(data, method, _MAX_CONTENT_TYPES) if data is not None else None
