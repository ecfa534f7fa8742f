"""Logins of existing people: open, reset, deactivate, reactivate — within the caller's scope.

Who may (domain.md, Accounts): the city and the admin for everyone; a county officer for the
people of the county; a director for the kindergarten's teachers. People outside what the caller
may see are 404; people they may see but not manage are 403 (``account.forbidden``). Opening and
resetting hand out a one-time password, returned once and stored only as a hash.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

import anyio.to_thread
import msgspec
from argon2 import PasswordHasher

from lianyan import clock
from lianyan.audit import services as audit
from lianyan.auth import schemas as s
from lianyan.auth.services import end_sessions, set_password
from lianyan.auth.tables import Account
from lianyan.db import atomic
from lianyan.errors import Conflict, Forbidden, NotFound
from lianyan.org import services as org
from lianyan.org.tables import Person, RoleAssignment
from lianyan.principal import Principal, Role

#: Letters and digits that cannot be mistaken for one another on paper (no 0/O, 1/l/I).
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
ONE_TIME_LENGTH = 10
#: At most this many logins in one bulk opening (a county's teachers come in batches).
MAX_BULK = 500
#: One-time passwords are random (about 49 bits) and live until first sign-in, so a lighter
#: argon2id setting than for chosen passwords is enough; it keeps opening 300 logins quick.
_ONE_TIME_HASHER = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
_PROTECTED_ROLES = {Role.CITY_ADMIN, Role.ADMIN}


def one_time_password() -> str:
    """A random, readable one-time password."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(ONE_TIME_LENGTH))


def _hash_one_time(passwords: list[str]) -> list[str]:
    return [_ONE_TIME_HASHER.hash(p) for p in passwords]


async def _roles_of(person_ids: Iterable[int]) -> dict[int, set[str]]:
    ids = list(person_ids)
    rows = await RoleAssignment.select(RoleAssignment.person, RoleAssignment.role).where(
        RoleAssignment.person.is_in(ids or [0]) & (RoleAssignment.active == True)  # noqa: E712
    )
    roles: dict[int, set[str]] = {i: set() for i in ids}
    for row in rows:
        roles[row["person"]].add(row["role"])
    return roles


def may_manage(actor: Principal, person: Any, roles: set[str]) -> bool:
    """Whether ``actor`` may open, reset or deactivate the login of ``person`` (a row or
    ``PersonOut`` with ``county_id`` and ``kindergarten_id``) holding ``roles``."""
    if actor.is_city or actor.has(Role.ADMIN):
        return True
    if roles & _PROTECTED_ROLES:
        return False
    county_id = _get(person, "county_id")
    kindergarten_id = _get(person, "kindergarten_id")
    if county_id is not None and county_id in actor.counties(Role.COUNTY_OFFICER):
        return True
    return (
        kindergarten_id is not None
        and kindergarten_id in actor.kindergartens(Role.DIRECTOR)
        and roles <= {Role.TEACHER}
    )


def _get(person: Any, field: str) -> Any:
    return person[field] if isinstance(person, dict) else getattr(person, field)


async def _managed_person(actor: Principal, person_id: int) -> Any:
    """The person, if the caller may see them (else 404) and manage their login (else 403)."""
    person = await org.get_person(actor, person_id)
    if person.id == actor.person_id:
        raise Conflict("account.self", "不能在这里操作自己的账号；修改自己的密码请用“修改密码”。")
    roles = (await _roles_of([person_id]))[person_id]
    if not may_manage(actor, person, roles):
        raise Forbidden("account.forbidden", f"您无权管理“{person.name}”的账号。")
    return person


async def _default_username(person_id: int, phone: str | None) -> str:
    if phone and not await Account.exists().where(Account.username == phone):
        return phone
    return f"ly{person_id}"


def _out(row: dict[str, Any], password: str | None = None) -> s.AccountOut:
    return s.AccountOut(
        person_id=row["person"], username=row["username"], active=bool(row["is_active"]),
        must_change_password=bool(row["must_change_password"]), password=password,
    )


_ACCOUNT_COLUMNS = (Account.id, Account.person, Account.username, Account.is_active,
                    Account.must_change_password)


async def get_account(actor: Principal, person_id: int) -> s.AccountOut:
    """The login of a person the caller may see; 404 ``account.not_found`` without one."""
    await org.get_person(actor, person_id)
    row = await Account.select(*_ACCOUNT_COLUMNS).where(Account.person == person_id).first()
    if row is None:
        raise NotFound("account.not_found", "该人员还没有开通账号。")
    return _out(row)


async def open_account(
    actor: Principal | None, person_id: int, *, username: str | None = None
) -> s.AccountOut:
    """Open a login for an existing person; the answer carries the one-time password.

    ``actor=None`` is the command line (trusted). Side effects: an account row with
    ``must_change_password``; audit ``account.open``. A person with a login: 409
    ``account.exists``; a taken username: 409 ``account.username_taken``.
    """
    if actor is None:
        person = await Person.select(Person.id, Person.phone, Person.name).where(
            Person.id == person_id
        ).first()
        if person is None:
            raise NotFound("person.not_found", "没有找到该人员。")
        phone = person["phone"]
    else:
        phone = (await _managed_person(actor, person_id)).phone
    password = one_time_password()
    [password_hash] = await anyio.to_thread.run_sync(_hash_one_time, [password])
    async with atomic(lock=f"account:person:{person_id}"):
        if await Account.exists().where(Account.person == person_id):
            raise Conflict("account.exists", "该人员已经开通了账号；如需新密码，请使用“重置密码”。")
        username = username or await _default_username(person_id, phone)
        if await Account.exists().where(Account.username == username):
            raise Conflict("account.username_taken", f"用户名“{username}”已被使用，请换一个。")
        rows = await Account.insert(
            Account(username=username, person=person_id, password_hash=password_hash,
                    created_at=clock.now(), must_change_password=True)
        )
        await audit.record(actor, "account.open", "account", rows[0]["id"],
                           person_id=person_id, username=username)
    row = await Account.select(*_ACCOUNT_COLUMNS).where(Account.person == person_id).first()
    assert row is not None
    return _out(row, password)


async def open_accounts(actor: Principal, person_ids: list[int]) -> s.AccountsOpenedOut:
    """Open logins for many people at once (everyone of an import); people who already have
    one are skipped and listed. All or nothing: one person outside the caller's reach refuses
    the whole batch. A constant number of queries whatever the batch size."""
    ids = list(dict.fromkeys(person_ids))[:MAX_BULK]
    people, _ = await org.list_people(actor, person_ids=ids, limit=len(ids), offset=0)
    found = {p.id: p for p in people}
    if missing := [i for i in ids if i not in found]:
        raise NotFound("person.not_found", f"没有找到编号为 {missing[0]} 的人员。",
                       person_id=missing[0])
    roles = await _roles_of(ids)
    for person_id in ids:
        person = found[person_id]
        if person_id == actor.person_id or not may_manage(actor, person, roles[person_id]):
            raise Forbidden("account.forbidden", f"您无权管理“{person.name}”的账号。",
                            person_id=person_id)
    existing = {
        r["person"]: r["username"]
        for r in await Account.select(Account.person, Account.username).where(
            Account.person.is_in(ids)
        )
    }
    todo = [i for i in ids if i not in existing]
    passwords = [one_time_password() for _ in todo]
    hashes = await anyio.to_thread.run_sync(_hash_one_time, passwords)
    opened: list[s.OneTimeLogin] = []
    async with atomic(lock="account:bulk"):
        taken = {
            r["username"]
            for r in await Account.select(Account.username).where(
                Account.username.is_in([found[i].phone or f"ly{i}" for i in todo] or [""])
            )
        }
        now = clock.now()
        rows = []
        for person_id, password, password_hash in zip(todo, passwords, hashes, strict=True):
            phone = found[person_id].phone
            username = phone if phone and phone not in taken else f"ly{person_id}"
            taken.add(username)
            rows.append(Account(username=username, person=person_id, password_hash=password_hash,
                                created_at=now, must_change_password=True))
            person = found[person_id]
            opened.append(s.OneTimeLogin(person_id=person_id, name=person.name, unit=person.unit,
                                         username=username, password=password))
        if rows:
            await Account.insert(*rows)
        await audit.record(actor, "account.open_bulk", "person", 0, person_ids=todo)
    skipped = [s.SkippedPerson(person_id=i, name=found[i].name, username=existing[i])
               for i in ids if i in existing]
    return s.AccountsOpenedOut(items=opened, skipped=skipped)


async def reset_password(actor: Principal, person_id: int) -> s.AccountOut:
    """Give the login a new one-time password; every session and token of it ends."""
    await _managed_person(actor, person_id)
    row = await Account.select(Account.id).where(Account.person == person_id).first()
    if row is None:
        raise NotFound("account.not_found", "该人员还没有开通账号，请先开通。")
    password = one_time_password()
    [password_hash] = await anyio.to_thread.run_sync(_hash_one_time, [password])
    await set_password(row["id"], password, actor=actor, one_time=True,
                       password_hash=password_hash)
    account = await Account.select(*_ACCOUNT_COLUMNS).where(Account.id == row["id"]).first()
    assert account is not None
    return _out(account, password)


async def set_active(actor: Principal, person_id: int, active: bool) -> s.AccountOut:
    """Deactivate (every session and token ends; sign-in is refused) or reactivate a login."""
    await _managed_person(actor, person_id)
    async with atomic(lock=f"account:person:{person_id}"):
        row = await Account.select(Account.id).where(Account.person == person_id).first()
        if row is None:
            raise NotFound("account.not_found", "该人员还没有开通账号。")
        await Account.update({Account.is_active: active}).where(Account.id == row["id"])
        await end_sessions(row["id"])
        await audit.record(actor, "account.activate" if active else "account.deactivate",
                           "account", row["id"], person_id=person_id)
    return await get_account(actor, person_id)


async def update_account(actor: Principal, person_id: int, data: s.AccountPatch) -> s.AccountOut:
    """PATCH: ``active`` and/or ``reset_password``; the reset's answer carries the password."""
    result = await get_account(actor, person_id)
    if data.active is not msgspec.UNSET and data.active != result.active:
        result = await set_active(actor, person_id, bool(data.active))
    elif data.active is not msgspec.UNSET:
        await _managed_person(actor, person_id)
    if data.reset_password is True:
        result = await reset_password(actor, person_id)
    return result


class LoginState(msgspec.Struct, frozen=True):
    """What a list of people shows about each one's login."""

    username: str
    active: bool
    must_change_password: bool


async def login_states(person_ids: list[int]) -> dict[int, LoginState]:
    """The login of each of ``person_ids`` that has one, in one query (for lists the caller
    already may read)."""
    rows = await Account.select(*_ACCOUNT_COLUMNS).where(Account.person.is_in(person_ids or [0]))
    return {
        r["person"]: LoginState(r["username"], bool(r["is_active"]),
                                bool(r["must_change_password"]))
        for r in rows
    }


def one_time_sheet(items: list[s.OneTimeLogin]) -> bytes:
    """The xlsx handed out after a bulk opening: 姓名, 单位, 用户名, 初始密码, one row each."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from lianyan import excel

    book = Workbook()
    sheet = book.active
    sheet.title = "账号与初始密码"
    excel.append_row(sheet, ["姓名", "单位", "用户名", "初始密码（首次登录后必须修改）"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for item in items:
        excel.append_row(sheet, [item.name, item.unit, item.username, item.password])
    for column, width in zip("ABCD", (12, 30, 18, 32), strict=True):
        sheet.column_dimensions[column].width = width
    book.properties.creator = "联研"
    return excel.workbook_bytes(book)


def sheet_filename() -> str:
    """The Chinese download name of the one-time password sheet, dated today."""
    return f"账号与初始密码-{clock.today().isoformat()}.xlsx"


class PersonLogin(msgspec.Struct, frozen=True):
    """A row of the 账号与人员 page: the person, their login (if any), what the caller may do."""

    person: Any
    login: LoginState | None
    manageable: bool


async def people_logins(actor: Principal, people: list[Any]) -> list[PersonLogin]:
    """Each person of a list the caller already reads, with their login and whether the caller
    may open, reset or deactivate it; two queries whatever the page size."""
    ids = [p.id for p in people]
    states = await login_states(ids)
    roles = await _roles_of(ids)
    return [
        PersonLogin(
            person=p,
            login=states.get(p.id),
            manageable=p.id != actor.person_id and may_manage(actor, p, roles[p.id]),
        )
        for p in people
    ]


def without_login() -> Any:
    """The condition on ``Person`` that keeps people who have no account yet (for
    ``org.services.list_people(where=...)``: org does not read auth's table)."""
    return Person.id.not_in(Account.select(Account.person))
