"""API schemas of accounts."""

from __future__ import annotations

from typing import Annotated

from msgspec import Meta

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
