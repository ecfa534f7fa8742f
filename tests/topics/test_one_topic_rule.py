"""每个县（市、区）每年至少开展1项课题研究, enforced: the last active topic of a county and year
cannot be withdrawn (even by two requests at once), and the filings domain's two entry points."""

from __future__ import annotations

import asyncio

import pytest

from lianyan.errors import Conflict
from lianyan.topics import one_topic
from lianyan.topics.tables import Topic


async def test_withdrawing_the_last_active_topic_is_409_naming_the_rule(world):
    topic_id = await world.create()
    await world.bring_to(topic_id, "approved")
    # Act
    response = await world.step(topic_id, "withdraw", "officer")
    # Assert
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "topic.last_active"
    assert "每个县（市、区）每年至少开展1项课题研究" in body["detail"]
    assert "灵宝市2026年" in body["detail"]
    assert (body["county_id"], body["year"]) == (world.ids["lingbao"], 2026)
    assert await world.status(topic_id) == "approved"


async def test_withdrawing_is_allowed_once_another_active_topic_exists(world):
    first = await world.create()
    await world.bring_to(first, "approved")
    second = await world.create(title="另一项课题")
    await world.bring_to(second, "submitted")
    # Act
    response = await world.step(first, "withdraw", "officer")
    # Assert
    assert response.status_code == 200
    assert await world.status(first) == "withdrawn"


async def test_draft_rejected_and_other_year_topics_do_not_count(world):
    # Arrange: the only active 2026 topic, beside a draft, a rejected one and a 2025 one
    keep = await world.create()
    await world.bring_to(keep, "submitted")
    await world.create(title="草稿")
    rejected = await world.create(title="未立项")
    await world.bring_to(rejected, "rejected")
    last_year = await world.create(title="去年的课题", year=2025)
    await world.bring_to(last_year, "approved")
    # Act
    response = await world.step(keep, "withdraw", "officer")
    # Assert
    assert response.status_code == 409
    assert response.json()["code"] == "topic.last_active"


async def test_concluded_topic_counts_as_active(world):
    done = await world.create(title="已结题")
    await world.bring_to(done, "concluded")
    other = await world.create()
    await world.bring_to(other, "opened")
    response = await world.step(other, "withdraw", "officer")
    assert response.status_code == 200


async def test_withdrawing_a_draft_is_never_blocked(world):
    draft = await world.create()
    response = await world.step(draft, "withdraw", "officer")
    assert response.status_code == 200


def _widen_the_race(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hold each withdrawal a moment after it has counted the county's other active topics.

    Without the rule's lock, two withdrawals would then both count the other topic as active
    and both go through; with it, the second waits and counts again after the first commits.
    """
    check = one_topic.guard_last_active

    async def counted_then_slow(*args: object, **kwargs: object) -> None:
        await check(*args, **kwargs)  # type: ignore[arg-type]
        await asyncio.sleep(0.3)

    monkeypatch.setattr(one_topic, "guard_last_active", counted_then_slow)


async def test_two_concurrent_withdrawals_of_the_last_two_leave_exactly_one_active(
    world, monkeypatch
):
    # Arrange: two active topics of one county and year
    first = await world.create(title="课题一")
    second = await world.create(title="课题二")
    await world.bring_to(first, "submitted")
    await world.bring_to(second, "approved")
    headers = await world.headers("officer")
    _widen_the_race(monkeypatch)
    # Act: both requests in flight at once, interleaving at every await
    responses = await asyncio.gather(
        world.client.post(f"/api/v1/topics/{first}/withdraw", json={}, headers=headers),
        world.client.post(f"/api/v1/topics/{second}/withdraw", json={}, headers=headers),
    )
    # Assert
    codes = sorted(r.status_code for r in responses)
    assert codes == [200, 409], [r.text for r in responses]
    refused = next(r for r in responses if r.status_code == 409)
    assert refused.json()["code"] == "topic.last_active"
    statuses = {r["status"] for r in await Topic.select(Topic.status)}
    assert sorted(statuses) in (["approved", "withdrawn"], ["submitted", "withdrawn"])
    assert await one_topic.active_topic_counts(2026) == {
        world.ids["lingbao"]: 1, world.ids["lushi_county"]: 0, world.ids["hubin"]: 0,
    }


@pytest.mark.parametrize("widen", [False, True])
async def test_five_concurrent_withdrawals_never_reach_zero(world, monkeypatch, widen):
    rounds = 5
    topics = []
    for i in range(rounds):
        topic_id = await world.create(title=f"课题{i}")
        await world.bring_to(topic_id, "submitted")
        topics.append(topic_id)
    headers = await world.headers("officer")
    if widen:
        _widen_the_race(monkeypatch)
    responses = await asyncio.gather(*[
        world.client.post(f"/api/v1/topics/{t}/withdraw", json={}, headers=headers)
        for t in topics
    ])
    assert sorted(r.status_code for r in responses) == [200] * (rounds - 1) + [409]
    assert await one_topic.active_topic_counts(2026) == {
        world.ids["lingbao"]: 1, world.ids["lushi_county"]: 0, world.ids["hubin"]: 0,
    }


async def test_active_topic_counts_lists_every_county_with_zeros(world):
    a = await world.create()
    await world.bring_to(a, "opened")
    b = await world.create(title="第二项")
    await world.bring_to(b, "concluded")
    await world.create(title="草稿")
    lushi = await world.create("city", county_id=world.ids["lushi_county"], host_id=None,
                               members=[], title="卢氏县课题")
    await world.bring_to(lushi, "withdrawn", county_side="lushi")
    # Act
    counts = await one_topic.active_topic_counts(2026)
    # Assert
    assert counts == {world.ids["lingbao"]: 2, world.ids["lushi_county"]: 0,
                      world.ids["hubin"]: 0}
    assert await one_topic.active_topic_counts(2025) == dict.fromkeys(counts, 0)


async def test_require_active_topic_raises_filing_needs_topic_in_chinese(world):
    topic_id = await world.create()
    # Act / Assert: a draft is not enough
    with pytest.raises(Conflict) as refused:
        await one_topic.require_active_topic(world.ids["lingbao"], 2026)
    assert refused.value.code == "filing.needs_topic"
    assert refused.value.status == 409
    assert "灵宝市2026年还没有已申报的课题" in refused.value.detail
    assert "每个县（市、区）每年至少开展1项课题研究" in refused.value.detail
    await world.bring_to(topic_id, "submitted")
    assert await one_topic.require_active_topic(world.ids["lingbao"], 2026) is None
    with pytest.raises(Conflict):
        await one_topic.require_active_topic(world.ids["lingbao"], 2027)
    assert await one_topic.has_active_topic(world.ids["lingbao"], 2026) is True


async def test_rule_functions_work_without_a_server(clean_db):
    from tests.builders import org as f

    county_id = await f.county()
    assert await one_topic.active_topic_counts(2026) == {county_id: 0}
    with pytest.raises(Conflict) as refused:
        await one_topic.require_active_topic(county_id, 2026)
    assert refused.value.code == "filing.needs_topic"
