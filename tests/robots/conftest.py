"""Robots tests: the app with the local receiver's host allowed, and the receiver itself."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import msgspec
import pytest

from tests.robots import receiver as rx

ORIGIN = "https://lianyan.example.cn"


@pytest.fixture(scope="session")
def receiver_server() -> Iterator[rx.Receiver]:
    """One receiver for the session (a thread with a stdlib HTTP server)."""
    receiver, server = rx.start()
    yield receiver
    server.shutdown()


@pytest.fixture
def receiver(receiver_server: rx.Receiver) -> rx.Receiver:
    """The receiver, forgetting what earlier tests sent and told it."""
    receiver_server.received.clear()
    receiver_server.secrets.clear()
    receiver_server.fail.clear()
    return receiver_server


@pytest.fixture(scope="session")
def robot_settings(settings: object) -> object:
    """The test settings with ``LIANYAN_ROBOT_HOSTS=127.0.0.1`` and a public origin."""
    return msgspec.structs.replace(settings, robot_hosts=("127.0.0.1",),  # type: ignore[type-var]
                                   public_origin=ORIGIN)


@pytest.fixture(scope="session")
def robot_app(robot_settings: object) -> object:
    from lianyan.web.app import create_app

    return create_app(robot_settings)  # type: ignore[arg-type]


@pytest.fixture
async def rclient(robot_app: object, clean_db: None, store: object) -> AsyncIterator[object]:
    """An HTTP client of the app that accepts the local receiver (as ``client`` otherwise)."""
    import httpx

    robot_app.state.store = store  # type: ignore[attr-defined]
    transport = httpx.ASGITransport(app=robot_app, client=("127.0.0.1", 50000))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as c:
        yield c
