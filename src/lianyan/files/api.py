"""JSON API of files: ``GET /api/v1/files/{id}/download`` and ``…/preview``."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get
from litestar.response import Redirect, Stream

from lianyan.files import preview, services
from lianyan.files.store import ObjectStore, content_disposition
from lianyan.principal import Principal
from lianyan.web.access import SIGNED_IN, access


class FileController(Controller):
    """Downloads and previews: permission first, then the bytes or a short-lived URL."""

    path = "/api/v1/files"
    tags = ["files"]

    @get("/{file_id:int}/download", opt=access(SIGNED_IN))
    async def download(
        self, actor: Principal, store: ObjectStore, file_id: int, inline: bool = False
    ) -> Redirect:
        """302 to a presigned URL that downloads under the original (Chinese) name."""
        return Redirect(await services.download_url(actor, store, file_id, inline=inline))

    @get("/{file_id:int}/preview", opt=access(SIGNED_IN), status_code=200)
    async def preview(
        self, actor: Principal, store: ObjectStore, file_id: int,
        request: Request[Any, Any, Any],
    ) -> Response[Any]:
        """Show a PDF, image or video in the browser; ranges answered 206 (seeking a video).

        A store that answers ranges with 206 (MinIO; ``ObjectStore.probe_ranges`` at start)
        gets a redirect to a presigned inline URL; otherwise (the embedded rclone, which
        answers 200) the app streams the bytes and answers the range itself.
        """
        target = await preview.preview_target(actor, file_id)
        if store.serves_ranges:
            return Redirect(store.presigned_get(
                target.key, filename=target.filename, content_type=target.content_type,
                inline=True,
            ))
        return stream_range(store, target, request.headers.get("range"))


def stream_range(
    store: ObjectStore, target: preview.Target, range_header: str | None
) -> Response[Any]:
    """The object (or the asked byte range of it) as a 200 or 206 answer; 416 beyond its end."""
    headers = {
        "accept-ranges": "bytes",
        "content-disposition": content_disposition(target.filename, inline=True),
        "cache-control": "private, max-age=600",
    }
    try:
        asked = preview.parse_range(range_header, target.size)
    except preview.RangeNotSatisfiable as exc:
        return Response(
            content={"status": 416, "code": exc.code, "detail": exc.detail, **exc.extra},
            status_code=416, media_type="application/problem+json",
            headers={**headers, "content-range": f"bytes */{target.size}"},
        )
    first, last = asked if asked is not None else (0, target.size - 1)
    length = max(0, last - first + 1)
    headers["content-length"] = str(length)
    if asked is not None:
        headers["content-range"] = f"bytes {first}-{last}/{target.size}"
    body = store.iter_range(target.key, offset=first, length=length) if length else _empty()
    return Stream(
        body, status_code=206 if asked is not None else 200, media_type=target.content_type,
        headers=headers,
    )


async def _empty() -> Any:
    """An empty body (a 0-byte file)."""
    if False:  # pragma: no cover - makes this an async generator
        yield b""
