"""Accounts: login, tokens, lockout, and turning a token into a ``Principal``."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections import deque

import anyio.to_thread

from lianyan import clock
from lianyan.audit import services as audit
from lianyan.auth.passwords import hash_password, verify_password
from lianyan.auth.principal import Grant, Principal
from lianyan.auth.tables import Account, AuthToken
from lianyan.db import atomic
from lianyan.errors import InvalidInput, RateLimited, Unauthenticated
from lianyan.org.tables import Person, RoleAssignment

#: Failed logins in a row that lock an account, and for how long.
MAX_FAILED_LOGINS = 5
LOCK_DURATION = dt.timedelta(minutes=15)
#: Failed attempts one client address may make in the window, across all usernames.
ADDRESS_ATTEMPTS = 30
ADDRESS_WINDOW = dt.timedelta(minutes=10)

TOKEN_LIFETIME = {"session": dt.timedelta(hours=12), "bearer": dt.timedelta(days=30)}

_attempts_by_address: dict[str, deque[dt.datetime]] = {}


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _throttle_address(address: str) -> None:
    now = clock.now()
    window = _attempts_by_address.setdefault(address, deque())
    while window and now - window[0] > ADDRESS_WINDOW:
        window.popleft()
    if len(window) >= ADDRESS_ATTEMPTS:
        raise RateLimited("auth.rate_limited", "登录失败次数过多，请 10 分钟后再试。")


def _note_failure(address: str) -> None:
    _attempts_by_address.setdefault(address, deque()).append(clock.now())


def reset_throttle() -> None:
    """Forget failed attempts by address (tests, and an operator after an incident)."""
    _attempts_by_address.clear()


async def login(login: str, password: str, *, kind: str, address: str = "") -> tuple[str, int]:
    """Check a username (or phone) and password; return a new raw token and the account id.

    Side effects: counts failures on the account and locks it for 15 minutes after five in a
    row; throttles a client address; writes a token row on success.
    """
    login = login.strip()
    if not login or not password:
        raise InvalidInput("auth.missing", "请输入用户名（或手机号）和密码。")
    _throttle_address(address)
    account = await Account.objects().where(Account.username == login).first()
    if account is None:
        person = await Person.select(Person.id).where(Person.phone == login).first()
        if person is not None:
            account = await Account.objects().where(Account.person == person["id"]).first()
    now = clock.now()
    if account is not None and account.locked_until and account.locked_until > now:
        minutes = max(1, int((account.locked_until - now).total_seconds() // 60) + 1)
        raise RateLimited(
            "auth.locked",
            f"密码错误次数过多，账号已临时锁定，请 {minutes} 分钟后再试。",
        )
    # argon2 costs tens of milliseconds of CPU by design: never on the event loop.
    ok = await anyio.to_thread.run_sync(
        verify_password, account.password_hash if account else None, password
    )
    if account is None or not ok or not account.is_active:
        if account is not None and not ok:
            await _count_failure(account.id, now)
        _note_failure(address)
        raise Unauthenticated("auth.invalid", "用户名或密码不正确。")
    async with atomic():
        await Account.update({Account.failed_logins: 0, Account.locked_until: None}).where(
            Account.id == account.id
        )
        token = await issue_token(account.id, kind=kind)
    return token, account.id


async def _count_failure(account_id: int, now: dt.datetime) -> None:
    """Count one wrong password; the fifth in a row locks the account.

    Read and write in one locked transaction, so concurrent guesses cannot each see the
    same count and slip past the limit.
    """
    async with atomic(lock=f"login:{account_id}"):
        row = await Account.select(Account.failed_logins).where(Account.id == account_id).first()
        failed = (row["failed_logins"] if row else 0) + 1
        values: dict = {Account.failed_logins: failed}
        if failed >= MAX_FAILED_LOGINS:
            values = {Account.failed_logins: 0, Account.locked_until: now + LOCK_DURATION}
        await Account.update(values).where(Account.id == account_id)


async def issue_token(account_id: int, *, kind: str) -> str:
    """Create a token of ``kind`` (``session`` or ``bearer``) and return it raw, once."""
    raw = secrets.token_urlsafe(32)
    now = clock.now()
    await AuthToken.insert(
        AuthToken(
            account=account_id,
            token_hash=_digest(raw),
            kind=kind,
            created_at=now,
            expires_at=now + TOKEN_LIFETIME[kind],
        )
    )
    return raw


async def revoke_token(raw: str) -> None:
    """Revoke a token; revoking an unknown one does nothing."""
    await AuthToken.update({AuthToken.revoked_at: clock.now()}).where(
        AuthToken.token_hash == _digest(raw)
    )


async def principal_for_token(raw: str) -> Principal | None:
    """The caller behind a raw token, or None when it is unknown, expired or revoked."""
    row = (
        await AuthToken.select(
            AuthToken.account.id,
            AuthToken.account.username,
            AuthToken.account.is_active,
            AuthToken.account.person.id,
            AuthToken.account.person.name,
            AuthToken.account.person.county,
            AuthToken.expires_at,
            AuthToken.revoked_at,
        )
        .where(AuthToken.token_hash == _digest(raw))
        .first()
    )
    if row is None or row["revoked_at"] is not None or not row["account.is_active"]:
        return None
    if row["expires_at"] <= clock.now():
        return None
    return await principal_for_person(
        row["account.person.id"],
        account_id=row["account.id"],
        username=row["account.username"],
        name=row["account.person.name"],
        home_county_id=row["account.person.county"],
    )


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


async def create_account(*, person_id: int, username: str, password: str) -> int:
    """Create a login for a person; refuse a taken username or a weak password."""
    validate_password(password)
    if await Account.exists().where(Account.username == username):
        raise InvalidInput("account.username_taken", f"用户名“{username}”已被使用。")
    rows = await Account.insert(
        Account(
            username=username,
            person=person_id,
            password_hash=hash_password(password),
            created_at=clock.now(),
        )
    )
    return int(rows[0]["id"])


async def set_password(account_id: int, password: str, *, actor: Principal | None) -> None:
    """Replace an account's password and revoke its tokens."""
    validate_password(password)
    async with atomic():
        await Account.update(
            {Account.password_hash: hash_password(password), Account.failed_logins: 0}
        ).where(Account.id == account_id)
        await AuthToken.update({AuthToken.revoked_at: clock.now()}).where(
            (AuthToken.account == account_id) & AuthToken.revoked_at.is_null()
        )
        await audit.record(actor, "account.password", "account", account_id)


def validate_password(password: str) -> None:
    """Refuse passwords shorter than 8 characters."""
    if len(password) < 8:
        raise InvalidInput("account.weak_password", "密码至少需要 8 个字符。")
