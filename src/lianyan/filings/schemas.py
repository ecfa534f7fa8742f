"""API schemas of the filings domain."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from msgspec import UNSET, Meta, UnsetType

from lianyan.files.services import FileOut
from lianyan.schemas import Id, Input, Name, Output, ShortName, Year

Position = Literal["leader", "deputy", "member"]
ActivityForm = Literal["expert_led", "seminar", "expert_forum", "online", "exchange"]
FilingStatus = Literal["draft", "submitted", "accepted", "returned"]
#: Office lines such as ``0398-2816691`` are common on rosters, so not only mobiles.
RosterPhone = Annotated[
    str, Meta(pattern=r"^[0-9+\-() ]{0,20}$", description="phone or office line, may be empty")
]
Title = Annotated[str, Meta(max_length=50)]
Text = Annotated[str, Meta(max_length=2000)]
RequiredText = Annotated[str, Meta(min_length=1, max_length=2000)]
Participants = Annotated[int, Meta(ge=1, le=100_000)]


# Leadership group (附件1) -------------------------------------------------------------------


class LeaderIn(Input, kw_only=True):
    """One member of a leadership group."""

    position: Annotated[Position, Meta(title="职务")]
    name: Annotated[ShortName, Meta(title="姓名")]
    unit: Annotated[Name, Meta(title="单位")]
    title: Annotated[Title, Meta(title="职称")] = ""
    phone: Annotated[RosterPhone, Meta(title="电话")] = ""


class LeadershipIn(Input, kw_only=True):
    """The whole leadership group of a county for a year (replaces what was there)."""

    members: Annotated[list[LeaderIn], Meta(max_length=60, title="领导小组名单")]


class LeaderOut(Output, kw_only=True):
    """One member; ``phone`` is null for readers outside the county."""

    position: str
    name: str
    unit: str
    title: str
    phone: str | None


class LeadershipOut(Output, kw_only=True):
    """A county's leadership group for a year."""

    county_id: int
    year: int
    members: list[LeaderOut]
    complete: bool
    updated_at: dt.datetime | None


# Themes and deadlines ------------------------------------------------------------------------


class ThemeIn(Input, kw_only=True):
    """A new yearly theme."""

    year: Annotated[Year, Meta(title="年度")]
    title: Annotated[Name, Meta(title="主题名称")]
    description: Annotated[Text, Meta(title="主题说明")] = ""


class ThemePatch(Input, kw_only=True):
    """Changes to a theme."""

    title: Name | UnsetType = UNSET
    description: Text | UnsetType = UNSET


class ThemeOut(Output, kw_only=True):
    """A yearly theme of the city."""

    id: int
    year: int
    title: str
    description: str


class DeadlineIn(Input, kw_only=True):
    """The filing deadline of a year."""

    due_on: Annotated[dt.date, Meta(title="截止日期")]


class DeadlineOut(Output, kw_only=True):
    """The filing deadline of a year; ``is_default`` when the city has not set one."""

    year: int
    due_on: dt.date
    is_default: bool
    days_left: int


# Filings -----------------------------------------------------------------------------------


class FilingIn(Input, kw_only=True):
    """Open the filing of a county for a year."""

    county_id: Annotated[Id, Meta(title="县（市、区）")]
    year: Annotated[Year, Meta(title="备案年度")]
    note: Annotated[Text, Meta(title="备注")] = ""


class FilingPatch(Input, kw_only=True):
    """Changes to a filing (while it is a draft or returned)."""

    note: Text | UnsetType = UNSET


class FilingEventOut(Output, kw_only=True):
    """One step in a filing's history."""

    action: str
    from_status: str
    to_status: str
    note: str
    late: bool
    actor_name: str
    at: dt.datetime


class FilingOut(Output, kw_only=True):
    """A filing, with what it holds counted."""

    id: int
    county_id: int
    county_name: str
    year: int
    status: str
    note: str
    due_on: dt.date
    late: bool
    first_submitted_at: dt.datetime | None
    last_submitted_at: dt.datetime | None
    accepted_at: dt.datetime | None
    returned_reason: str | None
    plan_document: FileOut | None
    activity_count: int
    large_activity_count: int
    direction_count: int
    created_at: dt.datetime
    updated_at: dt.datetime


class FilingDetail(FilingOut, kw_only=True):
    """A filing with its history."""

    history: list[FilingEventOut]


class ReturnIn(Input, kw_only=True):
    """The city's reason for returning a filing."""

    reason: Annotated[RequiredText, Meta(title="退回原因", extra={
        "code": "filing.reason", "message": "退回时请写明原因，县（市、区）将据此修改。"})]


class AcceptIn(Input, kw_only=True):
    """An optional note when accepting."""

    note: Annotated[Text, Meta(title="意见")] = ""


class ChecklistItem(Output, kw_only=True):
    """One thing a filing needs before it can be submitted."""

    key: str
    label: str
    done: bool
    detail: str


class Checklist(Output, kw_only=True):
    """What is still missing; ``ready`` when submitting would pass every gate."""

    items: list[ChecklistItem]
    ready: bool


# Activities (附件2) and directions (附件3) ----------------------------------------------------


class ActivityIn(Input, kw_only=True):
    """A planned activity."""

    title: Annotated[Name, Meta(title="活动名称")]
    theme_id: Annotated[Id | None, Meta(title="主题活动")] = None
    form: Annotated[ActivityForm, Meta(title="活动形式")]
    starts_on: Annotated[dt.date, Meta(title="开始日期")]
    ends_on: Annotated[dt.date | None, Meta(title="结束日期")] = None
    zone_id: Annotated[Id, Meta(title="组织责任区")]
    place: Annotated[Name, Meta(title="活动地点")]
    participants: Annotated[Participants, Meta(title="预计参加人数")]
    is_large: Annotated[bool, Meta(title="大型专题活动")] = False
    description: Annotated[Text, Meta(title="活动内容")] = ""


class ActivityPatch(Input, kw_only=True):
    """Changes to a planned activity (while its filing is a draft or returned)."""

    title: Name | UnsetType = UNSET
    theme_id: Id | UnsetType | None = UNSET
    form: ActivityForm | UnsetType = UNSET
    starts_on: dt.date | UnsetType = UNSET
    ends_on: dt.date | UnsetType | None = UNSET
    zone_id: Id | UnsetType = UNSET
    place: Name | UnsetType = UNSET
    participants: Participants | UnsetType = UNSET
    is_large: bool | UnsetType = UNSET
    description: Text | UnsetType = UNSET


class ActivityOut(Output, kw_only=True):
    """A planned activity with its theme and organising zone."""

    id: int
    filing_id: int
    title: str
    theme_id: int | None
    theme_title: str | None
    form: str
    starts_on: dt.date
    ends_on: dt.date | None
    zone_id: int
    zone_name: str
    place: str
    participants: int
    is_large: bool
    description: str
    filed_at: dt.datetime | None
    filed_separately: bool


class IndividualActivityOut(ActivityOut, kw_only=True):
    """An activity filed on its own after its county's plan was accepted."""

    county_id: int
    county_name: str


class DirectionIn(Input, kw_only=True):
    """A research-direction suggestion."""

    direction: Annotated[str, Meta(min_length=1, max_length=200, title="教研方向")]
    problem: Annotated[RequiredText, Meta(title="针对的问题")]
    expected_results: Annotated[RequiredText, Meta(title="预期成果")]


class DirectionOut(Output, kw_only=True):
    """A research-direction suggestion."""

    id: int
    filing_id: int
    direction: str
    problem: str
    expected_results: str


# Coverage reasons ----------------------------------------------------------------------------


class CoverageReasonIn(Input, kw_only=True):
    """Why one kindergarten is outside every zone."""

    kindergarten_id: Annotated[Id, Meta(title="幼儿园")]
    reason: Annotated[str, Meta(max_length=500, title="原因")]


class CoverageReasonsIn(Input, kw_only=True):
    """Reasons for uncovered kindergartens; an empty reason removes one."""

    reasons: Annotated[list[CoverageReasonIn], Meta(max_length=2000, title="未覆盖原因")]


class UncoveredOut(Output, kw_only=True):
    """An uncovered kindergarten and the recorded reason, if any."""

    kindergarten_id: int
    name: str
    locale: str
    reason: str | None


class FilingCoverage(Output, kw_only=True):
    """Full coverage of the filing's county, with the reasons recorded on the filing."""

    total: int
    covered: int
    percent: int
    uncovered: list[UncoveredOut]
    missing_reasons: int


# Compliance ----------------------------------------------------------------------------------


class ComplianceRow(Output, kw_only=True):
    """One county on the city's compliance board."""

    county_id: int
    county_code: str
    county_name: str
    roster_complete: bool
    roster_members: int
    filing_id: int | None
    filing_status: str | None
    late: bool
    overdue: bool
    first_submitted_at: dt.datetime | None
    active_topics: int
    kindergartens: int
    covered: int
    coverage_percent: int
    due_on: dt.date
    days_to_deadline: int


class ComplianceBoard(Output, kw_only=True):
    """The compliance board of a year: zero-topic counties first."""

    year: int
    due_on: dt.date
    days_to_deadline: int
    items: list[ComplianceRow]
    total: int
