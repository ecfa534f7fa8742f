"""The demo city's exchanges: one under way between 灵宝市 and 卢氏县, one in the library."""

from __future__ import annotations

from lianyan import demo
from lianyan.exchanges import designs, highlights, notifications, reviews, services
from tests.builders import org as f


async def test_demo_has_current_exchange_paired_across_counties_and_library_entry(clean_db):
    assert await demo.load() is True
    teacher1, teacher2 = await f.principal("teacher1"), await f.principal("teacher2")
    expert1, lushi = await f.principal("expert1"), await f.principal("lushi")

    mine, _ = await services.list_exchanges(teacher1)
    assert [e.content for e in mine] == ["中班语言《小兔乖乖》"]
    current = mine[0]
    assert (current.county_name, current.phase, current.blind) == ("灵宝市", "designing", True)
    groups = (await services.get_groups(teacher2, current.id)).groups
    first = {m.teacher_id: m for m in groups[0].members}
    assert set(first) == {teacher1.person_id, teacher2.person_id}
    assert {m.county_name for m in first.values()} == {"灵宝市", "卢氏县"}
    assert {m.locale for m in first.values()} == {"urban", "rural"}
    assert [e.name for e in await services.list_experts(lushi, current.id)] == [expert1.name]
    notices = await notifications.list_notifications(teacher1)
    assert notices.items[0].kind == "paired"

    library, total = await highlights.library(teacher2)
    assert total == 1 and library[0].content == "大班科学《沉与浮》"
    finished, _ = await designs.list_designs(teacher2, library[0].exchange_id)
    compare = await reviews.compare(teacher2, library[0].exchange_id, finished[0].group_id)
    assert [c.design.county_name for c in compare.columns] == ["湖滨区", "渑池县"]
    assert all(c.sections.goals and c.scores for c in compare.columns)
    assert len(await reviews.review_queue(expert1)) == 2
