"""What each report says: who may ask for it, and its data, loaded from the platform.

``resolve`` is the one gate for every report — the API and the pages call it when a report is
requested, the worker again when it runs (rights may have changed in between). ``load`` turns
a request into one of the plain Structs below; ``documents`` writes them into Word. Loading is
async and uses the owning domains' services where they offer what a report needs, and
``data`` (one module, constant queries) where they do not; the figures of every report come
in a fixed number of queries however many rows it has.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec

from lianyan import clock, labels
from lianyan.errors import Conflict, Forbidden, InvalidInput
from lianyan.evaluation import services as evaluation
from lianyan.exchanges import designs as exchange_designs
from lianyan.exchanges import services as exchanges
from lianyan.filings import activities as filing_activities
from lianyan.filings import compliance, leadership
from lianyan.filings import queries as filing_queries
from lianyan.org import services as org
from lianyan.principal import Principal
from lianyan.reports import data
from lianyan.reports.figures import YearFigures, held_until, year_figures
from lianyan.reports.kinds import KINDS, PARAM_NAMES, title_for
from lianyan.reports.schemas import ReportParams
from lianyan.settings import Settings
from lianyan.topics import queries as topics

#: Rows a report may hold; far beyond any real filing, it only bounds a runaway query.
MAX_ROWS = 1_000_000


class Context(msgspec.Struct, frozen=True, kw_only=True):
    """What a report needs from the deployment: the city's names and today's date."""

    city_name: str
    city_bureau: str
    today: dt.date
    #: The city bureau's document-number prefix (三教〔2026〕5号) and seal text.
    city_doc_prefix: str = "三教"
    city_seal: str = ""

    @classmethod
    def from_settings(cls, settings: Settings) -> Context:
        """The deployment's names from the settings, and today in the city's time zone."""
        return cls(city_name=settings.city_name, city_bureau=settings.city_bureau,
                   city_doc_prefix=settings.city_doc_prefix, city_seal=settings.city_seal,
                   today=clock.today())

    @property
    def city_issuer(self) -> Issuer:
        """The city bureau as the issuing unit of the city's documents."""
        return Issuer(name=self.city_bureau, doc_prefix=self.city_doc_prefix,
                      seal=self.city_seal or self.city_bureau)


class Issuer(msgspec.Struct, frozen=True, kw_only=True):
    """The unit that issues, signs and seals a document: a county's bureau or the city's."""

    name: str
    doc_prefix: str
    seal: str

    def document_number(self, year: int, number: int | None) -> str:
        """The 发文字号: "灵教体〔2026〕3号"; without a number the registry's blank is left for
        the clerk ("灵教体〔2026〕　号"). Empty when the unit has no prefix on record."""
        if not self.doc_prefix:
            return ""
        return f"{self.doc_prefix}〔{year}〕{number if number is not None else '　'}号"


async def county_issuer(county_id: int) -> Issuer:
    """The county's bureau as recorded, or "<county>教育局" until it is filled in."""
    row = await data.county_bureau(county_id)
    if row is None:
        return Issuer(name="", doc_prefix="", seal="")
    name = row["bureau"] or f"{row['name']}教育局"
    return Issuer(name=name, doc_prefix=row["doc_prefix"], seal=row["seal"] or name)


class Target(msgspec.Struct, frozen=True, kw_only=True):
    """What a request resolved to: the report's title and the county it covers (if any)."""

    title: str
    county_id: int | None


# Who may ask for what ---------------------------------------------------------------------------


def _require_params(kind: str, params: ReportParams) -> None:
    missing = [name for name in KINDS[kind].params if getattr(params, name) is None]
    if missing:
        names = "、".join(PARAM_NAMES[name] for name in missing)
        raise InvalidInput(
            "report.params", f"生成“{KINDS[kind].name}”需要选择{names}。", missing=missing
        )


def _require_city(actor: Principal, kind: str) -> None:
    if not actor.is_city:
        raise Forbidden(
            "report.city_only",
            f"“{KINDS[kind].name}”是全市的报表，由市教育局学前教育科生成。",
        )


def _require_county_officer(actor: Principal, county_id: int, county_name: str) -> None:
    if not actor.officer_of_county(county_id):
        raise Forbidden(
            "report.county_only",
            f"您不能生成{county_name}的报表：县区教研负责人只能生成本县（市、区）的报表。",
        )


async def resolve(actor: Principal, kind: str, params: ReportParams, context: Context) -> Target:
    """Check that ``actor`` may have this report, and return its title and county.

    A county officer gets their own county's reports and those of its topics and exchanges;
    the city gets everything. Raises ``InvalidInput`` (a parameter is missing), ``NotFound``
    (the county, topic or exchange does not exist or is not visible to the caller) or
    ``Forbidden`` (visible, but not the caller's to report on).
    """
    if kind not in KINDS:
        raise InvalidInput("report.kind", "没有这种报表。", kinds=list(KINDS))
    _require_params(kind, params)
    if params.format not in KINDS[kind].formats and not (
            kind == "year_end_slides" and params.format == "docx"):
        raise InvalidInput(
            "report.format",
            f"“{KINDS[kind].name}”不能生成为 {params.format} 文件；电子表格只适用于附件1—3。",
            formats=list(KINDS[kind].formats),
        )
    scope = KINDS[kind].scope
    if scope == "county" or (scope == "county_or_city" and params.county_id is not None):
        county = await org.get_county(actor, params.county_id)  # type: ignore[arg-type]
        _require_county_officer(actor, county.id, county.name)
        return Target(title=title_for(kind, place=county.name, year=params.year),
                      county_id=county.id)
    if scope in ("city", "county_or_city"):
        _require_city(actor, kind)
        return Target(title=title_for(kind, place=context.city_name, year=params.year),
                      county_id=None)
    if scope == "topic":
        topic = await topics.get_topic(actor, params.topic_id)  # type: ignore[arg-type]
        _require_county_officer(actor, topic.county_id, topic.county_name)
        return Target(title=title_for(kind, subject=topic.title), county_id=topic.county_id)
    exchange, standing = await exchanges.visible_exchange(
        actor, params.exchange_id  # type: ignore[arg-type]
    )
    if not (standing.organiser or standing.supervisor):
        raise Forbidden(
            "report.exchange_only",
            "只有组织本次活动的县区、有幼儿园参加本次活动的县区教研负责人和市教育局可以生成活动记录。",
        )
    return Target(title=title_for(kind, subject=exchange.title), county_id=exchange.county_id)


# The reports' data -----------------------------------------------------------------------------


class SignOff(msgspec.Struct, frozen=True, kw_only=True):
    """The sign-off rows of a filing form: who filed it and when, and the city's review."""

    unit: str
    filled_on: dt.date | None
    opinion: str = ""
    reviewed_on: dt.date | None = None


class RosterMember(msgspec.Struct, frozen=True):
    """One row of 附件1."""

    position: str
    name: str
    unit: str
    title: str
    phone: str


class LeadershipRoster(msgspec.Struct, frozen=True, kw_only=True):
    """附件1 区域教研领导小组名单, with the zones and their research officers under the group."""

    title: str
    county_name: str
    year: int
    members: list[RosterMember]
    #: 教研责任区: (zone, lead kindergarten, officer's name, title, phone).
    zones: list[tuple[str, str, str, str, str]]
    sign_off: SignOff


class ActivityRow(msgspec.Struct, frozen=True):
    """One row of 附件2."""

    starts_on: dt.date
    ends_on: dt.date | None
    title: str
    theme: str
    form: str
    zone: str
    place: str
    participants: int
    is_large: bool


class ActivityFiling(msgspec.Struct, frozen=True, kw_only=True):
    """附件2 年度教研活动备案表."""

    title: str
    county_name: str
    year: int
    activities: list[ActivityRow]
    sign_off: SignOff


class Direction(msgspec.Struct, frozen=True):
    """One row of 附件3."""

    direction: str
    problem: str
    expected_results: str


class ResearchDirections(msgspec.Struct, frozen=True, kw_only=True):
    """附件3 学前教育教研方向建议表."""

    title: str
    county_name: str
    year: int
    directions: list[Direction]
    sign_off: SignOff


class FilingPackage(msgspec.Struct, frozen=True, kw_only=True):
    """The county's filing as one document: the 报送 report to the city bureau with 附件1–3."""

    title: str
    county_name: str
    year: int
    issuer: Issuer
    document_number: str
    addressee: str
    signed_on: dt.date
    roster: LeadershipRoster
    activities: ActivityFiling
    directions: ResearchDirections


class TopicRow(msgspec.Struct, frozen=True, kw_only=True):
    """One topic of the 课题一览表."""

    county_name: str
    title: str
    direction: str
    level: str
    host: str
    members: int
    status: str


class CountyTopics(msgspec.Struct, frozen=True, kw_only=True):
    """One county on the compliance table: topics approved (立项) or only submitted, filing."""

    county_name: str
    approved: int
    submitted: int
    filing_status: str


class TopicList(msgspec.Struct, frozen=True, kw_only=True):
    """课题一览表 with the per-county compliance table."""

    title: str
    city_name: str
    year: int
    as_of: dt.date
    due_on: dt.date
    days_to_deadline: int
    topics: list[TopicRow]
    counties: list[CountyTopics]

    @property
    def at_zero(self) -> list[str]:
        """Counties without an approved topic this year (an application alone does not count)."""
        return [c.county_name for c in self.counties if c.approved == 0]


class PersonCard(msgspec.Struct, frozen=True, kw_only=True):
    """A person as the application form lists them."""

    name: str
    unit: str
    job_title: str
    professional_title: str
    phone: str
    role: str = ""


class TopicApplication(msgspec.Struct, frozen=True, kw_only=True):
    """课题申报书 of one topic."""

    title: str
    topic_title: str
    county_name: str
    year: int
    direction: str
    level: str
    lead_unit: str
    planned_start: dt.date | None
    planned_end: dt.date | None
    keywords: list[str]
    abstract: str
    status: str
    host: PersonCard | None
    members: list[PersonCard]
    submitted_on: dt.date | None


class ScoreRow(msgspec.Struct, frozen=True, kw_only=True):
    """One expert's score form on a design."""

    expert: str
    version: int
    items: list[int]
    total: int


class CommentRow(msgspec.Struct, frozen=True, kw_only=True):
    """An expert comment, or the teacher's reply to one."""

    author: str
    role: str
    reply: bool
    version: int
    on: dt.date
    body: str
    #: The moment of the classroom video the comment is about, in seconds.
    at_seconds: int | None = None


class DesignEntry(msgspec.Struct, frozen=True, kw_only=True):
    """One participant's design: its sections as extracted, its scores and comments."""

    group_number: int | None
    kindergarten: str
    county: str
    teacher: str
    title: str
    version: int
    sections: list[tuple[str, str | None]]
    sections_note: str
    scores: list[ScoreRow]
    comments: list[CommentRow]


class GroupEntry(msgspec.Struct, frozen=True, kw_only=True):
    """One group of the exchange and why its members met."""

    number: int
    reason: str
    members: list[tuple[str, str, str]]


class ExchangeRecord(msgspec.Struct, frozen=True, kw_only=True):
    """同研异构活动记录 of one exchange."""

    title: str
    exchange_title: str
    content: str
    age_group: str
    domain: str
    mode: str
    starts_at: dt.datetime
    place: str
    meeting_link: str
    organiser: str
    host: str
    experts: list[tuple[str, str, str]]
    groups: list[GroupEntry]
    designs: list[DesignEntry]
    summary: str | None


class AwardRow(msgspec.Struct, frozen=True, kw_only=True):
    """One award as the lists show it."""

    kind: str
    award_name: str
    name: str
    unit: str
    county_name: str


class AnnualSummary(msgspec.Struct, frozen=True, kw_only=True):
    """年度工作总结 of a county (a report to the city bureau) or of the whole city."""

    title: str
    place: str
    year: int
    is_city: bool
    figures: YearFigures
    awards: list[AwardRow]
    issuer: Issuer
    document_number: str
    addressee: str
    signed_on: dt.date


class CompiledDesign(msgspec.Struct, frozen=True, kw_only=True):
    """A design in the compilation: who designed it, its sections and its average score."""

    kindergarten: str
    county: str
    teacher: str
    sections: list[tuple[str, str | None]]
    experts: int
    average: float | None


class CompiledExchange(msgspec.Struct, frozen=True, kw_only=True):
    """A highlighted exchange in the compilation."""

    title: str
    content: str
    organiser: str
    starts_at: dt.datetime
    age_group: str
    domain: str
    summary: str
    designs: list[CompiledDesign]


class CompiledTopic(msgspec.Struct, frozen=True, kw_only=True):
    """A concluded topic in the compilation."""

    title: str
    county_name: str
    level: str
    host: str
    members: list[str]
    grade: str
    abstract: str
    keywords: list[str]
    results: list[str]


class ResultsCompilation(msgspec.Struct, frozen=True, kw_only=True):
    """成果汇编: the year's highlighted exchanges and concluded topics."""

    title: str
    city_name: str
    year: int
    exchanges: list[CompiledExchange]
    topics: list[CompiledTopic]
    compiled_by: str
    compiled_on: dt.date


class AwardList(msgspec.Struct, frozen=True, kw_only=True):
    """表彰决定 with its attachment, the 表彰名单 of a year."""

    title: str
    city_name: str
    year: int
    published_on: dt.date | None
    awards: list[AwardRow]
    issuer: Issuer
    document_number: str
    addressee: str
    copy_to: str
    issued_on: dt.date


class YearEndSlides(msgspec.Struct, frozen=True, kw_only=True):
    """工作开展情况总结汇报: the year-end presentation of a county or of the city."""

    title: str
    place: str
    year: int
    is_city: bool
    figures: YearFigures
    #: 城乡结对: (exchange, group number, [(kindergarten, county, locale name)]).
    pairings: list[tuple[str, int, list[tuple[str, str, str]]]]
    #: Accepted highlights: (exchange title, organiser, day, summary, designs).
    highlights: list[tuple[str, str, dt.date, str, int]]
    awards: list[AwardRow]
    presented_by: str
    presented_on: dt.date
    #: Object keys of each highlight's photos (parallel to ``highlights``).
    photo_keys: list[list[str]] = msgspec.field(default_factory=list)
    #: The photos' bytes by key, fetched by the caller that holds the object store.
    photos: dict[str, bytes] = msgspec.field(default_factory=dict)


ReportData = (
    LeadershipRoster | ActivityFiling | ResearchDirections | TopicList | TopicApplication
    | ExchangeRecord | AnnualSummary | ResultsCompilation | AwardList | FilingPackage
    | YearEndSlides
)


# Loading --------------------------------------------------------------------------------------


def _empty(code: str, detail: str) -> Conflict:
    return Conflict(f"report.{code}", detail)


def _day(value: dt.datetime | None) -> dt.date | None:
    return value.astimezone(clock.CITY_TZ).date() if value is not None else None


async def _filing(actor: Principal, county_id: int, year: int, county_name: str,
                  what: str) -> Any:
    filing = await filing_queries.find_filing(actor, county_id, year)
    if filing is None:
        raise _empty(
            "no_filing",
            f"{county_name}{year}年的年度备案尚未建立，无法生成{what}。请先在“备案”页面建立并填写。",
        )
    return filing


#: The city's opinion when it accepted a filing without writing one.
ACCEPTED_OPINION = "同意备案。"


async def _sign_off(filing: Any, issuer: Issuer) -> SignOff:
    """The sign-off rows of 附件1–3: the bureau, the submission the city accepted (or the latest
    one), and the city's opinion and date once it accepted the filing."""
    filled_on = _day(filing.last_submitted_at) if filing is not None else None
    if filing is None or filing.status != "accepted":
        return SignOff(unit=issuer.name, filled_on=filled_on)
    review = await data.filing_review(filing.id)
    opinion = (review["note"].strip() if review else "") or ACCEPTED_OPINION
    reviewed = review["at"].date() if review else _day(filing.accepted_at)
    return SignOff(unit=issuer.name, filled_on=filled_on, opinion=opinion, reviewed_on=reviewed)


async def _leadership_roster(actor: Principal, params: ReportParams, target: Target,
                             context: Context) -> LeadershipRoster:
    county = await org.get_county(actor, params.county_id)  # type: ignore[arg-type]
    year: int = params.year  # type: ignore[assignment]
    roster = await leadership.get_roster(actor, county.id, year)
    if not roster.members:
        raise _empty(
            "empty",
            f"{county.name}{year}年的区域教研领导小组名单尚未填写，无法生成附件1。"
            "请先在“备案”页面填写名单。",
        )
    filing = await filing_queries.find_filing(actor, county.id, year)
    zones = await data.zone_officers(county.id)
    return LeadershipRoster(
        title=target.title, county_name=county.name, year=year,
        members=[
            RosterMember(labels.POSITION.get(m.position, m.position), m.name, m.unit, m.title,
                         m.phone or "")
            for m in roster.members
        ],
        zones=[
            (z["zone"], z["lead"], z["officer"]["name"] if z["officer"] else "",
             (z["officer"]["professional_title"] or z["officer"]["job_title"])
             if z["officer"] else "",
             z["officer"]["phone"] if z["officer"] else "")
            for z in zones
        ],
        sign_off=await _sign_off(filing, await county_issuer(county.id)),
    )


async def _activity_filing(actor: Principal, params: ReportParams, target: Target,
                           context: Context) -> ActivityFiling:
    county = await org.get_county(actor, params.county_id)  # type: ignore[arg-type]
    year: int = params.year  # type: ignore[assignment]
    filing = await _filing(actor, county.id, year, county.name, "附件2")
    activities, _ = await filing_activities.list_activities(actor, filing.id, limit=MAX_ROWS)
    if not activities:
        raise _empty(
            "empty",
            f"{county.name}{year}年的备案中还没有教研活动，无法生成附件2。请先在“备案”页面添加活动。",
        )
    return ActivityFiling(
        title=target.title, county_name=county.name, year=year,
        activities=[
            ActivityRow(a.starts_on, a.ends_on, a.title, a.theme_title or "",
                        labels.ACTIVITY_FORM.get(a.form, a.form), a.zone_name, a.place,
                        a.participants, a.is_large)
            for a in activities
        ],
        sign_off=await _sign_off(filing, await county_issuer(county.id)),
    )


async def _research_directions(actor: Principal, params: ReportParams, target: Target,
                               context: Context) -> ResearchDirections:
    county = await org.get_county(actor, params.county_id)  # type: ignore[arg-type]
    year: int = params.year  # type: ignore[assignment]
    filing = await _filing(actor, county.id, year, county.name, "附件3")
    directions, _ = await filing_activities.list_directions(actor, filing.id, limit=MAX_ROWS)
    if not directions:
        raise _empty(
            "empty",
            f"{county.name}{year}年的备案中还没有教研方向建议，无法生成附件3。请先在“备案”页面填写。",
        )
    return ResearchDirections(
        title=target.title, county_name=county.name, year=year,
        directions=[Direction(d.direction, d.problem, d.expected_results) for d in directions],
        sign_off=await _sign_off(filing, await county_issuer(county.id)),
    )


async def _filing_package(actor: Principal, params: ReportParams, target: Target,
                          context: Context) -> FilingPackage:
    county = await org.get_county(actor, params.county_id)  # type: ignore[arg-type]
    year: int = params.year  # type: ignore[assignment]
    issuer = await county_issuer(county.id)

    def part(kind: str) -> Target:
        return Target(title=title_for(kind, place=county.name, year=year), county_id=county.id)

    roster = await _leadership_roster(actor, params, part("leadership_roster"), context)
    activities = await _activity_filing(actor, params, part("activity_filing"), context)
    directions = await _research_directions(actor, params, part("research_directions"), context)
    return FilingPackage(
        title=target.title, county_name=county.name, year=year, issuer=issuer,
        document_number=issuer.document_number(year, params.doc_number),
        addressee=context.city_bureau, signed_on=context.today, roster=roster,
        activities=activities, directions=directions,
    )


async def _topic_list(actor: Principal, params: ReportParams, target: Target,
                      context: Context) -> TopicList:
    year: int = params.year  # type: ignore[assignment]
    board = await compliance.board(actor, year)
    counts = await year_figures(year, as_of=context.today)
    order = {row.county_id: index for index, row in enumerate(counts.counties)}
    items, _ = await topics.list_topics(actor, year=year, limit=MAX_ROWS)
    # Drafts have not been put forward yet: the list is of topics the county has declared.
    declared = sorted(
        (t for t in items if t.status != "draft"),
        key=lambda t: (order.get(t.county_id, len(order)), t.id),
    )
    filing_status = {row.county_id: row.filing_status for row in board.items}
    return TopicList(
        title=target.title, city_name=context.city_name, year=year, as_of=context.today,
        due_on=board.due_on, days_to_deadline=board.days_to_deadline,
        topics=[
            TopicRow(
                county_name=t.county_name, title=t.title, direction=t.direction,
                level=labels.TOPIC_LEVEL.get(t.level, t.level), host=t.host_name or "",
                members=len(t.members),
                status=labels.TOPIC_STATUS.get(t.status, t.status)
                + (f"（{labels.TOPIC_GRADE[t.grade]}）" if t.grade in labels.TOPIC_GRADE else ""),
            )
            for t in declared
        ],
        # Counties without an approved topic first, as on the compliance board.
        counties=[
            CountyTopics(
                county_name=row.county_name, approved=row.topics_approved,
                submitted=row.topics_submitted,
                filing_status=labels.FILING_STATUS.get(
                    filing_status.get(row.county_id or 0) or "", "未建立"),
            )
            for row in sorted(counts.counties, key=lambda r: r.has_topic)
        ],
    )


async def _topic_application(actor: Principal, params: ReportParams, target: Target,
                             context: Context) -> TopicApplication:
    topic = await topics.get_topic(actor, params.topic_id)  # type: ignore[arg-type]
    cards = await data.people([p for p in [topic.host_id, *topic.member_ids] if p is not None])

    def card(person_id: int | None, role: str = "") -> PersonCard | None:
        row = cards.get(person_id) if person_id is not None else None
        if row is None:
            return None
        return PersonCard(name=row["name"], unit=row["unit"], job_title=row["job_title"],
                          professional_title=row["professional_title"], phone=row["phone"],
                          role=role)

    submitted = [e.at for e in topic.events if e.action == "submit"]
    return TopicApplication(
        title=target.title, topic_title=topic.title, county_name=topic.county_name,
        year=topic.year, direction=topic.direction,
        level=labels.TOPIC_LEVEL.get(topic.level, topic.level), lead_unit=topic.lead_unit,
        planned_start=topic.planned_start, planned_end=topic.planned_end,
        keywords=topic.keywords, abstract=topic.abstract,
        status=labels.TOPIC_STATUS.get(topic.status, topic.status),
        host=card(topic.host_id),
        members=[c for m in topic.members if (c := card(m.person_id, m.role)) is not None],
        submitted_on=_day(submitted[-1]) if submitted else None,
    )


SECTION_NAMES = (
    ("goals", "活动目标"), ("preparation", "活动准备"), ("process", "活动过程"),
    ("extension", "活动延伸"),
)


def _sections(version: Any) -> list[tuple[str, str | None]]:
    if version is None:
        return [(name, None) for _, name in SECTION_NAMES]
    return [(name, getattr(version.sections, key)) for key, name in SECTION_NAMES]


async def _exchange_record(actor: Principal, params: ReportParams, target: Target,
                           context: Context) -> ExchangeRecord:
    exchange_id: int = params.exchange_id  # type: ignore[assignment]
    exchange, _ = await exchanges.visible_exchange(actor, exchange_id)
    groups = await exchanges.get_groups(actor, exchange_id)
    experts = await exchanges.list_experts(actor, exchange_id)
    design_list, _ = await exchange_designs.list_designs(actor, exchange_id, limit=MAX_ROWS)
    latest = await exchange_designs.latest_versions([d.id for d in design_list])
    comments = await data.exchange_comments(exchange_id)
    scores = await data.exchange_scores(exchange_id)
    highlight = await data.highlight_of(exchange_id)
    entries = []
    for d in design_list:
        version = latest.get(d.id)
        entries.append(DesignEntry(
            group_number=d.group_number, kindergarten=d.kindergarten_name, county=d.county_name,
            teacher=d.teacher_name, title=d.title, version=version.number if version else 0,
            sections=_sections(version),
            sections_note=version.sections_note if version else "尚未上传教学设计。",
            scores=[
                ScoreRow(expert=s["expert_name"], version=s["version"],
                         items=[s[item] for item in data.SCORE_ITEMS], total=s["total"])
                for s in scores.get(d.id, [])
            ],
            comments=[
                CommentRow(author=c["author_name"], role=c["role"], reply=c["parent_id"] is not None,
                           version=c["version"], on=c["created_at"].date(), body=c["body"],
                           at_seconds=c["at_seconds"])
                for c in comments.get(d.id, [])
            ],
        ))
    return ExchangeRecord(
        title=target.title, exchange_title=exchange.title, content=exchange.content,
        age_group=labels.AGE_GROUP.get(exchange.age_group, exchange.age_group),
        domain=labels.DOMAIN.get(exchange.domain, exchange.domain),
        mode=labels.MODE.get(exchange.mode, exchange.mode), starts_at=exchange.starts_at,
        place=exchange.place, meeting_link=exchange.meeting_link,
        organiser=exchange.county_name or context.city_bureau, host=exchange.host_name or "",
        experts=[(e.name, e.unit, e.professional_title) for e in experts],
        groups=[
            GroupEntry(number=g.number, reason=g.reason,
                       members=[(m.kindergarten_name, m.county_name, m.teacher_name)
                                for m in g.members])
            for g in groups.groups
        ],
        designs=entries,
        summary=(highlight["summary"] or None) if highlight else None,
    )


def _award_rows(items: list[Any]) -> list[AwardRow]:
    return [
        AwardRow(kind=a.kind, award_name=a.award_name, name=a.candidate_name, unit=a.unit,
                 county_name=a.county_name or "")
        for a in items
    ]


async def _annual_summary(actor: Principal, params: ReportParams, target: Target,
                          context: Context) -> AnnualSummary:
    year: int = params.year  # type: ignore[assignment]
    scope = [params.county_id] if params.county_id is not None else None
    figures = await year_figures(year, as_of=context.today, county_ids=scope)
    awards = await evaluation.list_awards(actor, year)
    published_on = _day(awards.published_at)
    published = published_on is not None and published_on <= context.today
    items = [a for a in awards.items if scope is None or a.county_id in scope] if published \
        else []
    if scope is not None:
        place = figures.counties[0].county_name if figures.counties else ""
        issuer = await county_issuer(params.county_id)  # type: ignore[arg-type]
        addressee = context.city_bureau
    else:
        place, issuer = context.city_name, context.city_issuer
        addressee = "各县（市、区）教育局"
    return AnnualSummary(
        title=target.title, place=place, year=year, is_city=scope is None, figures=figures,
        awards=_award_rows(items), issuer=issuer,
        document_number=issuer.document_number(year, params.doc_number), addressee=addressee,
        signed_on=context.today,
    )


async def _results_compilation(actor: Principal, params: ReportParams, target: Target,
                               context: Context) -> ResultsCompilation:
    year: int = params.year  # type: ignore[assignment]
    highlights = await data.accepted_highlights(year)
    design_rows = await data.designs_of([h["exchange_id"] for h in highlights])
    design_ids = [d["id"] for d in design_rows]
    latest = await exchange_designs.latest_versions(design_ids)
    averages = await data.score_summaries(design_ids)
    by_exchange: dict[int, list[CompiledDesign]] = {}
    for d in design_rows:
        experts, average = averages.get(d["id"], (0, None))
        by_exchange.setdefault(d["exchange_id"], []).append(CompiledDesign(
            kindergarten=d["kindergarten_name"], county=d["county_name"],
            teacher=d["teacher_name"], sections=_sections(latest.get(d["id"])),
            experts=experts, average=average,
        ))
    concluded, _ = await topics.list_topics(actor, year=year, status="concluded", limit=MAX_ROWS)
    concluded.sort(key=lambda t: (t.county_name, t.id))
    results = await data.topic_result_files([t.id for t in concluded])
    if not highlights and not concluded:
        raise _empty(
            "empty",
            f"{year}年还没有收录到资源库的同研异构活动，也没有已结题的课题，暂无成果可汇编。",
        )
    return ResultsCompilation(
        title=target.title, city_name=context.city_name, year=year,
        exchanges=[
            CompiledExchange(
                title=h["title"], content=h["content"],
                organiser=h["county_name"] or context.city_bureau, starts_at=h["starts_at"],
                age_group=labels.AGE_GROUP.get(h["age_group"], h["age_group"]),
                domain=labels.DOMAIN.get(h["domain"], h["domain"]), summary=h["summary"],
                designs=by_exchange.get(h["exchange_id"], []),
            )
            for h in highlights
        ],
        topics=[
            CompiledTopic(
                title=t.title, county_name=t.county_name,
                level=labels.TOPIC_LEVEL.get(t.level, t.level), host=t.host_name or "",
                members=[m.name for m in t.members],
                grade=labels.TOPIC_GRADE.get(t.grade or "", ""), abstract=t.abstract,
                keywords=t.keywords, results=results.get(t.id, []),
            )
            for t in concluded
        ],
        compiled_by=context.city_bureau, compiled_on=context.today,
    )


#: Whom the city's award decision is copied to (抄送), as such decisions usually are.
AWARD_COPY_TO = "各县（市、区）人民政府，市人民政府教育督导室"


async def _award_list(actor: Principal, params: ReportParams, target: Target,
                      context: Context) -> AwardList:
    year: int = params.year  # type: ignore[assignment]
    awards = await evaluation.list_awards(actor, year)
    if not awards.items:
        raise _empty("empty", f"{year}年还没有评出先进责任区、先进幼儿园或先进个人，无法生成表彰名单。")
    published_on = _day(awards.published_at)
    issuer = context.city_issuer
    return AwardList(
        title=target.title, city_name=context.city_name, year=year, published_on=published_on,
        awards=_award_rows(awards.items), issuer=issuer,
        document_number=issuer.document_number(year, params.doc_number),
        addressee="各县（市、区）教育局", copy_to=AWARD_COPY_TO,
        issued_on=published_on or context.today,
    )


async def _year_end_slides(actor: Principal, params: ReportParams, target: Target,
                           context: Context) -> YearEndSlides:
    summary = await _annual_summary(actor, params, target, context)
    figures = summary.figures
    scope = [params.county_id] if params.county_id is not None else None
    start, end = held_until(summary.year, context.today)
    pairs = await data.pairings(summary.year, start, end, scope)
    highlights = await data.accepted_highlights(summary.year)
    if scope is not None:
        highlights = [h for h in highlights if h["county_name"] == summary.place]
    designs = await data.designs_of([h["exchange_id"] for h in highlights])
    design_count: dict[int, int] = {}
    for d in designs:
        design_count[d["exchange_id"]] = design_count.get(d["exchange_id"], 0) + 1
    shown = [h for h in highlights if h["starts_at"].date() <= context.today]
    photos = await data.highlight_photos([h["exchange_id"] for h in shown])
    return YearEndSlides(
        title=target.title, place=summary.place, year=summary.year, is_city=summary.is_city,
        figures=figures, photo_keys=[photos.get(h["exchange_id"], []) for h in shown],
        pairings=[(p["exchange"], p["number"],
                   [(k, county, labels.LOCALE.get(loc, loc)) for k, county, loc in p["members"]])
                  for p in pairs],
        highlights=[(h["title"], h["county_name"] or context.city_bureau, h["starts_at"].date(),
                     h["summary"], design_count.get(h["exchange_id"], 0)) for h in shown],
        awards=summary.awards, presented_by=summary.issuer.name, presented_on=context.today,
    )


Loader = Callable[[Principal, ReportParams, Target, Context], Awaitable[ReportData]]
LOADERS: dict[str, Loader] = {
    "leadership_roster": _leadership_roster,
    "activity_filing": _activity_filing,
    "research_directions": _research_directions,
    "topic_list": _topic_list,
    "topic_application": _topic_application,
    "exchange_record": _exchange_record,
    "annual_summary": _annual_summary,
    "results_compilation": _results_compilation,
    "award_list": _award_list,
    "filing_package": _filing_package,
    "year_end_slides": _year_end_slides,
}


def author_of(report: ReportData, context: Context) -> str:
    """The unit a report's file names as its author: the issuing bureau, the filing county's
    bureau, a topic's lead unit, an exchange's organiser; otherwise the city bureau."""
    if isinstance(report, LeadershipRoster | ActivityFiling | ResearchDirections):
        return report.sign_off.unit or context.city_bureau
    if isinstance(report, AnnualSummary | AwardList | FilingPackage):
        return report.issuer.name
    if isinstance(report, YearEndSlides):
        return report.presented_by
    if isinstance(report, TopicApplication):
        return report.lead_unit or context.city_bureau
    if isinstance(report, ExchangeRecord):
        return report.organiser
    return context.city_bureau


async def load(actor: Principal, kind: str, params: ReportParams,
               context: Context) -> ReportData:
    """Check the request again and load the report's data (raises ``lianyan.errors``)."""
    target = await resolve(actor, kind, params, context)
    return await LOADERS[kind](actor, params, target, context)
