"""Lesson designs: versions as bundles, deadlines, hostile uploads, the resumable video path."""

from __future__ import annotations

import io
import random
import struct
from typing import Any

import httpx
import pytest

from lianyan import clock
from lianyan.exchanges import designs
from lianyan.exchanges.tables import Design, DesignVersion
from lianyan.files import sniff
from lianyan.files.tables import StoredFile
from tests.builders.files import DESIGN_B, docx_bytes, pdf_bytes, png_bytes, zip_bytes
from tests.exchanges.conftest import AFTER_COMMENT_DEADLINE, AFTER_DESIGN_DEADLINE, World, headers
from tests.files.watch import assert_uploaded_outside_transactions, watch_puts

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def mp4_bytes(size: int = 64 * 1024) -> bytes:
    """A whole small MP4: ftyp, mdat of noise, moov."""

    def box(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", 8 + len(payload)) + kind + payload

    ftyp = box(b"ftyp", b"isom" + struct.pack(">I", 512) + b"isomiso2avc1mp41")
    moov = box(b"moov", box(b"mvhd", bytes(100)))
    payload = random.Random(7).randbytes(size - len(ftyp) - len(moov) - 8)
    return ftyp + box(b"mdat", payload) + moov


async def _start(client, world: World, username: str = "t1") -> tuple[int, dict[str, str]]:
    h = await headers(client, username)
    response = await client.post(f"/api/v1/exchanges/{world.exchange_id}/designs", json={},
                                 headers=h)
    assert response.status_code == 201, response.text
    return response.json()["id"], h


async def _upload(client, design_id: int, h, kind: str, name: str, content: bytes):
    return await client.post(
        f"/api/v1/designs/{design_id}/versions", headers=h, data={"kind": kind},
        files={"file": (name, content, "application/octet-stream")},
    )


async def test_create_design_by_participant_teacher_titles_it_with_the_content(client, world):
    design_id, h = await _start(client, world)
    again = await client.post(f"/api/v1/exchanges/{world.exchange_id}/designs", json={},
                              headers=h)
    design = (await client.get(f"/api/v1/designs/{design_id}", headers=h)).json()
    assert design["title"] == "中班语言《小兔乖乖》"
    assert (design["kindergarten_name"], design["group_number"]) == ("灵宝市实验幼儿园", 1)
    assert design["latest_version"] == 0
    assert again.status_code == 409
    assert again.json()["code"] == "design.exists"
    assert again.json()["design_id"] == design_id


async def test_create_design_by_teacher_outside_the_exchange_is_404(client, world):
    response = await client.post(f"/api/v1/exchanges/{world.exchange_id}/designs", json={},
                                 headers=await headers(client, "t5"))
    assert response.status_code == 404
    assert await Design.count() == 0


async def test_version_bundle_carries_other_parts_forward_and_old_versions_stay(client, world):
    # Arrange
    design_id, h = await _start(client, world)
    # Act
    first = await _upload(client, design_id, h, "document", "小兔乖乖.docx", docx_bytes())
    second = await _upload(client, design_id, h, "slides", "课件.pdf", pdf_bytes())
    third = await _upload(client, design_id, h, "image", "照片.png", png_bytes())
    fourth = await _upload(client, design_id, h, "image", "照片2.png", png_bytes())
    versions = (await client.get(f"/api/v1/designs/{design_id}/versions", headers=h)).json()
    # Assert
    assert [r.status_code for r in (first, second, third, fourth)] == [201] * 4
    assert [v["number"] for v in versions["items"]] == [4, 3, 2, 1]
    newest, oldest = versions["items"][0], versions["items"][-1]
    assert newest["document"]["original_name"] == "小兔乖乖.docx"
    assert newest["document"]["content_type"] == DOCX
    assert newest["slides"]["original_name"] == "课件.pdf"
    assert [i["original_name"] for i in newest["images"]] == ["照片.png", "照片2.png"]
    assert newest["sections"]["goals"].startswith("1. 理解故事内容")
    assert (oldest["change"], oldest["slides"], oldest["images"]) == ("document", None, [])
    assert oldest["document"]["id"] == newest["document"]["id"]
    files = await StoredFile.select(StoredFile.owner_type, StoredFile.owner_id)
    assert files == [{"owner_type": "design", "owner_id": design_id}] * 4


async def test_new_document_replaces_sections_and_old_version_keeps_its_own(client, world):
    design_id, h = await _start(client, world)
    await _upload(client, design_id, h, "document", "一稿.docx", docx_bytes())
    await _upload(client, design_id, h, "document", "二稿.docx", docx_bytes(DESIGN_B))
    items = (await client.get(f"/api/v1/designs/{design_id}/versions", headers=h)).json()["items"]
    assert items[0]["sections"]["goals"] == "在游戏中学说儿歌，体验角色扮演的快乐。"
    assert items[0]["sections_note"] == "文档中没有找到：活动延伸。"
    assert items[1]["sections"]["extension"] == "在表演区投放头饰，继续表演。"


async def test_document_is_checked_once_and_uploaded_outside_the_version_lock(
    client, world, monkeypatch
):
    # Arrange: count the content checks (the real check still runs).
    design_id, h = await _start(client, world)
    checks: list[str] = []
    check_upload = sniff.check_upload

    def counted(kind: str, **kwargs: Any) -> Any:
        checks.append(kind)
        return check_upload(kind, **kwargs)

    monkeypatch.setattr(sniff, "check_upload", counted)
    seen = watch_puts(monkeypatch)
    # Act
    response = await _upload(client, design_id, h, "document", "一稿.docx", docx_bytes())
    # Assert: one check (the Word file is inflated by one check only), sections read, and
    # the upload held no transaction and no write lock.
    assert response.status_code == 201, response.text
    assert response.json()["sections"]["goals"]
    assert checks == ["design_document"]
    assert_uploaded_outside_transactions(seen)


async def test_too_many_images_refused_under_the_lock_leave_no_object(
    client, world, store, monkeypatch
):
    monkeypatch.setattr(designs, "MAX_IMAGES", 2)
    design_id, h = await _start(client, world)
    for n in range(2):
        response = await _upload(client, design_id, h, "image", f"{n}.png", png_bytes())
        assert response.status_code == 201, response.text
    before = await store.keys("design/")
    files_before = await StoredFile.count()
    # Act
    response = await _upload(client, design_id, h, "image", "多一张.png", png_bytes())
    # Assert
    assert response.status_code == 409
    assert response.json()["code"] == "design.too_many_images"
    assert await StoredFile.count() == files_before
    assert await store.keys("design/") == before


async def test_pdf_document_is_stored_without_sections_and_says_so(client, world):
    design_id, h = await _start(client, world)
    response = await _upload(client, design_id, h, "document", "设计.pdf", pdf_bytes())
    assert response.status_code == 201
    assert response.json()["sections"] == {
        "goals": None, "preparation": None, "process": None, "extension": None
    }
    assert "PDF 文档不提取章节" in response.json()["sections_note"]


async def test_partner_in_same_group_cannot_upload_to_my_design(client, world):
    design_id, _ = await _start(client, world)
    response = await _upload(client, design_id, await headers(client, "t2"), "document",
                             "x.docx", docx_bytes())
    assert response.status_code == 403
    assert response.json()["code"] == "design.not_owner"


async def test_after_design_deadline_only_video_and_images_may_be_added(client, world):
    design_id, h = await _start(client, world)
    await _upload(client, design_id, h, "document", "设计.docx", docx_bytes())
    with clock.pinned(AFTER_DESIGN_DEADLINE):
        document = await _upload(client, design_id, h, "document", "改.docx", docx_bytes())
        video = await _upload(client, design_id, h, "video", "实录.mp4", mp4_bytes())
    with clock.pinned(AFTER_COMMENT_DEADLINE):
        image = await _upload(client, design_id, h, "image", "照片.png", png_bytes())
    assert document.status_code == 409
    assert document.json()["code"] == "design.deadline_passed"
    assert "只能补充课堂视频和图片" in document.json()["detail"]
    assert video.status_code == 201
    assert video.json()["video"]["content_type"] == "video/mp4"
    assert video.json()["document"]["original_name"] == "设计.docx"
    assert image.status_code == 409
    assert image.json()["code"] == "design.closed"
    assert await DesignVersion.count() == 2


# Hostile files -------------------------------------------------------------------------------

HOSTILE = [
    pytest.param("document", "教学设计.docx", b"MZ\x90\x00" + bytes(4000), 400,
                 "upload.type_not_allowed", "文件内容是可执行程序，不是 Word 文档", id="exe-as-docx"),
    pytest.param("document", "教学设计.docx", zip_bytes(), 400, "upload.type_not_allowed",
                 "文件内容是 ZIP 压缩包，不是 Word 文档", id="zip-as-docx"),
    pytest.param("document", "教学设计.pdf", pdf_bytes(whole=False), 400, "upload.truncated",
                 "文件不完整或已损坏", id="truncated-pdf"),
    pytest.param("image", "照片.png", png_bytes() + bytes(21 * 1024 * 1024), 413,
                 "upload.too_large", "超过上限 20 MB", id="over-limit"),
    pytest.param("document", "../../etc/教学设计.docx", docx_bytes(), 400, "upload.bad_name",
                 "文件名中不能含有路径", id="dotdot-name"),
    pytest.param("document", "教学设计\x1b[31m.docx", docx_bytes(), 400, "upload.bad_name",
                 "文件名中含有控制字符", id="control-name"),
    pytest.param("poster", "海报.png", png_bytes(), 400, "design.kind", "请选择上传内容",
                 id="unknown-kind"),
]


@pytest.mark.parametrize(("kind", "name", "content", "status", "code", "message"), HOSTILE)
async def test_hostile_upload_is_refused_with_message_and_stores_nothing(
    client, world, store, kind, name, content, status, code, message
):
    # Arrange
    design_id, h = await _start(client, world)
    objects_before = {key for key, _ in await store.listing()}
    # Act
    response = await _upload(client, design_id, h, kind, name, content)
    # Assert
    assert response.status_code == status, response.text
    assert response.json()["code"] == code
    assert message in response.json()["detail"]
    assert await StoredFile.count() == 0
    assert await DesignVersion.count() == 0
    assert {key for key, _ in await store.listing()} == objects_before


async def test_service_refuses_control_characters_and_paths_before_storing(world, store):
    """The same refusals at the service, whatever the HTTP layer does to names."""
    from lianyan.errors import InvalidInput
    from lianyan.exchanges import designs
    from lianyan.exchanges import schemas as s

    actor = await world.actor("t1")
    design = await designs.create_design(actor, world.exchange_id, s.DesignIn())
    for name in ("a\x00b.docx", "..\\..\\x.docx", "报告\u202excod.docx", "sub/dir.docx"):
        with pytest.raises(InvalidInput) as refused:
            await designs.add_version(
                actor, store, design.id, kind="document", fileobj=io.BytesIO(docx_bytes()),
                filename=name, limits=designs.sniff.DEFAULT_LIMITS,
            )
        assert refused.value.code == "upload.bad_name"
    assert await StoredFile.count() == 0


async def test_version_write_failure_removes_the_stored_object(world, store, monkeypatch):
    """If the version row cannot be written, the file already stored goes again."""
    from lianyan.exchanges import designs
    from lianyan.exchanges import schemas as s

    actor = await world.actor("t1")
    design = await designs.create_design(actor, world.exchange_id, s.DesignIn())
    before = {key for key, _ in await store.listing()}

    async def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(designs, "_write_version", broken)
    with pytest.raises(RuntimeError):
        await designs.add_version(
            actor, store, design.id, kind="document", fileobj=io.BytesIO(docx_bytes()),
            filename="设计.docx", limits=designs.sniff.DEFAULT_LIMITS,
        )
    assert await StoredFile.count() == 0
    assert {key for key, _ in await store.listing()} == before


# The resumable path --------------------------------------------------------------------------


async def _finished_upload(client, h, data: bytes, kind: str = "video") -> int:
    started = await client.post(
        "/api/v1/uploads", headers=h,
        json={"kind": kind, "filename": "课堂实录.mp4", "size": len(data)},
    )
    assert started.status_code == 201, started.text
    upload = started.json()
    async with httpx.AsyncClient(timeout=60) as s3:
        part = next(p for p in upload["parts"] if p["number"] == 1)
        assert (await s3.put(part["url"], content=data)).status_code == 200
    done = await client.post(f"/api/v1/uploads/{upload['id']}/complete", headers=h)
    assert done.status_code == 200, done.text
    return int(done.json()["file_id"])


async def test_video_from_resumable_upload_becomes_next_version(client, world):
    design_id, h = await _start(client, world)
    await _upload(client, design_id, h, "document", "设计.docx", docx_bytes())
    file_id = await _finished_upload(client, h, mp4_bytes())
    response = await client.post(f"/api/v1/designs/{design_id}/versions", headers=h,
                                 json={"kind": "video", "file_id": file_id})
    twice = await client.post(f"/api/v1/designs/{design_id}/versions", headers=h,
                              json={"kind": "video", "file_id": file_id})
    assert response.status_code == 201, response.text
    assert response.json()["number"] == 2
    assert response.json()["video"]["id"] == file_id
    assert response.json()["document"]["original_name"] == "设计.docx"
    row = await StoredFile.select(StoredFile.owner_type, StoredFile.owner_id).where(
        StoredFile.id == file_id
    ).first()
    assert row == {"owner_type": "design", "owner_id": design_id}
    assert twice.status_code == 409
    assert twice.json()["code"] == "upload.already_attached"
    assert await DesignVersion.count() == 2


async def test_resumable_path_only_for_videos_and_only_own_files(client, world):
    design_id, h = await _start(client, world)
    other = await headers(client, "t2")
    file_id = await _finished_upload(client, other, mp4_bytes())
    document = await client.post(f"/api/v1/designs/{design_id}/versions", headers=h,
                                 json={"kind": "document", "file_id": file_id})
    stolen = await client.post(f"/api/v1/designs/{design_id}/versions", headers=h,
                               json={"kind": "video", "file_id": file_id})
    assert document.status_code == 400
    assert document.json()["code"] == "design.adopt_kind"
    assert stolen.status_code == 404
    assert stolen.json()["code"] == "upload.file_not_found"
    assert await DesignVersion.count() == 0


async def test_list_versions_constant_queries_at_1_and_50(client, world):
    from lianyan.db import count_queries
    from lianyan.exchanges import designs

    design_id, h = await _start(client, world)
    await _upload(client, design_id, h, "document", "设计.docx", docx_bytes())
    actor = await world.actor("t1")
    with count_queries() as one:
        versions = await designs.list_versions(actor, design_id)
    first = await DesignVersion.select().where(DesignVersion.design == design_id).first()
    for number in range(2, 51):
        await DesignVersion.insert(DesignVersion(**{
            **{k: v for k, v in first.items() if k != "id"}, "number": number,
        }))
    with count_queries() as fifty:
        versions = await designs.list_versions(actor, design_id)
    assert len(versions) == 50
    assert {v.document.original_name for v in versions} == {"设计.docx"}
    assert one[0] == fifty[0]
