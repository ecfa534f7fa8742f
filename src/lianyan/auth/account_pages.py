"""The 账号与人员 page: people in the caller's scope with their logins, and the buttons that open,
reset, deactivate and reactivate them (docs/accounts.md). Its URLs stay under ``/org``; auth
owns them because they act on auth's accounts (org's people are read through org's services).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post
from litestar.params import Parameter
from litestar.response import Template

from lianyan.auth import accounts
from lianyan.auth.accounts import MAX_BULK
from lianyan.auth.schemas import AccountOut, AccountsOpenedOut, AccountsOpenIn, OneTimeLogin
from lianyan.errors import InvalidInput
from lianyan.files.store import content_disposition
from lianyan.org import services as org
from lianyan.org.access import ACCOUNT_MANAGERS
from lianyan.principal import Principal
from lianyan.web import sections as home_cards
from lianyan.web.access import access
from lianyan.web.forms import NO_FORM, FormState, read_form, submit
from lianyan.web.pages import page, pager
from lianyan.web.sections import register_section

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class AccountPages(Controller):
    """``/org/people...`` and ``/org/accounts/...``."""

    path = "/org"
    include_in_schema = False

    @get("/people", opt=access(*ACCOUNT_MANAGERS))
    async def people(
        self,
        actor: Principal,
        q: str | None = None,
        without_login: bool = False,
        limit: Annotated[int, Parameter(ge=1, le=200)] = 50,
        offset: Annotated[int, Parameter(ge=0)] = 0,
    ) -> Template:
        """账号与人员: people in the caller's scope with their login and its buttons."""
        return await people_page(actor, q=q or "", limit=limit, offset=offset,
                                 without_login=without_login)

    @post("/people/{person_id:int}/account", opt=access(*ACCOUNT_MANAGERS))
    async def open_account(
        self, actor: Principal, request: Request[Any, Any, Any], person_id: int
    ) -> Any:
        """Open a login; the next page shows its one-time password, once."""
        return await _account_action(
            actor, request, "open", lambda: accounts.open_account(actor, person_id),
        )

    @post("/people/{person_id:int}/account/reset", opt=access(*ACCOUNT_MANAGERS))
    async def reset_password(
        self, actor: Principal, request: Request[Any, Any, Any], person_id: int
    ) -> Any:
        """Reset to a new one-time password (ends every session of the account)."""
        return await _account_action(
            actor, request, "reset", lambda: accounts.reset_password(actor, person_id),
        )

    @post("/people/{person_id:int}/account/active", opt=access(*ACCOUNT_MANAGERS))
    async def set_active(
        self, actor: Principal, request: Request[Any, Any, Any], person_id: int
    ) -> Any:
        """Deactivate or reactivate a login, then back to the list."""
        form = await read_form(request, "active")
        back = _back(form.text("back"))
        return await submit(
            form,
            lambda: accounts.set_active(actor, person_id, form.text("active") == "true"),
            done=back,
            again=lambda posted: people_page(actor, posted=posted),
        )

    @post("/accounts/open", opt=access(*ACCOUNT_MANAGERS))
    async def open_accounts(self, actor: Principal, request: Request[Any, Any, Any]) -> Any:
        """Open logins for the ticked people (or everyone of an import) at once."""
        form = await read_form(request, "bulk")

        async def action() -> AccountsOpenedOut:
            data = form.bind(AccountsOpenIn)
            return await accounts.open_accounts(actor, data.person_ids)

        async def shown(result: AccountsOpenedOut) -> Template:
            return page("org/one_time.html", actor, items=result.items, skipped=result.skipped)

        return await submit(form, action, done=shown,
                            again=lambda posted: people_page(actor, posted=posted))

    @post("/accounts/sheet", opt=access(*ACCOUNT_MANAGERS))
    async def one_time_sheet(self, request: Request[Any, Any, Any]) -> Response[bytes]:
        """The xlsx of the one-time passwords just shown (sent back by the page that shows
        them: the passwords are stored nowhere)."""
        form = await read_form(request)
        columns = [form.values.get(k, []) for k in ("name", "unit", "username", "password")]
        if len({len(c) for c in columns}) != 1 or not 0 < len(columns[0]) <= MAX_BULK:
            raise InvalidInput("account.sheet", "没有可以下载的账号，请重新开通或重置。")
        items = [
            OneTimeLogin(person_id=0, name=n[:50], unit=unit[:100], username=u[:50],
                         password=pw[:50])
            for n, unit, u, pw in zip(*columns, strict=True)
        ]
        return Response(
            accounts.one_time_sheet(items), media_type=XLSX,
            headers={"Content-Disposition": content_disposition(accounts.sheet_filename())},
        )


async def people_page(
    actor: Principal, *, q: str = "", limit: int = 50, offset: int = 0,
    without_login: bool = False, posted: FormState = NO_FORM,
) -> Template:
    """The 账号与人员 page (also shown again, with the message, when an action is refused)."""
    items, total = await org.list_people(actor, q=q or None, limit=limit, offset=offset,
                                         where=accounts.without_login() if without_login else None)
    rows = await accounts.people_logins(actor, items)
    query = {"q": q, "offset": offset, **({"without_login": "true"} if without_login else {})}
    return page("org/people.html", actor, rows=rows, q=q, without_login=without_login,
                pager=pager(total, limit, offset), posted=posted,
                back=f"/org/people?{urlencode(query)}")


async def accounts_home(actor: Principal) -> dict[str, Any] | None:
    """The home page's 账号 card for those who open logins: how many people in their scope
    still have none."""
    if not actor.has(*ACCOUNT_MANAGERS):
        return None
    _, waiting = await org.list_people(actor, where=accounts.without_login(), limit=1, offset=0)
    return {"without_login": waiting}


register_section("org/_accounts_home.html", accounts_home, place=home_cards.ACCOUNTS)


def _back(target: str) -> str:
    # Only the people list itself: never bounce to another site.
    return target if target.startswith("/org/people") else "/org/people"


async def _account_action(
    actor: Principal, request: Request[Any, Any, Any], name: str,
    action: Callable[[], Awaitable[AccountOut]],
) -> Any:
    """Open or reset one login; show its one-time password, or the list with the message."""
    form = await read_form(request, name)

    async def shown(result: AccountOut) -> Template:
        person = await org.get_person(actor, result.person_id)
        item = OneTimeLogin(person_id=person.id, name=person.name, unit=person.unit,
                            username=result.username, password=result.password or "")
        return page("org/one_time.html", actor, items=[item], skipped=[], reset=name == "reset")

    return await submit(form, action, done=shown,
                        again=lambda posted: people_page(actor, posted=posted))
