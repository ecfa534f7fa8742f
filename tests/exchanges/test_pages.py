"""The exchange pages: forms post to the same services and show the same Chinese messages."""

from __future__ import annotations

import re

import pytest

from lianyan import clock
from lianyan.exchanges.tables import Comment, DesignVersion, ExchangeGroup, Participant, Score
from tests.builders.files import DESIGN_B, docx_bytes, zip_bytes
from tests.exchanges.conftest import AFTER_DESIGN_DEADLINE, World, headers


async def _as(client, username: str) -> dict[str, str]:
    """Bearer headers plus the CSRF header that page forms need."""
    h = await headers(client, username)
    await client.get("/login")
    return {**h, "x-csrftoken": client.cookies.get("csrftoken", "")}


async def _design_via_pages(client, world: World, username: str, content: bytes) -> int:
    h = await _as(client, username)
    start = await client.post(f"/exchanges/{world.exchange_id}/my-design", headers=h)
    assert start.status_code == 303, start.text
    design_id = int(start.headers["location"].rsplit("/", 1)[1])
    upload = await client.post(
        f"/designs/{design_id}/upload", headers=h, data={"kind": "document"},
        files={"file": ("教学设计.docx", content, "application/octet-stream")},
    )
    assert upload.status_code == 303, upload.text
    return design_id


async def test_exchange_list_and_page_for_a_participant(client, world):
    h = await _as(client, "t1")
    listing = await client.get("/exchanges", headers=h)
    page = await client.get(f"/exchanges/{world.exchange_id}", headers=h)
    assert listing.status_code == 200
    assert "中班语言《小兔乖乖》同研异构" in listing.text
    assert page.status_code == 200
    assert "上传我的教学设计" in page.text
    assert "卢氏县杜关东村幼儿园" in page.text and "第 2 组" in page.text
    assert 'data-testid="notice-badge"' in page.text and "badge bad\">1<" in page.text


async def test_exchange_page_of_another_county_is_404_page(client, world):
    page = await client.get(f"/exchanges/{world.exchange_id}", headers=await _as(client, "hubin"))
    assert page.status_code == 404
    assert "没有找到该交流活动。" in page.text


async def test_create_exchange_form_redirects_or_shows_the_message(client, world):
    h = await _as(client, "lushi")
    fields = {
        "title": "大班科学《沉与浮》同研异构", "content": "大班科学《沉与浮》",
        "age_group": "large", "domain": "science", "mode": "onsite", "place": "卢氏县实验幼儿园",
        "starts_at": "2026-04-01T09:00", "design_deadline": "2026-03-20T18:00",
        "comment_deadline": "2026-03-10T18:00", "blind": "on",
    }
    refused = await client.post("/exchanges/new", headers=h, data=fields)
    fields["comment_deadline"] = "2026-03-30T18:00"
    created = await client.post("/exchanges/new", headers=h, data=fields)
    assert refused.status_code == 400
    assert "点评截止时间必须晚于教学设计提交截止时间。" in refused.text
    assert "大班科学《沉与浮》同研异构" in refused.text  # what was typed stays
    assert created.status_code == 303
    follow = await client.get(created.headers["location"], headers=h)
    assert "卢氏县" in follow.text and "交流活动已创建" in follow.text


async def test_pairing_editor_suggests_with_reasons_and_confirms(client, world):
    h = await _as(client, "lingbao")
    url = f"/exchanges/{world.exchange_id}/pairing"
    chooser = await client.get(
        f"{url}?county_id={world.counties['lingbao']}&county_id={world.counties['lushi']}",
        headers=h,
    )
    ids = [world.kgs[k] for k in "ABCD"]
    suggestion = await client.post(f"{url}/suggest", headers=h,
                                   data={"candidate_ids": [str(i) for i in ids],
                                         "group_size": "2"})
    assert chooser.status_code == 200
    assert all(f'value="{i}"' in chooser.text for i in ids)
    assert suggestion.status_code == 200
    reasons = re.findall(r'data-testid="reason-\d">([^<]+)</p>', suggestion.text)
    assert len(reasons) == 3 and all(reasons)  # two groups and an empty third to move into
    assert "结对" in reasons[0] and "新的一组" in reasons[2]
    assert "灵宝市实验幼儿园</strong> <small class=\"muted\">灵宝市 · 城区</small>" in suggestion.text
    # the officer moves C into group 1 with A: same county, refused with the message
    form = {"kindergarten_ids": [str(i) for i in ids],
            f"group_{world.kgs['A']}": "1", f"teacher_{world.kgs['A']}": str(world.people["t1"]),
            f"group_{world.kgs['C']}": "1", f"teacher_{world.kgs['C']}": str(world.people["t3"]),
            f"group_{world.kgs['B']}": "2", f"teacher_{world.kgs['B']}": str(world.people["t2"]),
            f"group_{world.kgs['D']}": "2", f"teacher_{world.kgs['D']}": str(world.people["t4"])}
    refused = await client.post(f"{url}/confirm", headers=h, data=form)
    assert refused.status_code == 409
    assert "同一县（市、区）的幼儿园不能分在一组" in refused.text
    form[f"group_{world.kgs['C']}"], form[f"group_{world.kgs['B']}"] = "2", "1"
    confirmed = await client.post(f"{url}/confirm", headers=h, data=form)
    assert confirmed.status_code == 303
    groups = await Participant.select(Participant.kindergarten, Participant.group.number).where(
        Participant.exchange == world.exchange_id
    )
    by_group: dict[int, set[int]] = {}
    for row in groups:
        by_group.setdefault(row["group.number"], set()).add(row["kindergarten"])
    assert by_group == {1: {world.kgs["A"], world.kgs["B"]}, 2: {world.kgs["C"], world.kgs["D"]}}
    assert await ExchangeGroup.count() == 2


async def test_pairing_editor_is_forbidden_to_a_teacher(client, world):
    page = await client.get(f"/exchanges/{world.exchange_id}/pairing",
                            headers=await _as(client, "t1"))
    assert page.status_code == 403


async def test_teacher_uploads_on_design_page_and_sees_sections(client, world):
    design_id = await _design_via_pages(client, world, "t1", docx_bytes())
    page = await client.get(f"/designs/{design_id}", headers=await _as(client, "t1"))
    assert page.status_code == 200
    assert "第 1 版" in page.text
    assert "知道不给陌生人开门" in page.text
    assert "/static/files/resumable.js" in page.text
    assert await DesignVersion.count() == 1


async def test_hostile_file_on_design_page_shows_the_message(client, world):
    h = await _as(client, "t1")
    start = await client.post(f"/exchanges/{world.exchange_id}/my-design", headers=h)
    design_id = int(start.headers["location"].rsplit("/", 1)[1])
    response = await client.post(
        f"/designs/{design_id}/upload", headers=h, data={"kind": "document"},
        files={"file": ("教学设计.docx", zip_bytes(), "application/octet-stream")},
    )
    assert response.status_code == 400
    assert "文件内容是 ZIP 压缩包，不是 Word 文档" in response.text
    assert await DesignVersion.count() == 0


async def test_expert_comments_and_scores_teacher_replies_through_pages(client, world):
    design_id = await _design_via_pages(client, world, "t1", docx_bytes())
    expert = await _as(client, "expert1")
    commented = await client.post(f"/designs/{design_id}/comment", headers=expert,
                                  data={"body": "目标可以更具体。", "version": "1"})
    score = {f"{item}_score": "4" for item in ("goal", "content", "process", "children",
                                                 "teacher")}
    score.update({f"{item}_reason": "较好" for item in ("goal", "content", "process",
                                                         "children", "teacher")})
    scored = await client.post(f"/designs/{design_id}/score", headers=expert, data=score)
    top = (await Comment.select(Comment.id))[0]["id"]
    teacher = await _as(client, "t1")
    replied = await client.post(f"/designs/{design_id}/comment", headers=teacher,
                                data={"body": "谢谢专家，已修改。", "parent_id": str(top)})
    own_thread = await client.post(f"/designs/{design_id}/comment", headers=teacher,
                                   data={"body": "自评"})
    page = await client.get(f"/designs/{design_id}", headers=teacher)
    assert [r.status_code for r in (commented, scored, replied)] == [303, 303, 303]
    assert own_thread.status_code == 400
    assert "执教教师可以回复专家的点评" in own_thread.text
    assert "目标可以更具体。" in page.text and "谢谢专家，已修改。" in page.text
    assert await Score.count() == 1


async def test_compare_page_shows_both_columns(client, world):
    await _design_via_pages(client, world, "t1", docx_bytes())
    await _design_via_pages(client, world, "t2", docx_bytes(DESIGN_B))
    page = await client.get(f"/exchanges/{world.exchange_id}/compare?group={world.groups[1]}",
                            headers=await _as(client, "expert1"))
    assert page.status_code == 200
    assert "兔妈妈、大灰狼头饰；故事挂图。" in page.text
    assert "头饰、小房子布景" in page.text
    assert page.text.count('data-testid="column-') == 2


async def test_review_queue_library_and_notifications_pages(client, world):
    await _design_via_pages(client, world, "t1", docx_bytes())
    expert = await _as(client, "expert1")
    queue = await client.get("/reviews", headers=expert)
    library = await client.get("/library", headers=expert)
    notices = await client.get("/notifications", headers=expert)
    teacher_queue = await client.get("/reviews", headers=await _as(client, "t1"))
    assert queue.status_code == 200 and "灵宝市实验幼儿园" in queue.text and "未点评" in queue.text
    assert library.status_code == 200 and "没有找到符合条件的资源" in library.text
    assert "您受邀点评同研异构活动" in notices.text
    assert teacher_queue.status_code == 403


async def test_opening_a_notice_marks_it_read_and_follows_its_link(client, world):
    from lianyan.exchanges.tables import Notification

    h = await _as(client, "t2")
    notice = await Notification.select(Notification.id).where(
        Notification.person == world.people["t2"]
    ).first()
    response = await client.get(f"/notifications/{notice['id']}", headers=h)
    assert response.status_code == 303
    assert response.headers["location"] == f"/exchanges/{world.exchange_id}"
    row = await Notification.select(Notification.read_at).where(
        Notification.id == notice["id"]
    ).first()
    assert row["read_at"] is not None


@pytest.mark.parametrize("username", ["lingbao", "t1", "expert1", "city"])
async def test_home_dashboard_shows_the_exchanges_card(client, world, username):
    page = await client.get("/", headers=await _as(client, username))
    assert page.status_code == 200
    card = page.text.split('data-testid="exchanges-card"', 1)[1].split("</section>", 1)[0]
    assert "中班语言《小兔乖乖》同研异构" in card
    if username in ("t1", "expert1"):  # paired / invited: one unread notice each
        assert "1 条未读通知" in card


async def test_home_dashboard_card_absent_for_someone_outside(client, world):
    page = await client.get("/", headers=await _as(client, "hubin"))
    assert 'data-testid="exchanges-card"' not in page.text


async def test_design_page_after_deadline_offers_only_video_and_images(client, world):
    design_id = await _design_via_pages(client, world, "t1", docx_bytes())
    with clock.pinned(AFTER_DESIGN_DEADLINE):
        page = await client.get(f"/designs/{design_id}", headers=await _as(client, "t1"))
    assert "现在只能补充课堂视频和图片" in page.text
    assert 'value="document"' not in page.text


@pytest.mark.parametrize("field", ["group", "kindergarten_ids", "candidate"])
async def test_pairing_forms_with_a_superscript_number_are_a_400_with_the_chinese_message(
    client, world, field
):
    # Arrange: "²".isdigit() is true but int("²") fails.
    h = await _as(client, "lingbao")
    url = f"/exchanges/{world.exchange_id}/pairing"
    a = world.kgs["A"]
    if field == "candidate":
        target = f"{url}/suggest"
        form = {"candidate_ids": [str(a), "²"], "group_size": "2"}
    else:
        target = f"{url}/confirm"
        form = {"kindergarten_ids": [str(a), "²"] if field == "kindergarten_ids" else [str(a)],
                f"group_{a}": "²" if field == "group" else "1",
                f"teacher_{a}": str(world.people["t1"])}
    groups = await ExchangeGroup.count()
    # Act
    response = await client.post(target, headers=h, data=form)
    # Assert
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert "“²”不是有效的数字" in response.text
    assert await ExchangeGroup.count() == groups
