"""Demo data of the 同研异构 exchanges (``lianyan demo``).

* A current exchange, 中班语言《小兔乖乖》, organised by 灵宝市: teacher1's urban kindergarten
  in 灵宝市 paired with teacher2's rural kindergarten in 卢氏县 (城乡结对), a second group of two
  more kindergartens, expert1 invited, groups confirmed, designs due in a week. Made through
  the services, so the teachers and the expert find their notices.
* A finished exchange from last term, 大班科学《沉与浮》 between 湖滨区 and 渑池县, with two
  designs (sections only: the demo has no object store), an expert's comments and scores, and
  accepted into the library by the city. Its rows are written directly, in the past.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec

from lianyan import clock
from lianyan.auth import services as auth
from lianyan.auth.tables import Account
from lianyan.exchanges import schemas as s
from lianyan.exchanges import services
from lianyan.exchanges.tables import (
    Comment,
    Design,
    DesignVersion,
    Exchange,
    ExchangeExpert,
    ExchangeGroup,
    Highlight,
    Participant,
    Score,
)
from lianyan.org.tables import Person, RoleAssignment
from lianyan.principal import Principal

LINGBAO, LUSHI, HUBIN, MIANCHI = "411282", "411224", "411202", "411221"

SINK_FLOAT = {
    HUBIN: {
        "goals": "1. 通过实验感知物体在水中有沉有浮。\n2. 能用记录表记录自己的猜想和结果。",
        "preparation": "水槽、积木、回形针、乒乓球、橡皮泥；记录表人手一份。",
        "process": "一、猜一猜：出示材料，幼儿猜想沉浮并记录。\n二、试一试：分组实验，"
        "验证猜想。\n三、说一说：交流发现，讨论橡皮泥怎样能浮起来。",
        "extension": "在科学区投放更多材料，继续探索让沉的东西浮起来的办法。",
    },
    MIANCHI: {
        "goals": "1. 乐于参与沉浮游戏，体验探索的乐趣。\n2. 初步感知材料与沉浮的关系。",
        "preparation": "村里常见的石子、树叶、玉米芯、木块；大盆两个。",
        "process": "一、游戏导入：小石子去洗澡。\n二、自主探索：把身边的东西放进水里看一看。\n"
        "三、分享：哪些沉下去了？哪些浮起来了？",
        "extension": "和家长一起在家里找一找会浮的东西，拍照带到幼儿园。",
    },
}


async def _principal(username: str) -> Principal:
    row = await Account.select(
        Account.id, Account.username, Account.person.id, Account.person.name,
        Account.person.county,
    ).where(Account.username == username).first()
    assert row is not None, f"the demo city has no login {username}"
    return await auth.principal_for_person(
        row["person.id"], account_id=row["id"], username=row["username"],
        name=row["person.name"], home_county_id=row["person.county"],
    )


async def _first_teacher(kindergarten_id: int) -> int:
    row = await RoleAssignment.select(RoleAssignment.person).where(
        (RoleAssignment.kindergarten == kindergarten_id) & (RoleAssignment.role == "teacher")
    ).order_by(RoleAssignment.person).first()
    assert row is not None, f"kindergarten {kindergarten_id} has no teacher"
    return int(row["person"])


async def load(ids: dict[str, Any]) -> None:
    """Add the demo's exchanges (called once by ``lianyan.demo.load``)."""
    await _current(ids)
    await _finished(ids)


def _day(days: int, hour: int) -> dt.datetime:
    """A time ``days`` from today at ``hour`` o'clock, city time."""
    today = clock.today() + dt.timedelta(days=days)
    return dt.datetime(today.year, today.month, today.day, hour, tzinfo=clock.CITY_TZ)


async def _current(ids: dict[str, Any]) -> None:
    lingbao = await _principal("lingbao")
    exchange = await services.create_exchange(
        lingbao,
        s.ExchangeIn(
            title="中班语言《小兔乖乖》同研异构",
            content="中班语言《小兔乖乖》",
            age_group="middle",
            domain="language",
            mode="hybrid",
            place="灵宝市实验幼儿园多功能厅",
            meeting_link="https://meeting.example.cn/lianyan-xiaotu",
            host_id=lingbao.person_id,
            starts_at=_day(10, 9),
            design_deadline=_day(7, 18),
            comment_deadline=_day(14, 18),
            blind=True,
        ),
    )
    await services.invite_expert(
        lingbao, exchange.id, s.ExpertIn(person_id=ids["people"]["expert1"])
    )
    lingbao_kgs, lushi_kgs = ids["kindergartens"][LINGBAO], ids["kindergartens"][LUSHI]
    pairs = [(lingbao_kgs[0], lushi_kgs[7]), (lingbao_kgs[1], lushi_kgs[8])]
    groups = []
    for urban, rural in pairs:
        members = [
            s.MemberIn(kindergarten_id=kg, teacher_id=await _first_teacher(kg))
            for kg in (urban, rural)
        ]
        groups.append(s.GroupIn(members=members, reason="城乡结对：灵宝市城区园与卢氏县乡村园"))
    await services.put_groups(lingbao, exchange.id, s.GroupsIn(groups=groups))


async def _finished(ids: dict[str, Any]) -> None:
    start = _day(-75, 9)
    city = ids["people"]["city"]
    hubin_officer = await Person.select(Person.id).where(
        (Person.county == ids["counties"][HUBIN]) & (Person.job_title == "学前教育专干")
    ).first()
    exchange_id = (
        await Exchange.insert(
            Exchange(
                title="大班科学《沉与浮》同研异构", content="大班科学《沉与浮》",
                age_group="large", domain="science", mode="onsite",
                place="湖滨区第一幼儿园", county=ids["counties"][HUBIN],
                starts_at=start + dt.timedelta(days=10),
                design_deadline=start + dt.timedelta(days=7),
                comment_deadline=start + dt.timedelta(days=20), blind=True,
                created_by=hubin_officer["id"] if hubin_officer else None, created_at=start,
                groups_confirmed_at=start + dt.timedelta(days=1),
            )
        )
    )[0]["id"]
    expert = ids["people"]["expert1"]
    await ExchangeExpert.insert(
        ExchangeExpert(exchange=exchange_id, expert=expert, invited_at=start)
    )
    group_id = (
        await ExchangeGroup.insert(
            ExchangeGroup(exchange=exchange_id, number=1, reason="城区园与县城园同研")
        )
    )[0]["id"]
    for code, index in ((HUBIN, 0), (MIANCHI, 9)):
        kg = ids["kindergartens"][code][index]
        teacher = await _first_teacher(kg)
        participant = (
            await Participant.insert(
                Participant(exchange=exchange_id, group=group_id, kindergarten=kg,
                            county=ids["counties"][code], teacher=teacher, created_at=start)
            )
        )[0]["id"]
        uploaded = start + dt.timedelta(days=5)
        design = (
            await Design.insert(
                Design(exchange=exchange_id, participant=participant, title="大班科学《沉与浮》",
                       latest_version=1, created_at=uploaded, updated_at=uploaded)
            )
        )[0]["id"]
        version = (
            await DesignVersion.insert(
                DesignVersion(
                    design=design, number=1, change="document",
                    sections=msgspec.json.encode(SINK_FLOAT[code]).decode(),
                    sections_note="演示数据：只有章节内容，未附原始文件。",
                    created_by=teacher, created_at=uploaded,
                )
            )
        )[0]["id"]
        reviewed = start + dt.timedelta(days=12)
        comment = (
            await Comment.insert(
                Comment(design=design, version=version, author=expert, role="expert",
                        body="猜想—验证—交流的结构清晰；记录表可以再简化，便于幼儿独立使用。",
                        created_at=reviewed)
            )
        )[0]["id"]
        await Comment.insert(
            Comment(design=design, version=version, parent=comment, author=teacher,
                    role="teacher", body="谢谢专家，已把记录表改为图画式。",
                    created_at=reviewed + dt.timedelta(hours=3))
        )
        marks = (5, 4, 5, 4, 4) if code == HUBIN else (4, 5, 4, 5, 4)
        form: dict[str, Any] = {}
        for item, mark in zip(s.SCORE_ITEMS, marks, strict=True):
            form[item], form[f"{item}_reason"] = mark, "符合大班幼儿发展水平"
        await Score.insert(
            Score(design=design, version=version, expert=expert, created_at=reviewed,
                  updated_at=reviewed, **form)
        )
    await Highlight.insert(
        Highlight(
            exchange=exchange_id, status="accepted",
            summary="城区园重实验记录，乡村园就地取材，两种设计互相启发。",
            pushed_by=hubin_officer["id"] if hubin_officer else None,
            pushed_at=start + dt.timedelta(days=22), accepted_by=city,
            accepted_at=start + dt.timedelta(days=25),
        )
    )
