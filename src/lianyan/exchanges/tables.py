"""Tables of the 同研异构 exchanges: exchanges, groups, designs, reviews, highlights, notices."""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from lianyan.org.tables import County, Kindergarten, Person


class Exchange(Table):
    """A 同研异构 exchange: one shared teaching content designed by several places."""

    id: Serial

    title = Varchar(length=100)
    #: 同一教学内容, e.g. 中班语言《小兔乖乖》.
    content = Varchar(length=200)
    age_group = Varchar(length=10)
    domain = Varchar(length=10)
    mode = Varchar(length=10)
    starts_at = Timestamptz()
    place = Varchar(length=200, default="")
    meeting_link = Varchar(length=500, default="")
    host = ForeignKey(references=Person, null=True)
    #: The organising county; None for a city-wide exchange created by the city.
    county = ForeignKey(references=County, null=True, index=True)
    design_deadline = Timestamptz()
    comment_deadline = Timestamptz()
    blind = Boolean(default=True)
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz()
    groups_confirmed_at = Timestamptz(null=True, default=None)


class ExchangeExpert(Table):
    """An expert invited to an exchange: they read and review all of its designs."""

    id: Serial

    exchange = ForeignKey(references=Exchange, null=False, index=True)
    expert = ForeignKey(references=Person, null=False, index=True)
    invited_by = Integer(null=True, default=None)
    invited_at = Timestamptz()


class ExchangeGroup(Table):
    """A group of participants that design the content side by side (第N组)."""

    id: Serial

    exchange = ForeignKey(references=Exchange, null=False, index=True)
    number = Integer()
    reason = Varchar(length=300, default="")


class Participant(Table):
    """A kindergarten taking part in an exchange, with the teacher who designs."""

    id: Serial

    exchange = ForeignKey(references=Exchange, null=False, index=True)
    group = ForeignKey(references=ExchangeGroup, null=True, index=True)
    kindergarten = ForeignKey(references=Kindergarten, null=False, index=True)
    #: The kindergarten's county when it was paired: the history query reads no other table.
    county = ForeignKey(references=County, null=False, index=True)
    teacher = ForeignKey(references=Person, null=False, index=True)
    created_at = Timestamptz()


class ParticipantProposal(Table):
    """A zone officer's proposal of a kindergarten of the zone (and its teacher) for an
    exchange; the organiser takes it into the pairing or leaves it."""

    id: Serial

    exchange = ForeignKey(references=Exchange, null=False, index=True)
    kindergarten = ForeignKey(references=Kindergarten, null=False)
    teacher = ForeignKey(references=Person, null=False)
    note = Varchar(length=200, default="")
    proposed_by = Integer(null=True, default=None)
    proposed_at = Timestamptz()


class Design(Table):
    """A participant's lesson design (教学设计); its content lives in versions."""

    id: Serial

    exchange = ForeignKey(references=Exchange, null=False, index=True)
    participant = ForeignKey(references=Participant, null=False, unique=True)
    title = Varchar(length=200, default="")
    #: Number of the newest version, 0 before the first upload.
    latest_version = Integer(default=0)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class DesignVersion(Table):
    """One version of a design: a bundle of document, slides, images and one video.

    Each upload makes a new version that carries the other parts forward, so any version
    shows the whole design as it stood. File ids refer to ``stored_file`` rows owned by the
    design (plain integers: a file row is never deleted while a version names it).
    """

    id: Serial

    design = ForeignKey(references=Design, null=False, index=True)
    number = Integer()
    #: Which part this version added: document / slides / image / video.
    change = Varchar(length=20)
    document_file_id = Integer(null=True, default=None)
    slides_file_id = Integer(null=True, default=None)
    video_file_id = Integer(null=True, default=None)
    image_file_ids = JSON(default="[]")
    #: 活动目标 / 活动准备 / 活动过程 / 活动延伸 extracted from the document at upload.
    sections = JSON(default="{}")
    sections_note = Varchar(length=200, default="")
    #: The Word document's whole text (at most ``sections.MAX_TEXT_CHARS``), for the search.
    text = Text(default="")
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz()


class Comment(Table):
    """An expert's comment on a design (专家点评) or a reply in its thread."""

    id: Serial

    design = ForeignKey(references=Design, null=False, index=True)
    version = ForeignKey(references=DesignVersion, null=False)
    parent: ForeignKey[Comment] = ForeignKey(references="self", null=True, default=None)
    author = ForeignKey(references=Person, null=False, index=True)
    #: ``expert`` or ``teacher`` (the design's teacher replying).
    role = Varchar(length=10)
    body = Text()
    #: The moment of the version's classroom video the comment is about (课堂观察 at 05:32).
    at_seconds = Integer(null=True, default=None)
    created_at = Timestamptz()
    edited_at = Timestamptz(null=True, default=None)


class ObservationNote(Table):
    """A participant's peer observation note (听课记录) on a design, kept apart from comments."""

    id: Serial

    design = ForeignKey(references=Design, null=False, index=True)
    version = ForeignKey(references=DesignVersion, null=False)
    author = ForeignKey(references=Person, null=False, index=True)
    body = Text()
    #: The moment of the version's classroom video the note is about.
    at_seconds = Integer(null=True, default=None)
    created_at = Timestamptz()


class Score(Table):
    """An expert's lesson score form (评课量表): five items 1–5, each with a short reason."""

    id: Serial

    design = ForeignKey(references=Design, null=False, index=True)
    version = ForeignKey(references=DesignVersion, null=False)
    expert = ForeignKey(references=Person, null=False, index=True)
    goal = Integer()
    goal_reason = Varchar(length=200)
    content = Integer()
    content_reason = Varchar(length=200)
    process = Integer()
    process_reason = Varchar(length=200)
    children = Integer()
    children_reason = Varchar(length=200)
    teacher = Integer()
    teacher_reason = Varchar(length=200)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class Highlight(Table):
    """A finished exchange pushed to the city (亮点推送); accepted ones form the library."""

    id: Serial

    exchange = ForeignKey(references=Exchange, null=False, unique=True)
    summary = Text(default="")
    #: ``pushed`` or ``accepted``.
    status = Varchar(length=10, default="pushed")
    pushed_by = Integer(null=True, default=None)
    pushed_at = Timestamptz()
    accepted_by = Integer(null=True, default=None)
    accepted_at = Timestamptz(null=True, default=None)


class Notification(Table):
    """An in-app notice to one person; ``dedupe_key`` makes reminders happen once."""

    id: Serial

    person = ForeignKey(references=Person, null=False, index=True)
    kind = Varchar(length=30)
    title = Varchar(length=200)
    body = Text(default="")
    link = Varchar(length=300, default="")
    #: Set for notices that must never repeat (reminders, pairing): unique when present.
    dedupe_key = Varchar(length=200, null=True, default=None, unique=True)
    created_at = Timestamptz()
    read_at = Timestamptz(null=True, default=None)


class OutboxMessage(Table):
    """A notice waiting for a mail/SMS sender to deliver it (the sender marks ``sent_at``)."""

    id: Serial

    notification = ForeignKey(references=Notification, null=False, index=True)
    person = ForeignKey(references=Person, null=False)
    channel = Varchar(length=10, default="sms")
    #: The phone number (or address) when the notice was written; empty if the person has none.
    address = Varchar(length=100, default="")
    subject = Varchar(length=200)
    body = Text(default="")
    created_at = Timestamptz()
    sent_at = Timestamptz(null=True, default=None)
    attempts = Integer(default=0)
