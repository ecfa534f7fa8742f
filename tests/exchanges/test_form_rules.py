"""Rules that used to live only in page handlers: the API and the page answer alike.

Each rule is in the schema (``Meta(extra={"code": ...})``) or the service now, so the JSON API
answers the bad input with the same ``code`` and Chinese message as the page form, and the
page shows it as HTML with the form still filled in.
"""

from __future__ import annotations

from lianyan.exchanges.tables import Comment, ExchangeGroup, ObservationNote, Score
from tests.builders.files import docx_bytes
from tests.exchanges.conftest import World, headers
from tests.exchanges.test_pages import _as, _design_via_pages


async def _problem(response, code: str) -> str:
    assert response.status_code in (400, 403), response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == code, body
    return str(body["detail"])


async def _page_error(response, message: str) -> None:
    assert response.status_code in (400, 403), response.text
    assert response.headers["content-type"].startswith("text/html")
    assert message in response.text


async def test_pairing_too_few_is_answered_by_the_api_and_the_page_alike(client, world: World):
    h = await headers(client, "lingbao")
    api = await client.post(f"/api/v1/exchanges/{world.exchange_id}/pairing/suggest",
                            headers=h, json={"candidate_ids": [world.kgs["A"]]})
    detail = await _problem(api, "pairing.too_few")
    page = await client.post(f"/exchanges/{world.exchange_id}/pairing/suggest",
                             headers=await _as(client, "lingbao"),
                             data={"candidate_ids": [str(world.kgs["A"])], "group_size": "2"})
    await _page_error(page, detail)



async def test_comment_note_and_score_rules_are_answered_by_the_api_and_the_page_alike(
    client, world: World
):
    # Arrange
    design_id = await _design_via_pages(client, world, "t1", docx_bytes())
    expert, teacher = await headers(client, "expert1"), await headers(client, "t2")
    counts = (await Comment.count(), await ObservationNote.count(), await Score.count())
    # Act / Assert: the API
    comment = await _problem(await client.post(
        f"/api/v1/designs/{design_id}/comments", headers=expert, json={"body": "  "}),
        "comment.empty")
    note = await _problem(await client.post(
        f"/api/v1/designs/{design_id}/notes", headers=teacher, json={"body": ""}), "note.empty")
    items = {k: {"score": 4, "reason": "好"} for k in ("goal", "content", "process", "children",
                                                        "teacher")}
    score = await _problem(await client.put(
        f"/api/v1/designs/{design_id}/scores", headers=expert,
        json={**items, "children": {"score": 7, "reason": "好"}}), "score.item")
    assert "幼儿表现" in score
    # … and the page, with what was typed still in the form
    page_expert, page_teacher = await _as(client, "expert1"), await _as(client, "t2")
    await _page_error(await client.post(f"/designs/{design_id}/comment", headers=page_expert,
                                        data={"body": "   ", "version": "1"}), comment)
    await _page_error(await client.post(f"/designs/{design_id}/note", headers=page_teacher,
                                        data={"body": ""}), note)
    form = {f"{k}_score": "4" for k in items} | {f"{k}_reason": "理由清楚" for k in items}
    scored = await client.post(f"/designs/{design_id}/score", headers=page_expert,
                               data={**form, "children_reason": ""})
    await _page_error(scored, "请为“幼儿表现”打 1–5 分")
    assert scored.text.count('value="理由清楚"') == 4
    assert (await Comment.count(), await ObservationNote.count(), await Score.count()) == counts


async def test_organiser_check_is_the_services_for_api_and_pairing_page(client, world: World):
    # 卢氏县 takes part in 灵宝市's exchange, so its officer sees it but may not pair it.
    api = await client.post(f"/api/v1/exchanges/{world.exchange_id}/pairing/suggest",
                            headers=await headers(client, "lushi"),
                            json={"candidate_ids": [world.kgs["A"], world.kgs["B"]]})
    detail = await _problem(api, "exchange.not_organiser")
    page = await client.get(f"/exchanges/{world.exchange_id}/pairing",
                            headers=await _as(client, "lushi"))
    assert page.status_code == 403
    assert page.headers["content-type"].startswith("text/html")
    assert detail in page.text


async def test_pairing_without_any_group_is_one_code_for_api_and_page(client, world: World):
    groups = await ExchangeGroup.count()
    api = await client.put(f"/api/v1/exchanges/{world.exchange_id}/groups",
                           headers=await headers(client, "lingbao"), json={"groups": []})
    detail = await _problem(api, "pairing.no_groups")
    page = await client.post(f"/exchanges/{world.exchange_id}/pairing/confirm",
                             headers=await _as(client, "lingbao"),
                             data={"kindergarten_ids": [str(world.kgs["A"])],
                                   f"group_{world.kgs['A']}": ""})
    await _page_error(page, detail)
    assert await ExchangeGroup.count() == groups
