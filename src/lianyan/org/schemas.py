"""API schemas of the organisation."""

from __future__ import annotations

from typing import Annotated

from msgspec import UNSET, Meta, UnsetType

from lianyan.schemas import (
    CountyCode,
    CountyKind,
    Id,
    Input,
    KindergartenLevel,
    Locale,
    Name,
    Output,
    Ownership,
    Phone,
    ShortName,
)

#: A bureau's name or seal text (灵宝市教育体育局): no control characters (PostgreSQL refuses NUL).
BureauName = Annotated[str, Meta(max_length=100, pattern=r"^[^\x00-\x1f]*$")]
#: A document-number prefix (灵教体 of 灵教体〔2026〕3号).
DocPrefix = Annotated[str, Meta(max_length=20, pattern=r"^[^\x00-\x1f〔〕\[\]]*$")]


class CountyIn(Input, kw_only=True):
    """A new county, with its education bureau as the issuing unit of its documents."""

    code: CountyCode
    name: ShortName
    kind: CountyKind
    bureau: BureauName = ""
    doc_prefix: DocPrefix = ""
    seal: BureauName = ""


class CountyPatch(Input, kw_only=True):
    """Changes to a county."""

    code: CountyCode | UnsetType = UNSET
    name: ShortName | UnsetType = UNSET
    kind: CountyKind | UnsetType = UNSET
    bureau: BureauName | UnsetType = UNSET
    doc_prefix: DocPrefix | UnsetType = UNSET
    seal: BureauName | UnsetType = UNSET


class CountyOut(Output, kw_only=True):
    """A county, with its bureau's name, document-number prefix and seal text (may be empty)."""

    id: int
    code: str
    name: str
    kind: str
    bureau: str = ""
    doc_prefix: str = ""
    seal: str = ""


class ZoneIn(Input, kw_only=True):
    """A new research responsibility zone."""

    county_id: Id
    name: Name
    lead_kindergarten_id: Id | None = None
    officer_id: Id | None = None


class ZonePatch(Input, kw_only=True):
    """Changes to a zone."""

    name: Name | UnsetType = UNSET
    lead_kindergarten_id: Id | UnsetType | None = UNSET
    officer_id: Id | UnsetType | None = UNSET


class ZoneOut(Output, kw_only=True):
    """A zone."""

    id: int
    county_id: int
    name: str
    lead_kindergarten_id: int | None
    officer_id: int | None


class KindergartenIn(Input, kw_only=True):
    """A new kindergarten."""

    county_id: Id
    zone_id: Id | None = None
    name: Name
    locale: Locale
    ownership: Ownership
    level: KindergartenLevel = "unrated"


class KindergartenPatch(Input, kw_only=True):
    """Changes to a kindergarten."""

    zone_id: Id | UnsetType | None = UNSET
    name: Name | UnsetType = UNSET
    locale: Locale | UnsetType = UNSET
    ownership: Ownership | UnsetType = UNSET
    level: KindergartenLevel | UnsetType = UNSET


class KindergartenOut(Output, kw_only=True):
    """A kindergarten, with the names of its county and zone."""

    id: int
    county_id: int
    county_name: str
    zone_id: int | None
    zone_name: str | None
    name: str
    locale: str
    ownership: str
    level: str


class PersonIn(Input, kw_only=True):
    """A new person; staff of a kindergarten take its county."""

    name: ShortName
    phone: Phone | None = None
    kindergarten_id: Id | None = None
    county_id: Id | None = None
    unit: str = ""
    job_title: str = ""
    professional_title: str = ""


class PersonPatch(Input, kw_only=True):
    """Changes to a person."""

    name: ShortName | UnsetType = UNSET
    phone: Phone | UnsetType | None = UNSET
    kindergarten_id: Id | UnsetType | None = UNSET
    unit: str | UnsetType = UNSET
    job_title: str | UnsetType = UNSET
    professional_title: str | UnsetType = UNSET


class PersonOut(Output, kw_only=True):
    """A person."""

    id: int
    name: str
    phone: str | None
    kindergarten_id: int | None
    county_id: int | None
    unit: str
    job_title: str
    professional_title: str


class RoleIn(Input, kw_only=True):
    """A role to grant, with its scope."""

    role: str
    county_id: Id | None = None
    zone_id: Id | None = None
    kindergarten_id: Id | None = None


class RoleOut(Output, kw_only=True):
    """A role held by a person."""

    id: int
    role: str
    county_id: int | None
    zone_id: int | None
    kindergarten_id: int | None


class Coverage(Output, kw_only=True):
    """Full coverage (全面覆盖) of a county: covered / total and who is left out."""

    total: int
    covered: int
    uncovered: list[KindergartenOut]


class ImportRowError(Output, kw_only=True):
    """One problem in an uploaded spreadsheet."""

    row: int
    column: str
    message: str


class ImportResult(Output, kw_only=True):
    """What an import created; a people import lists the new people (to open their logins)."""

    created: int
    person_ids: list[int] = []
