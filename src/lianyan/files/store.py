"""The object store port: every file of Lianyan goes through this class and the minio SDK.

The minio SDK is blocking, so every public method here is async and runs the SDK call in a
worker thread; nothing touches the network on the event loop. The same code talks to MinIO in
production and to the local ``rclone serve s3`` of the embedded default.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import os
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator, Iterator
from typing import IO, Any
from urllib.parse import quote, urlsplit

import anyio
import anyio.to_thread
import certifi
import msgspec
import urllib3
from minio import Minio
from minio.datatypes import Part
from minio.error import InvalidResponseError, S3Error, ServerError

from lianyan.errors import Unavailable
from lianyan.settings import ObjectStoreSettings

log = logging.getLogger("lianyan.files")

#: minio streams unknown-length uploads in parts of this size.
STREAM_PART_SIZE = 16 * 1024 * 1024


class StoredObject(msgspec.Struct, frozen=True):
    """What ``put`` wrote: the key, byte count and SHA-256 of the content."""

    key: str
    size: int
    sha256: str


class ObjectInfo(msgspec.Struct, frozen=True):
    """What ``stat`` reports of an object."""

    key: str
    size: int
    content_type: str


class UploadedPart(msgspec.Struct, frozen=True):
    """A part of a multipart upload that the store already holds."""

    number: int
    size: int
    etag: str


class _HashingReader(io.RawIOBase):
    """Wraps a stream, hashing and counting what minio reads from it."""

    def __init__(self, stream: IO[bytes], limit: int | None) -> None:
        self._stream = stream
        self._limit = limit
        self.sha256 = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:  # type: ignore[override]
        chunk = self._stream.read(size)
        self.size += len(chunk)
        if self._limit is not None and self.size > self._limit:
            raise _TooLarge(self.size)
        self.sha256.update(chunk)
        return chunk


class _JoiningReader(io.RawIOBase):
    """Reads objects one after the other as one stream, hashing what passes (worker thread)."""

    def __init__(self, client: Minio, bucket: str, keys: list[str]) -> None:
        self._client = client
        self._bucket = bucket
        self._keys = list(keys)
        self._response: Any = None
        self.sha256 = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:  # type: ignore[override]
        want = size if size > 0 else 8 * 1024 * 1024
        out = bytearray()
        while len(out) < want:
            if self._response is None:
                if not self._keys:
                    break
                self._response = self._client.get_object(self._bucket, self._keys.pop(0))
            chunk = self._response.read(want - len(out))
            if not chunk:
                self.close_current()
                continue
            out += chunk
        self.size += len(out)
        self.sha256.update(out)
        return bytes(out)

    def close_current(self) -> None:
        """Release the object being read, if any."""
        response, self._response = self._response, None
        if response is not None:
            response.close()
            response.release_conn()


class _TooLarge(Exception):
    def __init__(self, size: int) -> None:
        self.size = size


class ObjectTooLarge(Exception):
    """The stream was longer than the limit given to ``put``; nothing was kept."""

    def __init__(self, size: int) -> None:
        super().__init__(f"object exceeded its size limit after {size} bytes")
        self.size = size


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """A Content-Disposition value that carries a Chinese file name (RFC 5987/6266)."""
    fallback = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "")
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


#: A 10-byte object the app writes at start to learn how the store answers ranges.
RANGE_PROBE_KEY = ".lianyan/range-probe"

#: How long ``ping`` (the readiness probe) waits for the store.
PING_SECONDS = 0.8

STORE_UNAVAILABLE = "文件存储暂时不可用，请稍后重试；如果一直出现，请联系管理员。"


def store_unavailable() -> Unavailable:
    """The 503 answered whenever the object store fails (``store.unavailable``)."""
    return Unavailable("store.unavailable", STORE_UNAVAILABLE)


def _is_outage(exc: BaseException) -> bool:
    """True when ``exc`` says the store is down or broken, not that the request was wrong.

    4xx answers (``NoSuchKey``, ``NoSuchUpload``…) are the caller's business and pass through.
    ``rclone serve s3`` answers errors as ``text/xml``, which minio does not parse: they arrive
    as ``InvalidResponseError`` with the HTTP status.
    """
    if isinstance(exc, S3Error):
        response = exc.response
        return response is None or response.status >= 500
    if isinstance(exc, InvalidResponseError):
        return not 400 <= exc._code < 500
    # ET.ParseError: an empty or cut-off body from a store that died mid-answer.
    return isinstance(exc, (ServerError, urllib3.exceptions.HTTPError, OSError, ET.ParseError))


def _http_client(secure: bool) -> urllib3.PoolManager:
    """The SDK's connection pool: quick connect retries, so a store restarting is ridden out.

    Only connecting is retried (the body has not left yet); a failed read or a 5xx is not,
    since minio may be streaming an upload that cannot be replayed.
    """
    return urllib3.PoolManager(
        timeout=urllib3.Timeout(connect=3, read=300),
        maxsize=10,
        cert_reqs="CERT_REQUIRED" if secure else "CERT_NONE",
        ca_certs=os.environ.get("SSL_CERT_FILE") or certifi.where(),
        retries=urllib3.Retry(total=4, connect=4, read=0, status=0, other=0,
                              backoff_factor=0.1, raise_on_status=False),
    )


class ObjectStore:
    """The S3 bucket of one deployment, through the minio SDK.

    Every failure of the store itself (down, restarting, full disk, 5xx) is raised as
    ``Unavailable`` (``store.unavailable``, 503); 4xx errors of the SDK pass through.
    """

    def __init__(self, settings: ObjectStoreSettings) -> None:
        endpoint = _host(settings.endpoint)
        self.bucket = settings.bucket
        #: Whether ranged GETs are answered 206 (``probe_ranges``); unknown (False) until probed.
        self.serves_ranges = False
        self._client = Minio(
            endpoint,
            access_key=settings.access_key,
            secret_key=settings.secret_key,
            secure=settings.secure,
            region=settings.region,
            http_client=_http_client(settings.secure),
        )
        # Presigned URLs are signed for the host the browser uses; signing is offline.
        public = _host(settings.public_endpoint) if settings.public_endpoint else endpoint
        self._presigner = Minio(
            public,
            access_key=settings.access_key,
            secret_key=settings.secret_key,
            secure=settings.secure or settings.public_endpoint.startswith("https://"),
            region=settings.region,
        )

    @property
    def public_origin(self) -> str:
        """``scheme://host:port`` browsers use for presigned URLs (named in the page CSP)."""
        url = self._presigner._base_url  # the SDK keeps the signing host here
        return f"{'https' if url.is_https else 'http'}://{url.host}"

    async def _run(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return await anyio.to_thread.run_sync(lambda: fn(*args, **kwargs))
        except Exception as exc:
            if _is_outage(exc):
                log.warning("object store failed: %s: %s", type(exc).__name__, exc)
                raise store_unavailable() from exc
            raise

    async def ensure_bucket(self) -> None:
        """Create the bucket if it does not exist."""

        def _ensure() -> None:
            if not self._client.bucket_exists(self.bucket):
                self._client.make_bucket(self.bucket)

        await self._run(_ensure)

    async def probe_ranges(self) -> bool:
        """Whether the store answers a ranged GET with ``206`` (MinIO) or not (rclone 1.75).

        Browsers seek a video only on a 206, so previews are streamed through the app when the
        store does not (``files/api.py``). The answer is kept in ``serves_ranges``.
        """
        key = RANGE_PROBE_KEY

        def _probe() -> bool:
            self._client.put_object(self.bucket, key, io.BytesIO(b"0123456789"), 10)
            response = self._client.get_object(self.bucket, key, offset=2, length=3)
            try:
                return response.status == 206 and response.read() == b"234"
            finally:
                response.close()
                response.release_conn()

        self.serves_ranges = bool(await self._run(_probe))
        return self.serves_ranges

    async def ping(self, timeout: float = PING_SECONDS) -> None:
        """Raise ``Unavailable`` if the store does not answer within ``timeout`` seconds."""
        try:
            with anyio.fail_after(timeout):
                # The SDK call cannot be interrupted: the thread is left to finish alone.
                await anyio.to_thread.run_sync(
                    self._client.bucket_exists, self.bucket, abandon_on_cancel=True
                )
        except TimeoutError:
            raise store_unavailable() from None
        except Exception as exc:
            raise store_unavailable() from exc

    async def put(
        self,
        key: str,
        stream: IO[bytes],
        *,
        content_type: str = "application/octet-stream",
        length: int = -1,
        limit: int | None = None,
    ) -> StoredObject:
        """Stream ``stream`` to ``key``, computing its SHA-256 on the way.

        With ``limit``, a longer stream is refused with ``ObjectTooLarge`` and the partial
        upload is aborted, so nothing is left behind.
        """
        reader = _HashingReader(stream, limit)

        def _put() -> None:
            self._client.put_object(
                self.bucket,
                key,
                reader,  # type: ignore[arg-type]
                length,
                content_type=content_type,
                part_size=STREAM_PART_SIZE if length < 0 else 0,
            )

        try:
            await self._run(_put)
        except _TooLarge as exc:
            raise ObjectTooLarge(exc.size) from None
        return StoredObject(key=key, size=reader.size, sha256=reader.sha256.hexdigest())

    async def put_bytes(
        self, key: str, data: bytes, *, content_type: str = "application/octet-stream"
    ) -> StoredObject:
        """Store a small object held in memory."""
        return await self.put(key, io.BytesIO(data), content_type=content_type, length=len(data))

    async def get(self, key: str, *, offset: int = 0, length: int = 0) -> bytes:
        """Read an object (or a byte range of it) into memory; for small objects only."""

        def _get() -> bytes:
            response = self._client.get_object(self.bucket, key, offset=offset, length=length)
            try:
                return response.read()
            finally:
                response.close()
                response.release_conn()

        return await self._run(_get)

    async def iter_chunks(self, key: str, chunk_size: int = 1024 * 1024) -> AsyncIterator[bytes]:
        """Stream an object in chunks, each read in a worker thread."""
        response = await self._run(self._client.get_object, self.bucket, key)
        try:
            stream: Iterator[bytes] = response.stream(chunk_size)
            while True:
                chunk = await self._run(next, stream, b"")
                if not chunk:
                    break
                yield chunk
        finally:
            response.close()
            response.release_conn()

    async def iter_range(
        self, key: str, *, offset: int, length: int, chunk_size: int = 256 * 1024
    ) -> AsyncIterator[bytes]:
        """Stream ``length`` bytes of an object from ``offset``, in chunks (worker threads).

        Reads exactly ``length`` bytes whatever the store answers a ranged GET with (``rclone
        serve s3`` 1.75 says 200 with a ``Content-Range``; MinIO says 206): the caller sends
        them as its own 206.
        """
        response = await self._run(
            self._client.get_object, self.bucket, key, offset=offset, length=length
        )
        try:
            stream: Iterator[bytes] = response.stream(chunk_size)
            left = length
            while left > 0:
                chunk = await self._run(next, stream, b"")
                if not chunk:
                    break
                chunk = chunk[:left]
                left -= len(chunk)
                yield chunk
        finally:
            response.close()
            response.release_conn()

    async def sha256(self, key: str) -> tuple[int, str]:
        """Read an object through once and return its size and SHA-256."""
        digest = hashlib.sha256()
        size = 0
        async for chunk in self.iter_chunks(key, 4 * 1024 * 1024):
            digest.update(chunk)
            size += len(chunk)
        return size, digest.hexdigest()

    async def stat(self, key: str) -> ObjectInfo | None:
        """Size and content type of an object, or None when it does not exist."""
        try:
            found = await self._run(self._client.stat_object, self.bucket, key)
        except S3Error as exc:
            if exc.code in {"NoSuchKey", "NoSuchObject", "NotFound"}:
                return None
            raise
        return ObjectInfo(key=key, size=found.size or 0, content_type=found.content_type or "")

    async def delete(self, key: str) -> None:
        """Remove an object; removing a missing one is not an error."""
        await self._run(self._client.remove_object, self.bucket, key)

    async def join(self, key: str, sources: list[str], *, length: int) -> StoredObject:
        """Write the objects ``sources``, one after the other, as the object ``key``.

        Streams through this process (S3 stores such as rclone have no server-side concat),
        computing the SHA-256 on the way; memory stays at one SDK part. ``length`` is the sum
        of the sources' sizes. The sources are kept: the caller deletes them once it is done.
        """
        reader = _JoiningReader(self._client, self.bucket, sources)

        def _join() -> None:
            try:
                self._client.put_object(
                    self.bucket, key, reader, length,  # type: ignore[arg-type]
                    content_type="application/octet-stream", part_size=STREAM_PART_SIZE,
                )
            finally:
                reader.close_current()

        await self._run(_join)
        return StoredObject(key=key, size=reader.size, sha256=reader.sha256.hexdigest())

    async def sizes(self, prefix: str) -> dict[str, int]:
        """Every key under ``prefix`` with its size in bytes."""

        def _list() -> dict[str, int]:
            return {
                item.object_name: item.size or 0
                for item in self._client.list_objects(self.bucket, prefix=prefix, recursive=True)
                if item.object_name
            }

        return await self._run(_list)

    def presigned_put(self, key: str, *, expires: dt.timedelta) -> str:
        """A presigned PUT URL that stores one whole object at ``key``."""
        return self._presigner.presigned_put_object(self.bucket, key, expires=expires)

    async def keys(self, prefix: str = "") -> list[str]:
        """Every key under ``prefix``."""
        return [key for key, _ in await self.listing(prefix)]

    async def listing(self, prefix: str = "") -> list[tuple[str, dt.datetime | None]]:
        """Every key under ``prefix`` with its last-modified time."""

        def _list() -> list[tuple[str, dt.datetime | None]]:
            return [
                (item.object_name, item.last_modified)
                for item in self._client.list_objects(self.bucket, prefix=prefix, recursive=True)
                if item.object_name
            ]

        return await self._run(_list)

    def presigned_get(
        self,
        key: str,
        *,
        filename: str,
        content_type: str | None = None,
        expires: dt.timedelta = dt.timedelta(minutes=10),
        inline: bool = False,
    ) -> str:
        """A short-lived GET URL that downloads under ``filename`` (Chinese names kept)."""
        headers: dict[str, str | list[str] | tuple[str]] = {
            "response-content-disposition": content_disposition(filename, inline=inline)
        }
        if content_type:
            headers["response-content-type"] = content_type
        return self._presigner.presigned_get_object(
            self.bucket, key, expires=expires, response_headers=headers
        )

    # Multipart uploads, for large files sent by browsers straight to the store.

    async def create_multipart(self, key: str, *, content_type: str) -> str:
        """Start a multipart upload and return its upload id."""
        return await self._run(
            self._client._create_multipart_upload,
            self.bucket,
            key,
            {"Content-Type": content_type},
        )

    def presigned_part_url(
        self, key: str, upload_id: str, part_number: int, *, expires: dt.timedelta
    ) -> str:
        """A presigned PUT URL for one part of a multipart upload."""
        return self._presigner.get_presigned_url(
            "PUT",
            self.bucket,
            key,
            expires=expires,
            extra_query_params={"partNumber": str(part_number), "uploadId": upload_id},
        )

    async def list_parts(self, key: str, upload_id: str) -> list[UploadedPart]:
        """The parts the store already holds for an upload, in order."""

        def _list() -> list[UploadedPart]:
            parts: list[UploadedPart] = []
            marker: str | None = None
            while True:
                result = self._client._list_parts(
                    self.bucket, key, upload_id, max_parts=1000, part_number_marker=marker
                )
                parts.extend(
                    UploadedPart(number=p.part_number, size=p.size or 0, etag=p.etag)
                    for p in result.parts
                )
                if not result.is_truncated:
                    return parts
                marker = str(result.next_part_number_marker)

        return await self._run(_list)

    async def complete_multipart(self, key: str, upload_id: str) -> None:
        """Join the uploaded parts into the object."""
        parts = await self.list_parts(key, upload_id)
        await self._run(
            self._client._complete_multipart_upload,
            self.bucket,
            key,
            upload_id,
            [Part(p.number, p.etag) for p in parts],
        )

    async def abort_multipart(self, key: str, upload_id: str) -> None:
        """Abandon a multipart upload and free its parts; a gone upload is not an error."""
        try:
            await self._run(self._client._abort_multipart_upload, self.bucket, key, upload_id)
        except S3Error as exc:
            if exc.code != "NoSuchUpload":
                raise
        except InvalidResponseError as exc:
            # rclone answers a gone upload with an XML body minio does not recognise as such.
            if "NoSuchUpload" not in str(exc):
                raise


def _host(endpoint: str) -> str:
    """``http://host:port/`` or ``host:port`` → ``host:port``."""
    if "://" in endpoint:
        return urlsplit(endpoint).netloc
    return endpoint.rstrip("/")
