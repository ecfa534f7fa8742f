"""Login and logout pages."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template

from lianyan.auth import services
from lianyan.auth.api import client_address, session_cookie
from lianyan.auth.middleware import SESSION_COOKIE
from lianyan.errors import LianyanError
from lianyan.settings import Settings
from lianyan.web.access import PUBLIC, access


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
        return Template("auth/login.html", context={"next": _safe_next(next), "error": None,
                                                    "username": "", "user": None})

    @post("/login")
    async def login_submit(
        self,
        request: Request[Any, Any, Any],
        settings: Settings,
        data: Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Response[Any]:
        """Check the password; on success set the session cookie and go on."""
        username = data.get("username", "")
        target = _safe_next(data.get("next", "/"))
        try:
            token, _ = await services.login(
                username, data.get("password", ""), kind="session",
                address=client_address(request),
            )
        except LianyanError as exc:
            return Template(
                "auth/login.html",
                context={"next": target, "error": exc.detail, "username": username,
                         "user": None},
                status_code=exc.status,
            )
        return Redirect(target, cookies=[session_cookie(token, settings)])

    @post("/logout")
    async def logout(self, request: Request[Any, Any, Any]) -> Redirect:
        """End the session."""
        if raw := request.cookies.get(SESSION_COOKIE):
            await services.revoke_token(raw)
        return Redirect("/login", cookies=[Cookie(key=SESSION_COOKIE, value="", max_age=0,
                                                  path="/")])
