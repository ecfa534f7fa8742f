"""JSON API of authentication: login, logout, me."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.status_codes import HTTP_200_OK

from lianyan.auth import services
from lianyan.auth.middleware import SESSION_COOKIE
from lianyan.auth.principal import Principal
from lianyan.auth.schemas import LoginIn, MeOut, RoleGrantOut, TokenOut
from lianyan.settings import Settings
from lianyan.web.access import PUBLIC, SIGNED_IN, access


def session_cookie(token: str, settings: Settings) -> Cookie:
    """The HttpOnly, SameSite=Lax session cookie (Secure behind TLS)."""
    return Cookie(
        key=SESSION_COOKIE,
        value=token,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        max_age=int(services.TOKEN_LIFETIME["session"].total_seconds()),
        path="/",
    )


def client_address(request: Request[Any, Any, Any]) -> str:
    """The client's address, for throttling."""
    return request.client.host if request.client else ""


class AuthController(Controller):
    """``/api/v1/auth``: login returns a bearer token and sets the session cookie."""

    path = "/api/v1/auth"
    tags = ["auth"]

    @post("/login", opt=access(PUBLIC), status_code=HTTP_200_OK)
    async def login(
        self, data: LoginIn, request: Request[Any, Any, Any], settings: Settings
    ) -> Response[TokenOut]:
        """Log in by username or phone."""
        bearer, account_id = await services.login(
            data.username, data.password, kind="bearer", address=client_address(request)
        )
        session = await services.issue_token(account_id, kind="session")
        return Response(TokenOut(token=bearer), cookies=[session_cookie(session, settings)])

    @post("/logout", opt=access(SIGNED_IN), status_code=HTTP_200_OK)
    async def logout(self, request: Request[Any, Any, Any]) -> Response[dict[str, str]]:
        """Revoke the token this request was made with (and the session cookie)."""
        auth = request.scope.get("auth")
        if auth:
            await services.revoke_token(auth[1])
        if raw := request.cookies.get(SESSION_COOKIE):
            await services.revoke_token(raw)
        return Response({"status": "ok"}, cookies=[Cookie(key=SESSION_COOKIE, value="",
                                                           max_age=0, path="/")])


class MeController(Controller):
    """``GET /api/v1/me``."""

    path = "/api/v1/me"
    tags = ["auth"]

    @get("/", opt=access(SIGNED_IN))
    async def me(self, actor: Principal) -> MeOut:
        """Who the caller is and which roles they hold."""
        return MeOut(
            id=actor.account_id,
            person_id=actor.person_id,
            username=actor.username,
            name=actor.name,
            roles=[
                RoleGrantOut(
                    role=g.role,
                    county_id=g.county_id,
                    zone_id=g.zone_id,
                    kindergarten_id=g.kindergarten_id,
                )
                for g in actor.grants
            ],
        )
