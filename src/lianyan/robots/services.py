"""Registering group robots, listing them (masked), removing them, and the test message.

Every change is audited without the address: the audit entry keeps the kind, the scope and
the ``hint`` only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from lianyan import clock
from lianyan.audit import services as audit
from lianyan.db import atomic
from lianyan.errors import Forbidden, InvalidInput, NotFound
from lianyan.org.tables import County, Zone
from lianyan.principal import Principal, Role
from lianyan.robots import access, rules, sealing
from lianyan.robots import schemas as s
from lianyan.robots.delivery import SenderConfig, deliver
from lianyan.robots.tables import Robot, RobotMessage

#: Robots one county or zone may register (a few chat groups, not a mailing list).
MAX_PER_SCOPE = 5
#: Failed attempts listed per robot.
FAILURES_SHOWN = 5

STATUS_NAMES = {"pending": "等待发送", "sending": "发送中", "sent": "已发送", "failed": "发送失败"}


async def _target(actor: Principal, data: s.RobotIn) -> tuple[int, int | None, str]:
    """The county and zone the robot is for, and their name; checks the caller may."""
    county_id, zone_id = data.county_id, data.zone_id
    if zone_id is not None:
        zone = await Zone.select(Zone.id, Zone.county, Zone.name,
                                 Zone.county.name.as_alias("county_name")).where(
            Zone.id == zone_id).first()
        if zone is None:
            raise InvalidInput("robot.zone", "没有找到该责任区。", field="zone_id")
        if county_id is not None and county_id != zone["county"]:
            raise InvalidInput("robot.zone", "该责任区不属于所选县（市、区）。", field="zone_id")
        county_id, name = zone["county"], f"{zone['county_name']}{zone['name']}"
    else:
        if county_id is None:
            counties = actor.counties(Role.COUNTY_OFFICER)
            zones = actor.zones(Role.ZONE_OFFICER)
            if len(counties) == 1 and not zones:
                county_id = next(iter(counties))
            elif len(zones) == 1 and not counties:
                return await _target(actor, s.RobotIn(kind=data.kind, url=data.url,
                                                       zone_id=next(iter(zones))))
            else:
                raise InvalidInput("robot.scope_required", "请选择机器人所属的县（市、区）或责任区。",
                                   field="county_id")
        county = await County.select(County.name).where(County.id == county_id).first()
        if county is None:
            raise InvalidInput("robot.county", "没有找到该县（市、区）。", field="county_id")
        name = county["name"]
    assert county_id is not None
    if not access.may_manage(actor, county_id, zone_id):
        raise Forbidden("robot.forbidden",
                        "您只能为本县（市、区）或本人负责的责任区添加群机器人。")
    return county_id, zone_id, name


async def scopes_for(actor: Principal) -> list[tuple[str, str]]:
    """The counties and zones the caller may add robots to, as (``county:3``/``zone:7``, name)."""
    counties = await County.select(County.id, County.name).order_by(County.code)
    zones = await Zone.select(Zone.id, Zone.county, Zone.name).order_by(Zone.county).order_by(
        Zone.id)
    names = {c["id"]: c["name"] for c in counties}
    found = [(f"county:{c['id']}", c["name"]) for c in counties
             if access.may_manage(actor, c["id"], None)]
    found += [(f"zone:{z['id']}", f"{names.get(z['county'], '')}{z['name']}") for z in zones
              if access.may_manage(actor, z["county"], z["id"])]
    return found


async def create_robot(actor: Principal, data: s.RobotIn, *, secret_key: str,
                       extra_hosts: tuple[str, ...]) -> s.RobotOut:
    """Register a robot. Refused: an address not of the service (``robot.url``), a secret
    where none belongs (``robot.secret_unused``), a scope the caller does not hold
    (``robot.forbidden``), too many robots in one scope (``robot.too_many``).

    Side effects: a ``robot`` row with the address sealed; an audit entry (hint only).
    """
    address = rules.check_address(data.kind, data.url, extra_hosts)
    secret = rules.check_secret(data.kind, data.secret)
    county_id, zone_id, _ = await _target(actor, data)
    async with atomic(lock=f"robots:{county_id}"):
        same_scope = (Robot.county == county_id) & (
            Robot.zone.is_null() if zone_id is None else Robot.zone == zone_id)
        if await Robot.count().where(same_scope) >= MAX_PER_SCOPE:
            raise InvalidInput("robot.too_many",
                               f"每个县（市、区）或责任区最多登记 {MAX_PER_SCOPE} 个群机器人。")
        row = (await Robot.insert(Robot(
            kind=data.kind, county=county_id, zone=zone_id,
            sealed_url=sealing.seal(secret_key, address.url),
            sealed_secret=sealing.seal(secret_key, secret), hint=address.hint,
            created_by=actor.person_id, created_by_name=actor.name, created_at=clock.now(),
        )))[0]
        await audit.record(actor, "robot.create", "robot", row["id"], kind=data.kind,
                           hint=address.hint, county_id=county_id, zone_id=zone_id)
    return await get_robot(actor, row["id"])


_COLUMNS = (
    Robot.id, Robot.kind, Robot.county, Robot.zone, Robot.hint, Robot.sealed_secret,
    Robot.created_by_name, Robot.created_at, Robot.last_status, Robot.last_at, Robot.last_error,
    Robot.county.name.as_alias("county_name"), Robot.zone.name.as_alias("zone_name"),
)


def _delivery(row: dict[str, Any]) -> s.DeliveryOut:
    return s.DeliveryOut(
        id=row["id"], kind=row["kind"], title=row["title"], status=row["status"],
        status_name=STATUS_NAMES.get(row["status"], row["status"]), attempts=row["attempts"],
        error=row["error"], created_at=clock.local(row["created_at"]),
        sent_at=clock.local(row["sent_at"]),
        next_at=clock.local(row["next_at"]) if row["status"] == "pending" else None,
    )


async def list_robots(actor: Principal) -> list[s.RobotOut]:
    """The robots the caller sees, by county and zone, each with its pending count and its
    latest failures (three queries)."""
    condition = access.scope(actor)
    query = Robot.select(*_COLUMNS).order_by(Robot.county).order_by(Robot.zone).order_by(Robot.id)
    rows = await (query.where(condition) if condition is not None else query)
    if not rows:
        return []
    ids = [r["id"] for r in rows]
    pending: dict[int, int] = {}
    for r in await RobotMessage.select(RobotMessage.robot).where(
        RobotMessage.robot.is_in(ids) & RobotMessage.status.is_in(["pending", "sending"])
    ):
        pending[r["robot"]] = pending.get(r["robot"], 0) + 1
    failures: dict[int, list[s.DeliveryOut]] = {}
    recent = clock.now() - dt.timedelta(days=30)
    for r in await RobotMessage.select(
        RobotMessage.id, RobotMessage.robot, RobotMessage.kind, RobotMessage.title,
        RobotMessage.status, RobotMessage.attempts, RobotMessage.error,
        RobotMessage.created_at, RobotMessage.sent_at, RobotMessage.next_at,
    ).where(
        RobotMessage.robot.is_in(ids) & (RobotMessage.error != "")
        & (RobotMessage.status != "sent")
        & (RobotMessage.created_at > recent)
    ).order_by(RobotMessage.id, ascending=False).limit(FAILURES_SHOWN * len(ids)):
        listed = failures.setdefault(r["robot"], [])
        if len(listed) < FAILURES_SHOWN:
            listed.append(_delivery(r))
    return [_out(r, pending.get(r["id"], 0), failures.get(r["id"], [])) for r in rows]


def _out(row: dict[str, Any], pending: int, failures: list[s.DeliveryOut]) -> s.RobotOut:
    zone_name = row["zone_name"] or ""
    return s.RobotOut(
        id=row["id"], kind=row["kind"], kind_name=rules.KINDS[row["kind"]],
        county_id=row["county"], county_name=row["county_name"], zone_id=row["zone"],
        zone_name=zone_name, scope_name=row["county_name"] + zone_name, hint=row["hint"],
        signed=bool(row["sealed_secret"]), created_by_name=row["created_by_name"],
        created_at=clock.local(row["created_at"]), last_status=row["last_status"],
        last_at=clock.local(row["last_at"]), last_error=row["last_error"], pending=pending,
        failures=failures,
    )


async def _visible(actor: Principal, robot_id: int) -> dict[str, Any]:
    condition: Any = Robot.id == robot_id
    visible = access.scope(actor)
    if visible is not None:
        condition = condition & visible
    row = await Robot.select(*_COLUMNS).where(condition).first()
    if row is None:
        raise NotFound("robot.not_found", "没有找到该群机器人。")
    return row


async def get_robot(actor: Principal, robot_id: int) -> s.RobotOut:
    """One robot the caller sees (404 otherwise)."""
    row = await _visible(actor, robot_id)
    return next(r for r in await list_robots(actor) if r.id == row["id"])


async def delete_robot(actor: Principal, robot_id: int) -> None:
    """Remove a robot and its queued messages. Side effects: an audit entry (hint only)."""
    row = await _visible(actor, robot_id)
    if not access.may_manage(actor, row["county"], row["zone"]):
        raise Forbidden("robot.forbidden", "您只能删除本县（市、区）或本人负责的责任区的群机器人。")
    async with atomic():
        await RobotMessage.delete().where(RobotMessage.robot == robot_id)
        await Robot.delete().where(Robot.id == robot_id)
        await audit.record(actor, "robot.delete", "robot", robot_id, kind=row["kind"],
                           hint=row["hint"], county_id=row["county"], zone_id=row["zone"])


async def send_test(actor: Principal, robot_id: int, *, config: SenderConfig) -> s.RobotTestOut:
    """Send a test message to the robot now (one attempt, no retry) and answer what happened.

    Side effects: a ``robot_message`` (kind ``test``) with its outcome; the robot's last
    status; an audit entry.
    """
    row = await _visible(actor, robot_id)
    now = clock.now()
    scope = row["county_name"] + (row["zone_name"] or "")
    message = (await RobotMessage.insert(RobotMessage(
        robot=robot_id, kind="test", title="联研群机器人测试消息",
        text=rules.escape(f"{actor.name}发送的测试消息：{scope}的教研通知（截止提醒、备案退回与"
                          "通过、催办、新的亮点、报表生成）将发送到本群。"),
        link="/robots", status="sending", attempts=0, next_at=now, claimed_by="test",
        claimed_at=now, created_at=now,
    )))[0]
    outcome = await deliver(message["id"], config, final=True)
    await audit.record(actor, "robot.test", "robot", robot_id, hint=row["hint"],
                       ok=outcome.ok)
    return s.RobotTestOut(robot_id=robot_id, status="sent" if outcome.ok else "failed",
                          error=outcome.reason)
