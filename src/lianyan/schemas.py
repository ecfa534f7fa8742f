"""Shared schema pieces: base Structs, constrained aliases, pagination."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any, Generic, Literal, TypeVar

import msgspec
from msgspec import Meta
from msgspec import inspect as mi

T = TypeVar("T")

#: The range of the database's ``integer`` columns (PostgreSQL refuses anything outside it).
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
#: Text longer than this may hold tabs and line breaks; shorter text is one line (a name).
LONG_TEXT = 200
#: C0 controls, DEL and C1 controls: PostgreSQL refuses NUL, Excel refuses the others.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_IN_LONG_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class Input(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Base of request bodies: unknown fields are refused.

    Every request body is also held to what the database can store (``__post_init__``):
    no control characters in text (long text may keep tabs and line breaks), and whole
    numbers without a declared bound fit an ``integer`` column. A breach is a
    ``msgspec.ValidationError``, so the API answers 400 ``request.invalid``.

    msgspec does not inherit ``kw_only``: subclasses declare it again
    (``class TopicIn(Input, kw_only=True)``) so required fields may follow optional ones.
    """

    def __post_init__(self) -> None:
        for name, check in _checks(type(self)):
            check(name, getattr(self, name))


_Check = Callable[[str, Any], None]
_PLANS: dict[type, list[tuple[str, _Check]]] = {}


def _checks(cls: type) -> list[tuple[str, _Check]]:
    """(field, check) for every field of ``cls`` that holds text or a whole number."""
    plan = _PLANS.get(cls)
    if plan is None:
        plan = []
        info = mi.type_info(cls)
        if not isinstance(info, mi.StructType):
            raise TypeError(f"{cls.__name__} is not a msgspec Struct")
        for field in info.fields:
            check = _check_for(field.type)
            if check is not None:
                plan.append((field.name, check))
        _PLANS[cls] = plan
    return plan


def _check_for(info: mi.Type) -> _Check | None:
    """A function refusing what the database cannot hold for values of ``info``; None if any."""
    while isinstance(info, mi.Metadata):  # Meta(title=..., extra=...) wraps the real type
        info = info.type
    if isinstance(info, mi.StrType):
        long_text = info.max_length is None or info.max_length > LONG_TEXT
        return _text_check(_CONTROL_IN_LONG_TEXT if long_text else _CONTROL)
    if isinstance(info, mi.IntType):
        low = INT_MIN if info.ge is None and info.gt is None else None
        high = INT_MAX if info.le is None and info.lt is None else None
        return _int_check(low, high) if low is not None or high is not None else None
    if isinstance(info, mi.UnionType):
        checks = [c for c in map(_check_for, info.types) if c is not None]
        return _union_check(checks) if checks else None
    if isinstance(info, mi.ListType | mi.SetType | mi.FrozenSetType | mi.VarTupleType):
        item = _check_for(info.item_type)
        return _each_check(item) if item is not None else None
    if isinstance(info, mi.DictType):
        key, value = _check_for(info.key_type), _check_for(info.value_type)
        return _dict_check(key, value) if key or value else None
    return None


def _text_check(pattern: re.Pattern[str]) -> _Check:
    def check(name: str, value: Any) -> None:
        if isinstance(value, str) and pattern.search(value):
            raise ValueError(f"Control character in `{name}`")

    return check


def _int_check(low: int | None, high: int | None) -> _Check:
    def check(name: str, value: Any) -> None:
        if isinstance(value, int) and not isinstance(value, bool) and (
            (low is not None and value < low) or (high is not None and value > high)
        ):
            raise ValueError(f"Integer out of range in `{name}`")

    return check


def _union_check(checks: list[_Check]) -> _Check:
    def check(name: str, value: Any) -> None:
        for one in checks:
            one(name, value)

    return check


def _each_check(item: _Check) -> _Check:
    def check(name: str, value: Any) -> None:
        if isinstance(value, list | set | frozenset | tuple):
            for element in value:
                item(name, element)

    return check


def _dict_check(key: _Check | None, value: _Check | None) -> _Check:
    def check(name: str, mapping: Any) -> None:
        if isinstance(mapping, dict):
            for k, v in mapping.items():
                if key is not None:
                    key(name, k)
                if value is not None:
                    value(name, v)

    return check


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
Id = Annotated[int, Meta(ge=1, le=INT_MAX)]
Limit = Annotated[int, Meta(ge=1, le=200)]
Offset = Annotated[int, Meta(ge=0)]

CountyKind = Literal["county", "county_city", "district"]
Locale = Literal["urban", "town", "rural"]
Ownership = Literal["public", "private_inclusive", "private"]
KindergartenLevel = Literal[
    "provincial_model", "city_model", "grade1", "grade2", "grade3", "unrated"
]


def unset_to_dict(patch: msgspec.Struct) -> dict[Any, Any]:
    """The fields of a PATCH body that were actually sent (those not ``msgspec.UNSET``)."""
    return {
        f: getattr(patch, f)
        for f in patch.__struct_fields__
        if getattr(patch, f) is not msgspec.UNSET
    }
