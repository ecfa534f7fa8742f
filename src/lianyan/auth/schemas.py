"""API schemas of accounts."""

from __future__ import annotations

from typing import Annotated, Literal

from msgspec import UNSET, Meta, UnsetType

from lianyan.schemas import Input, Output


class LoginIn(Input, kw_only=True):
    """Username (or phone) and password."""

    username: Annotated[str, Meta(max_length=100)]
    password: Annotated[str, Meta(max_length=200)]


class TokenOut(Output, kw_only=True):
    """A bearer token for scripts."""

    token: str


class RoleGrantOut(Output, kw_only=True):
    """A role of the caller, with its scope."""

    role: str
    county_id: int | None = None
    zone_id: int | None = None
    kindergarten_id: int | None = None


class MeOut(Output, kw_only=True):
    """The caller."""

    id: int
    person_id: int
    username: str
    name: str
    roles: list[RoleGrantOut]
    #: True while the caller signed in with a one-time password they have not changed.
    must_change_password: bool = False


class PasswordChangeIn(Input, kw_only=True):
    """The caller's current password and the new one (``confirm``, when sent, must match)."""

    current: Annotated[str, Meta(max_length=200, title="当前密码")]
    new: Annotated[str, Meta(max_length=200, title="新密码")]
    confirm: Annotated[str, Meta(max_length=200, title="再次输入的新密码")] | None = None


class PasswordChangedOut(Output, kw_only=True):
    """The password was changed; a bearer caller gets its fresh token here (every old one
    has ended), a cookie caller a fresh session cookie."""

    changed: bool = True
    token: str | None = None


Username = Annotated[
    str,
    Meta(pattern=r"^[A-Za-z0-9_.@-]{3,50}$",
         description="3–50 letters, digits or _ . @ -"),
]


class AccountOpenIn(Input, kw_only=True):
    """Open a login; without ``username`` the person's phone number (or ``ly`` + id) is used."""

    username: Username | None = None


class AccountPatch(Input, kw_only=True):
    """Deactivate or reactivate a login, and/or reset its password to a new one-time one."""

    active: bool | UnsetType = UNSET
    reset_password: bool | UnsetType = UNSET


class AccountOut(Output, kw_only=True):
    """A person's login; ``password`` is the one-time password, present only in the answer
    that opened or reset it (it is stored nowhere)."""

    person_id: int
    username: str
    active: bool
    must_change_password: bool
    password: str | None = None


class OneTimeLogin(Output, kw_only=True):
    """A login just opened or reset, with its one-time password (shown once)."""

    person_id: int
    name: str
    unit: str
    username: str
    password: str


class SkippedPerson(Output, kw_only=True):
    """A person of a bulk opening who already had a login."""

    person_id: int
    name: str
    username: str


class AccountsOpenIn(Input, kw_only=True):
    """Open logins for many people at once (after an import); ``format: "xlsx"`` answers
    with the spreadsheet of usernames and one-time passwords instead of JSON."""

    person_ids: Annotated[
        list[Annotated[int, Meta(ge=1)]],
        Meta(min_length=1, max_length=500, title="人员",
             extra={"code": "account.none_selected",
                    "message": "请勾选要开通账号的人员（一次 1–500 人）。"}),
    ]
    format: Literal["json", "xlsx"] = "json"


class AccountsOpenedOut(Output, kw_only=True):
    """Logins opened (with their one-time passwords) and people skipped (already had one)."""

    items: list[OneTimeLogin]
    skipped: list[SkippedPerson]
