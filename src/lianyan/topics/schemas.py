"""API schemas of research topics: the topic, its steps, documents and reviews."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from msgspec import UNSET, Meta, UnsetType, field

from lianyan.schemas import Id, Input, Output, Year

TopicLevel = Literal["city", "county", "kindergarten"]
TopicStatus = Literal[
    "draft", "submitted", "approved", "rejected", "opened", "midterm", "concluded", "withdrawn"
]
TopicGrade = Literal["excellent", "good", "pass", "fail"]
TopicAction = Literal[
    "submit", "approve", "reject", "return", "open", "midterm", "conclude", "withdraw"
]
DocumentKind = Literal["application", "opening", "midterm", "final", "result"]

Title = Annotated[str, Meta(min_length=1, max_length=200)]
Direction = Annotated[str, Meta(min_length=1, max_length=200)]
Unit = Annotated[str, Meta(max_length=100)]
Abstract = Annotated[str, Meta(max_length=5000)]
Keyword = Annotated[str, Meta(min_length=1, max_length=30, pattern=r"^[^\n\r]+$")]
Keywords = Annotated[list[Keyword], Meta(max_length=10)]
MemberRole = Annotated[str, Meta(min_length=1, max_length=50)]
Note = Annotated[str, Meta(max_length=2000)]
Score = Annotated[int, Meta(ge=0, le=25)]
Comment = Annotated[str, Meta(min_length=1, max_length=5000)]


class MemberIn(Input, kw_only=True):
    """A member of the research team and their role in it."""

    person_id: Annotated[Id, Meta(title="成员")]
    role: Annotated[MemberRole, Meta(title="分工")] = "成员"


class TopicIn(Input, kw_only=True):
    """A new topic; it starts as a draft.

    ``member_ids`` is the short form of ``members`` (every role then reads 成员); send one of
    the two. ``status`` is accepted for symmetry with the output and must be ``draft``.
    """

    county_id: Annotated[Id, Meta(title="县（市、区）")]
    year: Annotated[Year, Meta(title="年度")]
    title: Annotated[Title, Meta(title="课题名称")]
    direction: Annotated[Direction, Meta(title="研究方向")]
    level: Annotated[TopicLevel, Meta(title="课题级别")]
    lead_unit: Annotated[Unit, Meta(title="牵头单位")] = ""
    host_id: Annotated[Id | None, Meta(title="主持人")] = None
    member_ids: list[Id] | UnsetType = UNSET
    members: Annotated[list[MemberIn], Meta(title="课题成员")] | UnsetType = UNSET
    abstract: Annotated[Abstract, Meta(title="摘要")] = ""
    keywords: Annotated[Keywords, Meta(title="关键词")] = field(default_factory=list)
    planned_start: Annotated[dt.date | None, Meta(title="计划开始日期")] = None
    planned_end: Annotated[dt.date | None, Meta(title="计划结束日期")] = None
    status: Literal["draft"] = "draft"


class TopicPatch(Input, kw_only=True):
    """Changes to a draft topic; only the fields sent change.

    ``status`` is refused with a message naming the step endpoints: states change only
    through ``POST /topics/{id}/submit`` and its siblings.
    """

    county_id: Annotated[Id, Meta(title="县（市、区）")] | UnsetType = UNSET
    year: Annotated[Year, Meta(title="年度")] | UnsetType = UNSET
    title: Annotated[Title, Meta(title="课题名称")] | UnsetType = UNSET
    direction: Annotated[Direction, Meta(title="研究方向")] | UnsetType = UNSET
    level: Annotated[TopicLevel, Meta(title="课题级别")] | UnsetType = UNSET
    lead_unit: Annotated[Unit, Meta(title="牵头单位")] | UnsetType = UNSET
    host_id: Annotated[Id, Meta(title="主持人")] | UnsetType | None = UNSET
    member_ids: list[Id] | UnsetType = UNSET
    members: Annotated[list[MemberIn], Meta(title="课题成员")] | UnsetType = UNSET
    abstract: Annotated[Abstract, Meta(title="摘要")] | UnsetType = UNSET
    keywords: Annotated[Keywords, Meta(title="关键词")] | UnsetType = UNSET
    planned_start: Annotated[dt.date, Meta(title="计划开始日期")] | UnsetType | None = UNSET
    planned_end: Annotated[dt.date, Meta(title="计划结束日期")] | UnsetType | None = UNSET
    status: str | UnsetType = UNSET


class MemberOut(Output, kw_only=True):
    """A member of a topic with their name and unit."""

    person_id: int
    name: str
    unit: str
    role: str


class TopicOut(Output, kw_only=True):
    """A topic as the API shows it."""

    id: int
    county_id: int
    county_name: str
    year: int
    title: str
    direction: str
    level: str
    lead_unit: str
    host_id: int | None
    host_name: str | None
    kindergarten_id: int | None
    member_ids: list[int]
    members: list[MemberOut]
    abstract: str
    keywords: list[str]
    planned_start: dt.date | None
    planned_end: dt.date | None
    status: str
    grade: str | None
    created_at: dt.datetime
    updated_at: dt.datetime


class StepIn(Input, kw_only=True):
    """The body of a lifecycle step: an optional note, and the grade when concluding."""

    note: Annotated[Note, Meta(title="意见")] = ""
    grade: Annotated[TopicGrade | None, Meta(title="结题等级")] = None


class EventOut(Output, kw_only=True):
    """One step of a topic's history."""

    id: int
    action: str
    from_status: str
    to_status: str
    actor_person_id: int | None
    actor_name: str
    note: str
    grade: str | None
    at: dt.datetime


class TopicDetail(TopicOut, kw_only=True):
    """A topic with its history and the steps the caller may take now."""

    events: list[EventOut]
    allowed_actions: list[str]


class DocumentOut(Output, kw_only=True):
    """One version of a topic document, downloadable at ``download_url``."""

    id: int
    kind: str
    version: int
    current: bool
    file_id: int
    original_name: str
    size: int
    content_type: str
    sha256: str
    uploader_id: int | None
    created_at: dt.datetime
    download_url: str


class InviteIn(Input, kw_only=True):
    """Experts (person ids) the city invites to review a topic's application."""

    expert_ids: Annotated[list[Id], Meta(min_length=1, max_length=50, title="评审专家", extra={
        "code": "review.no_experts", "message": "请至少选择一位专家。"})]


class ReviewIn(Input, kw_only=True):
    """An expert's score form (立项评审): four items of 0–25 and a comment."""

    value: Annotated[Score, Meta(title="选题价值")]
    design: Annotated[Score, Meta(title="研究设计")]
    feasibility: Annotated[Score, Meta(title="可行性")]
    outcomes: Annotated[Score, Meta(title="预期成果")]
    comment: Annotated[Comment, Meta(title="评审意见")]


class ReviewOut(Output, kw_only=True):
    """One expert's review; the scores are null until the expert submits them."""

    expert_id: int
    expert_name: str
    expert_unit: str
    invited_at: dt.datetime
    submitted: bool
    value: int | None
    design: int | None
    feasibility: int | None
    outcomes: int | None
    total: int | None
    comment: str
    submitted_at: dt.datetime | None
    updated_at: dt.datetime | None


class ReviewBoard(Output, kw_only=True):
    """The reviews of a topic the caller may see, with the figures the city decides on.

    ``hidden`` counts the other experts' reviews an expert cannot see until they have
    submitted their own; means cover submitted reviews the caller can see.
    """

    items: list[ReviewOut]
    total: int
    invited: int
    submitted: int
    hidden: int
    mean_total: float | None
    means: dict[str, float | None]
    status: str
