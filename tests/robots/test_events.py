"""Events other than notices reach the county's robots: a highlight pushed and accepted."""

from __future__ import annotations

from lianyan import clock
from lianyan.robots import services
from lianyan.robots.delivery import SenderConfig
from lianyan.robots.schemas import RobotIn
from lianyan.robots.sender import RobotSender
from tests.exchanges.conftest import (  # noqa: F401 (fixtures)
    AFTER_COMMENT_DEADLINE,
    at_t0,
    headers,
    world,
)
from tests.robots.conftest import ORIGIN


async def test_a_pushed_and_accepted_highlight_reaches_the_organising_county_group(
        rclient, world, receiver, robot_settings):  # noqa: F811 (the fixture)
    # Arrange
    city = await world.actor("city")
    exchange = (await rclient.get(f"/api/v1/exchanges/{world.exchange_id}",
                                  headers=await headers(rclient, "city"))).json()
    await services.create_robot(city, RobotIn(kind="wecom", url=receiver.wecom_url("hl-key-01"),
                                              county_id=exchange["county_id"]),
                                secret_key=robot_settings.secret_key,
                                extra_hosts=robot_settings.robot_hosts)
    # Act
    with clock.pinned(AFTER_COMMENT_DEADLINE):
        pushed = await rclient.post(f"/api/v1/exchanges/{world.exchange_id}/highlight",
                                    json={"summary": "城乡结对，角色游戏贯穿全程。"},
                                    headers=await headers(rclient, "lingbao"))
        await rclient.post(f"/api/v1/highlights/{pushed.json()['id']}/accept",
                           headers=await headers(rclient, "city"))
        await RobotSender(SenderConfig.from_settings(robot_settings)).run_until_idle()
    # Assert
    got = [r.body["markdown"]["content"] for r in receiver.of("hl-key-01")]
    assert len(got) == 2
    assert got[0].startswith(f"### {exchange['county_name']}推送了亮点活动“中班语言《小兔乖乖》同研异构”")
    assert "城乡结对，角色游戏贯穿全程。" in got[0]
    assert got[0].endswith(f"({ORIGIN}/exchanges/{world.exchange_id})")
    assert got[1].startswith("### 亮点活动“中班语言《小兔乖乖》同研异构”已收录到市级资源库")
    assert all(r.problems == [] for r in receiver.received)


async def test_a_county_report_ready_reaches_the_county_group(rclient, receiver, robot_settings,
                                                               store):
    # Arrange
    from lianyan.reports.worker import ReportWorker
    from tests.reports.world import YEAR, build_world

    reports_world = await build_world(activities=2, designs_per_group=1)
    officer = await reports_world.actor("lingbao")
    county_id = reports_world.counties["lingbao"]
    await services.create_robot(officer, RobotIn(kind="wecom",
                                                 url=receiver.wecom_url("report-key-01")),
                                secret_key=robot_settings.secret_key,
                                extra_hosts=robot_settings.robot_hosts)
    token = await headers(rclient, "lingbao")
    asked = await rclient.post("/api/v1/reports", headers=token, json={
        "kind": "activity_filing", "params": {"county_id": county_id, "year": YEAR}})
    # Act
    ran = await ReportWorker(store, robot_settings).run_until_idle()
    await RobotSender(SenderConfig.from_settings(robot_settings)).run_until_idle()
    # Assert
    assert asked.status_code == 202 and len(ran) == 1
    [got] = receiver.of("report-key-01")
    assert got.problems == []
    content = got.body["markdown"]["content"]
    assert content.startswith(f"### 报表已生成：灵宝市{YEAR}年教研活动备案表\n")
    assert content.endswith(f"({ORIGIN}/reports)")
