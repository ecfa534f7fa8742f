"""Comments and notes at a moment of the classroom video (课堂观察 at 05:32)."""

from __future__ import annotations

import io

import docx

from lianyan.files import media_jobs
from lianyan.reports import services as reports
from lianyan.reports.content import Context
from lianyan.reports.docx import ReportFonts
from lianyan.reports.schemas import ReportParams
from lianyan.settings import Settings
from tests.builders.files import docx_bytes
from tests.exchanges.conftest import World, headers
from tests.exchanges.test_designs import _start, _upload
from tests.videos import video


async def _design_with_video(client, world: World) -> tuple[int, dict[str, str]]:
    design_id, h = await _start(client, world)
    assert (await _upload(client, design_id, h, "document", "设计.docx", docx_bytes())
            ).status_code == 201
    response = await _upload(client, design_id, h, "video", "实录.mp4", video(15))
    assert response.status_code == 201, response.text
    return design_id, h


async def test_expert_comments_at_a_moment_and_the_thread_shows_it(client, world):
    design_id, _ = await _design_with_video(client, world)
    h = await headers(client, "expert1")

    posted = await client.post(f"/api/v1/designs/{design_id}/comments", headers=h,
                               json={"version": 2, "body": "这里的提问很好。", "at_seconds": 12})
    listed = await client.get(f"/api/v1/designs/{design_id}/comments", headers=h)

    assert posted.status_code == 201, posted.text
    assert posted.json()["at_seconds"] == 12
    assert [(c["body"], c["at_seconds"]) for c in listed.json()["items"]] == [
        ("这里的提问很好。", 12)]


async def test_a_comment_without_a_moment_has_at_seconds_null(client, world):
    design_id, _ = await _design_with_video(client, world)
    h = await headers(client, "expert1")

    posted = await client.post(f"/api/v1/designs/{design_id}/comments", headers=h,
                               json={"body": "整体设计清楚。"})

    assert posted.status_code == 201
    assert posted.json()["at_seconds"] is None


async def test_bad_moments_are_refused_in_chinese_and_store_nothing(client, world):
    design_id, _ = await _design_with_video(client, world)
    h = await headers(client, "expert1")

    answers = [
        await client.post(f"/api/v1/designs/{design_id}/comments", headers=h,
                          json={"body": "点评", "at_seconds": value})
        for value in (-1, "05:32", 86_401, 1.5)
    ]

    for answer in answers:
        assert answer.status_code == 400, answer.text
        assert answer.json()["code"] == "comment.at_seconds"
        assert "视频时间点" in answer.json()["detail"]
    listed = await client.get(f"/api/v1/designs/{design_id}/comments", headers=h)
    assert listed.json()["total"] == 0


async def test_a_moment_on_a_version_without_video_is_refused(client, world):
    design_id, h_teacher = await _start(client, world)
    await _upload(client, design_id, h_teacher, "document", "设计.docx", docx_bytes())
    h = await headers(client, "expert1")

    answer = await client.post(f"/api/v1/designs/{design_id}/comments", headers=h,
                               json={"body": "点评", "at_seconds": 12})

    assert answer.status_code == 400
    assert answer.json()["code"] == "comment.at_seconds"
    assert "没有课堂视频" in answer.json()["detail"]


async def test_a_moment_after_the_end_of_the_video_is_refused_once_its_length_is_known(
    client, world, store
):
    design_id, _ = await _design_with_video(client, world)
    await media_jobs.MediaWorker(store, large_bytes=10**9).run_until_idle()
    h = await headers(client, "expert1")

    late = await client.post(f"/api/v1/designs/{design_id}/comments", headers=h,
                             json={"body": "点评", "at_seconds": 16})
    last = await client.post(f"/api/v1/designs/{design_id}/comments", headers=h,
                             json={"body": "结尾的小结", "at_seconds": 15})

    assert late.status_code == 400
    assert late.json()["detail"] == "视频时间点 00:16 超出了视频时长 00:15。"
    assert last.status_code == 201


async def test_participant_note_at_a_moment(client, world):
    design_id, _ = await _design_with_video(client, world)
    h = await headers(client, "t2")

    note = await client.post(f"/api/v1/designs/{design_id}/notes", headers=h,
                             json={"body": "幼儿在这里很投入。", "at_seconds": 332 % 15})
    bad = await client.post(f"/api/v1/designs/{design_id}/notes", headers=h,
                            json={"body": "幼儿在这里很投入。", "at_seconds": -3})

    assert note.status_code == 201 and note.json()["at_seconds"] == 2
    assert bad.status_code == 400 and bad.json()["code"] == "note.at_seconds"


async def test_exchange_record_lists_comments_with_their_moments(client, world):
    design_id, _ = await _design_with_video(client, world)
    h = await headers(client, "expert1")
    await client.post(f"/api/v1/designs/{design_id}/comments", headers=h,
                      json={"body": "这里的提问很好。", "at_seconds": 12})
    settings = Settings.from_env()

    _, data = await reports.generate(
        await world.actor("lingbao"), "exchange_record",
        ReportParams(exchange_id=world.exchange_id), context=Context.from_settings(settings),
        fonts=ReportFonts.from_attributes(settings.fonts),
    )

    text = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
    assert "第2版，课堂视频 00:12）：这里的提问很好。" in text


async def test_compare_shows_each_designs_slides_and_video_links(client, world):
    from tests.builders.files import pdf_bytes

    design_id, h = await _design_with_video(client, world)
    await _upload(client, design_id, h, "slides", "课件.pdf", pdf_bytes())
    expert = await headers(client, "expert1")

    api = await client.get(
        f"/api/v1/exchanges/{world.exchange_id}/compare?group={world.groups[1]}", headers=expert)
    page = await client.get(
        f"/exchanges/{world.exchange_id}/compare?group={world.groups[1]}", headers=expert)

    column = next(c for c in api.json()["columns"] if c["design"]["id"] == design_id)
    assert column["slides"]["original_name"] == "课件.pdf"
    assert column["video"]["original_name"] == "实录.mp4"
    assert column["document"]["original_name"] == "设计.docx"
    assert f'/api/v1/files/{column["slides"]["id"]}/preview' in page.text
    assert f"/designs/{design_id}#video" in page.text
    assert f"/designs/{design_id}/versions/3/document" in page.text
