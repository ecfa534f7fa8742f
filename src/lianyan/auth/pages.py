"""Login, logout and change-password pages."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.response import Redirect, Template

from lianyan.auth import services
from lianyan.auth.api import client_address, session_cookie
from lianyan.auth.middleware import SESSION_COOKIE
from lianyan.auth.schemas import PasswordChangeIn
from lianyan.principal import Principal
from lianyan.settings import Settings
from lianyan.web.access import PUBLIC, SIGNED_IN, access
from lianyan.web.forms import NO_FORM, FormState, read_form, submit
from lianyan.web.pages import page


def _safe_next(target: str) -> str:
    # Only local paths: never bounce a user to another site after login.
    return target if target.startswith("/") and not target.startswith("//") else "/"


class AuthPages(Controller):
    """``/login`` and ``/logout``."""

    path = "/"
    opt = access(PUBLIC)
    include_in_schema = False

    @get("/login")
    async def login_page(self, request: Request[Any, Any, Any], next: str = "/") -> Template:
        """The login form."""
        return page("auth/login.html", None, next=_safe_next(next), error=None, username="")

    @post("/login")
    async def login_submit(
        self, request: Request[Any, Any, Any], settings: Settings
    ) -> Response[Any]:
        """Check the password; on success set the session cookie and go on."""
        form = await read_form(request, "login")
        target = _safe_next(form.text("next") or "/")

        async def sign_in() -> str:
            token, _ = await services.login(
                form.text("username"), form.values.get("password", [""])[-1], kind="session",
                address=client_address(request),
            )
            return token

        return await submit(
            form, sign_in,
            done=lambda token: Redirect(target, cookies=[session_cookie(token, settings)]),
            again=lambda posted: _login_again(target, posted),
        )

    @get("/account/password", opt=access(SIGNED_IN, with_one_time_password=True))
    async def password_page(self, actor: Principal, next: str = "/") -> Template:
        """The 修改密码 form; after a one-time password, the only page there is."""
        return page("auth/password.html", actor, next=_safe_next(next), posted=NO_FORM)

    @post("/account/password", opt=access(SIGNED_IN, with_one_time_password=True))
    async def password_submit(
        self, actor: Principal, request: Request[Any, Any, Any], settings: Settings
    ) -> Response[Any]:
        """Change the password; this browser carries on with a fresh session, every other
        session and token of the account ends."""
        form = await read_form(request, "password")
        target = _safe_next(form.text("next") or "/")

        async def change() -> str:
            data = form.bind(PasswordChangeIn)
            return await services.change_own_password(
                actor, data.current, data.new, kind="session", confirm=data.confirm
            )

        async def again(posted: FormState) -> Template:
            return page("auth/password.html", actor, next=target, posted=posted)

        fresh: list[str] = []

        response = await submit(form, change, done=lambda token: _remember(fresh, token, target),
                                again=again)
        if fresh:
            response.set_cookie(session_cookie(fresh[0], settings))
        return response

    @post("/logout")
    async def logout(self, request: Request[Any, Any, Any]) -> Redirect:
        """End the session (and the bearer token its login issued with it)."""
        if raw := request.cookies.get(SESSION_COOKIE):
            await services.revoke_token(raw)
        return Redirect("/login", cookies=[Cookie(key=SESSION_COOKIE, value="", max_age=0,
                                                  path="/")])


def _remember(box: list[str], token: str, target: str) -> str:
    """Keep the fresh session token for the redirect's cookie; go on to ``target``."""
    box.append(token)
    return target


def _login_again(target: str, posted: FormState) -> Awaitable[Template]:
    async def render() -> Template:
        return page("auth/login.html", None, next=target, error=posted.message,
                    username=posted.text("username"), posted=posted)

    return render()
