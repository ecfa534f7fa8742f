"""Every form of the app, submitted once with a bad value in a real browser.

Each check opens the page as the person who has the form, puts a bad value in (the browser's
own checks are switched off, as an old phone browser would not have them), submits, and looks
at what comes back: an HTML page (never JSON or its source), a 4xx status, the Chinese message,
and what was typed still in the form.

``BAD_VALUE_CHECKS`` names the POST route of every form checked here; ``NO_VALUE_FORMS`` lists
the forms that are a single button (nothing to type wrong); ``STATE_FORMS`` would name a form
no browser check can reach (none today: the state a form needs is arranged in-process).
``tests/web/test_form_registry.py`` fails when a page route is in none of them.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lianyan import clock
from tests.browser.conftest import sign_in
from tests.builders.files import DESIGN_A, docx_bytes

#: POST page routes whose form a check below submits with a bad value.
BAD_VALUE_CHECKS = {
    "/login": "wrong password",
    "/exchanges/new": "bad deadline",
    "/exchanges/{exchange_id:int}/experts": "no expert chosen",
    "/exchanges/{exchange_id:int}/edit": "design deadline moved into the past",
    "/exchanges/{exchange_id:int}/nudge": "nobody ticked",
    "/exchanges/{exchange_id:int}/pairing/suggest": "one candidate",
    "/exchanges/{exchange_id:int}/pairing/confirm": "two kindergartens of one county",
    "/designs/{design_id:int}/upload": "empty .docx, .exe renamed .docx, .docx as video",
    "/designs/{design_id:int}/note": "blank note",
    "/designs/{design_id:int}/comment": "blank comment",
    "/designs/{design_id:int}/score": "item without a reason",
    "/topics/new": "year 1999",
    "/topics/{topic_id:int}/edit": "empty title",
    "/topics/{topic_id:int}/step/{action:str}": "note over 2000 characters",
    "/topics/{topic_id:int}/review": "score 30 of 25",
    "/topics/{topic_id:int}/reviewers": "nobody ticked",
    "/filings/roster/{county_id:int}/{year:int}": "phone with letters",
    "/filings/{filing_id:int}/activities": "no participants",
    "/filings/{filing_id:int}/directions": "empty problem",
    "/filings/{filing_id:int}/document": ".exe renamed .docx",
    "/filings/workspace/create": "year ²",
    "/filings/{filing_id:int}/return": "no reason",
    "/filings/{filing_id:int}/accept": "note over 2000 characters",
    "/filings/deadline": "30 February",
    "/filings/themes": "empty title",
    "/evaluation/{year:int}/scheme": "weight 0",
    "/evaluation/{year:int}/evaluators": "person ²",
    "/evaluation/{year:int}/scores": "score above the maximum",
    "/reports": "year 1999",
    "/org/import": ".exe renamed .xlsx",
    "/exchanges/progress/{participant_id:int}/teacher": "no teacher chosen",
    "/exchanges/{exchange_id:int}/proposals": "no teacher chosen",
    "/exchanges/{exchange_id:int}/highlight": "summary over 5000 characters (exchange finished)",
    "/evaluation/{year:int}/awards": "candidate ²",
    "/filings/{filing_id:int}/coverage": "reason over 500 characters (a kindergarten unzoned)",
    "/account/password": "wrong current password",
    "/org/people/{person_id:int}/account": "opened meanwhile in another tab",
    "/org/accounts/open": "nobody ticked",
    "/robots": "a webhook address on the bureau's network",
}

#: Forms that are one button: nothing a person types can be wrong.
NO_VALUE_FORMS = {
    "/logout": "sign out",
    "/exchanges/{exchange_id:int}/experts/{person_id:int}/remind": "remind an expert",
    "/exchanges/{exchange_id:int}/my-design": "open my design",
    "/notifications/read-all": "mark all read",
    "/highlights/{highlight_id:int}/accept": "accept a highlight",
    "/topics/{topic_id:int}/delete": "delete a draft",
    "/filings/roster/{county_id:int}/{year:int}/copy": "copy last year's roster",
    "/filings/{filing_id:int}/activities/{activity_id:int}/delete": "remove an activity",
    "/filings/{filing_id:int}/directions/{direction_id:int}/delete": "remove a direction",
    "/filings/themes/{theme_id:int}/delete": "remove a theme",
    "/filings/{filing_id:int}/submit": "send to the city",
    "/evaluation/{year:int}/awards/{award_id:int}/delete": "withdraw an award",
    "/evaluation/{year:int}/awards/publish": "publish the list",
    "/org/people/{person_id:int}/account/reset": "reset a password",
    "/org/people/{person_id:int}/account/active": "deactivate or reactivate",
    "/org/accounts/sheet": "download the sheet of one-time passwords",
    "/exchanges/progress/{participant_id:int}/nudge": "remind a teacher",
    "/robots/{robot_id:int}/test": "send a test message",
    "/robots/{robot_id:int}/delete": "remove a robot",
}

#: Forms the demo city does not show: each check below arranges its state in-process first.
STATE_FORMS: dict[str, str] = {}

SHOTS = os.environ.get("LIANYAN_SCREENSHOTS")


@dataclass
class Check:
    """One form submitted with one bad value."""

    name: str
    url: str
    form: str
    values: dict[str, Any]
    message: str
    kept: dict[str, str] = field(default_factory=dict)
    button: str = "button[type=submit], button:not([type])"
    #: A button outside the form (``form="..."`` attribute), clicked on the page instead.
    page_button: str | None = None
    #: Run on the opened page before the values go in (another tab acting meanwhile).
    before: Callable[[Any], Awaitable[Any]] | None = None


_SET = """(el, value) => {
  if (el.tagName === 'SELECT' && ![...el.options].some(o => o.value === value)) {
    el.add(new Option(value, value));
  }
  if (el.type === 'checkbox') {
    if (value !== 'on' && value !== '') { el.value = value; }
    el.checked = value !== '';
  } else { el.value = value; }
}"""


async def _refuse(page: Any, check: Check) -> None:
    """Submit ``check.form`` with its values; the answer is the page with the message."""
    await page.goto(check.url)
    form = page.locator(check.form).first
    await form.evaluate("f => { f.noValidate = true; }")
    if check.before:
        await check.before(page)
    for selector, value in check.values.items():
        target = form.locator(selector).first
        if isinstance(value, Path):
            await target.set_input_files(str(value))
        else:
            await target.evaluate(_SET, value)
    button = (page.locator(check.page_button) if check.page_button
              else form.locator(check.button))
    if await form.evaluate("f => f.hasAttribute('data-upload-control')"):
        # The upload control sends the form itself (progress bar) and shows the answer as the
        # page: the answer is the POST's, the page is what it wrote.
        async with page.expect_response(lambda r: r.request.method == "POST") as answer:
            await button.first.click()
        response = await answer.value
        await page.locator("main", has_text=check.message).wait_for()
    else:
        async with page.expect_navigation() as navigation:
            await button.first.click()
        response = await navigation.value
    assert 400 <= response.status < 500, (check.name, response.status)
    assert response.headers["content-type"].startswith("text/html"), check.name
    body = await page.inner_text("main")
    assert check.message in body, (check.name, body[:600])
    for selector, expected in check.kept.items():
        kept = page.locator(selector).first
        if await kept.get_attribute("type") == "checkbox":
            assert await kept.is_checked(), (check.name, selector)
        else:
            assert await kept.input_value() == expected, (check.name, selector)
    if SHOTS:
        await page.screenshot(path=f"{SHOTS}/{check.name}-{page.viewport_size['width']}.png",
                              full_page=True)


async def _untick_candidates(page: Any) -> None:
    await page.eval_on_selector_all(
        "input[name=candidate_ids]", "cs => cs.forEach(c => { c.checked = false; })"
    )


async def _untick_all(page: Any) -> None:
    await page.eval_on_selector_all(
        "input[name=person_ids]", "cs => cs.forEach(c => { c.checked = false; })"
    )


async def _ids() -> dict[str, Any]:
    """Ids of the demo city's objects the checks open."""
    from lianyan.exchanges.tables import Exchange, Participant
    from lianyan.filings.tables import Filing
    from lianyan.org.tables import County
    from lianyan.topics.tables import Topic

    exchange = await Exchange.select(Exchange.id).where(Exchange.title.like("%小兔乖乖%")).first()
    members = await Participant.select(
        Participant.kindergarten, Participant.county, Participant.group
    ).where(Participant.exchange == exchange["id"])
    counties = {r["name"]: r["id"] for r in await County.select(County.id, County.name)}
    year = clock.today().year
    filings = {
        r["county"]: r["id"]
        for r in await Filing.select(Filing.id, Filing.county).where(Filing.year == year)
    }
    topics = {r["title"]: r["id"] for r in await Topic.select(Topic.id, Topic.title)}
    return {"exchange": exchange["id"], "members": members, "counties": counties, "year": year,
            "filings": filings, "topics": topics}


async def _context(browser: Any, live_server: Any, username: str | None, width: int) -> Any:
    context = await browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": width, "height": 900}
    )
    context.set_default_timeout(15_000)
    page = await context.new_page()
    if username:
        await sign_in(page, username)
    return page


def _local(value: dt.datetime) -> str:
    return value.astimezone(clock.CITY_TZ).strftime("%Y-%m-%dT%H:%M")


async def test_every_form_with_a_bad_value_answers_html_with_the_message_and_keeps_it(
    browser, live_server, demo_city, tmp_path
):
    ids = await _ids()
    x, year = ids["exchange"], ids["year"]
    lingbao = ids["counties"]["灵宝市"]
    now = clock.now()
    empty, exe, design = tmp_path / "空白.docx", tmp_path / "安装程序.docx", tmp_path / "设计.docx"
    empty.write_bytes(b"")
    exe.write_bytes(b"MZ\x90\x00" + b"\x00" * 400)
    design.write_bytes(docx_bytes(DESIGN_A))
    xlsx = tmp_path / "名单.xlsx"
    xlsx.write_bytes(b"MZ\x90\x00" + b"\x00" * 400)

    # Anyone: the login form (phone width)
    page = await _context(browser, live_server, None, 390)
    await _refuse(page, Check("login", "/login", "form[action='/login']",
                              {"input[name=username]": "teacher1",
                               "input[name=password]": "not-the-password"},
                              "用户名或密码不正确", {"input[name=username]": "teacher1"}))

    # The county officer of 灵宝市 (office width): exchange, pairing, filing workspace
    officer = await _context(browser, live_server, "lingbao", 1366)
    await _refuse(officer, Check(
        "exchange-deadline", "/exchanges/new", "[data-testid=exchange-form]",
        {"input[name=title]": "大班艺术《春天》同研", "input[name=content]": "大班艺术《春天》",
         "select[name=mode]": "onsite", "input[name=place]": "灵宝市实验幼儿园",
         "input[name=starts_at]": _local(now + dt.timedelta(days=10)),
         "input[name=design_deadline]": _local(now + dt.timedelta(days=12)),
         "input[name=comment_deadline]": _local(now + dt.timedelta(days=8))},
        "点评截止时间必须晚于教学设计提交截止时间", {"input[name=title]": "大班艺术《春天》同研"}))
    await _refuse(officer, Check(
        "exchange-invite", f"/exchanges/{x}", f"form[action='/exchanges/{x}/experts']",
        {"select[name=person_id]": "0"}, "请选择要邀请的专家"))
    await _refuse(officer, Check(
        "exchange-edit-past", f"/exchanges/{x}/edit", "[data-testid=edit-form]",
        {"input[name=title]": "中班语言《小兔乖乖》同研异构（改期）",
         "input[name=design_deadline]": _local(now - dt.timedelta(days=1))},
        "不能改到现在", {"input[name=title]": "中班语言《小兔乖乖》同研异构（改期）"}))
    await _refuse(officer, Check(
        "exchange-nudge-nobody", f"/exchanges/{x}", "[data-testid=nudge-teachers-form]", {},
        "请至少选择一位要提醒的人员", before=_untick_all))
    one = next(m for m in ids["members"] if m["county"] == lingbao)["kindergarten"]
    await _refuse(officer, Check(
        "pairing-suggest", f"/exchanges/{x}/pairing?county_id={lingbao}",
        "[data-testid=suggest-form]", {f"[data-testid=candidate-{one}]": "on"},
        "请至少选择两所不同县（市、区）的幼儿园", {f"[data-testid=candidate-{one}]": "on"},
        before=_untick_candidates))  # a re-pairing starts with the current participants ticked
    same = [m["kindergarten"] for m in ids["members"] if m["county"] == lingbao]
    others = [m["kindergarten"] for m in ids["members"] if m["county"] != lingbao]
    await _refuse(officer, Check(
        "pairing-one-county", f"/exchanges/{x}/pairing", "[data-testid=confirm-form]",
        {**{f"[name=group_{k}]": "1" for k in same},
         **{f"[name=group_{k}]": "" for k in others}},
        "同一县（市、区）的幼儿园不能分在一组", {f"[name=group_{same[1]}]": "1"}))
    filing = ids["filings"][lingbao]
    workspace = f"/filings/workspace?county_id={lingbao}&year={year}"
    await _refuse(officer, Check(
        "roster-phone", workspace, "[data-testid=roster-form]",
        {"input[name=name_0]": "王建国", "input[name=unit_0]": "灵宝市教育局",
         "input[name=phone_0]": "电话号码abc"}, "电话", {"input[name=phone_0]": "电话号码abc"}))
    await _refuse(officer, Check(
        "activity-participants", workspace, "[data-testid=activity-form]",
        {"input[name=title]": "片区联合教研", "input[name=starts_on]": "2030-05-06",
         "input[name=place]": "灵宝市第二幼儿园", "input[name=participants]": "0"},
        "预计参加人数", {"input[name=title]": "片区联合教研"}))
    await _refuse(officer, Check(
        "direction-problem", workspace, "[data-testid=direction-form]",
        {"input[name=direction]": "游戏化学习", "textarea[name=problem]": ""},
        "请填写针对的问题", {"input[name=direction]": "游戏化学习"}))
    await _refuse(officer, Check(
        "plan-exe", workspace, f"form[action='/filings/{filing}/document']",
        {"input[name=file]": exe}, "文件"))
    await _refuse(officer, Check(
        "filing-create", f"/filings/workspace?county_id={lingbao}&year=2031",
        "form[action='/filings/workspace/create']", {"input[name=year]": "²"},
        "不是有效的数字"))

    # A teacher of the exchange (phone width): the design page's uploads and note
    teacher = await _context(browser, live_server, "teacher1", 390)
    await teacher.goto(f"/exchanges/{x}")
    await teacher.click("[data-testid=my-design]")
    await teacher.wait_for_selector("[data-testid=upload-form]")
    design_url = teacher.url.split("?")[0]
    upload = "[data-testid=upload-form]"
    await _refuse(teacher, Check("upload-empty", design_url, upload,
                                 {"input[name=file]": empty}, "文件是空的"))
    await _refuse(teacher, Check("upload-exe", design_url, upload,
                                 {"input[name=file]": exe}, "文件"))
    await _refuse(teacher, Check("upload-video", design_url, upload,
                                 {"select[name=kind]": "video", "input[name=file]": design},
                                 "视频", {"select[name=kind]": "video"}))
    await teacher.goto(design_url)
    await teacher.set_input_files("[data-testid=upload-file]", str(design))
    await teacher.click("[data-testid=upload-submit]")
    await teacher.wait_for_selector("[data-testid=done]")
    await _refuse(teacher, Check("note-blank", design_url,
                                 f"form[action='{design_url.removeprefix(live_server.url)}/note']",
                                 {"textarea[name=body]": "   "}, "请填写听课记录的内容"))
    draft = ids["topics"]["大班幼儿绘本阅读中提问策略的实践研究"]
    await _refuse(teacher, Check(
        "topic-new", "/topics/new", "[data-testid=topic-form]",
        {"input[name=title]": "幼儿园种植活动研究", "input[name=direction]": "科学探究",
         "input[name=year]": "1999"}, "2000–2100", {"input[name=title]": "幼儿园种植活动研究"}))
    await _refuse(teacher, Check(
        "topic-edit", f"/topics/{draft}/edit", "[data-testid=topic-form]",
        {"input[name=title]": ""}, "请填写课题名称",
        {"input[name=direction]": "早期阅读"}))
    await _refuse(teacher, Check(
        "topic-step", f"/topics/{draft}", "form[action*='/step/']",
        {"input[name=note]": "说" * 2001}, "最多 2000 个字"))

    # The zone officer: propose a teacher of the zone without choosing one
    zone = await _context(browser, live_server, "zone1", 390)
    await _refuse(zone, Check(
        "propose", f"/exchanges/{x}", "[data-testid=propose-form]",
        {"select[name=teacher_id]": "", "input[name=note]": "乡村园，游戏化教学有特色"},
        "推荐的教师", {"input[name=note]": "乡村园，游戏化教学有特色"}))

    # The director: hand a design over to another teacher of the kindergarten
    director = await _context(browser, live_server, "director1", 390)
    await _refuse(director, Check(
        "nominate", "/exchanges/progress", "form[action$='/teacher']",
        {"select[name=teacher_id]": ""}, "设计教师"))

    # The expert: comment and score the design, review a topic
    expert = await _context(browser, live_server, "expert1", 390)
    path = design_url.removeprefix(live_server.url)
    await _refuse(expert, Check("comment-blank", path, "[data-testid=comment-form]",
                                {"textarea[name=body]": "  "}, "请填写点评或回复的内容"))
    await _refuse(expert, Check(
        "score-reason", path, "[data-testid=score-form]",
        {**{f"[data-testid=score-{item}]": "4" for item in
            ("goal", "content", "process", "children", "teacher")},
         "[data-testid=reason-goal]": "目标清楚", "[data-testid=reason-content]": "贴近生活",
         "[data-testid=reason-process]": "层次分明", "[data-testid=reason-children]": "",
         "[data-testid=reason-teacher]": "回应及时"},
        "请为“幼儿表现”打 1–5 分", {"[data-testid=reason-goal]": "目标清楚"}))
    submitted = next(iter([t for t in ids["topics"].values()
                           if await _topic_status(t) == "submitted"]))
    await _refuse(expert, Check(
        "topic-review", f"/topics/{submitted}/review", "[data-testid=review-form]",
        {"input[name=value]": "30", "textarea[name=comment]": "选题有价值"},
        "选题价值请填写 0–25 之间的整数", {"textarea[name=comment]": "选题有价值"}))

    # The city: reviews, filings inbox and decisions, evaluation, reports, import
    city = await _context(browser, live_server, "city", 1366)
    await _refuse(city, Check("topic-invite-nobody", f"/topics/{submitted}/reviews",
                              "[data-testid=invite-form]", {}, "请至少选择一位专家"))
    free = "[data-testid=invite-form] input[name=expert_ids]:not([disabled])"
    await _refuse(city, Check("topic-invite", f"/topics/{submitted}/reviews",
                              "[data-testid=invite-form]",
                              {"input[name=expert_ids]:not([disabled]) >> nth=0": "on",
                               "input[name=expert_ids]:not([disabled]) >> nth=1": "²"},
                              "不是有效的数字", {f"{free} >> nth=0": "on"}))
    waiting = next(iter([f for f in ids["filings"].values()
                         if await _filing_status(f) == "submitted"]))
    await _refuse(city, Check("filing-return", f"/filings/{waiting}",
                              f"form[action='/filings/{waiting}/return']",
                              {"textarea[name=reason]": ""}, "退回时请写明原因"))
    await _refuse(city, Check("filing-accept", f"/filings/{waiting}",
                              f"form[action='/filings/{waiting}/accept']",
                              {"input[name=note]": "好" * 2001}, "最多 2000 个字"))
    await _refuse(city, Check("deadline", f"/filings/inbox?year={year}",
                              "form[action='/filings/deadline']",
                              {"input[name=due_on]": f"{year}-02-30"}, "截止日期"))
    await _refuse(city, Check("theme", f"/filings/inbox?year={year}",
                              "form[action='/filings/themes']",
                              {"input[name=title]": "", "textarea[name=description]": "春季"},
                              "请填写主题名称", {"textarea[name=description]": "春季"}))
    await _refuse(city, Check("scheme-weight", f"/evaluation?year={year + 1}",
                              "[data-testid=scheme-form]",
                              {"input[name=name_0]": "教研制度", "input[name=weight_0]": "0"},
                              "权重", {"input[name=name_0]": "教研制度"}))
    await _refuse(city, Check("evaluators", f"/evaluation?year={year + 1}",
                              f"form[action='/evaluation/{year + 1}/evaluators']",
                              {"input[name=person_id] >> nth=0": "on",
                               "input[name=person_id] >> nth=1": "²"}, "不是有效的数字",
                              {"input[name=person_id] >> nth=0": "on"}))
    await _refuse(city, Check("scores", f"/evaluation/{year}/scores",
                              f"form[method=post][action='/evaluation/{year}/scores']",
                              {"input[name^=score_]": "9999"}, "分",
                              {"input[name^=score_]": "9999"},
                              button="[data-testid=save-scores]"))
    await _refuse(city, Check("report-year", "/reports", "form[action='/reports']",
                              {"select[name=year]": "1999"}, "年度"))
    await _refuse(city, Check("import-exe", "/org/import", "[data-testid=import-form]",
                              {"input[name=file]": xlsx}, "文件"))
    await _refuse(city, Check("award-candidate", f"/evaluation/{year}/scores",
                              f"form[id^=award-][action='/evaluation/{year}/awards']",
                              {"input[name=candidate_id]": "²"}, "不是有效的数字",
                              page_button="button[form^=award-]"))
    await _refuse(city, Check("accounts-nobody", "/org/people", "[data-testid=bulk-form]", {},
                              "请勾选要开通账号的人员"))
    await _refuse(city, Check(
        "account-twice", "/org/people?without_login=true",
        "form[action^='/org/people/'][action$='/account']", {}, "已经开通了账号",
        before=_open_in_another_tab))

    # The county officer: change the password with a wrong current one
    await _refuse(officer, Check(
        "password-current", "/account/password", "[data-testid=password-form]",
        {"input[name=current]": "not-my-password", "input[name=new]": "Lingbao#2031spring",
         "input[name=confirm]": "Lingbao#2031spring"}, "当前密码不正确",
        {"input[name=new]": ""}))  # the one form that keeps no value: it never echoes a password

    # States the demo city does not have, arranged in-process: a kindergarten of 灵宝市
    # outside every zone, and the exchange finished (its comment deadline past)
    from lianyan.exchanges.tables import Exchange
    from lianyan.org.tables import Kindergarten

    unzoned = (await Kindergarten.select(Kindergarten.id)
               .where(Kindergarten.county == lingbao).first())["id"]
    await Kindergarten.update({Kindergarten.zone: None}).where(Kindergarten.id == unzoned)
    await _refuse(officer, Check(
        "coverage-reason", workspace, f"form[action='/filings/{filing}/coverage']",
        {f"input[name=reason_{unzoned}]": "远" * 501}, "最多 500 个字",
        {f"input[name=reason_{unzoned}]": "远" * 501}, button="[data-testid=save-reasons]"))
    await Exchange.update({Exchange.design_deadline: now - dt.timedelta(days=2),
                           Exchange.comment_deadline: now - dt.timedelta(days=1)}
                          ).where(Exchange.id == x)
    await _refuse(officer, Check(
        "highlight-summary", f"/exchanges/{x}", f"form[action='/exchanges/{x}/highlight']",
        {"textarea[name=summary]": "亮" * 5001}, "最多 5000 个字",
        {"textarea[name=summary]": "亮" * 5001}))
    inside = "http://10.1.2.3/cgi-bin/webhook/send?key=abcdefgh1234"
    await _refuse(officer, Check(
        "robot-address", "/robots", "[data-testid=add-form]",
        {"select[name=kind]": "wecom", "input[name=url]": inside}, "不接受其他主机",
        {"input[name=url]": inside}))


async def _open_in_another_tab(page: Any) -> None:
    """Open the login of the form's person from a second tab, so this form's turn is a 409."""
    other = await page.context.new_page()
    await other.goto(page.url)
    form = other.locator("form[action^='/org/people/'][action$='/account']").first
    async with other.expect_navigation():
        await form.locator("button").click()
    await other.close()


async def _topic_status(topic_id: int) -> str:
    from lianyan.topics.tables import Topic

    row = await Topic.select(Topic.status).where(Topic.id == topic_id).first()
    return str(row["status"])


async def _filing_status(filing_id: int) -> str:
    from lianyan.filings.tables import Filing

    row = await Filing.select(Filing.status).where(Filing.id == filing_id).first()
    return str(row["status"])
