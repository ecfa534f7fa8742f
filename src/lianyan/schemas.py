"""Shared schema pieces: base Structs, constrained aliases, pagination."""

from __future__ import annotations

from typing import Annotated, Generic, Literal, TypeVar

import msgspec
from msgspec import Meta

T = TypeVar("T")


class Input(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Base of request bodies: unknown fields are refused.

    msgspec does not inherit ``kw_only``: subclasses declare it again
    (``class TopicIn(Input, kw_only=True)``) so required fields may follow optional ones.
    """


class Output(msgspec.Struct, kw_only=True):
    """Base of response bodies: every field is always present."""


class Page(Output, Generic[T], kw_only=True):
    """One page of a list: ``{"items": [...], "total": N}``."""

    items: list[T]
    total: int


Name = Annotated[str, Meta(min_length=1, max_length=100)]
ShortName = Annotated[str, Meta(min_length=1, max_length=50)]
CountyCode = Annotated[str, Meta(pattern=r"^\d{6}$", description="GB/T 2260 code, 6 digits")]
Phone = Annotated[str, Meta(pattern=r"^1\d{10}$", description="mainland mobile number")]
Year = Annotated[int, Meta(ge=2000, le=2100)]
Id = Annotated[int, Meta(ge=1)]
Limit = Annotated[int, Meta(ge=1, le=200)]
Offset = Annotated[int, Meta(ge=0)]

CountyKind = Literal["county", "county_city", "district"]
Locale = Literal["urban", "town", "rural"]
Ownership = Literal["public", "private_inclusive", "private"]
KindergartenLevel = Literal[
    "provincial_model", "city_model", "grade1", "grade2", "grade3", "unrated"
]
