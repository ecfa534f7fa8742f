"""Every GET form of every page each role reaches from its navigation, submitted in a browser.

Each role of the demo city signs in once (one browser context), collects its navigation links
and opens each page (/statistics among them for those who may see it, /search where the
top-bar search answers, and the pages of ``OFF_NAV`` a nav page links to). The whole walk
runs the roles side by side and takes a few hundred page loads. Every GET form found there (filters, search boxes, year
pickers) is submitted

1. as the page offers it, and with every select on its empty option (「全部」) and every text
   box empty: the answer is a 200 HTML page with no error message (and no sideways scroll on
   the phone-width role);
2. once per select, with its first non-empty option: 200, the value is still selected on the
   answer page (the form keeps its filter), and the list's 「共 N」 figure is no larger than
   with everything on 「全部」 (the filter narrows, never widens).

Nothing here lists the forms by hand: they are found on the pages. The registry check at the
end reads every GET form from the templates and fails when one was never walked, so a new
filter form is either reached from a role's navigation or named in ``OFF_NAV``.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tests.browser.conftest import sign_in

SHOTS = os.environ.get("LIANYAN_SCREENSHOTS")
SRC = Path(__file__).resolve().parents[2] / "src" / "lianyan"

#: (login, viewport width): every role of the demo city; one of them on a phone.
ROLES = [
    ("city", 390), ("lingbao", 1280), ("zone1", 1280), ("director1", 1280),
    ("teacher1", 1280), ("expert1", 1280), ("admin", 1280),
]

#: Pages every signed-in person opens without a nav entry (the top-bar search's answer).
ALWAYS = ["/search"]

#: Pages with a GET form that no navigation entry opens (one link further), by role:
#: a callable of the demo ids gives the address.
OFF_NAV: dict[str, list[Callable[[dict[str, Any]], str]]] = {
    "lingbao": [lambda ids: f"/exchanges/{ids['exchange']}/pairing"],
    "city": [lambda ids: "/topics/new", lambda ids: f"/evaluation/{ids['year']}/scores"],
}

_FORMS = """() => [...document.querySelectorAll('form[method=get]')]
  .map(f => ({
    selector: `${f.closest('main') ? 'main' : 'header'} form[method=get]`
              + `[action="${f.getAttribute('action')}"]`,
    path: new URL(f.action, location.href).pathname,
    selects: [...f.querySelectorAll('select[name]')].map(s => ({
      name: s.name, values: [...s.options].map(o => o.value)})),
    defaults: Object.fromEntries([...f.querySelectorAll('select[name], input[name]')]
      .filter(e => e.type !== 'checkbox' || f.querySelectorAll(`[name="${e.name}"]`).length === 1)
      .map(e => [e.name, e.type === 'checkbox' ? (e.checked ? e.value : null) : e.value])),
    texts: [...f.querySelectorAll('input[name]')]
      .filter(i => ['text', 'search', 'number', ''].includes(i.getAttribute('type') || ''))
      .map(i => i.name),
  }))"""

_SET = """(f, change) => {
  f.noValidate = true;
  for (const [name, value] of Object.entries(change.defaults)) {
    const field = f.elements[name];
    if (field.type === 'checkbox') { field.checked = value !== null; } else { field.value = value; }
  }
  for (const [name, value] of Object.entries(change.selects)) { f.elements[name].value = value; }
  for (const name of change.texts) { f.elements[name].value = ''; }
}"""

_TOTAL = re.compile(r"共\s*(\d+)\s*[条个项份所位人篇]")


@dataclass
class Walked:
    """What the walk saw: the forms (top bar or page, action) and the filters that narrowed."""

    actions: set[tuple[str, str]]
    narrowed: list[str]
    submissions: int = 0


async def _ids() -> dict[str, Any]:
    from lianyan import clock
    from lianyan.exchanges.tables import Exchange

    exchange = await Exchange.select(Exchange.id).where(Exchange.title.like("%小兔乖乖%")).first()
    assert exchange is not None, "the demo city's exchange"
    return {"exchange": exchange["id"], "year": clock.today().year}


async def _submit(page: Any, url: str, form: dict[str, Any], selects: dict[str, str],
                  texts: list[str], what: str, phone: bool) -> str:
    """Put ``form`` back as ``url`` offers it, change it and send it; check the answer.

    The answer of a filter form shows the same form again: the next submission starts there
    (its fields set back to the page's defaults) instead of opening ``url`` once more.
    """
    target = page.locator(form["selector"]).first
    if urlsplit(page.url).path != urlsplit(url).path or not await target.count():
        await page.goto(url)
    await target.evaluate(_SET, {"defaults": form["defaults"], "selects": selects,
                                 "texts": texts})
    async with page.expect_navigation() as navigation:
        await target.evaluate("f => f.requestSubmit()")
    response = await navigation.value
    assert response is not None, what
    assert response.status == 200, (what, response.status, page.url)
    assert response.headers["content-type"].startswith("text/html"), what
    errors = [t for t in await page.locator("main [role=alert], main .error").all_inner_texts()
              if t.strip()]
    assert errors == [], (what, page.url, errors)
    if phone:
        wide = await page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert wide <= 0, (what, page.url, f"{wide}px sideways scroll at 390 px")
        if SHOTS:
            name = re.sub(r"\W+", "-", what).strip("-")
            await page.screenshot(path=f"{SHOTS}/filter-{name}.png", full_page=True)
    return str(await page.inner_text("main"))


def _total(text: str) -> int | None:
    found = _TOTAL.search(text)
    return int(found.group(1)) if found else None


async def _walk_form(page: Any, url: str, form: dict[str, Any], role: str, phone: bool,
                     walked: Walked) -> None:
    where = f"{role} {url} form→{form['path']}"
    everything = await _submit(page, url, form, {}, [], f"{where} as offered", phone)
    walked.submissions += 1
    empty = {s["name"]: "" for s in form["selects"] if "" in s["values"]}
    if any(form["defaults"].get(name) for name in [*empty, *form["texts"]]):
        # Offered with a value (a year, a county): send it with every field emptied too.
        everything = await _submit(page, url, form, empty, form["texts"],
                                   f"{where} all empty", phone)
        walked.submissions += 1
    for select in form["selects"]:
        chosen = next((v for v in select["values"] if v), None)
        if chosen is None:
            continue
        what = f"{where} {select['name']}={chosen}"
        text = await _submit(page, url, form, {select["name"]: chosen}, [], what, phone)
        walked.submissions += 1
        answer = page.locator(f"{form['selector']} select[name={select['name']}]").first
        assert await answer.input_value() == chosen, (what, "filter lost on the answer")
        before, after = _total(everything), _total(text)
        if before is not None and after is not None:
            assert after <= before, (what, f"共 {after} with the filter, 共 {before} without")
            if after < before:
                walked.narrowed.append(what)


async def _walk_role(browser: Any, live_server: Any, role: str, width: int,
                     ids: dict[str, Any], walked: Walked) -> None:
    context = await browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": width, "height": 844}
    )
    context.set_default_timeout(15_000)
    page = await context.new_page()
    await sign_in(page, role)
    nav = await page.eval_on_selector_all("nav.nav a", "as => as.map(a => a.pathname)")
    assert nav, role
    pages = list(dict.fromkeys([*nav, *ALWAYS, *(make(ids) for make in OFF_NAV.get(role, []))]))
    seen: set[tuple[str, str]] = set()
    for url in pages:
        response = await page.goto(url)
        assert response is not None and response.status == 200, (role, url)
        for form in await page.evaluate(_FORMS):
            # The top-bar search is on every page: walk it once per role.
            key = (form["path"], ",".join(s["name"] for s in form["selects"])
                   + "|" + ",".join(form["texts"]))
            if key in seen and form["selector"].startswith("header"):
                continue
            seen.add(key)
            walked.actions.add((form["selector"].split()[0], form["path"]))
            await _walk_form(page, url, form, role, width <= 390, walked)
    await context.close()


def template_get_forms() -> dict[str, str]:
    """Every GET form of the templates (its opening tag), by template and position."""
    found: dict[str, str] = {}
    for template in sorted(SRC.glob("*/templates/**/*.html")):
        for number, tag in enumerate(re.findall(r"<form\b[^>]*>", template.read_text())):
            if 'method="post"' not in tag and "data-upload" not in tag:
                found[f"{template.relative_to(SRC)}#{number}"] = tag
    return found


def _action(tag: str) -> str:
    found = re.search(r'action="([^"]*)"', tag)
    return found.group(1) if found else ""


def _region(name: str) -> str:
    """Where a template's form sits: the page's ``main``, or the top bar of ``base.html``."""
    return "header" if name.startswith("web/templates/base.html") else "main"


def _pattern(action: str) -> re.Pattern[str]:
    parts = re.split(r"{{.*?}}", action)
    return re.compile("^" + "[^/]+".join(re.escape(p) for p in parts) + "$")


async def test_every_filter_form_of_every_role_answers_and_keeps_its_filter(
    browser, live_server, demo_city
):
    ids = await _ids()
    walked = Walked(set(), [])
    # One context per role, side by side: the server answers one while Chromium draws another.
    await asyncio.gather(*(_walk_role(browser, live_server, role, width, ids, walked)
                           for role, width in ROLES))

    # The registry: every GET form a template has was submitted by some role above.
    unwalked = {name: _action(tag) for name, tag in template_get_forms().items()
                if not any(_pattern(_action(tag)).match(path) and region == _region(name)
                           for region, path in walked.actions)}
    assert not unwalked, f"GET forms no role reached (add their page to OFF_NAV): {unwalked}"
    # The narrowing check is alive: some filter showed fewer rows than 「全部」.
    assert walked.narrowed, "no filter narrowed any list"


def test_every_get_form_of_the_templates_names_its_action():
    """The registry matches forms by ``action``: a GET form must name where it goes."""
    forms = template_get_forms()
    assert len(forms) >= 15, forms
    assert [name for name, tag in forms.items() if not _action(tag)] == []
    assert [name for name, tag in forms.items() if 'method="get"' not in tag] == []
