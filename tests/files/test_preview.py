"""Looking at files in the browser: inline previews, ranges answered 206 on the embedded store."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from lianyan.files import preview, services, sniff
from tests.builders import org as f
from tests.videos import video

LIMITS = sniff.Limits()


async def _keep(stored: services.FileOut) -> services.FileOut:
    """The owner's "row" of a test file is the file itself."""
    return stored


async def _own_file(store: Any, username: str, data: bytes, name: str, kind: str) -> int:
    """A finished upload of ``username`` (readable by them alone)."""
    person_id = await f.user(username, "teacher")
    stored = await services.attach(
        store, kind=kind, fileobj=io.BytesIO(data), filename=name, uploader_id=person_id,
        owner_type="upload", owner_id=person_id, limits=LIMITS,
        lock=f"test-file:{person_id}", write=_keep,
    )
    return stored.id


async def test_range_on_a_video_preview_answers_206_with_exactly_those_bytes(client, store):
    data = video()
    file_id = await _own_file(store, "t1", data, "课堂实录.mp4", "video")
    h = await f.bearer(client, "t1")

    response = await client.get(f"/api/v1/files/{file_id}/preview",
                                headers={**h, "Range": "bytes=1000-1999"})

    assert response.status_code == 206
    assert response.content == data[1000:2000]
    assert response.headers["content-range"] == f"bytes 1000-1999/{len(data)}"
    assert response.headers["content-length"] == "1000"
    assert response.headers["content-type"] == "video/mp4"
    assert response.headers["accept-ranges"] == "bytes"
    assert response.headers["content-disposition"].startswith("inline;")


async def test_preview_without_range_is_the_whole_file_and_open_and_suffix_ranges_work(
    client, store
):
    data = video()
    file_id = await _own_file(store, "t1", data, "课堂实录.mp4", "video")
    h = await f.bearer(client, "t1")
    url = f"/api/v1/files/{file_id}/preview"

    whole = await client.get(url, headers=h)
    tail = await client.get(url, headers={**h, "Range": "bytes=-500"})
    rest = await client.get(url, headers={**h, "Range": f"bytes={len(data) - 10}-"})
    beyond_end = await client.get(url, headers={**h, "Range": "bytes=0-99999999"})

    assert whole.status_code == 200 and whole.content == data
    assert tail.status_code == 206 and tail.content == data[-500:]
    assert rest.status_code == 206 and rest.content == data[-10:]
    assert beyond_end.status_code == 206 and beyond_end.content == data


async def test_range_past_the_end_is_416_with_the_size(client, store):
    data = video()
    file_id = await _own_file(store, "t1", data, "课堂实录.mp4", "video")
    h = await f.bearer(client, "t1")

    response = await client.get(f"/api/v1/files/{file_id}/preview",
                                headers={**h, "Range": f"bytes={len(data)}-"})

    assert response.status_code == 416
    assert response.headers["content-range"] == f"bytes */{len(data)}"
    assert response.json()["code"] == "file.range"
    assert "超出了文件大小" in response.json()["detail"]


async def test_pdf_preview_opens_inline_and_a_docx_is_refused_in_chinese(client, store):
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n" + b"x" * 2000 + b"\n%%EOF\n"
    pdf_id = await _own_file(store, "t1", pdf, "教学设计.pdf", "design_document")
    from tests.builders.files import docx_bytes

    person = await f.principal("t1")
    docx = await services.attach(
        store, kind="design_document", fileobj=io.BytesIO(docx_bytes()), filename="设计.docx",
        uploader_id=person.person_id, owner_type="upload", owner_id=person.person_id,
        limits=LIMITS,
        lock=f"test-file:{person.person_id}", write=_keep,
    )
    h = await f.bearer(client, "t1")

    shown = await client.get(f"/api/v1/files/{pdf_id}/preview", headers=h)
    refused = await client.get(f"/api/v1/files/{docx.id}/preview", headers=h)

    assert shown.status_code == 200 and shown.content == pdf
    assert shown.headers["content-type"] == "application/pdf"
    assert shown.headers["content-disposition"].startswith("inline;")
    assert refused.status_code == 400
    assert refused.json()["code"] == "file.no_preview"
    assert "下载后打开" in refused.json()["detail"]


async def test_someone_elses_file_and_a_missing_file_are_404(client, store):
    file_id = await _own_file(store, "t1", video(), "课堂实录.mp4", "video")
    await f.user("t2", "teacher")
    h = await f.bearer(client, "t2")

    other = await client.get(f"/api/v1/files/{file_id}/preview", headers=h)
    missing = await client.get("/api/v1/files/999999/preview", headers=h)

    assert other.status_code == 404 and other.json()["code"] == "file.not_found"
    assert missing.status_code == 404


async def test_a_store_that_answers_ranges_itself_gets_a_redirect_to_an_inline_url(
    client, store
):
    """MinIO answers ranges with 206: the app only signs an inline URL."""
    file_id = await _own_file(store, "t1", video(), "课堂实录.mp4", "video")
    h = await f.bearer(client, "t1")
    store.serves_ranges = True
    try:
        response = await client.get(f"/api/v1/files/{file_id}/preview", headers=h)
    finally:
        store.serves_ranges = False

    assert response.status_code == 302
    query = parse_qs(urlsplit(response.headers["location"]).query)
    assert query["response-content-disposition"][0].startswith("inline;")
    assert query["response-content-type"] == ["video/mp4"]


async def test_the_embedded_rclone_does_not_answer_ranges_with_206(store):
    """Why the app streams previews itself: rclone serve s3 1.75 answers a range with 200."""
    assert await store.probe_ranges() is False
    data = await store.get(".lianyan/range-probe", offset=2, length=3)
    assert data == b"234"


@pytest.mark.parametrize(
    ("header", "expected"),
    [(None, None), ("bytes=0-0", (0, 0)), ("bytes=5-", (5, 99)), ("bytes=-10", (90, 99)),
     ("bytes=10-5", None), ("bytes=0-1,5-6", None), ("items=0-5", None), ("bytes=-", None),
     ("bytes=50-500", (50, 99))],
)
def test_parse_range(header, expected):
    assert preview.parse_range(header, 100) == expected


@pytest.mark.parametrize("header", ["bytes=100-", "bytes=-0", "bytes=200-300"])
def test_parse_range_beyond_the_end_is_unsatisfiable(header):
    with pytest.raises(preview.RangeNotSatisfiable):
        preview.parse_range(header, 100)
