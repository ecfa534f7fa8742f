"""Data at the scale Lianyan is built for, for benchmarks: ``lianyan demo --scale city|province``.

A province is 100 counties, 20,150 kindergartens, about 204,000 people, 5,000 exchanges with
50,000 designs and 500,000 expert comments, and each county's topics, roster and filing of the
year; a city is a tenth of that. The rows are consistent (every design has a participant of its
exchange, every comment an invited expert) and deterministic, and are written in bulk in one
transaction: ``executemany`` on SQLite, ``COPY`` on PostgreSQL. The logins of ``LOGINS`` (demo
password) give the benchmarks a caller of every kind.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import time
from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

from lianyan import clock, db
from lianyan.auth.passwords import hash_password
from lianyan.demo import DEMO_PASSWORD, GIVEN, SURNAMES
from lianyan.org.tables import County
from lianyan.search.grams import doc_grams


class Scale(NamedTuple):
    """How much of everything."""

    counties: int
    exchanges_per_county: int


#: 201.5 kindergartens per county on average, ten people each; ten designs per exchange and
#: ten comments per design.
SCALES = {"city": Scale(counties=10, exchanges_per_county=50),
          "province": Scale(counties=100, exchanges_per_county=50)}
ZONES_PER_COUNTY = 5
TEACHERS_PER_KINDERGARTEN = 9
EXPERTS_PER_COUNTY = 20
GROUPS_PER_EXCHANGE = 5
COMMENTS_PER_DESIGN = 10

#: username → what it is (all in county 1 where scoped).
LOGINS = {
    "admin": "系统管理员", "city": "市（省）教育局", "county1": "第 1 个县区的教研负责人",
    "zone1": "其第一责任区教研员", "director1": "其第一所幼儿园园长",
    "teacher1": "该园第一位教师", "expert1": "该县第一位专家（受邀参加该县的每次活动）",
}

_AGE = ("small", "middle", "large")
_DOMAIN = ("health", "language", "social", "science", "art")
_LESSONS = ("小兔乖乖", "沉与浮", "有趣的影子", "春天来了", "好玩的纸", "我爱我家", "彩色的世界",
            "会跳的球", "找朋友", "种子发芽")


#: Tables in an order that satisfies every foreign key.
ORDER = ("county", "zone", "kindergarten", "person", "account", "role_assignment",
         "filing_deadline", "topic", "leadership_member", "filing", "exchange",
         "exchange_expert", "exchange_group", "participant", "design", "design_version",
         "comment", "search_doc")

#: Sentences a generated design's Word text is made of (a lesson plan's usual lines).
_SENTENCES = (
    "通过观察和操作，幼儿初步感知物体的沉浮现象。", "鼓励幼儿大胆猜想并用记录表记录结果。",
    "在游戏中体验合作的快乐，愿意与同伴交流自己的发现。", "准备水盆、积木、回形针、树叶等材料。",
    "教师以故事导入，激发幼儿的探究兴趣。", "幼儿分组操作，教师巡回指导并适时提问。",
    "引导幼儿用完整的语言讲述自己的操作过程。", "结合生活经验，讨论生活中还有哪些类似的现象。",
    "延伸活动：在科学区投放更多材料供幼儿继续探索。", "家园共育：请家长和孩子一起寻找家中的相关物品。",
    "活动重点是理解故事内容，难点是用动作表现角色。", "播放音乐，幼儿随音乐做律动进入活动室。",
    "出示图片，引导幼儿观察画面中的细节。", "教师示范讲解，幼儿模仿练习。",
    "幼儿自主选择材料进行创作，教师关注个别差异。", "作品展示与评价，幼儿互相欣赏同伴的作品。",
    "户外自主游戏中，幼儿尝试用多种方法玩球。", "在自然角观察种子发芽，记录每天的变化。",
    "自然教育活动中，幼儿收集落叶并进行分类。", "利用乡土资源开展区域活动，体现本园特色。",
    "通过绘本阅读，培养幼儿的阅读兴趣和习惯。", "安全教育：知道不随便跟陌生人走。",
    "幼儿学习按规律排序，发展初步的数学思维。", "在角色游戏中体验不同职业的工作内容。",
    "用废旧材料制作玩具，树立环保意识。", "活动反思：部分幼儿操作时间不足，下次可增加材料。",
    "通过对比实验，发现影子的大小与光源距离有关。", "学唱歌曲，感受歌曲欢快的节奏。",
    "幼儿尝试用磁铁吸引不同的物品，发现磁铁的秘密。", "讨论如何保护眼睛，养成良好的用眼习惯。",
)
#: Sentences per generated design text.
SENTENCES_PER_DESIGN = 7


class _Rows:
    """Rows per table, with the next id of each."""

    def __init__(self) -> None:
        self.tables: dict[str, tuple[tuple[str, ...], list[tuple[Any, ...]]]] = {}

    def ordered(self) -> list[tuple[str, tuple[str, ...], list[tuple[Any, ...]]]]:
        """(table, columns, rows) with referenced tables first."""
        return [(t, *self.tables[t]) for t in ORDER if t in self.tables]

    def add(self, table: str, columns: Sequence[str], *values: Any) -> int:
        """Append one row (its id is the row number) and return the id."""
        _, rows = self.tables.setdefault(table, (("id", *columns), []))
        rows.append((len(rows) + 1, *values))
        return len(rows)


def build(scale: Scale, *, now: dt.datetime, password_hash: str) -> _Rows:
    """Every row of a scale, in memory."""
    out = _Rows()
    year = now.year
    names = itertools.cycle(a + b + c for a in SURNAMES for b in GIVEN for c in ("", *GIVEN[:6]))
    phones = itertools.count(13000000001)

    def person(name: str, county: int | None, kg: int | None, unit: str, job: str) -> int:
        return out.add("person", ("name", "phone", "county", "kindergarten", "unit", "job_title",
                                  "professional_title", "created_at"),
                       name, str(next(phones)), county, kg, unit, job, "一级教师", now)

    def grant(person_id: int, role: str, county: int | None = None, zone: int | None = None,
              kg: int | None = None) -> None:
        out.add("role_assignment", ("person", "role", "county", "zone", "kindergarten",
                                    "active", "created_at"),
                person_id, role, county, zone, kg, True, now)

    def login(username: str, person_id: int) -> None:
        out.add("account", ("username", "person", "password_hash", "is_active",
                            "failed_logins", "created_at"),
                username, person_id, password_hash, True, 0, now)

    admin = person("系统管理员", None, None, "教育局信息中心", "管理员")
    grant(admin, "admin")
    login("admin", admin)
    city = person("李飞", None, None, "教育局学前教育科", "科长")
    grant(city, "city_admin")
    login("city", city)
    out.add("filing_deadline", ("year", "due_on", "updated_at"), year, dt.date(year, 12, 31), now)
    teachers_of: dict[int, list[tuple[int, int]]] = {}
    experts_of: dict[int, list[int]] = {}
    for c in range(scale.counties):
        name = f"{SURNAMES[c % len(SURNAMES)]}{'山水川平安宁阳城'[c // len(SURNAMES) % 8]}县"
        county = out.add("county", ("code", "name", "kind", "created_at"),
                         str(411001 + c), name, "county", now)
        officer = person(next(names), county, None, f"{name}教育局", "学前教育专干")
        grant(officer, "county_officer", county)
        zones = [out.add("zone", ("county", "name", "created_at"), county,
                         f"{name}第{z + 1}教研责任区", now) for z in range(ZONES_PER_COUNTY)]
        teachers_of[county] = []
        for k in range(201 + c % 2):
            zone = None if k % 10 == 9 else zones[k % ZONES_PER_COUNTY]
            kg_name = f"{name}第{k + 1}幼儿园"
            kg = out.add("kindergarten", ("county", "zone", "name", "locale", "ownership",
                                          "level", "created_at"),
                         county, zone, kg_name, ("urban", "town", "rural")[k % 3],
                         "public", "grade1", now)
            director = person(next(names), county, kg, kg_name, "园长")
            grant(director, "director", county, zone, kg)
            for t in range(TEACHERS_PER_KINDERGARTEN):
                teacher = person(next(names), county, kg, kg_name, "教师")
                grant(teacher, "teacher", county, zone, kg)
                teachers_of[county].append((kg, teacher))
                if c == 0 and k == 0 and t == 0:
                    login("teacher1", teacher)
            if c == 0 and k == 0:
                login("director1", director)
        for z, zone in enumerate(zones):
            zone_officer = person(next(names), county, None, f"{name}教研室", "教研员")
            grant(zone_officer, "zone_officer", county, zone)
            if c == 0 and z == 0:
                login("zone1", zone_officer)
        experts_of[county] = []
        for e in range(EXPERTS_PER_COUNTY):
            expert = person(next(names), county, None, "师范学院", "学前教育专家")
            grant(expert, "expert", county)
            experts_of[county].append(expert)
            if c == 0 and e == 0:
                login("expert1", expert)
        if c == 0:
            login("county1", officer)
        for t in range(2):
            out.add("topic", ("county", "year", "title", "direction", "level", "lead_unit",
                              "status", "created_at", "updated_at"),
                    county, year, f"{name}幼儿园游戏化教学研究（{t + 1}）", "游戏化教学",
                    "county", f"{name}教研室", "approved", now, now)
        for position in ("leader", "deputy", "member", "member"):
            out.add("leadership_member", ("county", "year", "position", "name", "unit", "title",
                                          "phone", "sort", "updated_at"),
                    county, year, position, next(names), f"{name}教育局", "", "", 0, now)
        if c % 5 != 4:
            submitted = now - dt.timedelta(days=c % 30)
            out.add("filing", ("county", "year", "status", "note", "first_submitted_at",
                               "last_submitted_at", "created_at", "updated_at"),
                    county, year, "submitted", "", submitted, submitted, now, now)
    _exchanges(out, scale, now, teachers_of, experts_of)
    return out


def _exchanges(out: _Rows, scale: Scale, now: dt.datetime,
               teachers_of: dict[int, list[tuple[int, int]]],
               experts_of: dict[int, list[int]]) -> None:
    """Exchanges of each county, paired with the next county, with designs and comments."""
    counties = sorted(teachers_of)
    sections = json.dumps({"goals": "感知沉浮。", "process": "一、猜一猜。二、试一试。"},
                          ensure_ascii=False)
    for index, county in enumerate(counties):
        partner = counties[(index + 1) % len(counties)]
        ours, theirs = teachers_of[county], teachers_of[partner]
        for e in range(scale.exchanges_per_county):
            lesson = _LESSONS[e % len(_LESSONS)]
            # Half the exchanges are open for comments (the benchmark writes to these).
            starts = now + dt.timedelta(days=10 - 20 * (e % 2))
            exchange = out.add(
                "exchange",
                ("title", "content", "age_group", "domain", "mode", "starts_at", "place",
                 "meeting_link", "county", "design_deadline", "comment_deadline", "blind",
                 "created_at", "groups_confirmed_at"),
                f"{lesson}同研异构（{e + 1}）", lesson, _AGE[e % 3], _DOMAIN[e % 5], "onsite",
                starts, "县实验幼儿园", "", county, starts - dt.timedelta(days=3),
                starts + dt.timedelta(days=30), True, now - dt.timedelta(days=20), now,
            )
            invited = [experts_of[county][0], experts_of[county][1 + e % (EXPERTS_PER_COUNTY - 1)]]
            for expert in invited:
                out.add("exchange_expert", ("exchange", "expert", "invited_at"),
                        exchange, expert, now)
            for g in range(GROUPS_PER_EXCHANGE):
                group = out.add("exchange_group", ("exchange", "number", "reason"),
                                exchange, g + 1, "城乡结对")
                for side, pool, pool_county in ((0, ours, county), (1, theirs, partner)):
                    kg, teacher = pool[(e * GROUPS_PER_EXCHANGE + g) * 7 % len(pool)]
                    participant = out.add(
                        "participant",
                        ("exchange", "group", "kindergarten", "county", "teacher", "created_at"),
                        exchange, group, kg, pool_county, teacher, now)
                    title = f"{lesson}（第{g + 1}组{'甲乙'[side]}）"
                    design = out.add(
                        "design", ("exchange", "participant", "title", "latest_version",
                                   "created_at", "updated_at"),
                        exchange, participant, title, 1, now, now)
                    text = _design_text(design, lesson)
                    version = out.add(
                        "design_version", ("design", "number", "change", "image_file_ids",
                                           "sections", "sections_note", "text", "created_at"),
                        design, 1, "document", "[]", sections, "", text, now)
                    out.add("search_doc", SEARCH_DOC_COLUMNS, "design", design, pool_county,
                            starts.year, _DOMAIN[e % 5], _AGE[e % 3], title,
                            f"感知沉浮。\n一、猜一猜。二、试一试。\n{text}", "",
                            f"/designs/{design}", exchange, group, now)
                    for n in range(COMMENTS_PER_DESIGN):
                        out.add("comment", ("design", "version", "author", "role", "body",
                                            "created_at"),
                                design, version, invited[n % 2], "expert",
                                f"第{n + 1}条点评：目标清楚，过程可以再给幼儿多一些操作的时间。", now)


SEARCH_DOC_COLUMNS = ("kind", "ref_id", "county_id", "year", "domain", "age_group", "title",
                      "body", "meta", "link", "exchange_id", "group_id", "updated_at")


def _design_text(design: int, lesson: str) -> str:
    """A generated design's Word text: its lesson and a deterministic pick of sentences."""
    picked = [_SENTENCES[(design * 7 + i * 11) % len(_SENTENCES)]
              for i in range(SENTENCES_PER_DESIGN)]
    return f"{lesson}教学设计\n" + "\n".join(picked)


def _search_rows(rows: _Rows) -> None:
    """The search documents of topics, kindergartens and people (designs add theirs)."""
    now = clock.now()
    columns, topics = rows.tables["topic"]
    for row in topics:
        topic = dict(zip(columns, row, strict=True))
        rows.add("search_doc", SEARCH_DOC_COLUMNS, "topic", topic["id"], topic["county"],
                 topic["year"], "", "", topic["title"], topic["direction"], "",
                 f"/topics/{topic['id']}", None, None, now)
    columns, kindergartens = rows.tables["kindergarten"]
    for row in kindergartens:
        kg = dict(zip(columns, row, strict=True))
        rows.add("search_doc", SEARCH_DOC_COLUMNS, "kindergarten", kg["id"], kg["county"],
                 None, "", "", kg["name"], "", "", "", None, None, now)
    columns, people = rows.tables["person"]
    for row in people:
        person = dict(zip(columns, row, strict=True))
        rows.add("search_doc", SEARCH_DOC_COLUMNS, "person", person["id"], person["county"],
                 None, "", "", person["name"], "", person["unit"], "", None, None, now)


def search_grams(rows: _Rows) -> Iterator[tuple[str, int]]:
    """The ``search_gram`` rows of every search document, as ``search.index`` writes them
    (bodies repeat, so their grams are worked out once each)."""
    columns, docs = rows.tables["search_doc"]
    at_title, at_body = columns.index("title"), columns.index("body")
    known: dict[str, set[str]] = {}
    for row in docs:
        body = row[at_body]
        body_grams = known.get(body)
        if body_grams is None:
            body_grams = known[body] = doc_grams(body)
        for gram in doc_grams(row[at_title]) | body_grams:
            yield gram, row[0]


async def load(name: str) -> dict[str, int]:
    """Load scale ``name`` into an empty database; returns rows per table. Refuses a database
    that already has counties (the demo city or an earlier load)."""
    if await County.exists():
        raise RuntimeError("the database already has data: use an empty one for --scale")
    started = time.perf_counter()
    rows = build(SCALES[name], now=clock.now(), password_hash=hash_password(DEMO_PASSWORD))
    _search_rows(rows)
    engine = db.engine()
    if db.is_sqlite():
        async with db.atomic():
            for table, columns, values in rows.ordered():
                marks = ", ".join("?" for _ in columns)
                quoted = ", ".join(f'"{c}"' for c in columns)
                await engine.executemany(  # type: ignore[attr-defined]
                    f"INSERT INTO {table} ({quoted}) VALUES ({marks})", values)
            await engine.run_ddl("DROP INDEX IF EXISTS search_gram_gram")
            await engine.run_ddl("DROP INDEX IF EXISTS search_gram_doc")
            await engine.executemany(  # type: ignore[attr-defined]
                "INSERT INTO search_gram (gram, doc) VALUES (?, ?)", search_grams(rows))  # type: ignore[arg-type]
            await engine.run_ddl("CREATE INDEX search_gram_gram ON search_gram (gram, doc)")
            await engine.run_ddl("CREATE INDEX search_gram_doc ON search_gram (doc)")
        await engine.run_ddl("ANALYZE")
    else:
        await _copy_postgres(engine, rows)
        # The visibility map of the freshly copied grams, so that their look-up is an
        # index-only scan (autovacuum would get there later).
        await engine.run_ddl("VACUUM ANALYZE search_gram")
        await engine.run_ddl("VACUUM ANALYZE search_doc")
    counts = {table: len(values) for table, (_, values) in rows.tables.items()}
    counts["seconds"] = round(time.perf_counter() - started)
    return counts


async def _copy_postgres(engine: Any, rows: _Rows) -> None:
    """COPY every table in one transaction, then move the id sequences past the loaded ids.

    Triggers and foreign-key checks are off for the load when the role may turn them off
    (``session_replication_role``, superuser): the rows are consistent by construction, and
    the people-search grams, which the trigger would write row by row, are copied instead.
    """
    grams = [(person, gram) for person, name, phone, *_ in rows.tables["person"][1]
             for gram in grams_of(name, phone)]
    async with engine.pool.acquire() as connection, connection.transaction():
        try:
            async with connection.transaction():
                await connection.execute("SET LOCAL session_replication_role = replica")
        except Exception:  # not a superuser: keep the checks, turn off our trigger only
            await connection.execute("ALTER TABLE person DISABLE TRIGGER person_gram_sync")
        for table, columns, values in rows.ordered():
            await connection.copy_records_to_table(table, records=values, columns=columns)
        await connection.copy_records_to_table("person_gram", records=grams,
                                               columns=("person", "gram"))
        # Ten million grams: building their indexes once afterwards is several times faster
        # than keeping them up to date row by row during the COPY.
        await connection.execute("DROP INDEX IF EXISTS search_gram_gram")
        await connection.execute("DROP INDEX IF EXISTS search_gram_doc")
        await connection.copy_records_to_table("search_gram", records=search_grams(rows),
                                               columns=("gram", "doc"))
        await connection.execute("CREATE INDEX search_gram_gram ON search_gram (gram, doc)")
        await connection.execute("CREATE INDEX search_gram_doc ON search_gram (doc)")
        await connection.execute("ALTER TABLE person ENABLE TRIGGER person_gram_sync")
        for table in rows.tables:
            await connection.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        await connection.execute("ANALYZE")


def grams_of(name: str, phone: str | None) -> set[str]:
    """The ``person_gram`` grams of a person, as the org migration's triggers make them."""
    lower = name.lower()
    found = set(lower) | {lower[i:i + 2] for i in range(len(lower) - 1)}
    if phone:
        found |= {"#" + phone[i:i + 4] for i in range(len(phone) - 3)}
    return found
