"""One form layer for every page: read a form into the API's ``Input`` Struct, answer in Chinese.

A page handler reads its form (urlencoded or multipart) with :func:`read_form`, binds it to the
same msgspec Struct the JSON API decodes (:meth:`Form.bind`) and hands the service call to
:func:`submit`. When the binder or a service refuses the input, :func:`submit` shows the page
again through the handler's ``again`` function, with the message next to the field, the form
still filled in, the error's 4xx status and ``text/html``.

Messages come from the schema, never from msgspec's error text: each field's Chinese label is
``Meta(title=...)``; a field may name its rule with ``Meta(extra={"code": ..., "message": ...})``
so the API and the page answer the same input with the same ``code`` and message
(``web/problems.py`` explains the API's bodies with :func:`convert` too).
"""

from __future__ import annotations

import datetime as dt
import re
import types
import typing
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import msgspec
from litestar import MediaType, Request, Response
from litestar.datastructures import UploadFile
from litestar.response import Redirect, Template
from markupsafe import Markup, escape

from lianyan import clock
from lianyan.errors import InvalidInput, LianyanError
from lianyan.schemas import INT_MAX

T = TypeVar("T")

#: Values a checkbox sends when it is ticked.
CHECKED = ("on", "true", "1", "yes")


def int_or_none(value: str | None) -> int | None:
    """The whole number typed into a form field; ``None`` when the field is empty.

    Raises ``InvalidInput`` (``request.invalid``) when the field holds anything but the digits
    0–9 (``str.isdigit()`` is true for "²" or "٣", which ``int()`` then refuses).
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit()):
        raise InvalidInput(
            "request.invalid",
            f"“{text}”不是有效的数字，请只用阿拉伯数字 0–9 填写。",
        )
    return int(text)


# Schema → Chinese explanation -----------------------------------------------------------------


@dataclass(frozen=True)
class _Rule:
    """What the schema says about a field: its label and, when it has one, its rule.

    ``owner`` is the label of the field that declared the rule: a rule on a score item
    ("请为“{label}”打 1–5 分") names the item, not the mark inside it.
    """

    label: str
    code: str | None = None
    message: str | None = None
    owner: str = ""
    #: What goes before a field's own label inside a row ("领导小组名单第 2 行的").
    prefix: str = ""


def _unwrap(tp: Any) -> tuple[Any, list[msgspec.Meta]]:
    """The bare type and the ``Meta`` constraints of an ``Annotated`` type.

    ``UNSET`` (PATCH bodies) is dropped, and constraints inside ``Annotated[X, …] | None``
    are found too: the result is ``X`` or ``X | None``.
    """
    metas: list[msgspec.Meta] = []
    while typing.get_origin(tp) is typing.Annotated:
        base, *extras = typing.get_args(tp)
        metas.extend(m for m in extras if isinstance(m, msgspec.Meta))
        tp = base
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(tp) if a is not msgspec.UnsetType]
        nullable = type(None) in members
        rest = [a for a in members if a is not type(None)]
        if len(rest) == 1 and (len(members) < len(typing.get_args(tp))
                               or typing.get_origin(rest[0]) is typing.Annotated):
            inner, more = _unwrap(rest[0])
            return (typing.Optional[inner] if nullable else inner), metas + more  # noqa: UP045
    return tp, metas


def _rule(metas: list[msgspec.Meta], inherited: _Rule, name: str) -> _Rule:
    label, code, message, owner = (inherited.label, inherited.code, inherited.message,
                                   inherited.owner)
    own_label = next((m.title for m in reversed(metas) if m.title), None)
    if own_label or not label:
        own = own_label or name
        label = f"{inherited.prefix}“{own}”" if inherited.prefix else own
    for meta in metas:
        if meta.extra and ("code" in meta.extra or "message" in meta.extra):
            code = meta.extra.get("code", code)
            message, owner = meta.extra.get("message"), label
    return _Rule(label, code, message, owner)


def _constraint(metas: list[msgspec.Meta], name: str) -> Any:
    return next((getattr(m, name) for m in reversed(metas) if getattr(m, name) is not None), None)


def _optional(tp: Any) -> tuple[Any, bool]:
    """``X | None`` → (X, True)."""
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(members) < len(typing.get_args(tp)):
            if len(members) == 1:
                return members[0], True
            return typing.Union[tuple(members)], True  # noqa: UP007
    return tp, False


def _is_struct(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, msgspec.Struct)


def _explain(base: Any, metas: list[msgspec.Meta], rule: _Rule, value: Any) -> str:
    """A Chinese sentence saying what the field needs, from its type and constraints."""
    if rule.message:
        return rule.message.format(label=rule.owner or rule.label)
    label = rule.label
    base, _ = _optional(base)
    origin = typing.get_origin(base)
    if value is None or value == "" or value == []:
        if origin is typing.Literal or origin is list:
            return f"请选择{label}。"
        return f"请填写{label}。"
    if origin is typing.Literal:
        return f"请从列表中选择{label}。"
    if origin is list:
        low, high = _constraint(metas, "min_length"), _constraint(metas, "max_length")
        if low and len(value) < low:
            return f"{label}请至少选择 {low} 项。"
        if high and len(value) > high:
            return f"{label}最多 {high} 项。"
        return f"请检查{label}。"
    if base is bool:
        return f"请检查{label}。"
    if base is int and isinstance(value, str) and not _ascii_int(value):
        return f"{label}填写的“{value}”不是有效的数字，请只用阿拉伯数字 0–9 填写。"
    if base in (int, float):
        low, high = _constraint(metas, "ge"), _constraint(metas, "le")
        if high is not None and high >= INT_MAX:
            high = None  # an id's bound is the column's, not one a person needs to read
        number = "整数" if base is int else "数字"
        if low is not None and high is not None:
            return f"{label}请填写 {low}–{high} 之间的{number}（阿拉伯数字）。"
        if low is not None:
            return f"{label}请填写不小于 {low} 的{number}（阿拉伯数字）。"
        return f"{label}请填写{number}（阿拉伯数字 0–9）。"
    if base is dt.datetime:
        return f"请填写正确的{label}（日期和时间）。"
    if base is dt.date:
        return f"请填写正确的{label}，例如 2026-03-01。"
    if base is str:
        low, high = _constraint(metas, "min_length"), _constraint(metas, "max_length")
        if high is not None and isinstance(value, str) and len(value) > high:
            return f"{label}最多 {high} 个字，现在是 {len(value)} 个字，请删减。"
        if low is not None and isinstance(value, str) and len(value) < low:
            return f"{label}至少 {low} 个字。"
        return f"{label}的格式不正确，请检查。"
    return f"请检查{label}。"


def _ascii_int(text: str) -> bool:
    # "²" and "１２" pass str.isdigit() but are not numbers a person meant to type.
    digits = text.removeprefix("-")
    return digits.isascii() and digits.isdigit()


@dataclass
class _Problem:
    path: str
    message: str
    code: str | None


def _check(value: Any, tp: Any, path: str, rule: _Rule, problems: list[_Problem]) -> Any:
    """``value`` made ready for ``tp`` (form text to numbers and times); notes each problem."""
    base, metas = _unwrap(tp)
    rule = _rule(metas, rule, path.rsplit(".", 1)[-1])
    before = len(problems)
    inner, optional = _optional(base)
    if optional and (value is None or value == ""):
        return None
    if _is_struct(inner) and isinstance(value, Mapping):
        return _check_struct(value, inner, path, rule, problems)
    if typing.get_origin(inner) is list and isinstance(value, list):
        (item_type,) = typing.get_args(inner) or (Any,)
        item_base, _ = _unwrap(item_type)
        row = _is_struct(item_base)
        items = [
            _check(v, item_type, f"{path}[{i}]",
                   _Rule(f"{rule.label}第 {i + 1} 行的" if row else rule.label), problems)
            for i, v in enumerate(value)
        ]
        value = items
    elif inner is dt.datetime and isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            problems.append(_Problem(path, _explain(inner, metas, rule, value), rule.code))
            return value
        if value.tzinfo is None:
            value = value.replace(tzinfo=clock.CITY_TZ)
    elif inner is int and isinstance(value, str) and not _ascii_int(value):
        problems.append(_Problem(path, _explain(inner, metas, rule, value), rule.code))
        return value
    if len(problems) > before:
        return value
    try:
        msgspec.convert(value, tp, strict=False)
    except msgspec.ValidationError:
        problems.append(_Problem(path, _explain(base, metas, rule, value), rule.code))
    return value


def _check_struct(
    values: Mapping[str, Any], schema: Any, path: str, rule: _Rule, problems: list[_Problem]
) -> dict[str, Any]:
    ready: dict[str, Any] = {}
    prefix = f"{path}." if path else ""
    for info in msgspec.structs.fields(schema):
        name = info.encode_name
        inherited = _Rule("", rule.code, rule.message, rule.owner,
                          prefix=rule.label if path else "")
        if name not in values:
            required = info.default is msgspec.NODEFAULT and info.default_factory is msgspec.NODEFAULT
            if required:
                base, metas = _unwrap(info.type)
                field_rule = _rule(metas, inherited, name)
                problems.append(_Problem(prefix + name, _explain(base, metas, field_rule, None),
                                         field_rule.code))
            continue
        ready[name] = _check(values[name], info.type, prefix + name, inherited, problems)
    return ready


def convert(values: Mapping[str, Any], schema: type[T]) -> T:
    """``values`` as ``schema``, or ``InvalidInput`` naming every wrong field in Chinese.

    The error's ``code`` is the first wrong field's rule (``Meta(extra={"code": ...})``), else
    ``request.invalid``; ``fields`` lists ``{"field", "message"}`` for each wrong field.
    """
    problems: list[_Problem] = []
    ready = _check_struct(values, schema, "", _Rule(""), problems)
    if not problems:
        try:
            return msgspec.convert(ready, schema, strict=False)
        except msgspec.ValidationError as refused:
            problems.append(_unstorable(str(refused), schema)
                            or _Problem("", "请检查表单的填写。", None))
    first = next((p for p in problems if p.code), problems[0])
    detail = first.message if len(problems) == 1 else "；".join(
        p.message.rstrip("。") for p in problems) + "。"
    if len(problems) == 1:
        detail = first.message
    raise InvalidInput(
        first.code or "request.invalid", detail,
        fields=[{"field": p.path, "message": p.message} for p in problems],
    )


_UNSTORABLE = re.compile(
    r"(Control character|Integer out of range) in `([^`]+)`(?: - at `\$\.?([^`]*)`)?"
)


def _unstorable(message: str, schema: type[Any]) -> _Problem | None:
    """The problem ``Input.__post_init__`` found (text or a number the database cannot hold)."""
    found = _UNSTORABLE.search(message)
    if found is None:
        return None
    kind, name, at = found.groups()
    label = labels_of(schema).get(name, name) if not at else name
    if kind == "Control character":
        text = f"{label}含有不允许的控制字符（如 NUL、换行），请删除后重试。"
    else:
        text = f"{label}超出允许的范围。"
    return _Problem(f"{at}.{name}" if at else name, text, None)


def labels_of(schema: type[Any]) -> dict[str, str]:
    """The Chinese label of every field of ``schema`` (the field's name when it has none)."""
    result = {}
    for info in msgspec.structs.fields(schema):
        _, metas = _unwrap(info.type)
        result[info.encode_name] = _rule(metas, _Rule(""), info.encode_name).label
    return result


# Reading a form -------------------------------------------------------------------------------


def _is_list(tp: Any) -> bool:
    base, _ = _unwrap(tp)
    base, _ = _optional(base)
    return typing.get_origin(base) is list


def _is_bool(tp: Any) -> bool:
    base, _ = _unwrap(tp)
    return base is bool


@dataclass
class Form:
    """A submitted form: its text values (each field may come several times) and its files."""

    name: str
    values: dict[str, list[str]] = field(default_factory=dict)
    files: dict[str, list[UploadFile]] = field(default_factory=dict)

    def text(self, name: str) -> str:
        """The field's value, stripped (the last one when sent several times); "" if absent."""
        found = self.values.get(name)
        return found[-1].strip() if found else ""

    def all(self, name: str) -> list[str]:
        """Every non-empty value of the field, stripped (ticked boxes, multiple selects)."""
        return [v.strip() for v in self.values.get(name, []) if v.strip()]

    def file(self, name: str = "file") -> UploadFile:
        """The chosen file; ``upload.missing`` when none was chosen."""
        for upload in self.files.get(name, []):
            if upload.filename:
                return upload
        raise InvalidInput("upload.missing", "请选择要上传的文件。", field=name)

    def fields_for(self, schema: type[Any]) -> dict[str, Any]:
        """The values of ``schema``'s fields as the API would receive them.

        Lists take every value, a checkbox is ``True`` when ticked and ``False`` when not,
        an empty optional field is left to its default.
        """
        result: dict[str, Any] = {}
        for info in msgspec.structs.fields(schema):
            name = info.encode_name
            if _is_bool(info.type):
                result[name] = self.text(name).lower() in CHECKED
            elif _is_list(info.type):
                if name in self.values:
                    result[name] = self.all(name)
            elif name in self.values:
                text = self.text(name)
                required = (info.default is msgspec.NODEFAULT
                            and info.default_factory is msgspec.NODEFAULT)
                if text or required:
                    result[name] = text
        return result

    def bind(
        self, schema: type[T], shape: Callable[[Form], Mapping[str, Any]] | None = None
    ) -> T:
        """The form as ``schema`` (``shape`` builds nested bodies from flat fields)."""
        return convert(shape(self) if shape else self.fields_for(schema), schema)

    def failed(self, exc: LianyanError) -> FormState:
        """What the page shows when ``exc`` refused this form."""
        errors: dict[str, str] = {}
        for item in exc.extra.get("fields", []) or []:
            if isinstance(item, dict) and item.get("field"):
                errors.setdefault(str(item["field"]), str(item.get("message", "")))
        if isinstance(exc.extra.get("field"), str):
            errors.setdefault(exc.extra["field"], exc.detail)
        if not errors and exc.code.startswith(("upload.", "file.")) and len(self.files) == 1:
            # A refused file (empty, not what it claims to be, too large) belongs by its field.
            errors[next(iter(self.files))] = exc.detail
        return FormState(name=self.name, values=self.values, errors=errors,
                         message=exc.detail, code=exc.code, status=exc.status, extra=exc.extra)


async def read_form(request: Request[Any, Any, Any], name: str = "") -> Form:
    """The request's form (urlencoded or multipart); ``name`` tells the page which form failed."""
    data = await request.form()
    form = Form(name=name)
    for key, value in data.multi_items():
        if isinstance(value, UploadFile):
            form.files.setdefault(key, []).append(value)
        else:
            form.values.setdefault(key, []).append(str(value))
    return form


# Showing a refused form again -----------------------------------------------------------------


@dataclass
class FormState:
    """A refused form as the page shows it again (``posted`` in templates).

    ``NO_FORM`` stands for "nothing was refused": every lookup answers the default.
    """

    name: str = ""
    values: Mapping[str, list[str]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    message: str = ""
    code: str = ""
    status: int = 200
    #: The error's other fields (``errors`` of an import: every refused row).
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.message)

    def of(self, name: str) -> FormState:
        """This state if the form called ``name`` was refused, else ``NO_FORM``."""
        return self if name == self.name else NO_FORM

    def value(self, name: str, default: Any = "") -> Any:
        """What was typed into ``name``, else ``default`` (the stored value)."""
        if not self.message:
            return "" if default is None else default
        return self.text(name)

    def chosen(self, name: str, option: Any) -> bool:
        """Whether ``option`` was among the values sent for ``name``."""
        return str(option) in self.values.get(name, [])

    def checked(self, name: str, default: bool = False) -> bool:
        """A checkbox: as sent when the form was refused, else ``default``."""
        if not self.message:
            return default
        return self.text(name).lower() in CHECKED

    def text(self, name: str) -> str:
        """The last value sent for ``name``."""
        found = self.values.get(name)
        return found[-1] if found else ""

    def error(self, name: str) -> str:
        """The message for field ``name`` ("" when it is fine)."""
        return self.errors.get(name, "")

    def error_for(self, name: str) -> Markup:
        """The message for ``name`` as a paragraph to put under the field."""
        message = self.errors.get(name)
        if not message:
            return Markup("")
        return Markup('<p class="field-error" role="alert" data-testid="error-{}">{}</p>').format(
            escape(name), escape(message)
        )


NO_FORM = FormState()


async def submit(
    form: Form,
    action: Callable[[], Awaitable[T]],
    *,
    done: str | Callable[[T], str | Response[Any] | Awaitable[Template]],
    again: Callable[[FormState], Awaitable[Template]],
) -> Response[Any]:
    """Run ``action``; on success go to ``done`` (303), on a refusal show the page again.

    ``done`` is a path, or a function of the action's result giving a path, a response (a
    page, a redirect with a cookie) or an awaitable page.

    ``again`` renders the page with the refused form (its values, messages and status);
    a missing object (404) or a missing sign-in (``auth.required``) is not the form's fault
    and propagates.
    """
    try:
        result = await action()
    except LianyanError as exc:
        if exc.status == 404 or exc.code == "auth.required":
            raise
        return await _shown_again(form, exc, again)
    target = done(result) if callable(done) else done
    if isinstance(target, str):
        return Redirect(target, status_code=303)
    if isinstance(target, Response):
        return target
    return await target


def back_to(path: str, *, done: str = "", refused: str = "") -> str:
    """``path`` with the message to show there: ``?done=`` (success) or ``?refused=``."""
    from urllib.parse import urlencode

    query = urlencode({k: v for k, v in (("done", done), ("refused", refused)) if v})
    return f"{path}{'&' if '?' in path else '?'}{query}" if query else path


async def _shown_again(
    form: Form, exc: LianyanError, again: Callable[[FormState], Awaitable[Template]]
) -> Response[Any]:
    state = form.failed(exc)
    response = await again(state)
    response.status_code = state.status
    response.media_type = MediaType.HTML
    return response


async def act_and_return(
    action: Callable[[], Awaitable[T]], *, back: str, done: str | Callable[[T], str],
    form: Form | None = None, again: Callable[[FormState], Awaitable[Template]] | None = None,
) -> Response[Any]:
    """An action the page offers as a button (a nudge): run it, then go back to ``back``.

    Accepted, or refused by a rule of the domain (409: already done today, closed), the answer
    is a 303 to the page's GET address with the message (``?done=`` or ``?refused=``, shown as
    the page's notice or error), so reloading the page never sends the action again. Input the
    person got wrong (``InvalidInput``, 400) is the form's fault: with ``form`` and ``again``
    the page is shown again with the message and the form as sent, as :func:`submit` does. A
    missing object (404) or a missing sign-in propagates.
    """
    try:
        result = await action()
    except LianyanError as exc:
        if exc.status == 404 or exc.code == "auth.required":
            raise
        if form is not None and again is not None and isinstance(exc, InvalidInput):
            return await _shown_again(form, exc, again)
        return Redirect(back_to(back, refused=exc.detail), status_code=303)
    return Redirect(back_to(back, done=done(result) if callable(done) else done),
                    status_code=303)
