"""Topic documents: checked by content, versioned per kind, downloadable by those who may see."""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

import httpx
import pytest

from lianyan.files.store import ObjectStore
from lianyan.files.tables import StoredFile
from lianyan.topics.tables import Topic, TopicDocument
from tests.builders.files import pdf_bytes, png_bytes
from tests.files.watch import assert_uploaded_outside_transactions, watch_puts


async def test_application_versions_newest_is_current_with_chinese_names(world):
    topic_id = await world.create()
    # Act
    first = await world.upload(topic_id, "application", name="灵宝市课题申报书.docx")
    second = await world.upload(topic_id, "application", data=pdf_bytes(),
                                name="灵宝市课题申报书（修改稿）.pdf")
    listing = await world.call("GET", f"/api/v1/topics/{topic_id}/files", "member")
    # Assert
    assert (first.status_code, second.status_code) == (201, 201), second.text
    assert (first.json()["version"], second.json()["version"]) == (1, 2)
    items = listing.json()["items"]
    assert [(d["kind"], d["version"], d["current"], d["original_name"]) for d in items] == [
        ("application", 2, True, "灵宝市课题申报书（修改稿）.pdf"),
        ("application", 1, False, "灵宝市课题申报书.docx"),
    ]
    assert items[0]["content_type"] == "application/pdf"
    assert items[0]["download_url"] == f"/api/v1/files/{items[0]['file_id']}/download"


async def test_stored_file_is_owned_by_the_topic_and_keyed_by_us(world):
    topic_id = await world.create()
    await world.upload(topic_id, "application", name="申报书.docx")
    row = await StoredFile.select().first()
    assert (row["owner_type"], row["owner_id"], row["kind"]) == ("topic", topic_id,
                                                                 "topic_document")
    assert "申报书" not in row["key"]
    assert row["uploader_id"] == world.ids["officer"]


async def test_download_redirects_with_the_chinese_name_for_readers_only(world):
    topic_id = await world.create()
    uploaded = await world.upload(topic_id, "application", name="课题申报书.docx")
    file_id = uploaded.json()["file_id"]
    url = f"/api/v1/files/{file_id}/download"
    # Act
    member = await world.client.get(url, headers=await world.headers("member"),
                                    follow_redirects=False)
    outsider = await world.client.get(url, headers=await world.headers("lushi"),
                                      follow_redirects=False)
    # Assert
    assert member.status_code == 302
    query = parse_qs(urlsplit(member.headers["location"]).query)
    assert "课题申报书.docx" in unquote(query["response-content-disposition"][0])
    assert outsider.status_code == 404


async def test_download_returns_the_uploaded_bytes(world):
    topic_id = await world.create()
    content = pdf_bytes()
    uploaded = await world.upload(topic_id, "application", data=content, name="申报书.pdf")
    located = await world.client.get(f"/api/v1/files/{uploaded.json()['file_id']}/download",
                                     headers=await world.headers("host"), follow_redirects=False)
    async with httpx.AsyncClient() as plain:
        downloaded = await plain.get(located.headers["location"])
    assert downloaded.status_code == 200
    assert downloaded.content == content


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (png_bytes(), "课题申报书.docx"),  # a photo renamed as a Word file
        (b"MZ\x90\x00" + b"\x00" * 200, "课题申报书.pdf"),  # a program renamed as a PDF
        (b"just some text, not a document", "申报书.docx"),
    ],
)
async def test_renamed_non_document_as_application_is_refused_and_leaves_nothing(
    world, store, data, name
):
    # Arrange
    topic_id = await world.create()
    keys_before = await store.keys()
    rows_before = await StoredFile.count()
    # Act
    response = await world.upload(topic_id, "application", data=data, name=name)
    # Assert
    assert response.status_code == 400, response.text
    assert response.json()["code"].startswith("upload.")
    assert response.json()["detail"].startswith("申报书未能上传：")
    assert "本处只接受：Word 文档（.docx）、PDF 文档（.pdf）" in response.json()["detail"]
    assert await store.keys() == keys_before
    assert await StoredFile.count() == rows_before
    assert await TopicDocument.count() == 0


async def test_result_accepts_a_picture_but_a_stage_report_does_not(world):
    topic_id = await world.create()
    await world.bring_to(topic_id, "opened")
    # Act
    result = await world.upload(topic_id, "result", data=png_bytes(), name="活动照片.png")
    report = await world.upload(topic_id, "midterm", data=png_bytes(), name="中期报告.png")
    # Assert
    assert result.status_code == 201, result.text
    assert report.status_code == 400


async def test_document_outside_its_stage_is_409_naming_when_it_is_accepted(world):
    topic_id = await world.create()
    # Act
    response = await world.upload(topic_id, "final")
    # Assert
    assert response.status_code == 409
    assert response.json()["code"] == "topic.document_stage"
    assert response.json()["detail"] == (
        "课题当前状态为“草稿”，不能上传结题报告；结题报告只能在课题为“中期检查”状态时上传。"
    )


async def test_application_is_frozen_once_submitted(world):
    topic_id = await world.create()
    await world.bring_to(topic_id, "submitted")
    response = await world.upload(topic_id, "application")
    assert response.status_code == 409


async def test_unknown_kind_is_400_listing_the_kinds(world):
    topic_id = await world.create()
    response = await world.upload(topic_id, "poster")
    assert response.status_code == 400
    assert response.json()["code"] == "topic.document_kind"
    assert "申报书（application）" in response.json()["detail"]


async def test_member_may_not_upload_and_outsider_gets_404(world, store):
    topic_id = await world.create()
    keys_before = await store.keys()
    by_member = await world.upload(topic_id, "application", username="member")
    by_outsider = await world.upload(topic_id, "application", username="lushi")
    assert by_member.status_code == 403
    assert by_outsider.status_code == 404
    assert await store.keys() == keys_before


async def test_invited_expert_can_read_the_application(world):
    topic_id = await world.create()
    await world.bring_to(topic_id, "submitted")
    await world.call("POST", f"/api/v1/topics/{topic_id}/reviewers", "city",
                     json={"expert_ids": [world.ids["expert1"]]})
    listing = await world.call("GET", f"/api/v1/topics/{topic_id}/files", "expert1")
    file_id = listing.json()["items"][0]["file_id"]
    located = await world.client.get(f"/api/v1/files/{file_id}/download",
                                     headers=await world.headers("expert1"),
                                     follow_redirects=False)
    not_invited = await world.client.get(f"/api/v1/files/{file_id}/download",
                                         headers=await world.headers("expert2"),
                                         follow_redirects=False)
    assert located.status_code == 302
    assert not_invited.status_code == 404


async def test_document_upload_runs_outside_the_county_lock_while_other_writes_go_on(
    world, monkeypatch
):
    topic_id = await world.create()
    seen = watch_puts(monkeypatch)
    # Act
    response = await world.upload(topic_id, "application", name="申报书.docx")
    # Assert: stored as version 1; the upload held no transaction and no write lock.
    assert response.status_code == 201, response.text
    assert response.json()["version"] == 1
    assert_uploaded_outside_transactions(seen)


async def test_document_upload_refused_under_the_lock_leaves_no_object(world, monkeypatch, store):
    # Arrange: the topic is withdrawn while its document is on its way to the store.
    topic_id = await world.create()
    seen = watch_puts(monkeypatch)
    before = await store.keys("topic/")
    watched = ObjectStore.put

    async def put_then_withdraw(self, key, *args, **kwargs):
        stored = await watched(self, key, *args, **kwargs)
        await Topic.update({Topic.status: "withdrawn"}).where(Topic.id == topic_id)
        return stored

    monkeypatch.setattr(ObjectStore, "put", put_then_withdraw)
    # Act
    response = await world.upload(topic_id, "application", name="申报书.docx")
    # Assert: refused with the stage message; no row, no object.
    assert response.status_code == 409, response.text
    assert response.json()["code"] == "topic.document_stage"
    assert response.json()["topic_status"] == "withdrawn"
    assert len(seen) == 1
    assert await StoredFile.count() == 0
    assert await TopicDocument.count() == 0
    assert await store.keys("topic/") == before
