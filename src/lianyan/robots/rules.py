"""What a robot is and says: the accepted webhook addresses, the mask, the messages, the sign.

The services' documented formats (docs/robots.md cites them):

* WeCom group robot: ``POST https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…`` with
  ``{"msgtype": "markdown", "markdown": {"content": …}}``, content at most 4096 bytes of
  UTF-8; 20 messages a minute per robot; answers ``{"errcode": 0, "errmsg": "ok"}``.
* DingTalk custom robot: ``POST https://oapi.dingtalk.com/robot/send?access_token=…`` with
  ``{"msgtype": "markdown", "markdown": {"title": …, "text": …}}``; with 加签 the query also
  carries ``timestamp`` (ms) and ``sign`` = urlencode(base64(HMAC-SHA256(secret,
  f"{timestamp}\\n{secret}"))); 20 messages a minute; answers ``{"errcode": 0, …}``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import urllib.parse
from dataclasses import dataclass
from typing import Any

from lianyan.errors import InvalidInput

KINDS = {"wecom": "企业微信", "dingtalk": "钉钉"}

#: Each kind's own host, path and the query parameter that holds its key.
SERVICE = {
    "wecom": ("qyapi.weixin.qq.com", "/cgi-bin/webhook/send", "key"),
    "dingtalk": ("oapi.dingtalk.com", "/robot/send", "access_token"),
}

#: WeCom refuses markdown content over 4096 bytes; DingTalk's text is held to the same.
MAX_BYTES = 4096
#: Both services take at most 20 messages a minute from one robot.
PER_MINUTE = 20
MAX_URL = 1000
MAX_SECRET = 200


@dataclass(frozen=True, slots=True)
class Address:
    """A checked webhook address and what may be shown of it."""

    url: str
    hint: str


def check_address(kind: str, url: str, extra_hosts: tuple[str, ...]) -> Address:
    """``url`` if it is a webhook address of ``kind`` the service may call, else ``robot.url``.

    By default only the service's own host over https on the default port; a host listed in
    ``LIANYAN_ROBOT_HOSTS`` is accepted over http or https on any port. The path must be the
    service's and the key (``key`` / ``access_token``) present; no user name, no fragment.
    The message never repeats the address (it is a secret).
    """
    host, path, param = SERVICE[kind]
    url = url.strip()

    def refuse(why: str) -> InvalidInput:
        return InvalidInput("robot.url", why, field="url")

    if not url:
        raise refuse("请填写机器人的 Webhook 地址。")
    if len(url) > MAX_URL or any(ord(c) < 33 or ord(c) == 127 for c in url):
        raise refuse("Webhook 地址格式不正确，请从群机器人设置中完整复制。")
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError:
        raise refuse("Webhook 地址格式不正确，请从群机器人设置中完整复制。") from None
    hostname = (parts.hostname or "").lower()
    listed = hostname in extra_hosts or (f"[{hostname}]" in extra_hosts)
    if parts.username is not None or parts.password is not None or parts.fragment:
        raise refuse("Webhook 地址格式不正确，请从群机器人设置中完整复制。")
    if listed:
        if parts.scheme not in ("http", "https"):
            raise refuse("Webhook 地址必须以 https:// 开头。")
    elif hostname != host:
        raise refuse(
            f"{KINDS[kind]}机器人的地址必须是 https://{host}{path}?{param}=…，不接受其他主机。"
        )
    elif parts.scheme != "https" or port not in (None, 443):
        raise refuse(f"{KINDS[kind]}机器人的地址必须以 https://{host} 开头。")
    if parts.path != path:
        raise refuse(
            f"这不是{KINDS[kind]}群机器人的地址：应为 https://{host}{path}?{param}=…。"
        )
    values = urllib.parse.parse_qs(parts.query)
    key = (values.get(param) or [""])[0]
    if not key or len(values.get(param, [])) != 1:
        raise refuse(f"Webhook 地址缺少 {param} 参数，请从群机器人设置中完整复制。")
    if kind == "dingtalk" and ("sign" in values or "timestamp" in values):
        raise refuse("请填写机器人原始的 Webhook 地址（不含 timestamp 和 sign）。")
    return Address(url=url, hint=mask(hostname, parts.port, key))


def mask(host: str, port: int | None, key: str) -> str:
    """What is shown of an address: ``qyapi.weixin.qq.com …1a2b``."""
    where = f"{host}:{port}" if port else host
    return f"{where} …{key[-4:]}" if len(key) > 8 else f"{where} …"


def check_secret(kind: str, secret: str | None) -> str:
    """DingTalk's signing secret (``SEC…``), or "" (WeCom has none)."""
    secret = (secret or "").strip()
    if kind != "dingtalk":
        if secret:
            raise InvalidInput("robot.secret_unused", "企业微信机器人没有加签密钥，请留空。",
                               field="secret")
        return ""
    if len(secret) > MAX_SECRET or any(ord(c) < 33 or ord(c) == 127 for c in secret):
        raise InvalidInput("robot.secret", "加签密钥格式不正确，请从机器人安全设置中完整复制。",
                           field="secret")
    return secret


# Messages ------------------------------------------------------------------------------------


def sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's ``sign``: base64 of HMAC-SHA256 keyed by the secret over ``"{ts}\\n{secret}"``,
    URL-encoded (the value as it goes into the query string)."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(),
                      hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest).decode())


def signed_url(url: str, secret: str, timestamp_ms: int) -> str:
    """The address with DingTalk's ``timestamp`` and ``sign`` added."""
    joiner = "&" if urllib.parse.urlsplit(url).query else "?"
    return f"{url}{joiner}timestamp={timestamp_ms}&sign={sign(secret, timestamp_ms)}"


def escape(text: str) -> str:
    """Text put into markdown as it is: no headings, links or emphasis of its own."""
    out = []
    for ch in text.replace("\r", ""):
        out.append("\\" + ch if ch in "\\`*_[]<>#" else ch)
    return "".join(out)


def _cut(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` bytes of UTF-8 on a character boundary, marked when cut."""
    raw = text.encode()
    if len(raw) <= limit:
        return text
    return raw[: limit - len("…".encode())].decode(errors="ignore") + "…"


def markdown(title: str, text: str, link: str, origin: str) -> str:
    """The message's markdown: the title as a heading, the text, a link back to the site.

    Kept within ``MAX_BYTES`` (the text is cut, never the link).
    """
    head = f"### {escape(title)}\n"
    if link and origin:
        tail = f"\n\n[在联研中查看]({origin}{link})"
    elif link:
        tail = f"\n\n在联研中查看：{escape(link)}"
    else:
        tail = ""
    room = MAX_BYTES - len(head.encode()) - len(tail.encode())
    return head + _cut(text, max(room, 0)) + tail


def payload(kind: str, title: str, content: str) -> dict[str, Any]:
    """The JSON body each service documents for a markdown message."""
    if kind == "wecom":
        return {"msgtype": "markdown", "markdown": {"content": content}}
    return {"msgtype": "markdown", "markdown": {"title": _cut(title, 200), "text": content}}
