"""Tables of accounts and their credentials."""

from __future__ import annotations

from piccolo.columns import Boolean, ForeignKey, Integer, Serial, Timestamptz, Varchar
from piccolo.table import Table

from lianyan.org.tables import Person


class Account(Table):
    """A login: a username, an argon2id hash, and the person behind it."""

    id: Serial

    username = Varchar(length=50, unique=True)
    person = ForeignKey(references=Person, null=False, unique=True)
    password_hash = Varchar(length=200)
    is_active = Boolean(default=True)
    failed_logins = Integer(default=0)
    locked_until = Timestamptz(null=True, default=None)
    created_at = Timestamptz()
    #: The password is a one-time password (opened or reset by someone else): it must be
    #: changed before anything else.
    must_change_password = Boolean(default=False)
    #: Bumped by every password change, reset, deactivation and reactivation; a cache of
    #: callers may compare it instead of re-reading every token.
    credentials_version = Integer(default=0)


class AuthToken(Table):
    """A session (cookie) or API (bearer) token, stored as a SHA-256 hash."""

    id: Serial

    account = ForeignKey(references=Account, null=False, index=True)
    token_hash = Varchar(length=64, unique=True)
    kind = Varchar(length=10)
    created_at = Timestamptz()
    expires_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)
    #: Shared by the tokens one login issued (the API's bearer and its session cookie), so
    #: logging out ends both.
    login_key = Varchar(length=32, default="", index=True)


class LoginThrottle(Table):
    """Login attempts counted per key, shared by every worker and instance.

    ``key`` is ``account:<id>`` (or ``login:<name>`` for a name no account has, so an unknown
    name locks exactly like a known one) or ``address:<client address>``. An attempt is
    counted before its password is checked.
    """

    id: Serial

    key = Varchar(length=200, unique=True)
    attempts = Integer(default=0)
    window_start = Timestamptz()
    locked_until = Timestamptz(null=True, default=None)
