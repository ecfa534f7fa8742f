"""Security headers on every response: CSP, framing, MIME sniffing, referrer.

Pages load scripts and styles only from this origin (no inline script: behaviour lives in
``static/*.js``). The object store is another origin (presigned downloads, images, videos and
resumable uploads go straight to it), so it is named in the media and connect sources. The
Swagger UI under ``/schema`` starts itself with one inline script, so only there inline scripts
are allowed.
"""

from __future__ import annotations

from litestar.types import Message, Scope

#: Style attributes (``style="..."``) stay allowed: they cannot run code. Scripts may not be
#: inline anywhere but the schema viewer.
_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: {store}; media-src 'self' {store}; connect-src 'self' {store}; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self' {store}; "
    "frame-ancestors 'none'"
)
_SCHEMA_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
)


def content_security_policy(store_origin: str, path: str = "/") -> str:
    """The CSP header for a response to ``path``; ``store_origin`` is where browsers reach files."""
    if path == "/schema" or path.startswith("/schema/"):
        return _SCHEMA_POLICY
    return " ".join(_POLICY.format(store=store_origin).split())


async def add_security_headers(message: Message, scope: Scope) -> None:
    """``before_send`` hook: every HTTP answer, errors and 404s included, gets the headers."""
    if message["type"] != "http.response.start":
        return
    headers = list(message.get("headers") or [])
    message["headers"] = headers
    present = {name.lower() for name, _ in headers}
    for name, value in _headers(scope).items():
        if name.encode() not in present:
            headers.append((name.encode(), value.encode()))


def _headers(scope: Scope) -> dict[str, str]:
    store = getattr(scope["app"].state, "store", None)
    origin = store.public_origin if store is not None else ""
    return {
        "content-security-policy": content_security_policy(origin, scope.get("path", "/")),
        "x-content-type-options": "nosniff",
        "x-frame-options": "DENY",
        "referrer-policy": "same-origin",
    }
