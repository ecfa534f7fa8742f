"""Login throttling holds under concurrency: attempts are counted in the database before the
password is checked, per name and per client address, and a locked name never tells whether
it exists. The client address comes from ``X-Forwarded-For`` only through a trusted proxy.
"""

from __future__ import annotations

import asyncio
import ipaddress

from lianyan import clock
from lianyan.auth.api import forwarded_client
from lianyan.auth.tables import AuthToken, LoginThrottle
from lianyan.settings import Settings, SettingsError
from tests.builders import org as f


async def _login(client, username, password="wrong-password", **headers):
    response = await client.post("/api/v1/auth/login", headers=headers,
                                 json={"username": username, "password": password})
    client.cookies.clear()  # a bearer caller: no session cookie (and so no CSRF) next time
    return response


async def test_sixty_simultaneous_wrong_passwords_only_five_are_checked(client):
    # Arrange
    await f.user("qian", "teacher")
    # Act: sixty guesses at once
    responses = await asyncio.gather(*(_login(client, "qian") for _ in range(60)))
    after = await _login(client, "qian", f.PASSWORD)
    # Assert: five were checked (wrong password); the other 55 were refused unchecked, by the
    # account's lock or, past 30 attempts, by the address's limit
    codes = [(r.status_code, r.json()["code"]) for r in responses]
    assert codes.count((401, "auth.invalid")) == 5
    assert codes.count((429, "auth.locked")) + codes.count((429, "auth.rate_limited")) == 55
    assert (429, "auth.locked") in codes
    assert after.status_code == 429
    lock = await LoginThrottle.select().where(LoginThrottle.key.like("account:%")).first()
    assert lock["locked_until"] is not None
    assert await AuthToken.count() == 0


async def test_sixty_simultaneous_attempts_from_one_address_only_thirty_are_checked(client):
    # Sixty different names, so only the per-address limit (30 in 10 minutes) can stop them
    responses = await asyncio.gather(*(_login(client, f"guess{i}") for i in range(60)))
    codes = [(r.status_code, r.json()["code"]) for r in responses]
    assert codes.count((401, "auth.invalid")) == 30
    assert codes.count((429, "auth.rate_limited")) == 30
    row = await LoginThrottle.select().where(LoginThrottle.key == "address:127.0.0.1").first()
    assert row["attempts"] == 30


async def test_successful_logins_do_not_use_up_the_address(client):
    # A kindergarten's teachers share one address: their successes give the attempt back
    for i in range(31):
        await f.user(f"teacher{i}", "teacher")
    for i in range(31):
        response = await _login(client, f"teacher{i}", f.PASSWORD)
        assert response.status_code == 200, (i, response.text)


async def test_locked_and_unknown_names_get_the_same_answer(client):
    await f.user("zhou", "teacher")
    with clock.pinned(clock.now()):
        known = [await _login(client, "zhou") for _ in range(6)]
        unknown = [await _login(client, "nobody-here") for _ in range(6)]
    assert [r.status_code for r in known] == [r.status_code for r in unknown]
    assert known[-1].status_code == 429
    assert known[-1].json() == unknown[-1].json()
    assert "锁定" in unknown[-1].json()["detail"]


async def test_a_success_forgets_the_names_attempts(client):
    await f.user("wu", "teacher")
    for _ in range(4):
        await _login(client, "wu")
    assert (await _login(client, "wu", f.PASSWORD)).status_code == 200
    assert [(await _login(client, "wu")).status_code for _ in range(4)] == [401] * 4


async def test_forwarded_address_counts_only_behind_a_trusted_proxy(client, app):
    # Arrange: the test client's peer is 127.0.0.1; trust it as the proxy
    settings = app.state.settings
    app.state.settings = msgspec_replace(settings, trusted_proxies=("127.0.0.1",))
    try:
        for i in range(30):
            await _login(client, f"a{i}", **{"x-forwarded-for": "203.0.113.7"})
        # Act: the same proxy, another client behind it
        other = await _login(client, "someone", **{"x-forwarded-for": "203.0.113.8"})
        spoofed = await _login(client, "someone2",
                               **{"x-forwarded-for": "203.0.113.99, 203.0.113.7"})
    finally:
        app.state.settings = settings
    # Assert: each client behind the proxy has its own count; a forged left part is ignored
    assert other.json()["code"] == "auth.invalid"
    assert spoofed.json()["code"] == "auth.rate_limited"
    assert await LoginThrottle.exists().where(LoginThrottle.key == "address:203.0.113.7")
    assert not await LoginThrottle.exists().where(LoginThrottle.key == "address:127.0.0.1")


async def test_forwarded_header_from_an_untrusted_peer_is_ignored(client):
    for i in range(30):
        await _login(client, f"b{i}", **{"x-forwarded-for": f"198.51.100.{i}"})
    refused = await _login(client, "c", **{"x-forwarded-for": "198.51.100.200"})
    assert refused.json()["code"] == "auth.rate_limited"


def test_forwarded_client_walks_back_over_trusted_hops_only():
    trusted = (ipaddress.ip_network("10.0.0.0/8"),)
    assert forwarded_client("10.0.0.2", ["1.2.3.4, 10.0.0.9"], trusted) == "1.2.3.4"
    assert forwarded_client("10.0.0.2", ["6.6.6.6, 1.2.3.4"], trusted) == "1.2.3.4"
    assert forwarded_client("5.5.5.5", ["1.2.3.4"], trusted) == "5.5.5.5"
    assert forwarded_client("10.0.0.2", [], trusted) == "10.0.0.2"


def test_trusted_proxies_setting_is_read_and_checked(tmp_path):
    env = {"LIANYAN_DATA_DIR": str(tmp_path), "LIANYAN_SECRET_KEY": "x" * 20}
    settings = Settings.from_env({**env, "LIANYAN_TRUSTED_PROXIES": "10.0.0.0/8, 192.168.1.10"})
    assert settings.trusted_proxies == ("10.0.0.0/8", "192.168.1.10")
    try:
        Settings.from_env({**env, "LIANYAN_TRUSTED_PROXIES": "proxy.local"})
    except SettingsError as exc:
        assert "LIANYAN_TRUSTED_PROXIES" in str(exc)
    else:
        raise AssertionError("a host name was accepted as a trusted proxy")


def msgspec_replace(settings, **changes):
    import msgspec

    return msgspec.structs.replace(settings, **changes)
