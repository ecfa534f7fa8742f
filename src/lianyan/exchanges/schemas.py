"""API schemas of the 同研异构 exchanges."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from msgspec import UNSET, Meta, UnsetType

from lianyan.exchanges.sections import SECTION_KEYS as SECTION_KEYS
from lianyan.exchanges.sections import SECTION_NAMES as SECTION_NAMES
from lianyan.files.services import FileOut
from lianyan.schemas import Id, Input, Output

AgeGroup = Literal["small", "middle", "large"]
Domain = Literal["health", "language", "social", "science", "art"]
Mode = Literal["onsite", "online", "hybrid"]
#: What a design version upload adds; maps onto the ``files.sniff`` kinds.
VersionKind = Literal["document", "slides", "image", "video"]
Title = Annotated[str, Meta(min_length=1, max_length=100)]
Content = Annotated[str, Meta(min_length=1, max_length=200)]
Place = Annotated[str, Meta(max_length=200)]
Link = Annotated[str, Meta(max_length=500)]
#: Text someone must write: at least one character that is not a space.
Body = Annotated[str, Meta(min_length=1, max_length=5000, pattern=r"\S")]
Reason = Annotated[str, Meta(min_length=1, max_length=200)]
Mark = Annotated[int, Meta(ge=1, le=5)]
GroupSize = Annotated[int, Meta(ge=2, le=3)]
#: A moment of a classroom video, in whole seconds from its start (at most a day).
AtSeconds = Annotated[int, Meta(ge=0, le=86_400)]
AT_SECONDS_MESSAGE = (
    "视频时间点应是从视频开头算起的秒数（0 到视频时长之间的整数，例如 05:32 即 332）；"
    "页面上也可以填写“分:秒”，如 05:32。")

# SECTION_KEYS / SECTION_NAMES (design sections in the order they are shown) are defined beside
# the extractor, which runs in a light child process and must not import this module.
#: The five items of the 评课量表, in order.
SCORE_ITEMS = ("goal", "content", "process", "children", "teacher")
SCORE_ITEM_NAMES = {
    "goal": "目标",
    "content": "内容",
    "process": "过程",
    "children": "幼儿表现",
    "teacher": "教师素养",
}


# Exchanges ------------------------------------------------------------------------------------


class ExchangeIn(Input, kw_only=True):
    """A new exchange. ``county_id`` is the organising county; omit it for a city-wide one."""

    title: Annotated[Title, Meta(title="活动名称")]
    content: Annotated[Content, Meta(title="同一教学内容")]
    age_group: Annotated[AgeGroup, Meta(title="年龄段")]
    domain: Annotated[Domain, Meta(title="领域")]
    mode: Annotated[Mode, Meta(title="方式")]
    starts_at: Annotated[dt.datetime, Meta(title="活动时间")]
    place: Annotated[Place, Meta(title="活动地点")] = ""
    meeting_link: Annotated[Link, Meta(title="会议链接")] = ""
    host_id: Annotated[Id | None, Meta(title="主持人")] = None
    county_id: Annotated[Id | None, Meta(title="组织单位")] = None
    design_deadline: Annotated[dt.datetime, Meta(title="教学设计提交截止时间")]
    comment_deadline: Annotated[dt.datetime, Meta(title="专家点评截止时间")]
    blind: Annotated[bool, Meta(title="背对背设计")] = True


class ExchangePatch(Input, kw_only=True):
    """Changes to an exchange; only the fields sent change.

    ``expert_ids`` is the whole list of invited experts after the change: new ones are
    invited (and told), missing ones are withdrawn unless they already commented or scored.
    """

    title: Annotated[Title, Meta(title="活动名称")] | UnsetType = UNSET
    content: Annotated[Content, Meta(title="同一教学内容")] | UnsetType = UNSET
    age_group: Annotated[AgeGroup, Meta(title="年龄段")] | UnsetType = UNSET
    domain: Annotated[Domain, Meta(title="领域")] | UnsetType = UNSET
    mode: Annotated[Mode, Meta(title="方式")] | UnsetType = UNSET
    starts_at: Annotated[dt.datetime, Meta(title="活动时间")] | UnsetType = UNSET
    place: Annotated[Place, Meta(title="活动地点")] | UnsetType = UNSET
    meeting_link: Annotated[Link, Meta(title="会议链接")] | UnsetType = UNSET
    host_id: Annotated[Id | None, Meta(title="主持人")] | UnsetType = UNSET
    design_deadline: Annotated[dt.datetime, Meta(title="教学设计提交截止时间")] | UnsetType = UNSET
    comment_deadline: Annotated[dt.datetime, Meta(title="专家点评截止时间")] | UnsetType = UNSET
    blind: Annotated[bool, Meta(title="背对背设计")] | UnsetType = UNSET
    expert_ids: Annotated[
        list[Id], Meta(max_length=200, title="受邀专家")
    ] | UnsetType = UNSET


class ExchangeOut(Output, kw_only=True):
    """An exchange, with what the caller's standing in it lets them do."""

    id: int
    title: str
    content: str
    age_group: AgeGroup
    domain: Domain
    mode: Mode
    starts_at: dt.datetime
    place: str
    meeting_link: str
    host_id: int | None
    host_name: str | None
    county_id: int | None
    county_name: str | None
    design_deadline: dt.datetime
    comment_deadline: dt.datetime
    blind: bool
    groups_confirmed_at: dt.datetime | None
    #: ``designing`` before the design deadline, ``reviewing`` until the comment deadline,
    #: ``finished`` after it.
    phase: Literal["designing", "reviewing", "finished"]
    #: ``pushed`` / ``accepted`` once the exchange was pushed as a highlight.
    highlight_status: str | None
    created_at: dt.datetime


class ExpertIn(Input, kw_only=True):
    """An expert to invite: a person holding the ``expert`` role."""

    person_id: Annotated[Id, Meta(title="专家", extra={"message": "请选择要邀请的专家。"})]


class ExpertOut(Output, kw_only=True):
    """An invited expert and how far their review has gone."""

    person_id: int
    name: str
    unit: str
    professional_title: str
    invited_at: dt.datetime
    comments: int
    scores: int


# Pairing and groups ---------------------------------------------------------------------------


class SuggestIn(Input, kw_only=True):
    """Candidates to pair and the group size (2 or 3)."""

    candidate_ids: Annotated[
        list[Id],
        Meta(min_length=2, max_length=5000, title="候选幼儿园",
             extra={"code": "pairing.too_few",
                    "message": "请至少选择两所不同县（市、区）的幼儿园。"}),
    ]
    group_size: Annotated[GroupSize, Meta(title="每组园数")] = 2


class SuggestedGroup(Output, kw_only=True):
    """One suggested group and why its members met."""

    kindergarten_ids: list[int]
    reason: str


class UnpairedOut(Output, kw_only=True):
    """A candidate the suggestion could not place."""

    kindergarten_id: int
    reason: str


class SuggestOut(Output, kw_only=True):
    """A pairing suggestion: edit it, then confirm it with ``PUT /groups``."""

    groups: list[SuggestedGroup]
    unpaired: list[UnpairedOut]
    #: Pairs of candidates that already met in earlier exchanges, and how often.
    history_pairs: int


class MemberIn(Input, kw_only=True):
    """A participant: a kindergarten and the teacher who designs for it."""

    kindergarten_id: Annotated[Id, Meta(title="幼儿园")]
    teacher_id: Annotated[
        Id, Meta(title="执教教师", extra={"code": "pairing.teacher",
                                           "message": "请为每所参与园选择执教教师。"})
    ]


class GroupIn(Input, kw_only=True):
    """A group as the officer confirms it."""

    members: Annotated[list[MemberIn], Meta(min_length=1, max_length=10, title="组员")]
    reason: Annotated[str, Meta(max_length=300, title="分组理由")] = ""


class GroupsIn(Input, kw_only=True):
    """The whole grouping of an exchange; it replaces the previous one."""

    groups: Annotated[
        list[GroupIn],
        Meta(min_length=1, max_length=2000, title="分组",
             extra={"code": "pairing.no_groups", "message": "请至少分出一个组。"}),
    ]


class MemberOut(Output, kw_only=True):
    """A participant of a group."""

    participant_id: int
    kindergarten_id: int
    kindergarten_name: str
    county_id: int
    county_name: str
    locale: str
    teacher_id: int
    teacher_name: str
    design_id: int | None


class GroupOut(Output, kw_only=True):
    """A confirmed group."""

    id: int
    number: int
    reason: str
    members: list[MemberOut]


class GroupsOut(Output, kw_only=True):
    """The groups of an exchange."""

    confirmed_at: dt.datetime | None
    groups: list[GroupOut]


# Designs and versions -------------------------------------------------------------------------


class DesignIn(Input, kw_only=True):
    """Start one's design in an exchange (the caller must be its participant teacher)."""

    title: Annotated[str, Meta(max_length=200)] = ""


class DesignOut(Output, kw_only=True):
    """A participant's design."""

    id: int
    exchange_id: int
    group_id: int | None
    group_number: int | None
    participant_id: int
    kindergarten_id: int
    kindergarten_name: str
    county_id: int
    county_name: str
    teacher_id: int
    teacher_name: str
    title: str
    latest_version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class Sections(Output, kw_only=True):
    """The four sections of a design, as extracted from its document (None: not found)."""

    goals: str | None = None
    preparation: str | None = None
    process: str | None = None
    extension: str | None = None


class VersionOut(Output, kw_only=True):
    """One version of a design: the whole bundle as it stood."""

    id: int
    design_id: int
    number: int
    change: VersionKind
    document: FileOut | None
    slides: FileOut | None
    video: FileOut | None
    images: list[FileOut]
    sections: Sections
    sections_note: str
    created_by: int | None
    created_at: dt.datetime


class DocumentOut(Output, kw_only=True):
    """A version's Word document read as HTML: escaped text in our own tags only."""

    version: int
    file_id: int
    original_name: str
    html: str
    images: int
    #: The document was longer than the page shows; the rest is in the download.
    truncated: bool


class AdoptIn(Input, kw_only=True):
    """Add a file that arrived by resumable direct upload (``/api/v1/uploads``)."""

    kind: VersionKind
    file_id: Id


# Comments, notes, scores ----------------------------------------------------------------------


class CommentIn(Input, kw_only=True):
    """A comment (experts) or a reply (``parent_id``); anchored to ``version`` (default latest)."""

    body: Annotated[Body, Meta(title="点评内容", extra={
        "code": "comment.empty", "message": "请填写点评或回复的内容（5000 字以内）。"})]
    version: Annotated[Id | None, Meta(title="点评针对的版本")] = None
    parent_id: Annotated[Id | None, Meta(title="回复的点评")] = None
    #: The moment of the version's classroom video the comment is about.
    at_seconds: Annotated[AtSeconds | None, Meta(title="视频时间点", extra={
        "code": "comment.at_seconds", "message": AT_SECONDS_MESSAGE})] = None


class CommentPatch(Input, kw_only=True):
    """New text of one's own comment."""

    body: Body


class CommentOut(Output, kw_only=True):
    """A comment or reply in a design's thread."""

    id: int
    design_id: int
    version: int
    parent_id: int | None
    author_id: int
    author_name: str
    role: Literal["expert", "teacher"]
    body: str
    at_seconds: int | None
    created_at: dt.datetime
    edited_at: dt.datetime | None


class NoteIn(Input, kw_only=True):
    """A peer observation note (听课记录)."""

    body: Annotated[Body, Meta(title="听课记录", extra={
        "code": "note.empty", "message": "请填写听课记录的内容（5000 字以内）。"})]
    version: Id | None = None
    at_seconds: Annotated[AtSeconds | None, Meta(title="视频时间点", extra={
        "code": "note.at_seconds", "message": AT_SECONDS_MESSAGE})] = None


class NoteOut(Output, kw_only=True):
    """A peer observation note."""

    id: int
    design_id: int
    version: int
    author_id: int
    author_name: str
    author_unit: str
    body: str
    at_seconds: int | None
    created_at: dt.datetime


class ScoreItem(Input, kw_only=True):
    """One item of the score form: 1–5 and a short reason."""

    score: Annotated[Mark, Meta(title="分数")]
    reason: Annotated[Reason, Meta(title="理由")]


#: Any mistake in an item of the score form reads ``score.item``, naming the item.
_SCORE_RULE = {"code": "score.item", "message": "请为“{label}”打 1–5 分并写一句理由（200 字以内）。"}


class ScoreIn(Input, kw_only=True):
    """An expert's own 评课量表 for a design, anchored to ``version`` (default latest)."""

    goal: Annotated[ScoreItem, Meta(title="目标", extra=_SCORE_RULE)]
    content: Annotated[ScoreItem, Meta(title="内容", extra=_SCORE_RULE)]
    process: Annotated[ScoreItem, Meta(title="过程", extra=_SCORE_RULE)]
    children: Annotated[ScoreItem, Meta(title="幼儿表现", extra=_SCORE_RULE)]
    teacher: Annotated[ScoreItem, Meta(title="教师素养", extra=_SCORE_RULE)]
    version: Id | None = None


class ScoreItemOut(Output, kw_only=True):
    """One scored item."""

    score: int
    reason: str


class ScoreOut(Output, kw_only=True):
    """An expert's score form."""

    id: int
    design_id: int
    version: int
    expert_id: int
    expert_name: str
    goal: ScoreItemOut
    content: ScoreItemOut
    process: ScoreItemOut
    children: ScoreItemOut
    teacher: ScoreItemOut
    total: int
    updated_at: dt.datetime


class ScoreList(Output, kw_only=True):
    """The score forms of a design with the average of each item (None without scores)."""

    items: list[ScoreOut]
    total: int
    average: dict[str, float | None]
    #: Score forms held back: an invited expert sees the others' only after giving their own.
    hidden: int = 0


# Comparison -----------------------------------------------------------------------------------


class CompareColumn(Output, kw_only=True):
    """One design of the group: its sections and the expert scores under it."""

    design: DesignOut
    version: int | None
    sections: Sections
    sections_note: str
    scores: list[ScoreOut]
    average: dict[str, float | None]
    #: Score forms held back from an expert who has not scored this design yet.
    hidden_scores: int = 0
    #: The version's files, to open from the comparison (slides and video beside the text).
    document: FileOut | None
    slides: FileOut | None
    video: FileOut | None


class CompareOut(Output, kw_only=True):
    """The designs of one group side by side by section."""

    exchange_id: int
    group_id: int
    group_number: int
    section_names: dict[str, str]
    columns: list[CompareColumn]


# Highlights and library -----------------------------------------------------------------------


class HighlightIn(Input, kw_only=True):
    """Push a finished exchange to the city, with a short summary of what stood out."""

    summary: Annotated[str, Meta(max_length=5000, title="亮点摘要")] = ""


class HighlightOut(Output, kw_only=True):
    """A pushed (or accepted) highlight."""

    id: int
    exchange_id: int
    title: str
    content: str
    age_group: str
    domain: str
    county_id: int | None
    county_name: str | None
    summary: str
    status: Literal["pushed", "accepted"]
    pushed_at: dt.datetime
    accepted_at: dt.datetime | None
    designs: int


# Notifications --------------------------------------------------------------------------------


class NotificationOut(Output, kw_only=True):
    """An in-app notice."""

    id: int
    kind: str
    title: str
    body: str
    link: str
    created_at: dt.datetime
    read_at: dt.datetime | None


class NotificationPage(Output, kw_only=True):
    """A page of notices and the number still unread."""

    items: list[NotificationOut]
    total: int
    unread: int


class MarkedOut(Output, kw_only=True):
    """How many notices were marked read."""

    marked: int


class RemindOut(Output, kw_only=True):
    """What a reminder run did, per kind."""

    sent: dict[str, int]


class ProgressOut(Output, kw_only=True):
    """One followed participation: the teacher, the design's state and the deadline."""

    participant_id: int
    exchange_id: int
    exchange_title: str
    kindergarten_id: int
    kindergarten_name: str
    teacher_id: int
    teacher_name: str
    group_number: int | None = None
    design_id: int | None = None
    #: Versions uploaded so far (0: nothing yet).
    versions: int = 0
    submitted_at: dt.datetime | None = None
    design_deadline: dt.datetime
    #: Calendar days (city time) from today to the design deadline; negative once past.
    days_left: int
    overdue: bool = False
    may_nudge: bool = False
    may_nominate: bool = False


class ParticipantProgress(Output, kw_only=True):
    """One participant of an exchange: is the design in, and what has it received."""

    participant_id: int
    kindergarten_id: int
    kindergarten_name: str
    county_name: str
    teacher_id: int
    teacher_name: str
    design_id: int | None = None
    versions: int = 0
    submitted_at: dt.datetime | None = None
    #: Expert comments and replies on the design.
    comments: int = 0
    #: Expert score forms on the design.
    scores: int = 0
    #: No version uploaded yet.
    late: bool = False
    may_nudge: bool = False


class GroupProgress(Output, kw_only=True):
    """The participants of one group."""

    number: int
    members: list[ParticipantProgress]


class ExpertProgress(Output, kw_only=True):
    """What an invited expert has given and still owes."""

    person_id: int
    name: str
    comments: int
    scores: int
    #: Uploaded designs still lacking this expert's comment or score form.
    owing: int
    may_nudge: bool = False


class ExchangeProgressOut(Output, kw_only=True):
    """Where an exchange stands: ``designs_in`` of ``participants`` designs are in."""

    exchange_id: int
    participants: int
    designs_in: int
    groups: list[GroupProgress]
    experts: list[ExpertProgress]


class NudgeIn(Input, kw_only=True):
    """Whom to remind: the late teachers or the late experts, or some of them."""

    to: Annotated[Literal["teachers", "experts"], Meta(title="提醒对象")]
    person_ids: Annotated[
        list[Id], Meta(min_length=1, max_length=500, title="提醒的人员",
                       extra={"code": "nudge.unknown_person",
                              "message": "请至少选择一位要提醒的人员。"})
    ] | None = None


class PersonRef(Output, kw_only=True):
    """A person by id and name."""

    person_id: int
    name: str


class NudgeOut(Output, kw_only=True):
    """Who was reminded, who was reminded today already, who is not late."""

    to: str
    sent: list[PersonRef]
    already_sent: list[PersonRef]
    not_late: list[PersonRef]


class NominateIn(Input, kw_only=True):
    """The teacher who designs for the kindergarten from now on."""

    teacher_id: Annotated[Id, Meta(title="设计教师")]


class ProposalIn(Input, kw_only=True):
    """A zone officer's proposal: the teacher (of a zone kindergarten) and a short note."""

    teacher_id: Annotated[Id, Meta(title="推荐的教师")]
    note: Annotated[str, Meta(max_length=200, title="推荐说明")] = ""


class ProposalOut(Output, kw_only=True):
    """A proposal as the organisers and zone officers see it."""

    id: int
    kindergarten_id: int
    kindergarten_name: str
    teacher_id: int
    teacher_name: str
    note: str
    proposed_by_name: str
    proposed_at: dt.datetime
    #: The kindergarten takes part already (the organiser took the proposal).
    taken: bool = False
