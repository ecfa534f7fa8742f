"""The demo city: 三门峡市 with its six counties, zones, kindergartens and people in every role.

Loaded once by ``lianyan demo`` (``make run`` calls it): a second call changes nothing. County
names and GB/T 2260 codes are real; kindergartens and people are invented. Domains add their
own demo data by adding a module to ``DEMO_MODULES``.
"""

from __future__ import annotations

import importlib
import random
from typing import Any

from lianyan import clock
from lianyan.auth.passwords import hash_password
from lianyan.auth.tables import Account
from lianyan.db import atomic
from lianyan.org.tables import County, Kindergarten, Person, RoleAssignment, Zone

DEMO_PASSWORD = "lianyan2026"

#: (code, name, kind, towns) — towns give kindergartens plausible names.
COUNTIES = [
    ("411202", "湖滨区", "district", ["湖滨", "崖底", "交口", "磁钟", "会兴", "高庙"]),
    ("411203", "陕州区", "district", ["大营", "原店", "西张村", "张湾", "菜园", "观音堂"]),
    ("411221", "渑池县", "county", ["城关", "英豪", "张村", "洪阳", "天池", "仁村"]),
    ("411224", "卢氏县", "county", ["城关", "杜关", "五里川", "官道口", "范里", "横涧"]),
    ("411281", "义马市", "county_city", ["千秋", "朝阳", "新区", "泰山", "东区", "常村"]),
    ("411282", "灵宝市", "county_city", ["城关", "尹庄", "朱阳", "阳平", "故县", "豫灵"]),
]

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = "芳敏静丽娟艳秀英华慧巧美娜雪琳晶燕红霞玲梅莉婷雯倩颖洁佳怡欣悦蕾文杰涛明伟强磊军洋勇斌浩宇鹏飞"

#: Each county's education bureau (the issuing unit of its documents) and document-number prefix.
BUREAUS = {
    "411202": ("三门峡市湖滨区教育体育局", "湖教体"),
    "411203": ("三门峡市陕州区教育体育局", "陕教体"),
    "411221": ("渑池县教育体育局", "渑教体"),
    "411224": ("卢氏县教育体育局", "卢教体"),
    "411281": ("义马市教育体育局", "义教体"),
    "411282": ("灵宝市教育体育局", "灵教体"),
}

#: One login per role, printed by ``make run``.
LOGINS = [
    ("admin", "系统管理员"),
    ("city", "市教育局学前教育科"),
    ("lingbao", "县区教研负责人"),
    ("lushi", "县区教研负责人"),
    ("zone1", "责任区教研员"),
    ("director1", "园长"),
    ("teacher1", "教师"),
    ("teacher2", "教师"),
    ("expert1", "专家"),
]


async def logins_text(origin: str) -> str:
    """The demo logins with each person's name and unit as the pages show them, and where
    to open the app."""
    usernames = [u for u, _ in LOGINS]
    rows = {
        r["username"]: r
        for r in await Account.select(
            Account.username, Account.person.as_alias("person"),
            Account.person.name.as_alias("name"), Account.person.unit.as_alias("unit"),
        ).where(Account.username.is_in(usernames))
    }
    zones = {
        r["officer_id"]: r["name"]
        for r in await Zone.select(Zone.officer_id, Zone.name).where(
            Zone.officer_id.is_in([r["person"] for r in rows.values()] or [0])
        )
    }
    lines = ["", "演示账号（密码均为 " + DEMO_PASSWORD + "）："]
    for username, role in LOGINS:
        row = rows.get(username)
        if row is None:
            continue
        where = zones.get(row["person"]) or row["unit"]
        who = role if row["name"] == role else f"{role} {row['name']}"
        lines.append(f"  {username:<10} {who}" + (f"（{where}）" if where else ""))
    lines += [f"打开 {origin} 登录。", ""]
    return "\n".join(lines)


#: Modules of other domains with ``async def load(ids)``: each adds its own demo data.
DEMO_MODULES: list[str] = [
    "lianyan.topics.demo",
    "lianyan.filings.demo",
    "lianyan.exchanges.demo",
    "lianyan.evaluation.demo",
]


#: Village names for the demo's rural kindergartens: every one distinct within a county.
VILLAGES = ("柳林", "石桥", "杨庄", "李家", "南沟", "北岭", "前营", "后寨", "上河", "下湾", "东坡",
            "西堡", "枣园", "槐树", "桃园", "杏坪")


def _town_name(short: str, towns: list[str], index: int) -> str:
    """The ``index``-th town kindergarten of a county, e.g. 灵宝市尹庄镇中心幼儿园."""
    town = towns[index % len(towns)]
    prefix = "" if town == short else short
    kind = "中心幼儿园" if index < len(towns) else "实验幼儿园"
    return f"{prefix}{town}镇{kind}"


def _village_name(short: str, towns: list[str], index: int) -> str:
    """The ``index``-th village kindergarten of a county, e.g. 卢氏县杜关镇柳林村幼儿园."""
    town = towns[index % len(towns)]
    prefix = "" if town == short else short
    return f"{prefix}{town}镇{VILLAGES[index]}村幼儿园"


class _Names:
    """Deterministic, non-repeating invented names."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def person(self) -> str:
        while True:
            name = self.rng.choice(SURNAMES) + "".join(
                self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2)))
            )
            if name not in self.used:
                self.used.add(name)
                return name


async def load() -> bool:
    """Load the demo city unless any county exists; True when it loaded."""
    if await County.exists():
        return False
    rng = random.Random(20260223)
    names = _Names(rng)
    now = clock.now()
    password = hash_password(DEMO_PASSWORD)
    ids: dict[str, Any] = {"counties": {}, "zones": {}, "kindergartens": {}, "people": {}}
    phone_counter = iter(range(13800000001, 13899999999))

    async def person(name: str, **values: Any) -> int:
        row = await Person.insert(
            Person(name=name, phone=str(next(phone_counter)), created_at=now, **values)
        )
        return int(row[0]["id"])

    async def login(username: str, person_id: int) -> None:
        await Account.insert(
            Account(username=username, person=person_id, password_hash=password, created_at=now)
        )
        ids["people"][username] = person_id

    async def grant(person_id: int, role: str, **scope: Any) -> None:
        await RoleAssignment.insert(
            RoleAssignment(person=person_id, role=role, created_at=now, **scope)
        )

    async with atomic():
        admin = await person("系统管理员", unit="三门峡市教育局信息中心")
        await login("admin", admin)
        await grant(admin, "admin")
        city = await person("李飞", unit="三门峡市教育局学前教育科", job_title="科长")
        await login("city", city)
        await grant(city, "city_admin")

        for index, (code, county_name, kind, towns) in enumerate(COUNTIES):
            bureau, prefix = BUREAUS[code]
            county_id = (
                await County.insert(County(code=code, name=county_name, kind=kind, bureau=bureau,
                                           doc_prefix=prefix, seal=bureau, created_at=now))
            )[0]["id"]
            ids["counties"][code] = county_id
            short = county_name[:-1]
            officer = await person(names.person(), county=county_id,
                                   unit=f"{county_name}教育局", job_title="学前教育专干")
            await grant(officer, "county_officer", county=county_id)
            if code == "411282":
                await login("lingbao", officer)
            if code == "411224":
                await login("lushi", officer)
            zone_count = 3 + index % 3
            zone_ids = []
            for z in range(zone_count):
                zone_id = (
                    await Zone.insert(
                        Zone(county=county_id, name=f"{short}第{'一二三四五'[z]}教研责任区",
                             created_at=now)
                    )
                )[0]["id"]
                zone_ids.append(zone_id)
            ids["zones"][code] = zone_ids
            kg_ids = []
            kg_names = []
            kg_count = 25
            for k in range(kg_count):
                if k < 6:
                    locale, kg_name = "urban", f"{short}{['实验', '第一', '第二', '第三', '机关', '育才'][k]}幼儿园"
                elif k % 3 == 0:
                    locale, kg_name = "town", _town_name(short, towns, (k - 6) // 3)
                else:
                    locale, kg_name = "rural", _village_name(short, towns, k - 6 - (k - 6) // 3 - 1)
                ownership = "public" if k % 4 else rng.choice(["private_inclusive", "private"])
                level = ["provincial_model", "city_model", "grade1", "grade2", "grade3",
                         "unrated"][min(5, k // 5)]
                # Two kindergartens of each of two counties are left outside any zone, so
                # coverage has something to report.
                uncovered = code in ("411203", "411224") and k >= kg_count - 2
                zone_id = None if uncovered else zone_ids[k % zone_count]
                kg_id = (
                    await Kindergarten.insert(
                        Kindergarten(county=county_id, zone=zone_id, name=kg_name, locale=locale,
                                     ownership=ownership, level=level, created_at=now)
                    )
                )[0]["id"]
                kg_ids.append(kg_id)
                kg_names.append(kg_name)
            ids["kindergartens"][code] = kg_ids
            for z, zone_id in enumerate(zone_ids):
                lead = kg_ids[z]
                zone_officer = await person(names.person(), county=county_id, kindergarten=lead,
                                            unit=f"{short}教研室", job_title="教研员",
                                            professional_title="一级教师")
                await Zone.update({Zone.lead_kindergarten_id: lead,
                                   Zone.officer_id: zone_officer}).where(Zone.id == zone_id)
                await grant(zone_officer, "zone_officer", county=county_id, zone=zone_id)
                if code == "411282" and z == 0:
                    await login("zone1", zone_officer)
            for k, kg_id in enumerate(kg_ids):
                zone_id = None if (code in ("411203", "411224") and k >= kg_count - 2) else \
                    zone_ids[k % zone_count]
                director = await person(names.person(), county=county_id, kindergarten=kg_id,
                                        unit=kg_names[k], job_title="园长",
                                        professional_title="高级教师")
                await grant(director, "director", county=county_id, zone=zone_id,
                            kindergarten=kg_id)
                teachers = []
                for _ in range(2):
                    teacher = await person(names.person(), county=county_id, kindergarten=kg_id,
                                           unit=kg_names[k], job_title="教师",
                                           professional_title=rng.choice(["一级教师", "二级教师",
                                                                          "未定级"]))
                    await grant(teacher, "teacher", county=county_id, zone=zone_id,
                                kindergarten=kg_id)
                    teachers.append(teacher)
                if code == "411282" and k == 0:
                    await login("director1", director)
                    await login("teacher1", teachers[0])
                if code == "411224" and k == 7:  # a rural kindergarten of 卢氏县
                    await login("teacher2", teachers[0])
        for e in range(4):
            county_code = COUNTIES[e][0]
            expert = await person(names.person(), county=ids["counties"][county_code],
                                  unit="三门峡职业技术学院" if e else "湖滨区教研室",
                                  job_title="学前教育专家", professional_title="正高级教师")
            await grant(expert, "expert", county=ids["counties"][county_code])
            if e == 0:
                await login("expert1", expert)
        for module in DEMO_MODULES:
            await importlib.import_module(module).load(ids)
    return True
