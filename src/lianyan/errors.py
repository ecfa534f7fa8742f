"""The application-error tree.

Services raise these; one exception handler in the web layer turns them into
``application/problem+json`` responses. Each error carries a stable dotted ``code``
that clients and tests match on, and a Chinese ``detail`` a user can act on.
"""

from __future__ import annotations

from typing import Any


class LianyanError(Exception):
    """Base of every error a user can cause; never a 500."""

    status = 400

    #: Members of every problem answer; an error's extra fields must not take their names.
    RESERVED = frozenset({"type", "title", "status", "code", "detail"})

    def __init__(self, code: str, detail: str, **extra: Any) -> None:
        taken = self.RESERVED & extra.keys()
        if taken:
            raise TypeError(f"{code}: extra fields {sorted(taken)} would hide the problem's own")
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.extra = extra


class InvalidInput(LianyanError):
    """The request is malformed or breaks a field rule (400)."""

    status = 400


class Unauthenticated(LianyanError):
    """No valid credentials were given (401)."""

    status = 401


class Forbidden(LianyanError):
    """The caller's role or scope does not allow the action (403)."""

    status = 403


class NotFound(LianyanError):
    """The object does not exist or lies outside what the caller may see (404)."""

    status = 404


class Conflict(LianyanError):
    """The action breaks a rule of the domain in the object's current state (409)."""

    status = 409


class TooLarge(LianyanError):
    """An upload exceeds its size limit (413)."""

    status = 413


class RateLimited(LianyanError):
    """Too many attempts; try again later (429)."""

    status = 429


class Unavailable(LianyanError):
    """A service the app depends on (the object store) does not answer; retry later (503)."""

    status = 503


class PasswordChangeRequired(Forbidden):
    """Signed in with a one-time password that has not been changed yet (403); pages
    redirect to the change-password page instead."""

    def __init__(self) -> None:
        super().__init__(
            "auth.password_change_required",
            "请先修改初始密码：初始密码只能使用一次，修改后才能继续使用系统。",
        )
