"""Looking at a file in the browser: PDFs, images and videos shown inline, videos seekable.

``GET /api/v1/files/{id}/preview`` is authorised exactly like the download. What it answers
depends on the store:

* **MinIO (or any S3 that answers ranges itself)**: a 302 to a presigned URL with an *inline*
  ``Content-Disposition``; the store answers the browser's ``Range`` requests with 206.
* **the embedded ``rclone serve s3``**: rclone 1.75.2 answers a ranged GET with ``200`` and a
  ``Content-Range`` header, and a browser cannot seek a video on a 200. So the app streams the
  object itself and answers ``Range: bytes=a-b`` with ``206 Partial Content`` (only those
  bytes, read from the store with a ranged GET), or 416 when the range lies outside the file.

A video with a ready browser-friendly preview (``files/media.py``: a 720p H.264 MP4 made in the
background for HEVC, ``.mov`` or very large videos) is previewed through that MP4; the download
still hands out the original.
"""

from __future__ import annotations

import re

import msgspec

from lianyan.errors import InvalidInput, LianyanError, NotFound
from lianyan.files import access
from lianyan.files.tables import MediaPreview, StoredFile
from lianyan.principal import Principal

#: What a browser shows by itself (everything else is downloaded).
INLINE_TYPES = frozenset({
    "application/pdf", "image/jpeg", "image/png", "image/webp", "image/gif",
    "video/mp4", "video/quicktime", "video/webm",
})  # fmt: skip

_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$")


class RangeNotSatisfiable(LianyanError):
    """416: the asked range starts beyond the end of the file."""

    status = 416


class Target(msgspec.Struct, frozen=True):
    """The object a preview reads: key, size, type and the name it is shown under."""

    key: str
    size: int
    content_type: str
    filename: str


async def preview_target(actor: Principal, file_id: int) -> Target:
    """What to show for a file the caller may read (404 otherwise; 400 if not showable).

    A video with a finished preview MP4 shows the preview; anything else shows itself.
    """
    row = await StoredFile.select(
        StoredFile.key, StoredFile.size, StoredFile.original_name, StoredFile.content_type,
        StoredFile.owner_type, StoredFile.owner_id,
    ).where(StoredFile.id == file_id).first()
    if row is None or not await access.may_read(actor, row["owner_type"], row["owner_id"]):
        raise NotFound("file.not_found", "没有找到该文件。")
    if row["content_type"].startswith("video/"):
        made = await MediaPreview.select(
            MediaPreview.preview_file.key.as_alias("key"),
            MediaPreview.preview_file.size.as_alias("size"),
        ).where(
            (MediaPreview.source_file == file_id) & (MediaPreview.status == "done")
            & MediaPreview.preview_file.is_not_null()
        ).first()
        if made is not None and made["key"]:
            stem = row["original_name"].rsplit(".", 1)[0]
            return Target(key=made["key"], size=made["size"], content_type="video/mp4",
                          filename=f"{stem}（预览）.mp4")
    if row["content_type"] not in INLINE_TYPES:
        raise InvalidInput(
            "file.no_preview", "该类型的文件不能在浏览器中直接查看，请下载后打开。"
        )
    return Target(key=row["key"], size=row["size"], content_type=row["content_type"],
                  filename=row["original_name"])


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The byte range ``(first, last)`` asked by a ``Range`` header, inclusive; None = all.

    One range only (``bytes=a-b``, ``bytes=a-``, ``bytes=-n``); a header this does not
    understand (several ranges, another unit) is ignored, as RFC 9110 allows, and the whole
    file is sent. A range starting at or after the end raises ``RangeNotSatisfiable``.
    """
    if not header:
        return None
    found = _RANGE.match(header)
    if found is None:
        return None
    first_text, last_text = found.groups()
    if not first_text and not last_text:
        return None
    if not first_text:  # the last n bytes
        suffix = int(last_text)
        if suffix == 0 or size == 0:
            raise _unsatisfiable(size)
        return max(0, size - suffix), size - 1
    first = int(first_text)
    last = int(last_text) if last_text else size - 1
    if first >= size:
        raise _unsatisfiable(size)
    if last < first:
        return None
    return first, min(last, size - 1)


def _unsatisfiable(size: int) -> RangeNotSatisfiable:
    return RangeNotSatisfiable(
        "file.range", f"请求的范围超出了文件大小（{size} 字节）。", size=size
    )
