"""The robots' rules without the network: addresses, the mask, the sign, the size limit, sealing."""

from __future__ import annotations

import base64
import hashlib
import hmac
import urllib.parse

import pytest

from lianyan.errors import InvalidInput
from lianyan.robots import rules, sealing
from lianyan.settings import Settings, SettingsError


def test_dingtalk_sign_is_urlencoded_base64_of_hmac_sha256_over_timestamp_and_secret():
    # Arrange: DingTalk's documented steps, spelled out
    secret, timestamp = "this is secret", 1577262236757
    string_to_sign = f"{timestamp}\n{secret}".encode()
    digest = hmac.new(secret.encode(), string_to_sign, digestmod=hashlib.sha256).digest()
    expected = urllib.parse.quote_plus(base64.b64encode(digest))
    # Act
    url = rules.signed_url("https://oapi.dingtalk.com/robot/send?access_token=T", secret,
                           timestamp)
    # Assert
    assert rules.sign(secret, timestamp) == expected
    assert url == f"https://oapi.dingtalk.com/robot/send?access_token=T&timestamp={timestamp}&sign={expected}"


def test_markdown_stays_within_4096_bytes_and_keeps_the_link():
    # Arrange
    body = "很长的正文。" * 2000
    # Act
    content = rules.markdown("标题", body, "/exchanges/1", "https://lianyan.example.cn")
    # Assert
    assert len(content.encode()) <= rules.MAX_BYTES
    assert content.endswith("[在联研中查看](https://lianyan.example.cn/exchanges/1)")
    assert "…" in content


def test_markdown_escapes_what_people_typed():
    # Act: the title is escaped here, the text when it is queued (outbox.post)
    content = rules.markdown("[点我](http://evil)", rules.escape("**粗** <font>"), "", "")
    # Assert
    assert content == "### \\[点我\\](http://evil)\n\\*\\*粗\\*\\* \\<font\\>"


def test_listed_hosts_are_accepted_over_http_on_any_port():
    # Act
    address = rules.check_address(
        "dingtalk", "http://robot-proxy.bureau.cn:8080/robot/send?access_token=abcdefghijkl",
        ("robot-proxy.bureau.cn",))
    # Assert
    assert address.hint == "robot-proxy.bureau.cn:8080 …ijkl"


@pytest.mark.parametrize("url", [
    "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=a&key=b",
    "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc#frag",
    "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=ab\x00c",
    "https://[::1]/cgi-bin/webhook/send?key=abc",
    "https://127.0.0.1/cgi-bin/webhook/send?key=abc",
    "https://localhost/cgi-bin/webhook/send?key=abc",
    "ftp://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc",
])
def test_refused_addresses(url):
    with pytest.raises(InvalidInput) as refused:
        rules.check_address("wecom", url, ())
    assert refused.value.code == "robot.url"
    assert "abc" not in refused.value.detail


def test_sealing_round_trip_and_another_key_cannot_open_it():
    # Act
    sealed = sealing.seal("k" * 32, "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc")
    # Assert
    assert "abc" not in sealed and sealed.startswith("v1.")
    assert sealing.unseal("k" * 32, sealed).endswith("key=abc")
    with pytest.raises(sealing.Unreadable):
        sealing.unseal("j" * 32, sealed)
    assert sealing.seal("k" * 32, "") == ""


def test_robot_hosts_and_public_origin_settings(tmp_path):
    # Act
    settings = Settings.from_env({"LIANYAN_DATA_DIR": str(tmp_path),
                                  "LIANYAN_SECRET_KEY": "x" * 20,
                                  "LIANYAN_ROBOT_HOSTS": " 127.0.0.1, Proxy.Bureau.cn ,",
                                  "LIANYAN_PUBLIC_ORIGIN": "https://lianyan.smx.cn/"})
    # Assert
    assert settings.robot_hosts == ("127.0.0.1", "proxy.bureau.cn")
    assert settings.public_origin == "https://lianyan.smx.cn"
    with pytest.raises(SettingsError, match="LIANYAN_ROBOT_HOSTS"):
        Settings.from_env({"LIANYAN_DATA_DIR": str(tmp_path), "LIANYAN_SECRET_KEY": "x" * 20,
                           "LIANYAN_ROBOT_HOSTS": "http://x/y"})
