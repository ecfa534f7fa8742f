"""What Litestar's generated schema cannot say by itself, added once when the app is built.

Every API error is a problem+json body (``web/problems.py``), so each operation documents its
4xx answers with the ``Problem`` schema instead of Litestar's own validation body, and a 503
for the object store being down. Handlers that read a multipart form themselves get their
request body described here.
"""

from __future__ import annotations

from typing import Any

from litestar import Litestar

PROBLEM: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "code", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "code": {"type": "string", "description": "stable dotted error code"},
        "detail": {"type": "string", "description": "what went wrong, in Chinese"},
        "fields": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string"},
                    "message": {"type": "string"},
                    "source": {"type": "string"},
                },
            },
        },
    },
    "additionalProperties": True,
}

_ANSWERS = {
    "400": "请求数据不符合要求（request.invalid 等）",
    "401": "未登录（auth.required）或用户名、密码不正确",
    "403": "角色或范围不允许（auth.forbidden、auth.csrf 等）",
    "404": "对象不存在或不在调用者可见范围内",
    "405": "不支持该请求方法（带 Allow 头）",
    "409": "对象当前状态不允许此操作",
    "413": "上传内容超过大小上限",
    "415": "不支持该内容类型",
    "429": "尝试次数过多（auth.locked、auth.rate_limited）",
    "503": "文件存储暂时不可用（store.unavailable）",
}

#: Operations that read a multipart form themselves: (path, method) → form fields.
MULTIPART_FORMS: dict[tuple[str, str], dict[str, Any]] = {
    ("/api/v1/designs/{design_id}/versions", "post"): {
        "file": {"type": "string", "format": "binary"},
        "kind": {"type": "string", "enum": ["document", "slides", "image", "video"]},
    },
}


def complete_schema(app: Litestar) -> None:
    """Add the problem answers and the hand-read multipart bodies to the app's schema."""
    from litestar._openapi.plugin import OpenAPIPlugin

    schema = app.plugins.get(OpenAPIPlugin).provide_openapi_schema()
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = PROBLEM
    reference = {"$ref": "#/components/schemas/Problem"}
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for status, description in _ANSWERS.items():
                if path.startswith("/api/") or status in responses:
                    responses[status] = {
                        "description": description,
                        "content": {"application/problem+json": {"schema": reference}},
                    }
            form = MULTIPART_FORMS.get((path, method))
            if form is not None:
                body = operation.setdefault("requestBody", {"content": {}})
                body["content"]["multipart/form-data"] = {
                    "schema": {"type": "object", "required": ["file", "kind"],
                               "properties": form},
                }
