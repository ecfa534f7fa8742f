"""Video previews made in the background: duration, poster, a 720p H.264 MP4 where needed."""

from __future__ import annotations

import asyncio
import io
from typing import Any

from lianyan.files import media, media_jobs, services, sniff
from lianyan.files.tables import MediaPreview, StoredFile
from tests.builders import org as f
from tests.videos import video

LIMITS = sniff.Limits()


async def _keep(stored: services.FileOut) -> services.FileOut:
    """The owner's "row" of a test file is the file itself."""
    return stored
LARGE = 200 * 1024 * 1024


async def _video(store: Any, data: bytes, name: str, username: str = "t1") -> int:
    person_id = await f.user(username, "teacher")
    stored = await services.attach(
        store, kind="video", fileobj=io.BytesIO(data), filename=name, uploader_id=person_id,
        owner_type="upload", owner_id=person_id, limits=LIMITS,
        lock=f"test-file:{person_id}", write=_keep,
    )
    await media_jobs.enqueue(stored.id)
    return stored.id


async def test_playable_mp4_gets_duration_and_poster_but_no_preview(clean_db, store):
    file_id = await _video(store, video(15), "课堂实录.mp4")

    ran = await media_jobs.MediaWorker(store, large_bytes=LARGE).run_until_idle()

    found = (await media_jobs.media_of([file_id]))[file_id]
    assert len(ran) == 1
    assert found.status == "done"
    assert found.duration_seconds == 15
    assert (found.width, found.height, found.codec) == (320, 240, "h264")
    assert found.has_preview is False
    poster = await StoredFile.select().where(StoredFile.id == found.poster_file_id).first()
    assert poster["content_type"] == "image/jpeg"
    assert poster["original_name"] == "课堂实录（封面）.jpg"
    assert poster["owner_type"] == "upload"  # readable by whoever may read the video
    assert (await store.get(poster["key"]))[:3] == b"\xff\xd8\xff"


async def test_mov_gets_an_h264_mp4_preview_and_the_preview_url_serves_it(client, store):
    file_id = await _video(store, video(6, container="mov"), "IMG_0001.MOV")

    await media_jobs.MediaWorker(store, large_bytes=LARGE).run_until_idle()

    found = (await media_jobs.media_of([file_id]))[file_id]
    assert found.status == "done" and found.has_preview
    assert ".mov" in found.reason
    h = await f.bearer(client, "t1")
    shown = await client.get(f"/api/v1/files/{file_id}/preview", headers=h)
    assert shown.status_code == 200
    assert shown.headers["content-type"] == "video/mp4"
    assert shown.content[4:8] == b"ftyp" and shown.content[8:12] != b"qt  "
    assert "%E9%A2%84%E8%A7%88" in shown.headers["content-disposition"]  # 预览
    # the download still hands out the original .mov
    original = await client.get(f"/api/v1/files/{file_id}/download", headers=h)
    assert "video%2Fquicktime" in original.headers["location"]


async def test_a_large_video_gets_a_preview_for_phones(clean_db, store):
    file_id = await _video(store, video(4), "课堂实录.mp4")

    await media_jobs.MediaWorker(store, large_bytes=1000).run_until_idle()

    found = (await media_jobs.media_of([file_id]))[file_id]
    assert found.has_preview and "720p" in found.reason


async def test_a_video_ffmpeg_cannot_read_fails_with_a_reason_and_keeps_nothing(clean_db, store):
    from tests.exchanges.test_designs import mp4_bytes  # valid boxes, noise inside

    file_id = await _video(store, mp4_bytes(), "坏视频.mp4")
    files_before = await StoredFile.count()

    await media_jobs.MediaWorker(store, large_bytes=LARGE).run_until_idle()

    found = (await media_jobs.media_of([file_id]))[file_id]
    assert found.status == "failed"
    assert "无法读取" in found.reason
    assert found.poster_file_id is None
    assert await StoredFile.count() == files_before


async def test_two_workers_run_each_job_once(clean_db, store):
    ids = [await _video(store, video(3), f"实录{n}.mp4", username=f"t{n}") for n in range(3)]
    one = media_jobs.MediaWorker(store, large_bytes=LARGE, name="one")
    two = media_jobs.MediaWorker(store, large_bytes=LARGE, name="two")

    ran = await asyncio.gather(one.run_until_idle(), two.run_until_idle())

    assert sorted(ran[0] + ran[1]) == sorted(
        r["id"] for r in await MediaPreview.select(MediaPreview.id)
    )
    assert all(m.status == "done" for m in (await media_jobs.media_of(ids)).values())


async def test_enqueue_twice_makes_one_job(clean_db, store):
    file_id = await _video(store, video(3), "实录.mp4")
    await media_jobs.enqueue(file_id)
    assert await MediaPreview.count().where(MediaPreview.source_file == file_id) == 1


async def test_lianyan_worker_once_runs_the_queue(clean_db, store, settings):
    from lianyan.worker import run_worker

    file_id = await _video(store, video(3), "实录.mp4")

    ran = await run_worker(settings, once=True, reports=False)

    assert len(ran) == 1
    assert (await media_jobs.media_of([file_id]))[file_id].status == "done"


def test_parse_info_reads_duration_size_and_codec():
    log = ("Duration: 00:05:32.48, start: 0.000000, bitrate: 1200 kb/s\n"
           "  Stream #0:0[0x1](und): Video: hevc (Main) (hvc1 / 0x31637668), yuv420p(tv), "
           "1920x1080, 3000 kb/s, 30 fps\n")
    info = media.parse_info(log)
    assert (info.duration_seconds, info.width, info.height, info.codec) == (332, 1920, 1080,
                                                                            "hevc")
    reason = media.preview_reason(info, content_type="video/mp4", size=10, large_bytes=LARGE)
    assert reason is not None and "HEVC" in reason
