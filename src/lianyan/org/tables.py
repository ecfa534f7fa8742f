"""Tables of the organisation."""

from __future__ import annotations

from piccolo.columns import (
    Boolean,
    ForeignKey,
    Integer,
    Serial,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table


class County(Table):
    """A county-level division (县 / 县级市 / 区) with its GB/T 2260 code."""

    id: Serial

    code = Varchar(length=6, unique=True)
    name = Varchar(length=50)
    kind = Varchar(length=20)
    #: The county's education bureau, which issues and seals its documents (灵宝市教育体育局);
    #: empty: "<name>教育局".
    bureau = Varchar(length=100, default="")
    #: Its document-number prefix (发文字号 "灵教体〔2026〕3号" has the prefix 灵教体).
    doc_prefix = Varchar(length=20, default="")
    #: The text of its seal, when it differs from the bureau's name.
    seal = Varchar(length=100, default="")
    created_at = Timestamptz()


class Zone(Table):
    """A research responsibility zone (教研责任区) inside one county."""

    id: Serial

    county = ForeignKey(references=County, null=False, index=True)
    name = Varchar(length=100)
    #: Plain ids, not foreign keys: zone ↔ kindergarten ↔ person would form a cycle.
    lead_kindergarten_id = Integer(null=True, default=None)
    officer_id = Integer(null=True, default=None)
    created_at = Timestamptz()


class Kindergarten(Table):
    """A kindergarten (幼儿园): one county and, for full coverage, one zone."""

    id: Serial

    county = ForeignKey(references=County, null=False, index=True)
    zone = ForeignKey(references=Zone, null=True, index=True)
    name = Varchar(length=100)
    locale = Varchar(length=10)
    ownership = Varchar(length=20)
    level = Varchar(length=20)
    created_at = Timestamptz()


class Person(Table):
    """A person (人员): a teacher, a director, an officer or an expert."""

    id: Serial

    name = Varchar(length=50)
    phone = Varchar(length=20, null=True, default=None, unique=True)
    #: Where the person works: a kindergarten, or a bureau of a county (or the city).
    kindergarten = ForeignKey(references=Kindergarten, null=True, index=True)
    county = ForeignKey(references=County, null=True, index=True)
    unit = Varchar(length=100, default="")
    job_title = Varchar(length=50, default="")
    professional_title = Varchar(length=50, default="")
    created_at = Timestamptz()


class RoleAssignment(Table):
    """A role held by a person within a scope (city, county, zone or kindergarten)."""

    id: Serial

    person = ForeignKey(references=Person, null=False, index=True)
    role = Varchar(length=20)
    county = ForeignKey(references=County, null=True)
    zone = ForeignKey(references=Zone, null=True)
    kindergarten = ForeignKey(references=Kindergarten, null=True)
    active = Boolean(default=True)
    created_at = Timestamptz()
