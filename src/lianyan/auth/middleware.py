"""Who is calling: a bearer token or the session cookie, resolved once per request."""

from __future__ import annotations

import hmac
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import PermissionDeniedException
from litestar.middleware.authentication import (
    AbstractAuthenticationMiddleware,
    AuthenticationResult,
)

from lianyan.auth import services

SESSION_COOKIE = "lianyan_session"
CSRF_COOKIE = "csrftoken"
CSRF_HEADER = "x-csrftoken"
_SAFE = {"GET", "HEAD", "OPTIONS"}


class TokenAuthentication(AbstractAuthenticationMiddleware):
    """Sets ``request.user`` to a ``Principal`` (or None) and ``request.auth`` to the kind."""

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        """Resolve the caller; cookie-authenticated API writes must echo the CSRF cookie."""
        header = connection.headers.get("authorization", "")
        if header.lower().startswith("bearer "):
            raw = header[7:].strip()
            principal = await services.principal_for_token(raw)
            return AuthenticationResult(user=principal, auth=("bearer", raw) if principal else None)
        cookie_token = connection.cookies.get(SESSION_COOKIE)
        if not cookie_token:
            return AuthenticationResult(user=None, auth=None)
        principal = await services.principal_for_token(cookie_token)
        if principal is None:
            return AuthenticationResult(user=None, auth=None)
        method = connection.scope.get("method", "GET")
        if method not in _SAFE and connection.url.path.startswith("/api/"):
            cookie = connection.cookies.get(CSRF_COOKIE, "")
            sent = connection.headers.get(CSRF_HEADER, "")
            if not cookie or not hmac.compare_digest(cookie, sent):
                raise PermissionDeniedException("CSRF token verification failed")
        return AuthenticationResult(user=principal, auth=("session", cookie_token))
