"""The ObjectStore port against a real ``rclone serve s3``."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import urllib.parse

import httpx
import pytest

from lianyan.files.store import ObjectTooLarge, content_disposition


async def test_put_streams_and_reports_sha256_and_size(store):
    data = b"\x00\x01lesson" * 100_000
    stored = await store.put("t/stream.bin", io.BytesIO(data), length=-1)
    assert stored.size == len(data)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert await store.get("t/stream.bin", offset=2, length=6) == b"lesson"
    info = await store.stat("t/stream.bin")
    assert info is not None and info.size == len(data)


async def test_stat_of_missing_object_is_none_and_delete_is_idempotent(store):
    await store.put_bytes("t/gone.txt", b"x")
    await store.delete("t/gone.txt")
    await store.delete("t/gone.txt")
    assert await store.stat("t/gone.txt") is None


async def test_put_over_limit_is_refused_and_leaves_nothing(store):
    before = set(await store.keys("t/limit"))
    with pytest.raises(ObjectTooLarge):
        await store.put("t/limit/big.bin", io.BytesIO(b"y" * 3_000_000), limit=1_000_000)
    assert set(await store.keys("t/limit")) == before


async def test_presigned_get_downloads_under_chinese_name(store):
    await store.put_bytes("t/report.docx", b"docx bytes", content_type="application/octet-stream")
    url = store.presigned_get(
        "t/report.docx", filename="灵宝市2026年教研活动备案表.docx",
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        expires=dt.timedelta(minutes=5),
    )
    response = httpx.get(url)
    assert response.status_code == 200
    assert response.content == b"docx bytes"
    disposition = response.headers["content-disposition"]
    encoded = disposition.split("filename*=UTF-8''", 1)[1]
    assert urllib.parse.unquote(encoded) == "灵宝市2026年教研活动备案表.docx"
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")


def test_content_disposition_keeps_an_ascii_fallback():
    value = content_disposition("教案 v2.docx")
    assert value.startswith('attachment; filename="')
    assert "filename*=UTF-8''%E6%95%99%E6%A1%88%20v2.docx" in value


async def test_multipart_upload_through_presigned_part_urls(store):
    part1, part2 = b"a" * (5 * 1024 * 1024), b"b" * 1234
    upload_id = await store.create_multipart("t/video.mp4", content_type="video/mp4")
    for number, body in ((1, part1), (2, part2)):
        url = store.presigned_part_url("t/video.mp4", upload_id, number,
                                       expires=dt.timedelta(minutes=5))
        assert httpx.put(url, content=body).status_code == 200
    parts = await store.list_parts("t/video.mp4", upload_id)
    assert [(p.number, p.size) for p in parts] == [(1, len(part1)), (2, len(part2))]
    await store.complete_multipart("t/video.mp4", upload_id)
    size, digest = await store.sha256("t/video.mp4")
    assert (size, digest) == (len(part1) + len(part2), hashlib.sha256(part1 + part2).hexdigest())


async def test_aborted_multipart_upload_leaves_no_object(store):
    upload_id = await store.create_multipart("t/aborted.mp4", content_type="video/mp4")
    url = store.presigned_part_url("t/aborted.mp4", upload_id, 1, expires=dt.timedelta(minutes=5))
    httpx.put(url, content=b"z" * 1000)
    await store.abort_multipart("t/aborted.mp4", upload_id)
    await store.abort_multipart("t/aborted.mp4", upload_id)
    assert await store.stat("t/aborted.mp4") is None
