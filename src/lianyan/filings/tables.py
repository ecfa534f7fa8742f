"""Tables of the filings domain: rosters, themes, filings and what a filing holds."""

from __future__ import annotations

from piccolo.columns import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from lianyan.org.tables import County, Kindergarten, Zone


class LeadershipMember(Table):
    """One member of a county's leadership group (区域教研领导小组, 附件1) for one year."""

    id: Serial

    county = ForeignKey(references=County, null=False, index=True)
    year = Integer(index=True)
    position = Varchar(length=10)
    name = Varchar(length=50)
    unit = Varchar(length=100)
    title = Varchar(length=50, default="")
    phone = Varchar(length=20, default="")
    #: Order on the roster as entered: 组长, 副组长, then members.
    sort = Integer(default=0)
    updated_at = Timestamptz()


class AnnualTheme(Table):
    """A yearly theme activity set by the city (年度主题活动)."""

    id: Serial

    year = Integer(index=True)
    title = Varchar(length=100)
    description = Text(default="")
    created_at = Timestamptz()


class FilingDeadline(Table):
    """The filing deadline the city set for a year; absent means 28 February of that year."""

    id: Serial

    year = Integer(unique=True)
    due_on = Date()
    updated_at = Timestamptz()


class Filing(Table):
    """A county's annual filing to the city (one per county and year)."""

    id: Serial

    county = ForeignKey(references=County, null=False, index=True)
    year = Integer(index=True)
    status = Varchar(length=10, default="draft")
    note = Text(default="")
    #: The regional plan document (区域方案): a ``StoredFile`` id, owner type ``filing``.
    plan_file_id = Integer(null=True, default=None)
    #: The first submission decides lateness (see docs/filings.md).
    first_submitted_at = Timestamptz(null=True, default=None)
    last_submitted_at = Timestamptz(null=True, default=None)
    accepted_at = Timestamptz(null=True, default=None)
    returned_reason = Text(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class FilingEvent(Table):
    """One step in a filing's history: submit, return (with the reason), accept."""

    id: Serial

    filing = ForeignKey(references=Filing, null=False, index=True)
    action = Varchar(length=20)
    from_status = Varchar(length=10)
    to_status = Varchar(length=10)
    note = Text(default="")
    late = Boolean(default=False)
    actor_person_id = Integer(null=True, default=None)
    actor_name = Varchar(length=50, default="")
    at = Timestamptz()


class FiledActivity(Table):
    """One planned activity of the filing table (附件2)."""

    id: Serial

    filing = ForeignKey(references=Filing, null=False, index=True)
    title = Varchar(length=100)
    theme = ForeignKey(references=AnnualTheme, null=True)
    form = Varchar(length=20)
    starts_on = Date()
    ends_on = Date(null=True, default=None)
    zone = ForeignKey(references=Zone, null=False, index=True)
    place = Varchar(length=100)
    participants = Integer()
    is_large = Boolean(default=False)
    description = Text(default="")
    #: When the activity reached the city: the submission that carried it, or the moment it
    #: was added to an accepted filing (then ``filed_separately``). Null while in a draft.
    filed_at = Timestamptz(null=True, default=None)
    filed_separately = Boolean(default=False)
    created_at = Timestamptz()


class FilingDirection(Table):
    """One research-direction suggestion (附件3)."""

    id: Serial

    filing = ForeignKey(references=Filing, null=False, index=True)
    direction = Varchar(length=200)
    problem = Text()
    expected_results = Text()
    created_at = Timestamptz()


class CoverageReason(Table):
    """Why a kindergarten outside every zone is still uncovered, recorded on a filing."""

    id: Serial

    filing = ForeignKey(references=Filing, null=False, index=True)
    kindergarten = ForeignKey(references=Kindergarten, null=False)
    reason = Text()
    updated_at = Timestamptz()
