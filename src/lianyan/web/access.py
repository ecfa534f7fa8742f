"""Access rules declared on every route handler, and the guard that enforces them.

Each handler carries ``opt=access(...)``: ``PUBLIC``, ``SIGNED_IN``, or the roles allowed.
A route without a rule is refused at start-up (and by the access-matrix test), so nothing is
reachable by accident. Scope (which county, which kindergarten) is checked in the services.
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from lianyan.errors import PasswordChangeRequired

PUBLIC = "public"
SIGNED_IN = "signed_in"
#: Routes Litestar itself registers (the OpenAPI schema and its UI), public by decision.
FRAMEWORK_PUBLIC = ("/schema",)


def access(*rule: str, with_one_time_password: bool = False) -> dict[str, Any]:
    """The ``opt`` of a handler: ``access(PUBLIC)``, ``access(SIGNED_IN)`` or roles.

    ``with_one_time_password`` lets a caller who has not yet changed a one-time password
    through (changing it, logging out, ``GET /me``); every other route refuses them.
    """
    if not rule:
        raise ValueError("access() needs a rule")
    extra = {"with_one_time_password": True} if with_one_time_password else {}
    if rule in ((PUBLIC,), (SIGNED_IN,)):
        return {"access": rule[0], **extra}
    return {"access": frozenset(rule), **extra}


def access_guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """Let the request through only when the handler's rule allows the caller."""
    rule = handler.opt.get("access")
    if rule is None and _framework_owned(connection.scope["path"], handler):
        return
    if rule is None:
        raise PermissionDeniedException("route has no access rule")
    if rule == PUBLIC:
        return
    user = connection.scope.get("user")
    if user is None:
        raise NotAuthorizedException("请先登录。")
    if user.must_change_password and not handler.opt.get("with_one_time_password"):
        raise PasswordChangeRequired()
    if rule == SIGNED_IN:
        return
    if not user.has(*rule):
        raise PermissionDeniedException("您的角色无权进行此操作。")


def _framework_owned(path: str, handler: Any) -> bool:
    """The schema routes, and the OPTIONS handlers Litestar adds to every path."""
    methods = set(getattr(handler, "http_methods", ()) or ())
    return path.startswith(FRAMEWORK_PUBLIC) or methods == {"OPTIONS"}


def routes_without_rule(app: Any) -> list[str]:
    """Every ``METHOD path`` of the app whose handler declares no access rule."""
    missing = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if handler.opt.get("access") is None and not _framework_owned(route.path, handler):
                methods = ",".join(sorted(getattr(handler, "http_methods", []) or ["*"]))
                missing.append(f"{methods} {route.path}")
    return missing


def allows(rule: Any, user: Any) -> bool:
    """True when a signed-in ``user`` passes ``rule`` (as ``access_guard`` would let them in)."""
    if rule in (PUBLIC, SIGNED_IN):
        return True
    return isinstance(rule, frozenset) and user.has(*rule)


def page_rules(app: Any) -> dict[str, Any]:
    """path → the access rule of the route's GET handler, for every route that has one."""
    rules: dict[str, Any] = {}
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if "GET" in (getattr(handler, "http_methods", None) or ()):
                rules[route.path] = handler.opt.get("access")
    return rules
