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

    person_id: Id
    role: MemberRole = "成员"


class TopicIn(Input, kw_only=True):
    """A new topic; it starts as a draft.

    ``member_ids`` is the short form of ``members`` (every role then reads 成员); send one of
    the two. ``status`` is accepted for symmetry with the output and must be ``draft``.
    """

    county_id: Id
    year: Year
    title: Title
    direction: Direction
    level: TopicLevel
    lead_unit: Unit = ""
    host_id: Id | None = None
    member_ids: list[Id] | UnsetType = UNSET
    members: list[MemberIn] | UnsetType = UNSET
    abstract: Abstract = ""
    keywords: Keywords = field(default_factory=list)
    planned_start: dt.date | None = None
    planned_end: dt.date | None = None
    status: Literal["draft"] = "draft"


class TopicPatch(Input, kw_only=True):
    """Changes to a draft topic; only the fields sent change.

    ``status`` is refused with a message naming the step endpoints: states change only
    through ``POST /topics/{id}/submit`` and its siblings.
    """

    county_id: Id | UnsetType = UNSET
    year: Year | UnsetType = UNSET
    title: Title | UnsetType = UNSET
    direction: Direction | UnsetType = UNSET
    level: TopicLevel | UnsetType = UNSET
    lead_unit: Unit | UnsetType = UNSET
    host_id: Id | UnsetType | None = UNSET
    member_ids: list[Id] | UnsetType = UNSET
    members: list[MemberIn] | UnsetType = UNSET
    abstract: Abstract | UnsetType = UNSET
    keywords: Keywords | UnsetType = UNSET
    planned_start: dt.date | UnsetType | None = UNSET
    planned_end: dt.date | UnsetType | None = UNSET
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

    note: Note = ""
    grade: TopicGrade | None = None


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

    expert_ids: Annotated[list[Id], Meta(min_length=1, max_length=50)]


class ReviewIn(Input, kw_only=True):
    """An expert's score form (立项评审): four items of 0–25 and a comment."""

    value: Score
    design: Score
    feasibility: Score
    outcomes: Score
    comment: Comment


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
