"""Tables of research topics (课题): the topic, its members, history, documents and reviews."""

from __future__ import annotations

from piccolo.columns import (
    Date,
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from lianyan.files.tables import StoredFile
from lianyan.org.tables import County, Kindergarten, Person


class Topic(Table):
    """A research topic of one county and one research year."""

    id: Serial

    county = ForeignKey(references=County, null=False, index=True)
    year = Integer(index=True)
    title = Varchar(length=200)
    direction = Varchar(length=200)
    level = Varchar(length=20)
    lead_unit = Varchar(length=100, default="")
    host = ForeignKey(
        references=Person, null=True, index=True, on_delete=OnDelete.set_null
    )
    #: The host's kindergarten, kept so that its director may manage the topic.
    kindergarten = ForeignKey(
        references=Kindergarten, null=True, index=True, on_delete=OnDelete.set_null
    )
    abstract = Text(default="")
    #: Keywords joined by newlines (a keyword never holds one).
    keywords = Text(default="")
    planned_start = Date(null=True, default=None)
    planned_end = Date(null=True, default=None)
    status = Varchar(length=20, default="draft", index=True)
    grade = Varchar(length=20, null=True, default=None)
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class TopicMember(Table):
    """A member of a topic's research team, with their role in it (e.g. 核心成员)."""

    id: Serial

    topic = ForeignKey(references=Topic, null=False, index=True)
    person = ForeignKey(references=Person, null=False, index=True)
    role = Varchar(length=50, default="成员")
    position = Integer(default=0)


class TopicEvent(Table):
    """One step in a topic's history: who took it, when, from which state to which."""

    id: Serial

    topic = ForeignKey(references=Topic, null=False, index=True)
    action = Varchar(length=20)
    from_status = Varchar(length=20)
    to_status = Varchar(length=20)
    actor_person_id = Integer(null=True, default=None)
    actor_name = Varchar(length=50, default="")
    note = Text(default="")
    grade = Varchar(length=20, null=True, default=None)
    at = Timestamptz()


class TopicDocument(Table):
    """One uploaded version of a stage document (申报书, 开题报告 …) or a result file."""

    id: Serial

    topic = ForeignKey(references=Topic, null=False, index=True)
    kind = Varchar(length=20)
    version = Integer()
    file = ForeignKey(references=StoredFile, null=False)
    uploader_id = Integer(null=True, default=None)
    created_at = Timestamptz()


class TopicReview(Table):
    """An expert's invitation to review a topic's application, and their score form."""

    id: Serial

    topic = ForeignKey(references=Topic, null=False, index=True)
    expert = ForeignKey(references=Person, null=False, index=True)
    invited_by = Integer(null=True, default=None)
    invited_at = Timestamptz()
    value = Integer(null=True, default=None)
    design = Integer(null=True, default=None)
    feasibility = Integer(null=True, default=None)
    outcomes = Integer(null=True, default=None)
    comment = Text(default="")
    submitted_at = Timestamptz(null=True, default=None)
    updated_at = Timestamptz(null=True, default=None)
