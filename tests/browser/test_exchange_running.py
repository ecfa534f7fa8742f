"""Running an exchange in a real browser: edit a deadline and the teacher is told, nudge the
late teachers, pick 300 candidates with filters and select-all, move a kindergarten between
the suggested groups and confirm. Screenshots at 1366 and 390 px with LIANYAN_SCREENSHOTS."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

from lianyan import clock
from lianyan.exchanges import schemas as s
from lianyan.exchanges import services
from lianyan.exchanges.tables import Exchange, Notification, Participant
from lianyan.org.tables import County, Kindergarten, Person, RoleAssignment
from tests.browser.conftest import sign_in
from tests.builders import org as f

SHOTS = os.environ.get("LIANYAN_SCREENSHOTS")


async def _context(browser: Any, live_server: Any, username: str, width: int) -> Any:
    context = await browser.new_context(
        base_url=live_server.url, locale="zh-CN",
        viewport={"width": width, "height": 900 if width > 500 else 844},
    )
    context.set_default_timeout(30_000)
    page = await context.new_page()
    await sign_in(page, username)
    return page


async def _shot(page: Any, name: str) -> None:
    if SHOTS:
        await page.screenshot(path=f"{SHOTS}/{name}-{page.viewport_size['width']}.png",
                              full_page=True)


async def _demo_exchange() -> int:
    row = await Exchange.select(Exchange.id).where(Exchange.title.like("%小兔乖乖%")).first()
    return int(row["id"])


async def test_editing_a_deadline_tells_the_teacher_and_late_teachers_are_nudged(
    browser, live_server, demo_city
):
    x = await _demo_exchange()
    officer = await _context(browser, live_server, "lingbao", 1366)
    teacher = await _context(browser, live_server, "teacher1", 390)
    new_deadline = clock.now().astimezone(clock.CITY_TZ).replace(
        second=0, microsecond=0) + dt.timedelta(days=9)

    # The officer moves the design deadline
    await officer.goto(f"/exchanges/{x}")
    await officer.click("[data-testid=edit-link]")
    await officer.fill("[data-testid=edit-design-deadline]", new_deadline.strftime("%Y-%m-%dT%H:%M"))
    await officer.fill("[data-testid=edit-comment-deadline]",
                       (new_deadline + dt.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"))
    await _shot(officer, "exchange-edit")
    await officer.click("[data-testid=edit-save]")
    await officer.wait_for_selector("[data-testid=done]")
    assert new_deadline.strftime("%Y-%m-%d %H:%M") in await officer.inner_text("main")

    # ... and teacher1 finds the notice on the phone
    await teacher.goto("/notifications")
    notices = await teacher.inner_text("main")
    assert "的教学设计提交截止、专家点评截止有变动" in notices
    assert f"改为 {new_deadline:%Y-%m-%d %H:%M}" in notices
    await _shot(teacher, "exchange-changed-notice")

    # The officer nudges the teachers who have not submitted: all four are ticked
    await officer.goto(f"/exchanges/{x}")
    assert "0 / 4 份教学设计已提交" in await officer.inner_text("[data-testid=groups]")
    await _shot(officer, "exchange-progress")
    await officer.click("[data-testid=nudge-teachers]")
    done = await officer.inner_text("[data-testid=done]")
    assert done.startswith("已提醒：")
    assert officer.url.split("?")[0] == f"{live_server.url}/exchanges/{x}"  # back on the GET
    # Again the same day: refused in Chinese, and back on the page's own address too
    async with officer.expect_navigation() as landed:
        await officer.click("[data-testid=nudge-teachers]")
    assert (await landed.value).request.method == "GET"
    assert officer.url.split("?")[0] == f"{live_server.url}/exchanges/{x}"
    assert "今天已经提醒过" in await officer.inner_text("[data-testid=error]")
    # ... so reloading shows the page again and sends nothing
    nudges = await Notification.count().where(Notification.kind == "nudge")
    reloaded = await officer.reload()
    assert reloaded.request.method == "GET" and reloaded.status == 200
    assert "今天已经提醒过" in await officer.inner_text("[data-testid=error]")
    assert await Notification.count().where(Notification.kind == "nudge") == nudges
    await _shot(officer, "exchange-nudge-refused")
    await teacher.goto("/notifications")
    assert "提醒您提交" in await teacher.inner_text("main")

    phone = await _context(browser, live_server, "lingbao", 390)
    await phone.goto(f"/exchanges/{x}")
    await _shot(phone, "exchange-progress")
    await phone.goto(f"/exchanges/{x}/edit")
    await _shot(phone, "exchange-edit")


async def _three_hundred(county_ids: list[int]) -> list[int]:
    """150 kindergartens in each county (half rural), each with one teacher; returns ids."""
    now = clock.now()
    kgs = [
        Kindergarten(county=county_ids[i % 2], name=f"联研测试园{'甲乙'[i % 2]}{i:03d}",
                     locale="rural" if (i // 2) % 2 else "urban",
                     ownership="public" if i % 3 else "private_inclusive", level="grade1",
                     created_at=now)
        for i in range(300)
    ]
    rows = await Kindergarten.insert(*kgs)
    ids = [r["id"] for r in rows]
    people = await Person.insert(*[
        Person(name=f"测试教师{n:03d}", kindergarten=k, unit="", created_at=now)
        for n, k in enumerate(ids)
    ])
    await RoleAssignment.insert(*[
        RoleAssignment(person=p["id"], role="teacher", kindergarten=k, active=True,
                       created_at=now)
        for p, k in zip(people, ids, strict=True)
    ])
    return ids


async def test_officer_picks_300_candidates_moves_one_and_confirms(
    browser, live_server, demo_city
):
    counties = {r["name"]: r["id"] for r in await County.select(County.id, County.name)}
    lingbao, lushi = counties["灵宝市"], counties["卢氏县"]
    ids = await _three_hundred([lingbao, lushi])
    now = clock.now()
    officer_principal = await f.principal("lingbao")
    exchange = await services.create_exchange(officer_principal, s.ExchangeIn(
        title="大班科学《影子》城乡同研", content="大班科学《影子》", age_group="large",
        domain="science", mode="onsite", place="灵宝市实验幼儿园",
        starts_at=now + dt.timedelta(days=12), design_deadline=now + dt.timedelta(days=8),
        comment_deadline=now + dt.timedelta(days=15)))
    officer = await _context(browser, live_server, "lingbao", 1366)

    # Choose the two counties: every kindergarten of both is listed
    await officer.goto(f"/exchanges/{exchange.id}/pairing")
    await officer.check("label:has-text('灵宝市') input[name=county_id]")
    await officer.check("label:has-text('卢氏县') input[name=county_id]")
    await officer.click("[data-testid=list-candidates]")
    listed = int(await officer.inner_text("[data-testid=shown-count]"))
    assert listed >= 300

    # Filter: the search box, then the locale; the count follows
    await officer.fill("[data-testid=filter-q]", "联研测试园")
    assert await officer.inner_text("[data-testid=shown-count]") == "300"
    await officer.select_option("[data-testid=filter-locale]", "rural")
    assert await officer.inner_text("[data-testid=shown-count]") == "150"
    await officer.select_option("[data-testid=filter-county]", str(lingbao))
    assert await officer.inner_text("[data-testid=shown-count]") == "75"
    await officer.select_option("[data-testid=filter-county]", "")
    await officer.select_option("[data-testid=filter-locale]", "")
    await officer.click("[data-testid=select-shown]")
    assert await officer.inner_text("[data-testid=selected-count]") == "300"
    await _shot(officer, "pairing-picker")

    # A suggestion in groups: each kindergarten with its county and locale, the reason beneath
    await officer.click("[data-testid=suggest]")
    await officer.wait_for_selector("[data-testid=confirm-form]")
    group_one = await officer.inner_text("[data-testid=pair-group-1]")
    assert "结对" in await officer.inner_text("[data-testid=reason-1]")
    assert "灵宝市" in group_one and "卢氏县" in group_one
    assert await officer.locator("[data-testid=confirm-form] .pair-member").count() == 300
    assert await officer.locator("[data-testid=pair-group-150]").count() == 1
    await _shot(officer, "pairing-suggestion")

    # Move a 灵宝市 kindergarten of group 1 to group 2 by dragging, and group 2's 灵宝市 one
    # back with its group number
    one = await officer.locator("[data-testid=pair-group-1] .pair-member").evaluate_all(
        "ms => ms.map(m => m.dataset.kg)")
    two = await officer.locator("[data-testid=pair-group-2] .pair-member").evaluate_all(
        "ms => ms.map(m => m.dataset.kg)")
    kg_county = {r["id"]: r["county"] for r in await Kindergarten.select(
        Kindergarten.id, Kindergarten.county).where(Kindergarten.id.is_in(ids))}
    mover = next(int(k) for k in one if kg_county[int(k)] == lingbao)
    back = next(int(k) for k in two if kg_county[int(k)] == lingbao)
    await officer.drag_and_drop(f"[data-testid=member-{mover}]",
                                "[data-testid=pair-group-2] .pair-reason",
                                source_position={"x": 12, "y": 12})
    assert await officer.input_value(f"[data-testid=group-of-{mover}]") == "2"
    assert await officer.locator(
        f"[data-testid=pair-group-2] [data-testid=member-{mover}]").count() == 1
    await officer.fill(f"[data-testid=group-of-{back}]", "1")
    await officer.dispatch_event(f"[data-testid=group-of-{back}]", "change")
    assert await officer.locator(
        f"[data-testid=pair-group-1] [data-testid=member-{back}]").count() == 1
    assert "已手动调整" in await officer.inner_text("[data-testid=reason-1]")

    await officer.click("[data-testid=confirm]")
    await officer.wait_for_selector("[data-testid=done]")
    rows = await Participant.select(Participant.kindergarten, Participant.group.number).where(
        Participant.exchange == exchange.id)
    number = {r["kindergarten"]: r["group.number"] for r in rows}
    assert len(rows) == 300
    assert (number[mover], number[back]) == (2, 1)
    await _shot(officer, "pairing-confirmed")

    phone = await _context(browser, live_server, "lingbao", 390)
    await phone.goto(f"/exchanges/{exchange.id}/pairing?county_id={lingbao}&county_id={lushi}")
    await phone.fill("[data-testid=filter-q]", "联研测试园甲")
    await _shot(phone, "pairing-picker")


async def test_the_picker_refuses_a_single_candidate_by_the_list(browser, live_server, demo_city):
    counties = {r["name"]: r["id"] for r in await County.select(County.id, County.name)}
    x = await _demo_exchange()
    officer = await _context(browser, live_server, "lingbao", 390)
    await officer.goto(f"/exchanges/{x}/pairing?county_id={counties['灵宝市']}")
    await officer.click("[data-testid=unselect-shown]")
    await officer.check("[data-testid=suggest-form] input[name=candidate_ids] >> nth=0")
    assert await officer.inner_text("[data-testid=selected-count]") == "1"
    await officer.click("[data-testid=suggest]")
    assert "请至少选择两所不同县（市、区）的幼儿园" in await officer.inner_text("main")
    # the refused page keeps the tick and the count
    assert await officer.inner_text("[data-testid=selected-count]") == "1"
    await _shot(officer, "pairing-one-candidate")


async def test_repairing_ticks_the_participants_warns_at_once_and_lists_every_problem(
    browser, live_server, demo_city
):
    # Arrange: the demo exchange, two confirmed groups of a 灵宝市 and a 卢氏县 kindergarten
    x = await _demo_exchange()
    rows = await Participant.select(Participant.kindergarten, Participant.county,
                                    Participant.group.number).where(Participant.exchange == x)
    by_group: dict[int, dict[int, int]] = {}
    for r in rows:
        by_group.setdefault(r["group.number"], {})[r["county"]] = r["kindergarten"]
    counties = {r["name"]: r["id"] for r in await County.select(County.id, County.name)}
    lingbao = counties["灵宝市"]
    officer = await _context(browser, live_server, "lingbao", 1366)

    # Re-pairing: the participants' counties and the participants themselves are ticked
    await officer.goto(f"/exchanges/{x}/pairing")
    for county_id in {r["county"] for r in rows}:
        assert await officer.is_checked(f"input[name=county_id][value='{county_id}']")
    for r in rows:
        assert await officer.is_checked(f"[data-testid=candidate-{r['kindergarten']}]")
    assert await officer.inner_text("[data-testid=selected-count]") == str(len(rows))
    assert await officer.is_hidden("[data-testid=problems-1]")

    # Dragging group 2's 灵宝市 kindergarten into group 1: the warning shows in group 1 at once
    mover = by_group[2][lingbao]
    await officer.drag_and_drop(f"[data-testid=member-{mover}]",
                                "[data-testid=pair-group-1] .pair-reason",
                                source_position={"x": 12, "y": 12})
    warning = await officer.inner_text("[data-testid=problems-1]")
    assert "第1组有2所幼儿园同属灵宝市" in warning and "不能分在一组" in warning
    assert await officer.is_hidden("[data-testid=problems-2]")
    await _shot(officer, "pairing-warning")
    # ... and goes away when it is moved back
    await officer.fill(f"[data-testid=group-of-{mover}]", "2")
    await officer.dispatch_event(f"[data-testid=group-of-{mover}]", "change")
    assert await officer.is_hidden("[data-testid=problems-1]")

    # Confirming a grouping with two broken groups: both problems, each by its group
    await officer.fill(f"[data-testid=group-of-{mover}]", "1")
    await officer.dispatch_event(f"[data-testid=group-of-{mover}]", "change")
    await officer.click("[data-testid=confirm]")
    await officer.wait_for_selector("[data-testid=error]")
    error = await officer.inner_text("[data-testid=error]")
    assert "同属灵宝市" in error and "第2组少于两所幼儿园" in error
    assert "同属灵宝市" in await officer.inner_text("[data-testid=problems-1]")
    assert "第2组少于两所幼儿园" in await officer.inner_text("[data-testid=problems-2]")
    assert await officer.input_value(f"[data-testid=group-of-{mover}]") == "1"
    await _shot(officer, "pairing-problems")
    after = await Participant.select(Participant.kindergarten, Participant.county,
                                     Participant.group.number).where(Participant.exchange == x)
    assert sorted(map(str, after)) == sorted(map(str, rows))

    phone = await _context(browser, live_server, "lingbao", 390)
    await phone.goto(f"/exchanges/{x}/pairing")
    await phone.drag_and_drop(f"[data-testid=member-{mover}]",
                              "[data-testid=pair-group-1] .pair-reason",
                              source_position={"x": 12, "y": 12})
    assert "同属灵宝市" in await phone.inner_text("[data-testid=problems-1]")
    assert await phone.evaluate("document.documentElement.scrollWidth") <= 390
    await _shot(phone, "pairing-warning")
