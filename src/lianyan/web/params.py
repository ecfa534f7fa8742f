"""Path and query parameters the database can hold, checked once for every route.

A whole number in the path beyond an ``integer`` column (``/topics/99999999999``) names nothing:
404, as on SQLite. One in the query (``?county_id=99999999999``) is a malformed request: 400
``request.invalid``. Control characters (NUL first: PostgreSQL refuses it) in any query value or
path segment are a 400 as well. Handlers then only ever see values both engines accept.
"""

from __future__ import annotations

import re
import types
import typing
from typing import Annotated, Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotFoundException, ValidationException
from litestar.handlers.base import BaseRouteHandler
from litestar.params import Parameter
from litestar.types import ASGIApp, Receive, Scope, Send

from lianyan.schemas import INT_MAX, INT_MIN

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
#: A year in a path or query (``/{year:int}``): bounded, so 10**30 is a 400 and not a 500.
YearParam = Annotated[int, Parameter(ge=2000, le=2100)]
#: An optional ``?year=`` (the bounds must sit on the whole ``int | None``, not inside it).
OptionalYear = Annotated[int | None, Parameter(ge=2000, le=2100)]

#: A handler's function → {query key: parameter name} of its whole-number query parameters.
#: Keyed by the plain function: Litestar hands guards short-lived copies of handlers.
_INT_QUERIES: dict[Any, dict[str, str]] = {}


def parameter_guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """Refuse path and query values outside what the database columns can hold."""
    for value in connection.path_params.values():
        if isinstance(value, int) and not INT_MIN <= value <= INT_MAX:
            raise NotFoundException()
        if isinstance(value, str) and _CONTROL.search(value):
            raise NotFoundException()
    problems: list[dict[str, str]] = []
    query = connection.query_params
    for key in query:
        if any(_CONTROL.search(v) for v in query.getall(key)):
            problems.append(_problem(key, "Control character in the value"))
    for key in _int_queries(handler):
        for raw in query.getall(key, []):
            number = _whole_number(raw)
            if number is not None and not INT_MIN <= number <= INT_MAX:
                problems.append(_problem(key, f"Expected `int` <= {INT_MAX}"))
                break
    if problems:
        raise ValidationException(detail="Invalid query parameters", extra=problems)


def _problem(key: str, message: str) -> dict[str, str]:
    return {"key": key, "message": message, "source": "query"}


def _whole_number(raw: str) -> int | None:
    try:
        return int(raw.strip())
    except ValueError:
        return None  # not a number: the handler's own validation answers


def _int_queries(handler: BaseRouteHandler) -> dict[str, str]:
    key = getattr(handler.fn, "__func__", handler.fn)
    found = _INT_QUERIES.get(key)
    if found is None:
        found = {}
        path_names = _path_names(handler)
        for name, field in handler.parsed_fn_signature.parameters.items():
            if name in path_names or not _holds_int(field.annotation):
                continue
            alias = getattr(field.kwarg_definition, "query", None) or name
            found[alias] = name
        _INT_QUERIES[key] = found
    return found


def _path_names(handler: BaseRouteHandler) -> set[str]:
    return {name for path in handler.paths for name in re.findall(r"{(\w+):", path)}


def _holds_int(annotation: Any) -> bool:
    """True for ``int``, ``int | None`` and lists of them (never ``bool``)."""
    if annotation is int:
        return True
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _holds_int(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType, list, tuple, set):
        return any(_holds_int(a) for a in typing.get_args(annotation) if a is not type(None))
    return False


def without_empty_query_values(app: ASGIApp) -> ASGIApp:
    """ASGI middleware: a query parameter sent empty (``county_id=``) counts as not sent.

    A page's filter form sends its 「全部」 choice as an empty value; read as absent, an
    optional number or choice takes its default instead of failing its type.
    """

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        raw = scope.get("query_string", b"") if scope["type"] == "http" else b""
        if raw and b"=&" in raw + b"&":
            kept = [pair for pair in raw.split(b"&") if pair and not pair.endswith(b"=")]
            scope = {**scope, "query_string": b"&".join(kept)}  # type: ignore[assignment]
        await app(scope, receive, send)

    return middleware
