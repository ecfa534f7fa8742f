"""Group robots through the API, against the suite's WeCom/DingTalk receiver (both engines)."""

from __future__ import annotations

import datetime as dt
import logging

from lianyan import clock
from lianyan.audit.tables import AuditEntry
from lianyan.exchanges.notifications import Notice, send
from lianyan.robots.delivery import BACKOFF, MAX_ATTEMPTS, SenderConfig
from lianyan.robots.sender import RobotSender
from lianyan.robots.tables import RobotMessage
from tests.robots.conftest import ORIGIN
from tests.robots.world import build

KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
TOKEN = "566cc69da782ec33e42541b09b08551f09fbe864eb8008112e994b43887"
SECRET = "SEC240d7bb4c0bafc62a4e3c1e1f0e8d6b7a5c4b3a2"


def _config(robot_settings) -> SenderConfig:
    return SenderConfig.from_settings(robot_settings)


async def test_wecom_robot_is_masked_and_its_test_message_is_the_documented_body(
        rclient, receiver, caplog):
    # Arrange
    caplog.set_level(logging.DEBUG)
    ids, h = await build(rclient)
    # Act
    created = await rclient.post("/api/v1/robots", headers=h["officer_a"],
                                 json={"kind": "wecom", "url": receiver.wecom_url(KEY)})
    robot_id = created.json()["id"]
    tested = await rclient.post(f"/api/v1/robots/{robot_id}/test", headers=h["officer_a"])
    listed = await rclient.get("/api/v1/robots", headers=h["officer_a"])
    # Assert
    assert created.status_code == 201, created.text
    assert created.json()["county_id"] == ids["a"] and created.json()["zone_id"] is None
    assert created.json()["hint"] == f"127.0.0.1:{receiver.port} …5aaa"
    assert tested.json() == {"robot_id": robot_id, "status": "sent", "error": ""}
    [got] = receiver.of(KEY)
    assert got.problems == []
    content = got.body["markdown"]["content"]
    assert content.startswith("### 联研群机器人测试消息\n")
    assert f"[在联研中查看]({ORIGIN}/robots)" in content
    [robot] = listed.json()["items"]
    assert robot["last_status"] == "sent" and robot["failures"] == []
    for text in (created.text, listed.text, caplog.text):
        assert KEY not in text and "key=" not in text
    details = [r["detail"] for r in await AuditEntry.select(AuditEntry.detail)]
    assert len(details) == 2 and all(KEY not in d for d in details)


async def test_dingtalk_robot_signs_with_timestamp_and_hmac(rclient, receiver, caplog):
    # Arrange
    caplog.set_level(logging.DEBUG)
    _, h = await build(rclient)
    receiver.secrets[TOKEN] = SECRET
    created = await rclient.post("/api/v1/robots", headers=h["officer_a"], json={
        "kind": "dingtalk", "url": receiver.dingtalk_url(TOKEN), "secret": SECRET})
    unsigned = await rclient.post("/api/v1/robots", headers=h["officer_a"], json={
        "kind": "dingtalk", "url": receiver.dingtalk_url(TOKEN + "x"), "secret": "SECwrong"})
    receiver.secrets[TOKEN + "x"] = SECRET
    # Act
    good = await rclient.post(f"/api/v1/robots/{created.json()['id']}/test",
                              headers=h["officer_a"])
    bad = await rclient.post(f"/api/v1/robots/{unsigned.json()['id']}/test",
                             headers=h["officer_a"])
    # Assert
    assert created.status_code == 201 and created.json()["signed"] is True
    assert good.json()["status"] == "sent"
    [got] = receiver.of(TOKEN)
    assert got.problems == []
    assert got.body["markdown"]["title"] == "联研群机器人测试消息"
    assert "timestamp=" in got.query and "sign=" in got.query
    assert bad.json()["status"] == "failed"
    assert bad.json()["error"].startswith("服务返回错误码 310000")
    for text in (created.text, caplog.text, bad.text):
        assert TOKEN not in text and SECRET not in text


async def test_only_the_services_own_https_hosts_unless_listed(client, rclient, receiver):
    # Arrange
    _, h = await build(client)
    refused = [
        ("wecom", receiver.wecom_url(KEY)),                       # local, not listed here
        ("wecom", f"http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={KEY}"),  # not https
        ("wecom", f"https://qyapi.weixin.qq.com:8443/cgi-bin/webhook/send?key={KEY}"),
        ("wecom", f"https://10.0.0.5/cgi-bin/webhook/send?key={KEY}"),  # internal host
        ("wecom", f"https://intranet.local/cgi-bin/webhook/send?key={KEY}"),
        ("wecom", f"https://user@qyapi.weixin.qq.com/cgi-bin/webhook/send?key={KEY}"),
        ("wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"),  # no key
        ("wecom", f"https://oapi.dingtalk.com/robot/send?access_token={TOKEN}"),  # other kind
        ("dingtalk", f"https://oapi.dingtalk.com/evil?access_token={TOKEN}"),
        ("dingtalk", f"https://oapi.dingtalk.com.evil.cn/robot/send?access_token={TOKEN}"),
        ("dingtalk", "file:///etc/passwd"),
        ("dingtalk", "not a url"),
    ]
    # Act
    answers = [await client.post("/api/v1/robots", headers=h["officer_a"],
                                 json={"kind": kind, "url": url}) for kind, url in refused]
    accepted = await client.post("/api/v1/robots", headers=h["officer_a"], json={
        "kind": "wecom", "url": f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={KEY}"})
    listed_here = await rclient.post("/api/v1/robots", headers=h["officer_a"], json={
        "kind": "wecom", "url": receiver.wecom_url(KEY)})
    # Assert
    for (_, url), answer in zip(refused, answers, strict=True):
        assert answer.status_code == 400, url
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert answer.json()["code"] == "robot.url", url
        assert KEY not in answer.text and TOKEN not in answer.text
        assert any("\u4e00" <= ch <= "\u9fff" for ch in answer.json()["detail"])
    assert accepted.status_code == 201
    assert accepted.json()["hint"] == "qyapi.weixin.qq.com …5aaa"
    assert listed_here.status_code == 201


async def test_who_may_register_see_and_remove_robots(rclient, receiver):
    # Arrange
    ids, h = await build(rclient)
    url = receiver.wecom_url(KEY)
    # Act
    zone_own = await rclient.post("/api/v1/robots", headers=h["zone_a"],
                                  json={"kind": "wecom", "url": url})
    zone_other = await rclient.post("/api/v1/robots", headers=h["zone_a"],
                                    json={"kind": "wecom", "url": url, "zone_id": ids["za2"]})
    zone_county = await rclient.post("/api/v1/robots", headers=h["zone_a"],
                                     json={"kind": "wecom", "url": url, "county_id": ids["a"]})
    officer_zone = await rclient.post("/api/v1/robots", headers=h["officer_a"],
                                      json={"kind": "wecom", "url": url, "zone_id": ids["za2"]})
    officer_other = await rclient.post("/api/v1/robots", headers=h["officer_a"],
                                       json={"kind": "wecom", "url": url, "county_id": ids["b"]})
    city_no_scope = await rclient.post("/api/v1/robots", headers=h["city"],
                                       json={"kind": "wecom", "url": url})
    city_b = await rclient.post("/api/v1/robots", headers=h["city"],
                                json={"kind": "wecom", "url": url, "county_id": ids["b"]})
    teacher = await rclient.post("/api/v1/robots", headers=h["teacher_a"],
                                 json={"kind": "wecom", "url": url})
    wecom_secret = await rclient.post("/api/v1/robots", headers=h["officer_a"],
                                      json={"kind": "wecom", "url": url, "secret": "SECx"})
    seen_by_b = await rclient.get("/api/v1/robots", headers=h["officer_b"])
    seen_by_zone = await rclient.get("/api/v1/robots", headers=h["zone_a"])
    seen_by_city = await rclient.get("/api/v1/robots", headers=h["city"])
    b_deletes = await rclient.delete(f"/api/v1/robots/{zone_own.json()['id']}",
                                     headers=h["officer_b"])
    b_tests = await rclient.post(f"/api/v1/robots/{zone_own.json()['id']}/test",
                                 headers=h["officer_b"])
    teacher_lists = await rclient.get("/api/v1/robots", headers=h["teacher_a"])
    officer_deletes = await rclient.delete(f"/api/v1/robots/{zone_own.json()['id']}",
                                           headers=h["officer_a"])
    # Assert
    assert zone_own.status_code == 201 and zone_own.json()["zone_id"] == ids["za"]
    assert zone_own.json()["scope_name"] == "灵宝市灵宝第一责任区"
    assert (zone_other.status_code, zone_other.json()["code"]) == (403, "robot.forbidden")
    assert (zone_county.status_code, zone_county.json()["code"]) == (403, "robot.forbidden")
    assert officer_zone.status_code == 201
    assert (officer_other.status_code, officer_other.json()["code"]) == (403, "robot.forbidden")
    assert (city_no_scope.status_code, city_no_scope.json()["code"]) == (
        400, "robot.scope_required")
    assert city_b.status_code == 201
    assert teacher.status_code == 403
    assert (wecom_secret.status_code, wecom_secret.json()["code"]) == (
        400, "robot.secret_unused")
    assert [r["county_id"] for r in seen_by_b.json()["items"]] == [ids["b"]]
    assert [r["zone_id"] for r in seen_by_zone.json()["items"]] == [ids["za"]]
    assert seen_by_city.json()["total"] == 3
    assert (b_deletes.status_code, b_deletes.json()["code"]) == (404, "robot.not_found")
    assert b_tests.status_code == 404
    assert teacher_lists.status_code == 403
    assert officer_deletes.status_code == 204
    assert receiver.received == []


async def test_one_message_per_event_and_robot_reaches_the_groups_of_the_people_notified(
        rclient, receiver, robot_settings):
    # Arrange
    ids, h = await build(rclient)
    county_a = (await rclient.post("/api/v1/robots", headers=h["officer_a"], json={
        "kind": "wecom", "url": receiver.wecom_url("county-a-key")})).json()
    zone_a = (await rclient.post("/api/v1/robots", headers=h["zone_a"], json={
        "kind": "dingtalk", "url": receiver.dingtalk_url("zone-a-token")})).json()
    county_b = (await rclient.post("/api/v1/robots", headers=h["officer_b"], json={
        "kind": "wecom", "url": receiver.wecom_url("county-b-key")})).json()
    teachers = [ids["teacher_a"], ids["teacher_a2"]]
    notices = [Notice(person_id=p, kind="design_deadline", title="《春天》教学设计将于明天截止",
                      body="您还没有上传教学设计。", link="/exchanges/7",
                      dedupe_key=f"reminder:test:{p}") for p in teachers]
    # Act
    await send(notices)
    await send(notices)  # a second scheduler: nothing new
    await send([Notice(person_id=ids["teacher_a"], kind="comment", title="新的点评")])
    sender = RobotSender(_config(robot_settings))
    tried = await sender.run_until_idle()
    # Assert
    assert len(tried) == 2
    [to_county] = receiver.of("county-a-key")
    [to_zone] = receiver.of("zone-a-token")
    assert receiver.of("county-b-key") == []
    assert to_county.problems == [] and to_zone.problems == []
    content = to_county.body["markdown"]["content"]
    assert content == ("### 《春天》教学设计将于明天截止\n您还没有上传教学设计。\n\n"
                       "> 通知对象：李老师、赵老师\n\n"
                       f"[在联研中查看]({ORIGIN}/exchanges/7)")
    assert "> 通知对象：李老师\n" in to_zone.body["markdown"]["text"]
    assert to_zone.body["markdown"]["title"] == "《春天》教学设计将于明天截止"
    listed = {r["id"]: r for r in (await rclient.get("/api/v1/robots",
                                                       headers=h["city"])).json()["items"]}
    assert listed[county_a["id"]]["last_status"] == "sent"
    assert listed[zone_a["id"]]["last_status"] == "sent"
    assert listed[county_b["id"]]["last_status"] == ""


async def test_a_failing_receiver_is_retried_with_back_off_and_finally_failed(
        rclient, receiver, robot_settings, caplog):
    # Arrange
    caplog.set_level(logging.DEBUG)
    ids, h = await build(rclient)
    broken = (await rclient.post("/api/v1/robots", headers=h["officer_a"], json={
        "kind": "wecom", "url": receiver.wecom_url("broken-key-1234")})).json()
    busy = (await rclient.post("/api/v1/robots", headers=h["officer_a"], json={
        "kind": "wecom", "url": receiver.wecom_url("busy-key-5678")})).json()
    receiver.fail["broken-key-1234"] = ("http", 500)
    receiver.fail["busy-key-5678"] = ("errcode", 45009)
    await send([Notice(person_id=ids["officer_a"], kind="filing_returned",
                       title="灵宝市2026年度教研工作备案被市教育局退回",
                       body="退回原因：请补充活动照片。", link="/filings/workspace")])
    sender = RobotSender(_config(robot_settings))
    start = clock.now()
    # Act
    waits = []
    at = start
    for attempt in range(1, MAX_ATTEMPTS + 1):
        with clock.pinned(at):
            assert len(await sender.run_until_idle()) == 2
            assert await sender.run_until_idle() == []  # nothing due before the back-off
        rows = await RobotMessage.select().order_by(RobotMessage.id)
        if attempt < MAX_ATTEMPTS:
            waits.append(rows[0]["next_at"] - at)
            at = rows[0]["next_at"] + dt.timedelta(seconds=1)
    listed = {r["id"]: r for r in (await rclient.get("/api/v1/robots",
                                                       headers=h["officer_a"])).json()["items"]}
    page = await rclient.get("/robots", headers=h["officer_a"])
    # Assert
    assert waits == [BACKOFF * 2 ** n for n in range(MAX_ATTEMPTS - 1)]
    assert [r["status"] for r in rows] == ["failed", "failed"]
    assert [r["attempts"] for r in rows] == [MAX_ATTEMPTS, MAX_ATTEMPTS]
    assert len(receiver.of("broken-key-1234")) == MAX_ATTEMPTS
    failed = listed[broken["id"]]
    assert failed["last_status"] == "failed"
    assert failed["last_error"] == "服务返回 HTTP 500。"
    assert failed["failures"][0]["status"] == "failed"
    assert failed["failures"][0]["title"] == "灵宝市2026年度教研工作备案被市教育局退回"
    assert listed[busy["id"]]["last_error"].startswith("服务返回错误码 45009")
    assert page.status_code == 200
    assert "服务返回 HTTP 500。" in page.text and "已放弃" in page.text
    assert "broken-key-1234" not in page.text and "broken-key-1234" not in caplog.text


async def test_redirects_are_refused_not_followed(rclient, receiver):
    # Arrange
    _, h = await build(rclient)
    robot = (await rclient.post("/api/v1/robots", headers=h["officer_a"], json={
        "kind": "wecom", "url": receiver.wecom_url("moved-key-0000")})).json()
    receiver.fail["moved-key-0000"] = ("http", 302)
    # Act
    tested = await rclient.post(f"/api/v1/robots/{robot['id']}/test", headers=h["officer_a"])
    # Assert
    assert tested.json()["status"] == "failed"
    assert "重定向" in tested.json()["error"]
    assert len(receiver.received) == 1


async def test_two_senders_on_one_database_send_each_message_once(
        rclient, receiver, robot_settings):
    # Arrange
    import asyncio

    ids, h = await build(rclient)
    await rclient.post("/api/v1/robots", headers=h["officer_a"], json={
        "kind": "wecom", "url": receiver.wecom_url("shared-key-0001")})
    await send([Notice(person_id=ids["teacher_a"], kind="nudge", title=f"催办 {n}",
                       link="/exchanges/1") for n in range(8)])
    first = RobotSender(_config(robot_settings), name="one")
    second = RobotSender(_config(robot_settings), name="two")
    # Act
    tried = await asyncio.gather(first.run_until_idle(), second.run_until_idle())
    # Assert
    assert sorted(tried[0] + tried[1]) == sorted(set(tried[0] + tried[1]))
    assert len(tried[0]) + len(tried[1]) == 8
    titles = sorted(r.body["markdown"]["content"].split("\n")[0] for r in receiver.received)
    assert titles == sorted(f"### 催办 {n}" for n in range(8))


async def test_deleting_a_robot_drops_its_queue(rclient, receiver, robot_settings):
    # Arrange
    ids, h = await build(rclient)
    robot = (await rclient.post("/api/v1/robots", headers=h["officer_a"], json={
        "kind": "wecom", "url": receiver.wecom_url("gone-key-0001")})).json()
    await send([Notice(person_id=ids["officer_a"], kind="filing_accepted", title="已备案")])
    # Act
    deleted = await rclient.delete(f"/api/v1/robots/{robot['id']}", headers=h["officer_a"])
    tried = await RobotSender(_config(robot_settings)).run_until_idle()
    # Assert
    assert deleted.status_code == 204
    assert tried == [] and receiver.received == []
    assert await RobotMessage.count() == 0


async def test_a_robot_sends_at_most_20_a_minute_and_the_rest_waits_without_an_attempt(
        rclient, receiver, robot_settings):
    # Arrange
    ids, h = await build(rclient)
    await rclient.post("/api/v1/robots", headers=h["officer_a"], json={
        "kind": "wecom", "url": receiver.wecom_url("rate-key-0001")})
    await send([Notice(person_id=ids["teacher_a"], kind="nudge", title=f"催办 {n}")
                for n in range(22)])
    sender = RobotSender(_config(robot_settings))
    now = clock.now()
    # Act
    with clock.pinned(now):
        await sender.run_until_idle()
    waiting = await RobotMessage.select().where(RobotMessage.status == "pending")
    with clock.pinned(now + dt.timedelta(seconds=61)):
        await sender.run_until_idle()
    # Assert
    assert len(waiting) == 2
    assert all(w["attempts"] == 0 and w["next_at"] >= now + dt.timedelta(seconds=60)
               for w in waiting)
    assert len(receiver.received) == 22
    assert await RobotMessage.count().where(RobotMessage.status == "sent") == 22


async def test_a_message_left_sending_by_a_stopped_instance_is_sent_again(
        rclient, receiver, robot_settings):
    # Arrange
    from lianyan.robots.sender import STALE_AFTER, claim_next, requeue_stale

    ids, h = await build(rclient)
    await rclient.post("/api/v1/robots", headers=h["officer_a"], json={
        "kind": "wecom", "url": receiver.wecom_url("stale-key-0001")})
    await send([Notice(person_id=ids["teacher_a"], kind="nudge", title="催办")])
    claimed = await claim_next("a stopped instance")
    # Act
    early = await requeue_stale()
    with clock.pinned(clock.now() + STALE_AFTER + dt.timedelta(seconds=1)):
        late = await requeue_stale()
        tried = await RobotSender(_config(robot_settings)).run_until_idle()
    # Assert
    assert (early, late) == (0, 1)
    assert tried == [claimed]
    [row] = await RobotMessage.select()
    assert (row["status"], row["attempts"]) == ("sent", 2)
