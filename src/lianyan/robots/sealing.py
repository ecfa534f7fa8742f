"""Sealing webhook addresses and signing secrets at rest (AES-256-GCM).

The key is derived from ``LIANYAN_SECRET_KEY`` (HMAC-SHA256 of a fixed label), so a copy of
the database alone does not reveal where the bureau's chat groups are. A sealed value is
``v1.`` + base64url(nonce ‖ ciphertext ‖ tag). Changing ``LIANYAN_SECRET_KEY`` makes the
stored robots unreadable: their messages fail with ``UNREADABLE`` and the officers add them
again (docs/robots.md).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from Crypto.Cipher import AES

_LABEL = b"lianyan robots webhook v1"
_PREFIX = "v1."
UNREADABLE = "机器人地址无法解密（服务密钥已更换），请删除后重新添加。"


class Unreadable(Exception):
    """A sealed value that this key cannot open."""


def _key(secret_key: str) -> bytes:
    return hmac.new(secret_key.encode(), _LABEL, hashlib.sha256).digest()


def seal(secret_key: str, value: str) -> str:
    """``value`` sealed under the key derived from ``secret_key`` ("" stays "")."""
    if not value:
        return ""
    nonce = secrets.token_bytes(12)
    cipher = AES.new(_key(secret_key), AES.MODE_GCM, nonce=nonce)
    body, tag = cipher.encrypt_and_digest(value.encode())
    return _PREFIX + base64.urlsafe_b64encode(nonce + body + tag).decode()


def unseal(secret_key: str, sealed: str) -> str:
    """The value of ``seal``; ``Unreadable`` when the key or the text does not match."""
    if not sealed:
        return ""
    if not sealed.startswith(_PREFIX):
        raise Unreadable
    try:
        raw = base64.urlsafe_b64decode(sealed[len(_PREFIX):])
        cipher = AES.new(_key(secret_key), AES.MODE_GCM, nonce=raw[:12])
        return cipher.decrypt_and_verify(raw[12:-16], raw[-16:]).decode()
    except (ValueError, UnicodeDecodeError):
        raise Unreadable from None
