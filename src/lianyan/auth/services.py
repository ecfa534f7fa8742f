"""Accounts: login, tokens, lockout, and turning a token into a ``Principal``."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

import anyio.to_thread
import msgspec

from lianyan import clock
from lianyan.audit import services as audit
from lianyan.auth import cache
from lianyan.auth.passwords import hash_password, verify_password
from lianyan.auth.tables import Account, AuthToken, LoginThrottle
from lianyan.db import atomic
from lianyan.errors import Conflict, Forbidden, InvalidInput, RateLimited, Unauthenticated
from lianyan.org.tables import Person, RoleAssignment
from lianyan.principal import Grant, Principal

#: Login attempts in a row (without a success) that lock an account, and for how long.
MAX_FAILED_LOGINS = 5
LOCK_DURATION = dt.timedelta(minutes=15)
#: Attempts one client address may make in the window, across all usernames.
ADDRESS_ATTEMPTS = 30
ADDRESS_WINDOW = dt.timedelta(minutes=10)

TOKEN_LIFETIME = {"session": dt.timedelta(hours=12), "bearer": dt.timedelta(days=30)}


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def _reserve(key: str, *, limit: int, window: dt.timedelta | None,
                   lock_for: dt.timedelta | None, now: dt.datetime) -> dt.datetime | None:
    """Count one attempt on ``key`` before anything is checked; return the lock's end if refused.

    The read and the write share one locked transaction (IMMEDIATE on SQLite, an advisory lock
    on PostgreSQL), so concurrent attempts on every worker and instance queue on the same row
    and exactly ``limit`` of them get through. The attempt that reaches the limit sets the
    lock: ``lock_for`` from now, or, without it, until the window ends.
    """
    async with atomic(lock=f"login-throttle:{key}"):
        row = await LoginThrottle.select().where(LoginThrottle.key == key).first()
        if row is not None and row["locked_until"] is not None and row["locked_until"] > now:
            return row["locked_until"]
        if row is None or row["locked_until"] is not None or (
            window is not None and row["window_start"] + window <= now
        ):
            attempts, start = 1, now  # a new window (or the first after a lock)
        else:
            attempts, start = row["attempts"] + 1, row["window_start"]
        locked_until = None
        if attempts >= limit:
            locked_until = now + lock_for if lock_for else start + (window or dt.timedelta())
        values: dict[Any, Any] = {
            "attempts": attempts, "window_start": start, "locked_until": locked_until,
        }
        if row is None:
            await LoginThrottle.insert(LoginThrottle(key=key, **values))
        else:
            await LoginThrottle.update(values).where(LoginThrottle.key == key)
    return None


async def _give_back(key: str, *, forget: bool) -> None:
    """A login succeeded: forget the account's attempts, or give the address its one back."""
    async with atomic(lock=f"login-throttle:{key}"):
        if forget:
            await LoginThrottle.delete().where(LoginThrottle.key == key)
            return
        await LoginThrottle.update({
            LoginThrottle.attempts: LoginThrottle.attempts - 1,
            LoginThrottle.locked_until: None,
        }).where((LoginThrottle.key == key) & (LoginThrottle.attempts > 0))


def _locked(until: dt.datetime, now: dt.datetime) -> RateLimited:
    """The one answer for a locked name, known or not: it never tells whether it exists."""
    minutes = max(1, int((until - now).total_seconds() // 60) + 1)
    return RateLimited(
        "auth.locked",
        f"登录失败次数过多，该账号已临时锁定，请 {minutes} 分钟后再试。",
        retry_after=int((until - now).total_seconds()) + 1,
    )


async def reset_throttle() -> None:
    """Forget every counted attempt (an operator after an incident)."""
    await LoginThrottle.delete(force=True)


async def login(login: str, password: str, *, kind: str, address: str = "") -> tuple[str, int]:
    """Check a username (or phone) and password; return a new raw token and the account id.

    Side effects: counts the attempt in the database before the password is checked, per
    client address (30 in 10 minutes) and per name (5 in a row lock it for 15 minutes, the
    same for a name no account has); a success forgets the name's attempts, gives the
    address its attempt back and writes a token row.
    """
    login = login.strip()
    if not login or not password:
        raise InvalidInput("auth.missing", "请输入用户名（或手机号）和密码。")
    now = clock.now()
    address_key = f"address:{address}"
    refused = await _reserve(address_key, limit=ADDRESS_ATTEMPTS, window=ADDRESS_WINDOW,
                             lock_for=None, now=now)
    if refused is not None:
        raise RateLimited("auth.rate_limited", "登录失败次数过多，请 10 分钟后再试。",
                          retry_after=int((refused - now).total_seconds()) + 1)
    account = await Account.objects().where(Account.username == login).first()
    if account is None:
        person = await Person.select(Person.id).where(Person.phone == login).first()
        if person is not None:
            account = await Account.objects().where(Account.person == person["id"]).first()
    name_key = f"account:{account.id}" if account is not None else f"login:{login.casefold()}"
    refused = await _reserve(name_key, limit=MAX_FAILED_LOGINS, window=None,
                             lock_for=LOCK_DURATION, now=now)
    if refused is not None:
        raise _locked(refused, now)
    # argon2 costs tens of milliseconds of CPU by design: never on the event loop.
    ok = await anyio.to_thread.run_sync(
        verify_password, account.password_hash if account else None, password
    )
    if account is None or not ok:
        raise Unauthenticated("auth.invalid", "用户名或密码不正确。")
    await _give_back(address_key, forget=False)
    await _give_back(name_key, forget=True)
    if not account.is_active:
        raise Forbidden("auth.inactive", "该账号已停用，请联系为您开通账号的负责人。")
    async with atomic():
        token = await issue_token(account.id, kind=kind)
    return token, account.id


async def issue_token(account_id: int, *, kind: str, login_key: str | None = None) -> str:
    """Create a token of ``kind`` (``session`` or ``bearer``) and return it raw, once.

    Tokens issued with the same ``login_key`` end together at logout; without one, the token
    starts a login of its own. The caller is resolved into the cache (``auth.cache``) at once.
    """
    raw = secrets.token_urlsafe(32)
    now = clock.now()
    await AuthToken.insert(
        AuthToken(
            account=account_id,
            token_hash=_digest(raw),
            kind=kind,
            created_at=now,
            expires_at=now + TOKEN_LIFETIME[kind],
            login_key=login_key or secrets.token_hex(16),
        )
    )
    await principal_for_token(raw)  # cached now: its first request runs one auth query
    return raw


async def issue_companion(raw: str, *, kind: str) -> str:
    """Issue a token of ``kind`` that belongs to the same login as the token ``raw``."""
    row = await AuthToken.select(AuthToken.account, AuthToken.login_key).where(
        AuthToken.token_hash == _digest(raw)
    ).first()
    if row is None:
        raise Unauthenticated("auth.required", "请先登录。")
    return await issue_token(row["account"], kind=kind, login_key=row["login_key"])


async def revoke_token(raw: str) -> None:
    """Log out: revoke the token and every token its login issued with it (the API login's
    bearer token and session cookie end together); an unknown token does nothing."""
    row = await AuthToken.select(AuthToken.login_key).where(
        AuthToken.token_hash == _digest(raw)
    ).first()
    if row is None:
        return
    condition = AuthToken.token_hash == _digest(raw)
    if row["login_key"]:
        condition = condition | (AuthToken.login_key == row["login_key"])
    await AuthToken.update({AuthToken.revoked_at: clock.now()}).where(
        condition & AuthToken.revoked_at.is_null()
    )


async def end_sessions(account_id: int) -> None:
    """Revoke every live token of an account and bump its credentials version.

    Call inside the transaction that changes the credentials, so both happen or neither.
    """
    await AuthToken.update({AuthToken.revoked_at: clock.now()}).where(
        (AuthToken.account == account_id) & AuthToken.revoked_at.is_null()
    )
    await Account.update(
        {Account.credentials_version: Account.credentials_version + 1}
    ).where(Account.id == account_id)


async def principal_for_token(raw: str) -> Principal | None:
    """The caller behind a raw token, or None when it is unknown, expired or revoked.

    Cached per token while the sign-in change counter stands still (``auth.cache``): a hit
    is one query, a miss three.
    """
    digest = _digest(raw)
    current = await cache.counter()
    found = cache.get(digest, current)
    if found is not None:
        return found
    resolved = await _resolve_token(digest)
    if resolved is None:
        return None
    principal, expires_at = resolved
    cache.put(digest, principal, expires_at=expires_at, current=current)
    return principal


async def _resolve_token(digest: str) -> tuple[Principal, dt.datetime] | None:
    row = (
        await AuthToken.select(
            AuthToken.account.id,
            AuthToken.account.username,
            AuthToken.account.is_active,
            AuthToken.account.must_change_password,
            AuthToken.account.credentials_version,
            AuthToken.account._.person.id,
            AuthToken.account._.person.name,
            AuthToken.account._.person.county,
            AuthToken.expires_at,
            AuthToken.revoked_at,
        )
        .where(AuthToken.token_hash == digest)
        .first()
    )
    if row is None or row["revoked_at"] is not None or not row["account.is_active"]:
        return None
    if row["expires_at"] <= clock.now():
        return None
    principal = await principal_for_person(
        row["account.person.id"],
        account_id=row["account.id"],
        username=row["account.username"],
        name=row["account.person.name"],
        home_county_id=row["account.person.county"],
    )
    principal = msgspec.structs.replace(
        principal,
        must_change_password=bool(row["account.must_change_password"]),
        credentials_version=row["account.credentials_version"],
    )
    return principal, row["expires_at"]


async def principal_for_person(
    person_id: int, *, account_id: int, username: str, name: str, home_county_id: int | None
) -> Principal:
    """Build a ``Principal`` from a person's active role assignments."""
    grants = await RoleAssignment.select(
        RoleAssignment.role,
        RoleAssignment.county,
        RoleAssignment.zone,
        RoleAssignment.kindergarten,
    ).where((RoleAssignment.person == person_id) & (RoleAssignment.active == True))  # noqa: E712
    return Principal(
        account_id=account_id,
        person_id=person_id,
        username=username,
        name=name,
        grants=tuple(
            Grant(
                role=g["role"],
                county_id=g["county"],
                zone_id=g["zone"],
                kindergarten_id=g["kindergarten"],
            )
            for g in grants
        ),
        home_county_id=home_county_id,
    )


async def create_account(
    *, person_id: int, username: str, password: str, one_time: bool = False
) -> int:
    """Create a login for a person; refuse a taken username or a weak password.

    ``one_time`` marks the password as one that must be changed at first sign-in.
    """
    phone = await Person.select(Person.phone).where(Person.id == person_id).first()
    validate_password(password, username=username, phone=(phone or {}).get("phone"))
    if await Account.exists().where(Account.username == username):
        raise Conflict("account.username_taken", f"用户名“{username}”已被使用，请换一个。")
    if await Account.exists().where(Account.person == person_id):
        raise Conflict("account.exists", "该人员已经开通了账号；如需新密码，请使用“重置密码”。")
    password_hash = await anyio.to_thread.run_sync(hash_password, password)
    rows = await Account.insert(
        Account(
            username=username,
            person=person_id,
            password_hash=password_hash,
            created_at=clock.now(),
            must_change_password=one_time,
        )
    )
    return int(rows[0]["id"])


async def set_password(
    account_id: int,
    password: str,
    *,
    actor: Principal | None,
    one_time: bool = False,
    password_hash: str | None = None,
) -> None:
    """Replace an account's password and end every session and token of the account.

    ``one_time`` (a reset by someone else) makes the owner change it at next sign-in;
    ``password_hash``, when the caller already hashed ``password``, is stored as given.
    Side effects: tokens revoked, credentials version bumped, audit ``account.password``
    (``account.reset`` for a one-time password).
    """
    row = await Account.select(Account.username, Account.person.phone).where(
        Account.id == account_id
    ).first()
    if row is None:
        raise InvalidInput("account.not_found", "没有找到该账号。")
    validate_password(password, username=row["username"], phone=row["person.phone"])
    if password_hash is None:
        password_hash = await anyio.to_thread.run_sync(hash_password, password)
    async with atomic(lock=f"account:{account_id}"):
        await Account.update(
            {
                Account.password_hash: password_hash,
                Account.failed_logins: 0,
                Account.locked_until: None,
                Account.must_change_password: one_time,
            }
        ).where(Account.id == account_id)
        # A new password unlocks the login: its counted attempts were against the old one.
        await LoginThrottle.delete().where(LoginThrottle.key == f"account:{account_id}")
        await end_sessions(account_id)
        await audit.record(actor, "account.reset" if one_time else "account.password",
                           "account", account_id)


async def change_own_password(
    actor: Principal, current: str, new: str, *, kind: str, confirm: str | None = None
) -> str:
    """The caller changes their own password; returns a fresh token of ``kind``.

    Every session and token of the account ends, the caller's own included; the fresh token
    lets the session that made the change carry on (docs/decisions.md).
    """
    now = clock.now()
    # A wrong current password counts as a failed login of the account: whoever holds a
    # session cannot guess the password behind it faster than at the login page.
    key = f"account:{actor.account_id}"
    refused = await _reserve(key, limit=MAX_FAILED_LOGINS, window=None,
                             lock_for=LOCK_DURATION, now=now)
    if refused is not None:
        minutes = max(1, int((refused - now).total_seconds() // 60) + 1)
        raise RateLimited(
            "auth.locked",
            f"当前密码输错次数过多，该账号已临时锁定，请 {minutes} 分钟后再试。",
            retry_after=int((refused - now).total_seconds()) + 1,
        )
    row = await Account.select(Account.password_hash).where(
        Account.id == actor.account_id
    ).first()
    ok = await anyio.to_thread.run_sync(
        verify_password, row["password_hash"] if row else None, current
    )
    if not ok:
        raise InvalidInput("password.current_wrong", "当前密码不正确，请重新输入。",
                           field="current")
    await _give_back(key, forget=True)
    if confirm is not None and confirm != new:
        raise InvalidInput("password.mismatch", "两次输入的新密码不一致，请重新输入。",
                           field="confirm")
    if new == current:
        raise InvalidInput("password.unchanged", "新密码不能与当前密码相同。", field="new")
    await set_password(actor.account_id, new, actor=actor)
    return await issue_token(actor.account_id, kind=kind)


#: The demo city's shared password (README): never acceptable as a real one.
DEMO_PASSWORD = "lianyan2026"
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 128


def validate_password(password: str, *, username: str = "", phone: str | None = None) -> None:
    """Refuse a password that is too short or long, is the username (or phone number), or is
    the demo password; the message says the rule in Chinese (field ``new``)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput("password.too_short",
                           f"密码至少需要 {MIN_PASSWORD_LENGTH} 个字符。", field="new")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput("password.too_long",
                           f"密码最多 {MAX_PASSWORD_LENGTH} 个字符。", field="new")
    if username and password.strip().lower() == username.strip().lower():
        raise InvalidInput("password.is_username", "密码不能与用户名相同。", field="new")
    if phone and password.strip() == phone.strip():
        raise InvalidInput("password.is_phone", "密码不能与手机号相同。", field="new")
    if password.strip().lower() == DEMO_PASSWORD:
        raise InvalidInput("password.is_demo",
                           "不能使用演示系统的公开密码，请换一个只有您知道的密码。", field="new")
    if len(set(password)) == 1:
        raise InvalidInput("password.repeated", "密码不能由同一个字符重复组成。", field="new")
