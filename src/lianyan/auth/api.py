"""JSON API of authentication: login, logout, me, changing one's own password."""

from __future__ import annotations

import ipaddress
from typing import Any

from litestar import Controller, Request, Response, get, patch, post
from litestar.datastructures import Cookie
from litestar.status_codes import HTTP_200_OK

from lianyan.auth import accounts, services
from lianyan.auth.middleware import SESSION_COOKIE
from lianyan.auth.schemas import (
    AccountOpenIn,
    AccountOut,
    AccountPatch,
    AccountsOpenIn,
    LoginIn,
    MeOut,
    PasswordChangedOut,
    PasswordChangeIn,
    RoleGrantOut,
    TokenOut,
)
from lianyan.files.store import content_disposition
from lianyan.principal import Principal, Role
from lianyan.settings import Settings
from lianyan.web.access import PUBLIC, SIGNED_IN, access

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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
    """The client's address, for throttling: ``X-Forwarded-For`` only from a trusted proxy."""
    settings: Settings = request.app.state.settings
    peer = request.client.host if request.client else ""
    return forwarded_client(peer, request.headers.getall("x-forwarded-for", []),
                            settings.trusted_networks)


def forwarded_client(peer: str, forwarded_for: list[str], trusted: tuple[Any, ...]) -> str:
    """The first address, from the right, that is not one of our proxies.

    Each proxy appends the address it was reached from, so only the entries our own proxies
    added can be believed: walk back from the peer while the hop is trusted. A client can put
    anything at the left of the header; it is never read past the first untrusted hop.
    """
    hops = [h.strip() for value in forwarded_for for h in value.split(",") if h.strip()]
    address = peer
    while _is_trusted(address, trusted) and hops:
        address = hops.pop()
    return address


def _is_trusted(address: str, trusted: tuple[Any, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


class AuthController(Controller):
    """``/api/v1/auth``: login returns a bearer token and sets the session cookie."""

    path = "/api/v1/auth"
    tags = ["auth"]

    @post("/login", opt=access(PUBLIC), status_code=HTTP_200_OK)
    async def login(
        self, data: LoginIn, request: Request[Any, Any, Any], settings: Settings
    ) -> Response[TokenOut]:
        """Log in by username or phone."""
        bearer, _ = await services.login(
            data.username, data.password, kind="bearer", address=client_address(request)
        )
        session = await services.issue_companion(bearer, kind="session")
        return Response(TokenOut(token=bearer), cookies=[session_cookie(session, settings)])

    @post("/logout", opt=access(SIGNED_IN, with_one_time_password=True), status_code=HTTP_200_OK)
    async def logout(self, request: Request[Any, Any, Any]) -> Response[dict[str, str]]:
        """End this login: the token of the request, the bearer token and session cookie its
        login issued together, and the session cookie sent along."""
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

    @get("/", opt=access(SIGNED_IN, with_one_time_password=True))
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
            must_change_password=actor.must_change_password,
        )

    @post("/password", opt=access(SIGNED_IN, with_one_time_password=True),
          status_code=HTTP_200_OK)
    async def change_password(
        self, actor: Principal, data: PasswordChangeIn, request: Request[Any, Any, Any],
        settings: Settings,
    ) -> Response[PasswordChangedOut]:
        """Change the caller's password: every session and token of the account ends; the
        caller carries on with a fresh one (a bearer token in the body, or a new cookie)."""
        kind = request.scope["auth"][0] if request.scope.get("auth") else "bearer"
        token = await services.change_own_password(
            actor, data.current, data.new, kind=kind, confirm=data.confirm
        )
        if kind == "session":
            return Response(PasswordChangedOut(), cookies=[session_cookie(token, settings)])
        return Response(PasswordChangedOut(token=token))


class PersonAccountController(Controller):
    """``/api/v1/people/{id}/account`` and the bulk opening after an import."""

    path = "/api/v1/people"
    tags = ["accounts"]
    opt = access(Role.CITY_ADMIN, Role.COUNTY_OFFICER, Role.DIRECTOR, Role.ADMIN)

    @get("/{person_id:int}/account")
    async def get_account(self, actor: Principal, person_id: int) -> AccountOut:
        """A person's login: username and state (never the password)."""
        return await accounts.get_account(actor, person_id)

    @post("/{person_id:int}/account")
    async def open_account(
        self, actor: Principal, person_id: int, data: AccountOpenIn | None = None
    ) -> AccountOut:
        """Open a login; the answer carries the one-time password, shown this once."""
        return await accounts.open_account(
            actor, person_id, username=data.username if data else None
        )

    @patch("/{person_id:int}/account")
    async def update_account(
        self, actor: Principal, person_id: int, data: AccountPatch
    ) -> AccountOut:
        """``{"active": false}`` deactivates, ``true`` reactivates; ``{"reset_password":
        true}`` issues a new one-time password. Both end every session and token."""
        return await accounts.update_account(actor, person_id, data)

    @post("/accounts", status_code=HTTP_200_OK)
    async def open_accounts(
        self, actor: Principal, data: AccountsOpenIn
    ) -> Response[Any]:
        """Open logins for many people (everyone of an import); ``format: "xlsx"`` answers
        with the sheet of usernames and one-time passwords."""
        result = await accounts.open_accounts(actor, data.person_ids)
        if data.format == "xlsx":
            return Response(
                accounts.one_time_sheet(result.items), media_type=XLSX,
                headers={"Content-Disposition": content_disposition(accounts.sheet_filename())},
            )
        return Response(result)
