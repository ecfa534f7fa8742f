"""One HTTP POST to a robot's webhook, and what came of it, without leaking the address.

Blocking ``urllib`` in a worker thread: it logs nothing (the address holds the robot's key),
follows no redirect (``NoRedirect``: a 3xx is a failure, so a webhook cannot be bounced into
the bureau's network) and gives up after ``TIMEOUT`` seconds. The outcome's reason is a
Chinese sentence made here, never the exception's text (which may quote the address).
"""

from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

import anyio

#: Seconds to connect and to wait for the answer.
TIMEOUT = 5.0
#: The most of an answer read (the services answer a few dozen bytes).
MAX_ANSWER = 64 * 1024


@dataclass(frozen=True, slots=True)
class Outcome:
    """``ok``, or why not (Chinese, safe to show and to log)."""

    ok: bool
    reason: str = ""


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Refuse every redirect: the 3xx answer itself becomes the failure."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(NoRedirect)


def _post(url: str, body: bytes) -> Outcome:
    request = urllib.request.Request(
        url, data=body, method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": "lianyan"},
    )
    try:
        with _OPENER.open(request, timeout=TIMEOUT) as response:
            status = response.status
            raw = response.read(MAX_ANSWER)
    except urllib.error.HTTPError as exc:
        exc.close()
        if 300 <= exc.code < 400:
            return Outcome(False, f"服务返回了重定向（HTTP {exc.code}），已拒绝跟随。")
        return Outcome(False, f"服务返回 HTTP {exc.code}。")
    except TimeoutError:
        return Outcome(False, f"连接超时（{TIMEOUT:g} 秒内没有应答）。")
    except ssl.SSLError:
        return Outcome(False, "HTTPS 证书校验失败。")
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", None)
        if isinstance(reason, TimeoutError):
            return Outcome(False, f"连接超时（{TIMEOUT:g} 秒内没有应答）。")
        if isinstance(reason, ssl.SSLError):
            return Outcome(False, "HTTPS 证书校验失败。")
        return Outcome(False, "无法连接到机器人服务。")
    if status != 200:
        return Outcome(False, f"服务返回 HTTP {status}。")
    try:
        answer = json.loads(raw)
        errcode = int(answer.get("errcode", -1))
    except (ValueError, TypeError, AttributeError):
        return Outcome(False, "服务的应答不是预期的 JSON。")
    if errcode != 0:
        message = str(answer.get("errmsg", ""))[:120]
        return Outcome(False, f"服务返回错误码 {errcode}：{message}")
    return Outcome(True)


async def post(url: str, payload: dict[str, Any]) -> Outcome:
    """POST ``payload`` as JSON to ``url`` off the event loop."""
    body = json.dumps(payload, ensure_ascii=False).encode()
    return await anyio.to_thread.run_sync(_post, url, body)
