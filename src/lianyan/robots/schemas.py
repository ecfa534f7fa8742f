"""Request and response shapes of the robots API."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from msgspec import Meta

from lianyan.schemas import Id, Input, Output


class RobotIn(Input, kw_only=True):
    """A robot to register: its kind, webhook address, DingTalk's signing secret, its scope.

    Without ``county_id``/``zone_id`` the robot belongs to the caller's own county (county
    officer) or zone (zone leader).
    """

    kind: Literal["wecom", "dingtalk"]
    url: Annotated[str, Meta(max_length=1000, description="the webhook address (secret)")]
    secret: Annotated[str, Meta(max_length=200)] | None = None
    county_id: Id | None = None
    zone_id: Id | None = None


class DeliveryOut(Output, kw_only=True):
    """One message to a robot and how it went."""

    id: int
    kind: str
    title: str
    status: str
    status_name: str
    attempts: int
    error: str
    created_at: dt.datetime
    sent_at: dt.datetime | None = None
    next_at: dt.datetime | None = None


class RobotOut(Output, kw_only=True):
    """A registered robot; the address is masked (``hint``) and never shown in full."""

    id: int
    kind: str
    kind_name: str
    county_id: int
    county_name: str
    zone_id: int | None
    zone_name: str
    scope_name: str
    hint: str
    signed: bool
    created_by_name: str
    created_at: dt.datetime
    last_status: str
    last_at: dt.datetime | None
    last_error: str
    pending: int
    #: The latest failed attempts, newest first, with the reason.
    failures: list[DeliveryOut]


class RobotTestOut(Output, kw_only=True):
    """What the test message did: ``sent``, or ``failed`` with the reason."""

    robot_id: int
    status: Literal["sent", "failed"]
    error: str
