"""Resumable direct uploads through the real app, the real database and a real rclone store.

Parts are PUT with httpx straight to the presigned URLs, as a browser would. The app under test
hands out 5 MiB parts (the S3 minimum for every part but the last), so an 11 MiB file has three.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import random
import struct
import typing
import zipfile
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import httpx
import msgspec
import pytest

from lianyan.files import sniff, uploads
from lianyan.files.tables import StoredFile, Upload

# The browser fixtures, for the one test of the uploader script in a real Chromium.
from tests.browser.conftest import browser, browser_page, live_server, sign_in  # noqa: F401
from tests.builders import org as f

MiB = 1024 * 1024
PART = 5 * MiB


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def mp4_bytes(size: int, seed: int = 7) -> bytes:
    """A whole MP4 (ftyp, mdat of seeded noise, moov at the end) of exactly ``size`` bytes."""
    ftyp = _box(b"ftyp", b"isom" + struct.pack(">I", 512) + b"isomiso2avc1mp41")
    moov = _box(b"moov", _box(b"mvhd", bytes(100)))
    payload = random.Random(seed).randbytes(size - len(ftyp) - len(moov) - 8)
    return ftyp + _box(b"mdat", payload) + moov


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("课堂实录/说明.txt", "不是视频".encode() * 1000)
    return buffer.getvalue()


VIDEO = mp4_bytes(11 * MiB)


@pytest.fixture(scope="module")
def small_parts_app(settings: typing.Any) -> typing.Any:
    """The app, handing out 5 MiB parts."""
    from lianyan.web.app import create_app

    limits = msgspec.structs.replace(settings.uploads, part_bytes=PART)
    return create_app(msgspec.structs.replace(settings, uploads=limits))


@pytest.fixture
async def api(
    small_parts_app: typing.Any, clean_db: None, store: typing.Any
) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on that app, on empty tables (set up as the ``client`` fixture is)."""
    small_parts_app.state.store = store
    transport = httpx.ASGITransport(app=small_parts_app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as c:
        yield c


@pytest.fixture
async def s3() -> AsyncIterator[httpx.AsyncClient]:
    """The browser's side: plain HTTP straight to the store."""
    async with httpx.AsyncClient(timeout=60) as client:
        yield client


async def teacher(api: typing.Any, username: str = "wang") -> dict[str, str]:
    await f.user(username, "teacher", name=f"{username}老师")
    return await f.bearer(api, username)


async def start(api: typing.Any, headers: dict[str, str], data: bytes, **body: typing.Any):
    fields = {"kind": "video", "filename": "大班科学《沉与浮》.mp4", "size": len(data), **body}
    response = await api.post("/api/v1/uploads", json=fields, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def put_part(s3: httpx.AsyncClient, upload: dict, number: int, data: bytes) -> None:
    url = next(p["url"] for p in upload["parts"] if p["number"] == number)
    chunk = data[(number - 1) * upload["part_size"] : number * upload["part_size"]]
    response = await s3.put(url, content=chunk)
    assert response.status_code == 200, response.text


async def parts_exist(store: typing.Any, upload_id: int) -> bool:
    row = await Upload.select(Upload.key).where(Upload.id == upload_id).first()
    return bool(await store.keys(uploads.parts_prefix(row["key"])))


async def object_key(upload_id: int) -> str:
    row = await Upload.select(Upload.key).where(Upload.id == upload_id).first()
    return str(row["key"])


# --------------------------------------------------------------------------- the whole path


async def test_upload_broken_and_resumed_completes_with_the_local_sha256(api, s3, store):
    # Arrange: three parts (5 + 5 + 1 MiB); part 1 arrives, part 2 breaks off half-way.
    headers = await teacher(api)
    upload = await start(api, headers, VIDEO, purpose="design_version")
    assert (upload["part_size"], upload["part_count"]) == (PART, 3)
    assert [p["number"] for p in upload["parts"]] == [1, 2, 3]
    await put_part(s3, upload, 1, VIDEO)

    async def cut_off() -> AsyncIterator[bytes]:
        yield VIDEO[PART : PART + MiB]
        raise ConnectionResetError("the village's 4G dropped")

    part2 = next(p["url"] for p in upload["parts"] if p["number"] == 2)
    with pytest.raises(ConnectionResetError):
        await s3.put(part2, content=cut_off(), headers={"Content-Length": str(PART)})

    # Act: the browser comes back, asks what the store holds, sends the rest, completes.
    state = (await api.get(f"/api/v1/uploads/{upload['id']}", headers=headers)).json()
    for part in state["parts"]:
        await put_part(s3, state, part["number"], VIDEO)
    done = await api.post(f"/api/v1/uploads/{upload['id']}/complete", headers=headers)

    # Assert
    assert state["status"] == "open"
    assert state["stored"] == [{"number": 1, "size": PART}]
    assert state["uploaded_bytes"] == PART
    assert [p["number"] for p in state["parts"]] == [2, 3]
    assert state["expires_in"] == 3600
    assert done.status_code == 200, done.text
    local = hashlib.sha256(VIDEO).hexdigest()
    assert done.json()["sha256"] == local
    assert done.json()["size"] == len(VIDEO)
    person = (await api.get("/api/v1/me", headers=headers)).json()["person_id"]
    row = await StoredFile.select().where(StoredFile.id == done.json()["file_id"]).first()
    assert row["sha256"] == local
    assert row["size"] == len(VIDEO)
    assert row["content_type"] == "video/mp4"
    assert row["kind"] == "video"
    assert row["original_name"] == "大班科学《沉与浮》.mp4"
    assert (row["owner_type"], row["owner_id"], row["uploader_id"]) == ("upload", person, person)
    assert await store.sha256(row["key"]) == (len(VIDEO), local)
    finished = (await api.get(f"/api/v1/uploads/{upload['id']}", headers=headers)).json()
    assert finished["status"] == "completed"
    assert finished["file_id"] == row["id"]
    assert finished["parts"] == []


async def test_upload_completed_twice_returns_the_same_file(api, s3):
    headers = await teacher(api)
    small = mp4_bytes(2 * MiB)
    upload = await start(api, headers, small)
    await put_part(s3, upload, 1, small)
    first = await api.post(f"/api/v1/uploads/{upload['id']}/complete", headers=headers)

    again = await api.post(f"/api/v1/uploads/{upload['id']}/complete", headers=headers)

    assert again.status_code == 200
    assert again.json() == first.json()
    assert await StoredFile.count() == 1


# --------------------------------------------------------------------------- refusals


async def test_upload_zip_declared_as_video_is_refused_and_leaves_no_object(api, s3, store):
    # Arrange
    headers = await teacher(api)
    data = zip_bytes()
    upload = await start(api, headers, data, filename="课堂实录.mp4")
    await put_part(s3, upload, 1, data)
    key = await object_key(upload["id"])

    # Act
    response = await api.post(f"/api/v1/uploads/{upload['id']}/complete", headers=headers)

    # Assert
    assert response.status_code == 400
    assert response.json()["code"] == "upload.type_not_allowed"
    assert response.json()["detail"].startswith("文件内容是 ZIP 压缩包，不是 MP4 视频。")
    assert "本处只接受：MP4 视频（.mp4）、QuickTime 视频（.mov）" in response.json()["detail"]
    assert await store.stat(key) is None
    assert key not in await store.keys("upload/")
    assert await StoredFile.count() == 0
    state = (await api.get(f"/api/v1/uploads/{upload['id']}", headers=headers)).json()
    assert state["status"] == "failed"
    assert state["parts"] == []


async def test_upload_cut_off_video_is_refused_as_truncated(api, s3, store):
    # A recording whose moov box never arrived (declared size matches what was sent).
    headers = await teacher(api)
    data = VIDEO[: 4 * MiB]
    upload = await start(api, headers, data)
    await put_part(s3, upload, 1, data)

    response = await api.post(f"/api/v1/uploads/{upload['id']}/complete", headers=headers)

    assert response.status_code == 400
    assert response.json()["code"] == "upload.truncated"
    assert response.json()["detail"] == "文件不完整或已损坏，请重新导出后上传。"
    assert await store.stat(await object_key(upload["id"])) is None


async def test_upload_part_of_the_wrong_size_is_not_counted_and_can_be_sent_again(
    api, s3, store
):
    # Arrange: 11 MiB declared, but the last part arrives 1,000 bytes short.
    headers = await teacher(api)
    upload = await start(api, headers, VIDEO)
    sent = VIDEO[:-1000]
    for number in (1, 2, 3):
        await put_part(s3, upload, number, sent)
    key = await object_key(upload["id"])

    # Act
    response = await api.post(f"/api/v1/uploads/{upload['id']}/complete", headers=headers)
    state = (await api.get(f"/api/v1/uploads/{upload['id']}", headers=headers)).json()
    await put_part(s3, state, 3, VIDEO)
    again = await api.post(f"/api/v1/uploads/{upload['id']}/complete", headers=headers)

    # Assert
    assert response.status_code == 409
    assert response.json()["code"] == "upload.incomplete"
    assert response.json()["missing"] == [3]
    assert [p["number"] for p in state["stored"]] == [1, 2]
    assert state["status"] == "open"
    assert again.status_code == 200, again.text
    assert again.json()["sha256"] == hashlib.sha256(VIDEO).hexdigest()
    assert await store.keys(uploads.parts_prefix(key)) == []


async def test_upload_complete_with_parts_missing_is_409_and_stays_resumable(api, s3):
    headers = await teacher(api)
    upload = await start(api, headers, VIDEO)
    await put_part(s3, upload, 1, VIDEO)

    response = await api.post(f"/api/v1/uploads/{upload['id']}/complete", headers=headers)

    assert response.status_code == 409
    assert response.json()["code"] == "upload.incomplete"
    assert response.json()["missing"] == [2, 3]
    assert response.json()["detail"] == "还有 2 个分片没有上传完，请继续上传。"
    state = (await api.get(f"/api/v1/uploads/{upload['id']}", headers=headers)).json()
    assert state["status"] == "open"
    assert [p["number"] for p in state["parts"]] == [2, 3]


async def test_upload_too_large_is_refused_before_any_byte_is_sent(api):
    headers = await teacher(api)

    response = await api.post(
        "/api/v1/uploads",
        json={"kind": "video", "filename": "全天录像.mp4", "size": 3 * 1024**3},
        headers=headers,
    )

    assert response.status_code == 413
    assert response.json()["code"] == "upload.too_large"
    assert response.json()["detail"] == "文件大小 3 GB，超过上限 2 GB。"
    assert await Upload.count() == 0


async def test_upload_empty_file_is_refused_with_a_chinese_reason(api):
    headers = await teacher(api)

    response = await api.post(
        "/api/v1/uploads", json={"kind": "video", "filename": "a.mp4", "size": 0}, headers=headers
    )

    assert response.status_code == 400
    assert response.json()["code"] == "upload.empty"
    assert await Upload.count() == 0


async def test_upload_eleventh_open_upload_is_refused(api):
    headers = await teacher(api)
    body = {"kind": "video", "filename": "a.mp4", "size": MiB}
    for _ in range(uploads.MAX_OPEN_UPLOADS):
        assert (await api.post("/api/v1/uploads", json=body, headers=headers)).status_code == 201

    response = await api.post("/api/v1/uploads", json=body, headers=headers)

    assert response.status_code == 409
    assert response.json()["code"] == "upload.too_many"
    assert await Upload.count() == uploads.MAX_OPEN_UPLOADS


# --------------------------------------------------------------------------- who may


async def test_upload_of_another_person_is_404_to_see_complete_or_cancel(api, s3):
    # Arrange
    owner = await teacher(api, "wang")
    other = await teacher(api, "li")
    upload = await start(api, owner, mp4_bytes(MiB))
    await put_part(s3, upload, 1, mp4_bytes(MiB))
    path = f"/api/v1/uploads/{upload['id']}"

    # Act
    seen = await api.get(path, headers=other)
    completed = await api.post(f"{path}/complete", headers=other)
    cancelled = await api.delete(path, headers=other)

    # Assert
    for response in (seen, completed, cancelled):
        assert response.status_code == 404
        assert response.json()["code"] == "upload.not_found"
        assert response.json()["detail"] == "没有找到该上传。"
    state = (await api.get(path, headers=owner)).json()
    assert state["status"] == "open"
    assert state["stored"] == [{"number": 1, "size": MiB}]
    assert await StoredFile.count() == 0


async def test_upload_without_login_is_401(api):
    response = await api.post(
        "/api/v1/uploads", json={"kind": "video", "filename": "a.mp4", "size": MiB}
    )

    assert response.status_code == 401
    assert await Upload.count() == 0


# --------------------------------------------------------------------------- cancelling


async def test_upload_cancelled_frees_its_parts_and_cannot_continue(api, s3, store):
    headers = await teacher(api)
    upload = await start(api, headers, VIDEO)
    await put_part(s3, upload, 1, VIDEO)

    response = await api.delete(f"/api/v1/uploads/{upload['id']}", headers=headers)

    assert response.status_code == 204
    assert not await parts_exist(store, upload["id"])
    state = (await api.get(f"/api/v1/uploads/{upload['id']}", headers=headers)).json()
    assert (state["status"], state["parts"]) == ("aborted", [])
    again = await api.post(f"/api/v1/uploads/{upload['id']}/complete", headers=headers)
    assert again.status_code == 409
    assert again.json()["code"] == "upload.aborted"


async def test_upload_survives_a_restart_of_the_store_between_parts(api, s3, store, s3_server):
    # rclone keeps S3 multipart uploads in memory; parts are plain objects, so they stay.
    headers = await teacher(api)
    upload = await start(api, headers, VIDEO)
    await put_part(s3, upload, 1, VIDEO)

    s3_server.stop()
    s3_server.start()
    state = (await api.get(f"/api/v1/uploads/{upload['id']}", headers=headers)).json()
    for part in state["parts"]:
        await put_part(s3, state, part["number"], VIDEO)
    done = await api.post(f"/api/v1/uploads/{upload['id']}/complete", headers=headers)

    assert state["status"] == "open"
    assert state["stored"] == [{"number": 1, "size": PART}]
    assert done.status_code == 200, done.text
    assert done.json()["sha256"] == hashlib.sha256(VIDEO).hexdigest()
    assert not await parts_exist(store, upload["id"])


# --------------------------------------------------------------------------- the browser's side


async def test_upload_part_url_answers_the_browsers_cors_preflight(api, s3):
    headers = await teacher(api)
    upload = await start(api, headers, VIDEO)

    response = await s3.options(
        upload["parts"][0]["url"],
        headers={
            "Origin": "http://lianyan.example",
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "content-type",
        },
    )

    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] in ("*", "http://lianyan.example")
    assert "PUT" in response.headers["access-control-allow-methods"]
    assert "content-type" in response.headers["access-control-allow-headers"].lower()


async def test_upload_script_is_served_to_pages(api):
    response = await api.get("/static/files/resumable.js")

    assert response.status_code == 200
    assert "javascript" in response.headers["content-type"]
    assert "lianyan:uploaded" in response.text
    assert "x-csrftoken" in response.text


def test_upload_kinds_are_the_sniff_kinds():
    assert set(typing.get_args(uploads.UploadKindName)) == set(sniff.UPLOAD_KINDS)


def test_plan_parts_keeps_within_the_s3_part_limit():
    assert uploads.plan_parts(11 * MiB, PART) == (PART, 3)
    assert uploads.plan_parts(10 * MiB, PART) == (PART, 2)
    assert uploads.plan_parts(1, PART) == (PART, 1)
    size, count = uploads.plan_parts(100 * 1024**3, 8 * MiB)
    assert count <= uploads.MAX_PARTS
    assert size * count >= 100 * 1024**3


# --------------------------------------------------------------------------- adopt


async def finished(api: typing.Any, s3: httpx.AsyncClient, headers: dict, kind: str = "video"):
    data = mp4_bytes(MiB)
    upload = await start(api, headers, data, kind=kind)
    await put_part(s3, upload, 1, data)
    done = await api.post(f"/api/v1/uploads/{upload['id']}/complete", headers=headers)
    assert done.status_code == 200, done.text
    return done.json()["file_id"]


async def person_of(api: typing.Any, headers: dict) -> int:
    return int((await api.get("/api/v1/me", headers=headers)).json()["person_id"])


async def test_adopt_attaches_the_uploaders_file_to_its_owner(api, s3):
    headers = await teacher(api)
    file_id = await finished(api, s3, headers)
    person = await person_of(api, headers)

    adopted = await uploads.adopt(
        file_id=file_id, person_id=person, owner_type="design_version", owner_id=12, kind="video"
    )

    assert adopted.id == file_id
    assert adopted.content_type == "video/mp4"
    row = await StoredFile.select(StoredFile.owner_type, StoredFile.owner_id).where(
        StoredFile.id == file_id
    ).first()
    assert row == {"owner_type": "design_version", "owner_id": 12}


async def test_adopt_someone_elses_file_is_not_found(api, s3):
    headers = await teacher(api, "wang")
    await teacher(api, "li")
    file_id = await finished(api, s3, headers)
    li = await f.principal("li")

    with pytest.raises(uploads.NotFound) as refused:
        await uploads.adopt(
            file_id=file_id, person_id=li.person_id, owner_type="design_version", owner_id=1,
            kind="video",
        )

    assert refused.value.code == "upload.file_not_found"
    row = await StoredFile.select(StoredFile.owner_type).where(StoredFile.id == file_id).first()
    assert row["owner_type"] == "upload"


async def test_adopt_of_another_kind_is_refused(api, s3):
    headers = await teacher(api)
    file_id = await finished(api, s3, headers, kind="topic_result")
    person = await person_of(api, headers)

    with pytest.raises(uploads.InvalidInput) as refused:
        await uploads.adopt(
            file_id=file_id, person_id=person, owner_type="design_version", owner_id=1,
            kind="video",
        )

    assert refused.value.code == "upload.wrong_kind"
    assert refused.value.detail == "该文件是作为课题成果上传的，不能用作课堂视频，请重新选择文件上传。"


async def test_adopt_twice_is_refused(api, s3):
    headers = await teacher(api)
    file_id = await finished(api, s3, headers)
    person = await person_of(api, headers)
    await uploads.adopt(
        file_id=file_id, person_id=person, owner_type="design_version", owner_id=1, kind="video"
    )

    with pytest.raises(uploads.Conflict) as refused:
        await uploads.adopt(
            file_id=file_id, person_id=person, owner_type="design_version", owner_id=2,
            kind="video",
        )

    assert refused.value.code == "upload.already_attached"
    row = await StoredFile.select(StoredFile.owner_id).where(StoredFile.id == file_id).first()
    assert row["owner_id"] == 1


# --------------------------------------------------------------------------- the uploader script

PAGE_WITH_UPLOADER = """() => {
  const input = document.createElement('input');
  input.type = 'file';
  input.id = 'video';
  input.setAttribute('data-lianyan-upload', 'video');
  input.setAttribute('data-purpose', 'design_version');
  input.addEventListener('lianyan:uploaded', (e) => { window.uploaded = e.detail; });
  document.body.append(input);
}"""


@pytest.mark.browser
async def test_uploader_script_resumes_after_dropped_parts_and_a_reload(
    browser_page, live_server, settings, store, clean_db, tmp_path  # noqa: F811
):
    # Arrange: a 17 MiB video (the live server's 8 MiB parts: three of them) on disk, so that
    # choosing it again after the reload gives the same name, size and modification time.
    page = browser_page
    await f.user("wang", "teacher", name="王老师")
    await sign_in(page, "wang", f.PASSWORD)
    video = mp4_bytes(17 * MiB, seed=11)
    path = tmp_path / "大班科学《沉与浮》.mp4"
    path.write_bytes(video)
    sent: list[int] = []
    network = {"down_for": {2, 3}, "drop_once": set()}

    async def store_traffic(route: typing.Any) -> None:
        request = route.request
        if request.method != "PUT":
            await route.continue_()
            return
        number = int(urlsplit(request.url).path.rsplit("/", 1)[1])  # …/<key>.parts/00002
        if number in network["down_for"]:
            await route.abort("internetdisconnected")
            return
        if number in network["drop_once"]:
            network["drop_once"].discard(number)
            await route.abort("connectionreset")
            return
        sent.append(number)
        await route.continue_()

    await page.route(f"{settings.store.endpoint}/**", store_traffic)

    # Act 1: part 1 gets through, then the network fails for the rest; the page is reloaded.
    await page.evaluate(PAGE_WITH_UPLOADER)
    await page.add_script_tag(url="/static/files/resumable.js")
    await page.set_input_files("#video", str(path))
    await page.wait_for_function(
        "() => document.querySelector('.upload-status').textContent.includes('秒后自动重试')"
    )
    row = None
    for _ in range(150):  # until the store holds part 1
        row = await Upload.select(Upload.key).first()
        if row and await store.keys(uploads.parts_prefix(row["key"])):
            break
        await asyncio.sleep(0.1)
    assert sent == [1]
    await page.reload()

    # Act 2: back on the page, the network works except for one reset; same file again.
    network["down_for"] = set()
    network["drop_once"] = {3}
    await page.evaluate(PAGE_WITH_UPLOADER)
    await page.add_script_tag(url="/static/files/resumable.js")
    await page.set_input_files("#video", str(path))
    detail = await (await page.wait_for_function("() => window.uploaded", timeout=60_000)).json_value()

    # Assert: part 1 was not sent again; the stored file is the local file.
    assert sent == [1, 2, 3]
    row = await StoredFile.select().where(StoredFile.id == detail["fileId"]).first()
    assert row["sha256"] == hashlib.sha256(video).hexdigest() == detail["sha256"]
    assert row["original_name"] == "大班科学《沉与浮》.mp4"
    assert await Upload.count() == 1
    assert await page.inner_text(".upload-status") == "上传完成。"
    assert await page.eval_on_selector("progress", "p => p.value") == 100
    assert await page.evaluate("Object.keys(localStorage).length") == 0
