"""One place that turns every error into a problem+json (API) or a Chinese error page."""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import quote

import msgspec
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.response import Redirect, Template
from litestar.utils.scope.state import ScopeState

from lianyan.errors import InvalidInput, LianyanError
from lianyan.schemas import Input

log = logging.getLogger("lianyan")

#: Stable codes and Chinese messages for errors raised by the framework itself.
_HTTP_CODES: dict[int, tuple[str, str]] = {
    400: ("request.invalid", "请求数据格式不正确。"),
    401: ("auth.required", "请先登录。"),
    403: ("auth.forbidden", "您无权进行此操作。"),
    404: ("not_found", "没有找到该页面或对象。"),
    405: ("request.method", "不支持该请求方法。"),
    413: ("upload.too_large", "上传内容超过大小上限。"),
    415: ("request.media_type", "不支持该内容类型。"),
    429: ("auth.rate_limited", "请求过于频繁，请稍后再试。"),
}
_SERVER_ERROR = ("server.error", "服务器内部错误，请稍后再试；如果一直出现，请联系管理员。")


def _is_api(request: Request[Any, Any, Any]) -> bool:
    return request.url.path.startswith("/api/") or request.url.path.startswith("/health")


def problem(
    request: Request[Any, Any, Any],
    status: int,
    code: str,
    detail: str,
    extra: dict[str, Any] | None = None,
) -> Response[Any]:
    """The response for an error: problem+json for the API, an error page otherwise."""
    if _is_api(request):
        body = {"type": "about:blank", "title": detail, "status": status, "code": code}
        body["detail"] = detail
        for key, value in (extra or {}).items():
            body.setdefault(key, value)  # never over the problem's own members (status …)
        headers = {}
        if isinstance(retry := (extra or {}).get("retry_after"), int):
            headers["Retry-After"] = str(retry)  # RFC 9110 §10.2.3, for clients that back off
        return Response(body, status_code=status, media_type="application/problem+json",
                        headers=headers)
    if status == 401 or code == "auth.password_change_required":
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        where = "/login" if status == 401 else "/account/password"
        return Redirect(f"{where}?next={quote(target, safe='/')}")
    return Template(
        "error.html",
        context={"status": status, "code": code, "detail": detail, "user": _user(request)},
        status_code=status,
        media_type=MediaType.HTML,
    )


def _user(request: Request[Any, Any, Any]) -> Any:
    return request.scope.get("user")


def handle_lianyan_error(request: Request[Any, Any, Any], exc: LianyanError) -> Response[Any]:
    """A rule of the domain was broken."""
    return problem(request, exc.status, exc.code, exc.detail, exc.extra)


_MSGSPEC_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"Object contains unknown field `([^`]+)`"), "不认识的字段“{0}”"),
    (re.compile(r"Object missing required field `([^`]+)`"), "缺少必填字段“{0}”"),
    (re.compile(r"Expected `([^`]+)`, got `([^`]+)`"), "类型不正确（应为 {0}）"),
    (re.compile(r"Expected `str` matching regex"), "格式不正确"),
    (re.compile(r"Expected `.*` (>=|<=|>|<) (-?\d+)"), "数值超出允许范围（{0} {1}）"),
    (re.compile(r"Expected `str` of length (>=|<=) (\d+)"), "长度不符合要求（{0} {1}）"),
    (re.compile(r"Invalid enum value '([^']*)'"), "“{0}”不是可选值"),
    (re.compile(r"Control character in `([^`]+)`"), "含有不允许的控制字符（如 NUL、换行），请删除后重试"),
    (re.compile(r"Control character in the value"), "含有不允许的控制字符（如 NUL、换行），请删除后重试"),
    (re.compile(r"Integer out of range in `([^`]+)`"), "数值超出允许范围"),
]
#: Messages whose first group names the field (relative to the ``at `$…``` path, if any).
_NAMES_FIELD = ("unknown field", "missing required", "Control character", "Integer out of range")


def _explain(message: str) -> tuple[str, str]:
    """(field, Chinese explanation) of one msgspec / Litestar validation message."""
    field = ""
    if match := re.search(r"at `\$\.([^`]+)`", message):
        field = match.group(1)
    for pattern, template in _MSGSPEC_PATTERNS:
        if found := pattern.search(message):
            text = template.format(*found.groups())
            if any(marker in message for marker in _NAMES_FIELD[:2]):
                field = field or found.group(1)
            elif found.groups() and any(marker in message for marker in _NAMES_FIELD[2:]):
                field = f"{field}.{found.group(1)}" if field else found.group(1)
            return field, text
    return field, "不符合要求"


def _body_schema(request: Request[Any, Any, Any]) -> type[Input] | None:
    """The ``Input`` Struct the handler decodes its JSON body into, if it has one."""
    handler = request.scope.get("route_handler")
    data = handler.parsed_fn_signature.parameters.get("data") if handler else None
    schema = getattr(data, "type_", None) if data else None
    return schema if isinstance(schema, type) and issubclass(schema, Input) else None


def _explain_body(request: Request[Any, Any, Any]) -> InvalidInput | None:
    """The body explained by its schema, exactly as a page's form would be (same code)."""
    from lianyan.web.forms import convert

    schema = _body_schema(request)
    body = ScopeState.from_scope(request.scope).body
    if schema is None or not isinstance(body, bytes) or not body:
        return None
    try:
        raw = msgspec.json.decode(body)
    except msgspec.DecodeError:
        return None
    if not isinstance(raw, dict):
        return None
    try:
        convert(raw, schema)
    except InvalidInput as refused:
        return refused
    return None


def handle_validation(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    """A malformed body or parameter: 400 listing the offending fields in Chinese.

    A JSON body is explained by its ``Input`` schema (``web.forms.convert``): the field's
    Chinese label, and the field's own ``code`` where the schema gives one.
    """
    if _is_api(request) and (explained := _explain_body(request)) is not None:
        return problem(request, 400, explained.code, explained.detail, explained.extra)
    fields = []
    for item in exc.extra if isinstance(exc.extra, list) else []:
        if isinstance(item, dict):
            raw = str(item.get("message"))
            field, text = _explain(raw)
            key = item.get("key") or ""
            if key and key != "data":
                field = f"{key}.{field}" if field else key
            fields.append({"field": field, "message": text, "source": item.get("source", "")})
    if _malformed(str(exc.detail)):
        detail = "请求内容不是有效的 JSON。"
    elif fields:
        detail = "请求数据不符合要求：" + "；".join(
            (f"{f['field']}：" if f["field"] else "") + f["message"] for f in fields
        ) + "。"
    else:
        detail = "请求数据格式不正确。"
    return problem(request, 400, "request.invalid", detail, {"fields": fields})


def _malformed(text: str) -> bool:
    lowered = text.lower()
    return any(w in lowered for w in ("malformed", "decode", "json", "truncated", "trailing"))


def handle_http(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    """Framework errors (401, 403, 404, 405, 413 …) with stable codes."""
    status = exc.status_code
    code, detail = _HTTP_CODES.get(status, _SERVER_ERROR)
    if status == 400 and _malformed(str(exc.detail)):
        detail = "请求内容不是有效的 JSON。"
    elif status == 403 and "CSRF" in str(exc.detail):
        code, detail = "auth.csrf", "页面已过期或来源不明，请刷新页面后重试。"
    elif status in (401, 403) and exc.detail and not str(exc.detail).isascii():
        detail = str(exc.detail)
    response = problem(request, status, code, detail)
    # The framework's own headers travel with the answer: ``Allow`` on 405, for one.
    for name, value in (exc.headers or {}).items():
        response.headers.setdefault(name, value)
    return response


def handle_undecodable(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """A body that is not UTF-8 or nests too deep for the decoder: 400, not a 500.

    Only when the error comes from decoding the request body; anywhere else it is a bug.
    """
    if not _raised_while_decoding(exc):
        return handle_unexpected(request, exc)
    if isinstance(exc, UnicodeDecodeError):
        detail = "请求内容不是有效的 UTF-8 文本。"
    else:
        detail = "请求内容嵌套层数过多。"
    return problem(request, 400, "request.invalid", detail, {"fields": []})


def _raised_while_decoding(exc: BaseException) -> bool:
    frame = exc.__traceback__
    while frame is not None:
        code = frame.tb_frame.f_code
        if "decode" in code.co_name and ("litestar" in code.co_filename
                                          or "lianyan" in code.co_filename):
            return True
        frame = frame.tb_next
    return False


def handle_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """A bug: log it, answer 500 without internals."""
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem(request, 500, *_SERVER_ERROR)


EXCEPTION_HANDLERS: dict[Any, Any] = {
    LianyanError: handle_lianyan_error,
    ValidationException: handle_validation,
    HTTPException: handle_http,
    UnicodeDecodeError: handle_undecodable,
    RecursionError: handle_undecodable,
    Exception: handle_unexpected,
}
