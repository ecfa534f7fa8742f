"""A small WeCom / DingTalk webhook receiver for the tests: a real HTTP server in a thread.

It checks each request exactly as the services document what they receive (docs/robots.md):

* WeCom ``POST /cgi-bin/webhook/send?key=K``: JSON ``{"msgtype": "markdown", "markdown":
  {"content": …}}``, nothing else, content at most 4096 bytes of UTF-8;
* DingTalk ``POST /robot/send?access_token=T[&timestamp=…&sign=…]``: JSON ``{"msgtype":
  "markdown", "markdown": {"title": …, "text": …}}``; a robot with a signing secret needs
  ``timestamp`` (ms, within an hour of now) and ``sign`` = urlencode(base64(HMAC-SHA256(secret,
  f"{timestamp}\\n{secret}"))), compared on the raw query string.

It answers like the services: ``{"errcode": 0, "errmsg": "ok"}``, or their error codes
(WeCom 40008 invalid message type, 93000 invalid webhook url; DingTalk 310000 sign not
match, 300001 token missing). A key can be told to fail (``fail``: an errcode, or an HTTP
status such as 500 or 302).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    """One request as the receiver saw it."""

    kind: str
    key: str
    query: str
    body: dict[str, Any]
    problems: list[str]


@dataclass
class Receiver:
    """The server, what it received, and how it should answer."""

    port: int = 0
    received: list[Received] = field(default_factory=list)
    #: DingTalk access_token → signing secret.
    secrets: dict[str, str] = field(default_factory=dict)
    #: key/token → ("errcode", n) or ("http", status): how to fail.
    fail: dict[str, tuple[str, int]] = field(default_factory=dict)

    def wecom_url(self, key: str) -> str:
        return f"http://127.0.0.1:{self.port}/cgi-bin/webhook/send?key={key}"

    def dingtalk_url(self, token: str) -> str:
        return f"http://127.0.0.1:{self.port}/robot/send?access_token={token}"

    def of(self, key: str) -> list[Received]:
        return [r for r in self.received if r.key == key]


def _check_wecom(body: Any) -> list[str]:
    problems = []
    if not isinstance(body, dict) or set(body) != {"msgtype", "markdown"}:
        return [f"wecom body keys: {sorted(body) if isinstance(body, dict) else body!r}"]
    if body["msgtype"] != "markdown":
        problems.append("msgtype must be markdown")
    md = body["markdown"]
    if not isinstance(md, dict) or set(md) != {"content"} or not isinstance(md["content"], str):
        problems.append(f"wecom markdown must be {{content}}: {md!r}")
    elif len(md["content"].encode()) > 4096:
        problems.append("wecom content over 4096 bytes")
    return problems


def _check_dingtalk(body: Any, query: str, secret: str | None) -> list[str]:
    problems = []
    if not isinstance(body, dict) or set(body) != {"msgtype", "markdown"}:
        return [f"dingtalk body keys: {sorted(body) if isinstance(body, dict) else body!r}"]
    if body["msgtype"] != "markdown":
        problems.append("msgtype must be markdown")
    md = body["markdown"]
    if (not isinstance(md, dict) or set(md) != {"title", "text"}
            or not all(isinstance(v, str) and v for v in md.values())):
        problems.append(f"dingtalk markdown must be {{title, text}}: {md!r}")
    if secret is not None:
        raw = dict(part.split("=", 1) for part in query.split("&") if "=" in part)
        timestamp, sign = raw.get("timestamp", ""), raw.get("sign", "")
        if not timestamp.isdigit() or abs(int(timestamp) - time.time() * 1000) > 3600_000:
            problems.append("timestamp missing or more than an hour off")
        else:
            digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(),
                              hashlib.sha256).digest()
            expected = urllib.parse.quote_plus(base64.b64encode(digest).decode())
            if sign != expected:
                problems.append("sign not match")
    return problems


def start() -> tuple[Receiver, ThreadingHTTPServer]:
    """Start a receiver on a free port of 127.0.0.1."""
    receiver = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # quiet
            pass

        def _answer(self, status: int, payload: dict[str, Any] | None = None) -> None:
            raw = json.dumps(payload or {}).encode()
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("Location", "http://127.0.0.1:9/elsewhere")
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def do_POST(self) -> None:
            parts = urllib.parse.urlsplit(self.path)
            query = parts.query
            values = urllib.parse.parse_qs(query)
            length = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(length)
            try:
                body = json.loads(raw)
            except ValueError:
                body = None
            content_type = self.headers.get("Content-Type", "")
            if parts.path == "/cgi-bin/webhook/send":
                kind, key = "wecom", (values.get("key") or [""])[0]
                problems = _check_wecom(body)
            elif parts.path == "/robot/send":
                kind, key = "dingtalk", (values.get("access_token") or [""])[0]
                problems = _check_dingtalk(body, query, receiver.secrets.get(key))
            else:
                self._answer(404)
                return
            if not content_type.startswith("application/json"):
                problems.append(f"content type {content_type!r}")
            receiver.received.append(Received(kind, key, query, body, problems))
            how = receiver.fail.get(key)
            if how and how[0] == "http":
                self._answer(how[1], {"errcode": -1, "errmsg": "system busy"})
            elif how:
                self._answer(200, {"errcode": how[1], "errmsg": "refused by the test"})
            elif problems:
                code = 310000 if "sign not match" in problems else (
                    40008 if kind == "wecom" else 300001)
                self._answer(200, {"errcode": code, "errmsg": "; ".join(problems)})
            else:
                self._answer(200, {"errcode": 0, "errmsg": "ok"})

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return receiver, server
