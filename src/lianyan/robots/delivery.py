"""Delivering one claimed message: unseal the address, build the body, POST, record the outcome.

Back-off: a failed attempt is tried again after ``BACKOFF`` × 2^(attempts − 1) (30 s, 1 min,
2 min, 4 min); after ``MAX_ATTEMPTS`` the message is ``failed`` for good and the officer sees
why on the 群机器人 page. A robot that already sent ``rules.PER_MINUTE`` messages in the last
minute waits a minute without spending an attempt (both services cut off a robot that sends
more, WeCom with errcode 45009, DingTalk for ten minutes).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass
from typing import Any

from lianyan import clock
from lianyan.robots import rules, sealing, sending
from lianyan.robots.tables import Robot, RobotMessage

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
BACKOFF = dt.timedelta(seconds=30)
#: How long a robot that reached the per-minute limit waits.
RATE_WAIT = dt.timedelta(seconds=60)


@dataclass(frozen=True, slots=True)
class SenderConfig:
    """What sending needs of the settings: the sealing key, where links point, extra hosts."""

    secret_key: str
    public_origin: str = ""
    extra_hosts: tuple[str, ...] = ()

    @classmethod
    def from_settings(cls, settings: Any) -> SenderConfig:
        return cls(secret_key=settings.secret_key, public_origin=settings.public_origin,
                   extra_hosts=settings.robot_hosts)


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the ``attempts``-th failed attempt."""
    return BACKOFF * (2 ** max(attempts - 1, 0))


async def deliver(message_id: int, config: SenderConfig, *, final: bool = False) -> sending.Outcome:
    """Send a message this caller claimed (status ``sending``) and record what happened.

    ``final``: one attempt only (the test message). Returns the outcome.
    """
    message = await RobotMessage.select(
        RobotMessage.id, RobotMessage.robot, RobotMessage.kind, RobotMessage.title,
        RobotMessage.text, RobotMessage.link, RobotMessage.attempts,
    ).where(RobotMessage.id == message_id).first()
    if message is None:  # the robot was deleted meanwhile
        return sending.Outcome(False, "机器人已删除。")
    robot = await Robot.select(Robot.id, Robot.kind, Robot.sealed_url,
                               Robot.sealed_secret).where(Robot.id == message["robot"]).first()
    if robot is None:
        return sending.Outcome(False, "机器人已删除。")
    now = clock.now()
    if not final:
        sent_lately = await RobotMessage.count().where(
            (RobotMessage.robot == robot["id"]) & (RobotMessage.status == "sent")
            & (RobotMessage.sent_at > now - dt.timedelta(minutes=1))
        )
        if sent_lately >= rules.PER_MINUTE:
            await RobotMessage.update({
                RobotMessage.status: "pending", RobotMessage.next_at: now + RATE_WAIT,
                RobotMessage.claimed_by: "",
            }).where((RobotMessage.id == message_id) & (RobotMessage.status == "sending"))
            return sending.Outcome(False, "每分钟发送已达上限，稍后发送。")
    outcome = await _attempt(robot, message, config)
    await _record(message, robot["id"], outcome, final=final)
    log.info("robot %s message %s (%s): %s", robot["id"], message_id, message["kind"],
             "sent" if outcome.ok else outcome.reason)
    return outcome


async def _attempt(robot: dict[str, Any], message: dict[str, Any],
                   config: SenderConfig) -> sending.Outcome:
    try:
        url = sealing.unseal(config.secret_key, robot["sealed_url"])
        secret = sealing.unseal(config.secret_key, robot["sealed_secret"])
    except sealing.Unreadable:
        return sending.Outcome(False, sealing.UNREADABLE)
    try:  # the allowed hosts may have changed since the robot was registered
        rules.check_address(robot["kind"], url, config.extra_hosts)
    except Exception:
        return sending.Outcome(False, "机器人地址已不在允许的主机之内（LIANYAN_ROBOT_HOSTS）。")
    content = rules.markdown(message["title"], message["text"], message["link"],
                             config.public_origin)
    if robot["kind"] == "dingtalk" and secret:
        url = rules.signed_url(url, secret, int(time.time() * 1000))
    return await sending.post(url, rules.payload(robot["kind"], message["title"], content))


async def _record(message: dict[str, Any], robot_id: int, outcome: sending.Outcome, *,
                  final: bool) -> None:
    now = clock.now()
    attempts = message["attempts"] + 1
    if outcome.ok:
        values: dict[Any, Any] = {RobotMessage.status: "sent", RobotMessage.sent_at: now,
                                  RobotMessage.attempts: attempts}
    elif final or attempts >= MAX_ATTEMPTS:
        values = {RobotMessage.status: "failed", RobotMessage.attempts: attempts,
                  RobotMessage.error: outcome.reason[:300]}
    else:
        values = {RobotMessage.status: "pending", RobotMessage.attempts: attempts,
                  RobotMessage.error: outcome.reason[:300],
                  RobotMessage.next_at: now + backoff(attempts), RobotMessage.claimed_by: ""}
    await RobotMessage.update(values).where(RobotMessage.id == message["id"])
    await Robot.update({
        Robot.last_status: "sent" if outcome.ok else "failed", Robot.last_at: now,
        Robot.last_error: "" if outcome.ok else outcome.reason[:300],
    }).where(Robot.id == robot_id)
