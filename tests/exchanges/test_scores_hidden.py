"""Scores hidden until one's own: an invited expert reads the other experts' score forms only
after giving their own; organisers and the city read them all the time."""

from __future__ import annotations

import io

import pytest

from lianyan.exchanges import designs, services
from lianyan.exchanges import schemas as s
from tests.builders.files import docx_bytes
from tests.exchanges.conftest import World, headers


def _score(mark: int, reason: str) -> dict:
    return {item: {"score": mark, "reason": reason} for item in s.SCORE_ITEMS}


@pytest.fixture
async def design_id(world: World, store) -> int:
    """t1's design with one document, and expert2 invited besides expert1."""
    lingbao = await world.actor("lingbao")
    await services.invite_expert(lingbao, world.exchange_id,
                                 s.ExpertIn(person_id=world.people["expert2"]))
    actor = await world.actor("t1")
    design = await designs.create_design(actor, world.exchange_id, s.DesignIn())
    await designs.add_version(
        actor, store, design.id, kind="document", fileobj=io.BytesIO(docx_bytes()),
        filename="设计.docx", limits=designs.sniff.DEFAULT_LIMITS,
    )
    return design.id


async def test_expert_sees_no_other_scores_before_giving_own_and_all_after(
    client, world, design_id
):
    url = f"/api/v1/designs/{design_id}/scores"
    first = await client.put(url, json=_score(5, "目标清楚"),
                             headers=await headers(client, "expert1"))
    h2 = await headers(client, "expert2")

    before = (await client.get(url, headers=h2)).json()
    own = await client.put(url, json=_score(3, "过程略散"), headers=h2)
    after = (await client.get(url, headers=h2)).json()

    assert first.status_code == 200, first.text
    assert before["items"] == [] and before["total"] == 0 and before["hidden"] == 1
    assert before["average"]["total"] is None
    assert "目标清楚" not in str(before)
    assert own.status_code == 200, own.text
    assert [(i["expert_name"], i["goal"]["reason"]) for i in after["items"]] == [
        ("专家一", "目标清楚"), ("专家二", "过程略散")
    ]
    assert after.get("hidden", 0) == 0
    assert after["average"]["goal"] == 4.0


async def test_organiser_city_and_teacher_see_every_score(client, world, design_id):
    url = f"/api/v1/designs/{design_id}/scores"
    await client.put(url, json=_score(4, "贴近生活"), headers=await headers(client, "expert1"))
    for username in ("lingbao", "city", "t1"):
        listing = (await client.get(url, headers=await headers(client, username))).json()
        assert [i["expert_name"] for i in listing["items"]] == ["专家一"], username


async def test_compare_holds_back_scores_from_an_expert_who_has_not_scored(
    client, world, design_id
):
    await client.put(f"/api/v1/designs/{design_id}/scores", json=_score(4, "贴近生活"),
                     headers=await headers(client, "expert1"))
    url = f"/api/v1/exchanges/{world.exchange_id}/compare?group={world.groups[1]}"

    columns = (await client.get(url, headers=await headers(client, "expert2"))).json()["columns"]
    mine = (await client.get(url, headers=await headers(client, "expert1"))).json()["columns"]

    column = next(c for c in columns if c["design"]["id"] == design_id)
    assert column["scores"] == [] and column["hidden_scores"] == 1
    assert next(c for c in mine if c["design"]["id"] == design_id)["scores"][0]["total"] == 20


async def test_design_page_score_form_starts_empty_with_required_marks(client, world, design_id):
    page = await client.get(f"/designs/{design_id}", headers=await headers(client, "expert2"))
    html = page.text
    assert page.status_code == 200
    assert 'name="goal_score" required' in html
    assert '<option value="" selected>请选择</option>' in html
    assert html.count('class="req"') >= 11  # the note, and each item's legend, mark, reason
    assert 'value="5" selected' not in html
