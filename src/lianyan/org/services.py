"""Rules of the organisation: who may see and change counties, zones, kindergartens, people.

Visibility (decided in docs/decisions.md): counties are a public list; the kindergarten
directory is open to officers city-wide (exchanges pair kindergartens across counties) and to
staff within their own county; people, with their phone numbers, only within the caller's scope.
Every function takes the caller as ``actor`` and raises ``lianyan.errors`` exceptions.
"""

from __future__ import annotations

from typing import Any

import msgspec
from piccolo.columns.combination import Where, WhereRaw

from lianyan import clock, db, indexing
from lianyan.audit import services as audit
from lianyan.db import atomic, filtered, is_sqlite
from lianyan.errors import Conflict, Forbidden, InvalidInput, NotFound
from lianyan.org import schemas as s
from lianyan.org.tables import County, Kindergarten, Person, RoleAssignment, Zone
from lianyan.principal import ROLE_NAMES, ROLE_SCOPE, Principal, Role
from lianyan.schemas import unset_to_dict

# Counties ------------------------------------------------------------------------------------

_COUNTY_COLUMNS = (County.id, County.code, County.name, County.kind, County.bureau,
                   County.doc_prefix, County.seal)


async def list_counties(actor: Principal) -> list[s.CountyOut]:
    """Every county, by code (a public list)."""
    rows = await County.select(*_COUNTY_COLUMNS).order_by(County.code)
    return [msgspec.convert(r, s.CountyOut) for r in rows]


async def get_county(actor: Principal, county_id: int) -> s.CountyOut:
    """One county."""
    row = await County.select(*_COUNTY_COLUMNS).where(County.id == county_id).first()
    if row is None:
        raise NotFound("county.not_found", "没有找到该县（市、区）。")
    return msgspec.convert(row, s.CountyOut)


def _require_city(actor: Principal) -> None:
    if not actor.is_city:
        raise Forbidden("auth.forbidden", "只有市教育局学前教育科可以进行此操作。")


async def create_county(actor: Principal, data: s.CountyIn) -> s.CountyOut:
    """Add a county (city only); its code must be unique."""
    _require_city(actor)
    async with atomic():
        if await County.exists().where(County.code == data.code):
            raise Conflict("county.code_taken", f"行政区划代码 {data.code} 已存在。")
        row = (
            await County.insert(
                County(code=data.code, name=data.name, kind=data.kind, bureau=data.bureau,
                       doc_prefix=data.doc_prefix, seal=data.seal, created_at=clock.now())
            )
        )[0]
        await audit.record(actor, "county.create", "county", row["id"], code=data.code)
    return await get_county(actor, row["id"])


async def update_county(actor: Principal, county_id: int, data: s.CountyPatch) -> s.CountyOut:
    """Change a county (city only)."""
    _require_city(actor)
    await get_county(actor, county_id)
    values = unset_to_dict(data)
    async with atomic():
        if "code" in values and await County.exists().where(
            (County.code == values["code"]) & (County.id != county_id)
        ):
            raise Conflict("county.code_taken", f"行政区划代码 {values['code']} 已存在。")
        if values:
            await County.update(values).where(County.id == county_id)
        await audit.record(actor, "county.update", "county", county_id, **values)
    return await get_county(actor, county_id)


# Zones ---------------------------------------------------------------------------------------

_ZONE_COLUMNS = (
    Zone.id,
    Zone.county.as_alias("county_id"),
    Zone.name,
    Zone.lead_kindergarten_id,
    Zone.officer_id,
)


def _zone_scope(actor: Principal) -> Where | WhereRaw | None:
    """Which zones the caller may read: None means all."""
    if actor.is_city or actor.has(Role.ADMIN):
        return None
    return Zone.county.is_in(list(actor.member_counties) or [0])


async def list_zones(
    actor: Principal, *, county_id: int | None, limit: int, offset: int
) -> tuple[list[s.ZoneOut], int]:
    """Zones the caller may read, by county and name."""
    query, count = filtered(Zone.select(*_ZONE_COLUMNS), Zone.count(), [_zone_scope(actor), Zone.county == county_id if county_id else None])
    rows = await query.order_by(Zone.county).order_by(Zone.id).limit(limit).offset(offset)
    return [msgspec.convert(r, s.ZoneOut) for r in rows], await count


async def get_zone(actor: Principal, zone_id: int) -> s.ZoneOut:
    """One zone, if the caller may read it."""
    query = Zone.select(*_ZONE_COLUMNS).where(Zone.id == zone_id)
    scope = _zone_scope(actor)
    if scope is not None:
        query = query.where(scope)
    row = await query.first()
    if row is None:
        raise NotFound("zone.not_found", "没有找到该教研责任区。")
    return msgspec.convert(row, s.ZoneOut)


def _require_county_officer(actor: Principal, county_id: int) -> None:
    if not actor.officer_of_county(county_id):
        raise Forbidden("auth.forbidden", "只有本县（市、区）的教研负责人或市教育局可以进行此操作。")


async def _check_zone_refs(
    county_id: int, lead_kindergarten_id: int | None, officer_id: int | None
) -> None:
    if lead_kindergarten_id is not None and not await Kindergarten.exists().where(
        (Kindergarten.id == lead_kindergarten_id) & (Kindergarten.county == county_id)
    ):
        raise InvalidInput("zone.lead_kindergarten", "核心园必须是本县（市、区）的幼儿园。")
    if officer_id is not None and not await Person.exists().where(
        (Person.id == officer_id) & (Person.county == county_id)
    ):
        raise InvalidInput("zone.officer", "教研员必须是本县（市、区）登记的人员。")


async def create_zone(actor: Principal, data: s.ZoneIn) -> s.ZoneOut:
    """Add a zone to a county (its officers or the city)."""
    await get_county(actor, data.county_id)
    _require_county_officer(actor, data.county_id)
    await _check_zone_refs(data.county_id, data.lead_kindergarten_id, data.officer_id)
    async with atomic():
        row = (
            await Zone.insert(
                Zone(
                    county=data.county_id,
                    name=data.name,
                    lead_kindergarten_id=data.lead_kindergarten_id,
                    officer_id=data.officer_id,
                    created_at=clock.now(),
                )
            )
        )[0]
        if data.lead_kindergarten_id is not None:
            # The lead kindergarten of a zone is by definition one of its members.
            await Kindergarten.update({Kindergarten.zone: row["id"]}).where(
                Kindergarten.id == data.lead_kindergarten_id
            )
        await audit.record(actor, "zone.create", "zone", row["id"], name=data.name)
    return await get_zone(actor, row["id"])


async def update_zone(actor: Principal, zone_id: int, data: s.ZonePatch) -> s.ZoneOut:
    """Change a zone (its county's officers or the city)."""
    zone = await get_zone(actor, zone_id)
    _require_county_officer(actor, zone.county_id)
    values = unset_to_dict(data)
    await _check_zone_refs(
        zone.county_id, values.get("lead_kindergarten_id"), values.get("officer_id")
    )
    async with atomic():
        if values:
            await Zone.update(values).where(Zone.id == zone_id)
        if values.get("lead_kindergarten_id"):
            await Kindergarten.update({Kindergarten.zone: zone_id}).where(
                Kindergarten.id == values["lead_kindergarten_id"]
            )
        await audit.record(actor, "zone.update", "zone", zone_id, **values)
    return await get_zone(actor, zone_id)


# Kindergartens -------------------------------------------------------------------------------

_KG_COLUMNS = (
    Kindergarten.id,
    Kindergarten.county.as_alias("county_id"),
    Kindergarten.county.name.as_alias("county_name"),
    Kindergarten.zone.as_alias("zone_id"),
    Kindergarten.zone.name.as_alias("zone_name"),
    Kindergarten.name,
    Kindergarten.locale,
    Kindergarten.ownership,
    Kindergarten.level,
)


def kindergarten_scope(actor: Principal) -> Where | WhereRaw | None:
    """Which kindergartens the caller may read, as a condition on ``Kindergarten`` (None: all)."""
    return _kindergarten_scope(actor)


def person_scope(actor: Principal) -> Any:
    """Which people the caller may read, as a condition on ``Person`` (None: all)."""
    return _person_scope(actor)


def _kindergarten_scope(actor: Principal) -> Where | WhereRaw | None:
    """Which kindergartens the caller may read: None means all."""
    if actor.is_city or actor.has(Role.ADMIN, Role.COUNTY_OFFICER, Role.ZONE_OFFICER):
        return None
    return Kindergarten.county.is_in(list(actor.member_counties) or [0])


async def list_kindergartens(
    actor: Principal,
    *,
    county_id: int | None = None,
    zone_id: int | None = None,
    q: str | None = None,
    uncovered: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[s.KindergartenOut], int]:
    """Kindergartens the caller may read, filtered, in two queries whatever the page size."""
    conditions: list[Any] = [_kindergarten_scope(actor)]
    if county_id:
        conditions.append(Kindergarten.county == county_id)
    if zone_id:
        conditions.append(Kindergarten.zone == zone_id)
    if q:
        conditions.append(Kindergarten.name.like(f"%{q.strip()}%"))
    if uncovered:
        conditions.append(Kindergarten.zone.is_null())
    query, count = filtered(Kindergarten.select(*_KG_COLUMNS), Kindergarten.count(), conditions)
    rows = await query.order_by(Kindergarten.county).order_by(Kindergarten.id).limit(
        limit
    ).offset(offset)
    total = await db.page_total(rows, count, limit=limit, offset=offset)
    return [msgspec.convert(r, s.KindergartenOut) for r in rows], total


async def get_kindergarten(actor: Principal, kindergarten_id: int) -> s.KindergartenOut:
    """One kindergarten, if the caller may read it."""
    query = Kindergarten.select(*_KG_COLUMNS).where(Kindergarten.id == kindergarten_id)
    scope = _kindergarten_scope(actor)
    if scope is not None:
        query = query.where(scope)
    row = await query.first()
    if row is None:
        raise NotFound("kindergarten.not_found", "没有找到该幼儿园。")
    return msgspec.convert(row, s.KindergartenOut)


async def _check_zone_in_county(zone_id: int | None, county_id: int) -> None:
    if zone_id is not None and not await Zone.exists().where(
        (Zone.id == zone_id) & (Zone.county == county_id)
    ):
        raise InvalidInput("kindergarten.zone", "所选教研责任区不属于该幼儿园所在的县（市、区）。")


async def create_kindergarten(actor: Principal, data: s.KindergartenIn) -> s.KindergartenOut:
    """Add a kindergarten (its county's officers or the city)."""
    await get_county(actor, data.county_id)
    _require_county_officer(actor, data.county_id)
    await _check_zone_in_county(data.zone_id, data.county_id)
    async with atomic():
        row = (
            await Kindergarten.insert(
                Kindergarten(
                    county=data.county_id,
                    zone=data.zone_id,
                    name=data.name,
                    locale=data.locale,
                    ownership=data.ownership,
                    level=data.level,
                    created_at=clock.now(),
                )
            )
        )[0]
        await audit.record(actor, "kindergarten.create", "kindergarten", row["id"], name=data.name)
        await indexing.changed("kindergarten", row["id"])
    return await get_kindergarten(actor, row["id"])


async def update_kindergarten(
    actor: Principal, kindergarten_id: int, data: s.KindergartenPatch
) -> s.KindergartenOut:
    """Change a kindergarten (its county's officers or the city)."""
    current = await get_kindergarten(actor, kindergarten_id)
    _require_county_officer(actor, current.county_id)
    values = unset_to_dict(data)
    if "zone_id" in values:
        await _check_zone_in_county(values["zone_id"], current.county_id)  # type: ignore[arg-type]
        values["zone"] = values.pop("zone_id")
    async with atomic():
        if values:
            await Kindergarten.update(values).where(Kindergarten.id == kindergarten_id)
        await audit.record(
            actor, "kindergarten.update", "kindergarten", kindergarten_id, **values
        )
        await indexing.changed("kindergarten", kindergarten_id)
    return await get_kindergarten(actor, kindergarten_id)


async def coverage(actor: Principal, county_id: int) -> s.Coverage:
    """Full coverage of a county: how many kindergartens belong to a zone, and who does not."""
    await get_county(actor, county_id)
    if not (actor.officer_of_county(county_id) or county_id in actor.counties(Role.ZONE_OFFICER)):
        raise Forbidden("auth.forbidden", "只有本县（市、区）的教研负责人或市教育局可以查看覆盖情况。")
    total = await Kindergarten.count().where(Kindergarten.county == county_id)
    uncovered_rows = await Kindergarten.select(*_KG_COLUMNS).where(
        (Kindergarten.county == county_id) & Kindergarten.zone.is_null()
    ).order_by(Kindergarten.id)
    return s.Coverage(
        total=total,
        covered=total - len(uncovered_rows),
        uncovered=[msgspec.convert(r, s.KindergartenOut) for r in uncovered_rows],
    )


# People --------------------------------------------------------------------------------------

_PERSON_COLUMNS = (
    Person.id,
    Person.name,
    Person.phone,
    Person.kindergarten.as_alias("kindergarten_id"),
    Person.county.as_alias("county_id"),
    Person.unit,
    Person.job_title,
    Person.professional_title,
)


def _person_scope(actor: Principal) -> Any:
    """Which people the caller may read: None means all."""
    if actor.is_city or actor.has(Role.ADMIN):
        return None
    condition: Any = Person.id == actor.person_id
    if counties := actor.counties(Role.COUNTY_OFFICER):
        condition = condition | Person.county.is_in(list(counties))
    if zones := actor.zones(Role.ZONE_OFFICER):
        condition = condition | Person.kindergarten.zone.is_in(list(zones))
    if kindergartens := actor.kindergartens(Role.DIRECTOR):
        condition = condition | Person.kindergarten.is_in(list(kindergartens))
    return condition


def _grams_of(text: str) -> list[str]:
    """The one or two ``person_gram`` grams a search for ``text`` narrows by."""
    text = text.lower()
    if len(text) == 1:
        return [text]
    pairs = [text[i:i + 2] for i in range(len(text) - 1)]
    return sorted({pairs[0], pairs[-1]})


def _has_gram(gram: str) -> WhereRaw:
    return WhereRaw("person.id IN (SELECT person FROM person_gram WHERE gram = {})", gram)


def people_search(q: str) -> Any:
    """People whose name contains ``q`` (any case), or whose phone contains it (four digits or more).

    The ``LIKE`` decides; it only ever runs on the people that hold the grams of ``q`` in
    ``person_gram`` (org migration ``2026-11-25T22:00:00``), an index look-up, so a search
    costs the same in a city and in a province. Fewer than four digits do not search phones.
    """
    # SQLite's LIKE ignores ASCII case already (Piccolo warns on ilike there).
    name = Person.name.like if is_sqlite() else Person.name.ilike
    condition: Any = name(f"%{q}%")
    for gram in _grams_of(q):
        condition = condition & _has_gram(gram)
    if q.isdigit() and len(q) >= 4:
        phone: Any = Person.phone.like(f"%{q}%")
        for gram in sorted({q[:4], q[-4:]}):
            phone = phone & _has_gram(f"#{gram}")
        condition = condition | phone
    return condition


async def list_people(
    actor: Principal,
    *,
    county_id: int | None = None,
    kindergarten_id: int | None = None,
    q: str | None = None,
    limit: int = 50,
    offset: int = 0,
    person_ids: list[int] | None = None,
    where: Any = None,
) -> tuple[list[s.PersonOut], int]:
    """People the caller may read, in two queries whatever the page size; ``where`` is one more
    condition on ``Person`` from a domain above (auth keeps those without a login)."""
    conditions: list[Any] = [_person_scope(actor), where]
    if person_ids is not None:
        conditions.append(Person.id.is_in(person_ids or [0]))
    if county_id:
        conditions.append(Person.county == county_id)
    if kindergarten_id:
        conditions.append(Person.kindergarten == kindergarten_id)
    if q and q.strip():
        conditions.append(people_search(q.strip()))
    query, count = filtered(Person.select(*_PERSON_COLUMNS), Person.count(), conditions)
    rows = await query.order_by(Person.id).limit(limit).offset(offset)
    total = await db.page_total(rows, count, limit=limit, offset=offset)
    return [msgspec.convert(r, s.PersonOut) for r in rows], total


async def get_person(actor: Principal, person_id: int) -> s.PersonOut:
    """One person, if the caller may read them."""
    query = Person.select(*_PERSON_COLUMNS).where(Person.id == person_id)
    scope = _person_scope(actor)
    if scope is not None:
        query = query.where(scope)
    row = await query.first()
    if row is None:
        raise NotFound("person.not_found", "没有找到该人员。")
    return msgspec.convert(row, s.PersonOut)


async def _may_manage_person(actor: Principal, county_id: int | None, kg_id: int | None) -> bool:
    if actor.is_city or actor.has(Role.ADMIN):
        return True
    if county_id is not None and county_id in actor.counties(Role.COUNTY_OFFICER):
        return True
    return kg_id is not None and kg_id in actor.kindergartens(Role.DIRECTOR)


async def _resolve_unit(kindergarten_id: int | None, county_id: int | None) -> tuple[int | None, str]:
    """A person's county follows their kindergarten; returns (county_id, unit name)."""
    if kindergarten_id is None:
        if county_id is not None and not await County.exists().where(County.id == county_id):
            raise InvalidInput("person.county", "没有找到该县（市、区）。")
        return county_id, ""
    row = await Kindergarten.select(Kindergarten.county, Kindergarten.name).where(
        Kindergarten.id == kindergarten_id
    ).first()
    if row is None:
        raise InvalidInput("person.kindergarten", "没有找到该幼儿园。")
    return row["county"], row["name"]


async def create_person(actor: Principal, data: s.PersonIn) -> s.PersonOut:
    """Add a person within the caller's scope; a phone number belongs to one person."""
    county_id, unit = await _resolve_unit(data.kindergarten_id, data.county_id)
    if not await _may_manage_person(actor, county_id, data.kindergarten_id):
        raise Forbidden("auth.forbidden", "您只能添加本单位或本县（市、区）的人员。")
    async with atomic():
        if data.phone and await Person.exists().where(Person.phone == data.phone):
            raise Conflict("person.phone_taken", f"手机号 {data.phone} 已登记给其他人员。")
        row = (
            await Person.insert(
                Person(
                    name=data.name,
                    phone=data.phone,
                    kindergarten=data.kindergarten_id,
                    county=county_id,
                    unit=data.unit or unit,
                    job_title=data.job_title,
                    professional_title=data.professional_title,
                    created_at=clock.now(),
                )
            )
        )[0]
        await audit.record(actor, "person.create", "person", row["id"], name=data.name)
        await indexing.changed("person", row["id"])
    return await get_person(actor, row["id"])


async def update_person(actor: Principal, person_id: int, data: s.PersonPatch) -> s.PersonOut:
    """Change a person within the caller's scope."""
    current = await get_person(actor, person_id)
    if not await _may_manage_person(actor, current.county_id, current.kindergarten_id):
        raise Forbidden("auth.forbidden", "您只能修改本单位或本县（市、区）的人员。")
    values = unset_to_dict(data)
    if "kindergarten_id" in values:
        county_id, unit = await _resolve_unit(values["kindergarten_id"], current.county_id)  # type: ignore[arg-type]
        if not await _may_manage_person(actor, county_id, values["kindergarten_id"]):  # type: ignore[arg-type]
            raise Forbidden("auth.forbidden", "您只能把人员调入本县（市、区）的幼儿园。")
        values["kindergarten"] = values.pop("kindergarten_id")
        values["county"] = county_id
        values.setdefault("unit", unit)
    async with atomic():
        if values.get("phone") and await Person.exists().where(
            (Person.phone == values["phone"]) & (Person.id != person_id)
        ):
            raise Conflict("person.phone_taken", f"手机号 {values['phone']} 已登记给其他人员。")
        if values:
            await Person.update(values).where(Person.id == person_id)
        await audit.record(actor, "person.update", "person", person_id, **values)
        await indexing.changed("person", person_id)
    return await get_person(actor, person_id)


# Roles ---------------------------------------------------------------------------------------

_ROLE_COLUMNS = (
    RoleAssignment.id,
    RoleAssignment.role,
    RoleAssignment.county.as_alias("county_id"),
    RoleAssignment.zone.as_alias("zone_id"),
    RoleAssignment.kindergarten.as_alias("kindergarten_id"),
)


async def list_roles(actor: Principal, person_id: int) -> list[s.RoleOut]:
    """The active roles of a person the caller may read."""
    await get_person(actor, person_id)
    rows = await RoleAssignment.select(*_ROLE_COLUMNS).where(
        (RoleAssignment.person == person_id) & (RoleAssignment.active == True)  # noqa: E712
    ).order_by(RoleAssignment.id)
    return [msgspec.convert(r, s.RoleOut) for r in rows]


async def normalise_scope(data: s.RoleIn) -> s.RoleIn:
    """Fill a role's scope from its most specific part and check it fits the role."""
    if data.role not in ROLE_SCOPE:
        raise InvalidInput("role.unknown", f"未知角色“{data.role}”。可选：{'、'.join(ROLE_SCOPE)}。")
    county_id, zone_id, kg_id = data.county_id, data.zone_id, data.kindergarten_id
    # The most specific part decides the parts above it; a part sent that disagrees with it
    # is refused, so a scope can never reach into another county or zone.
    mismatch = InvalidInput("role.scope", "所选幼儿园、教研责任区和县（市、区）不一致。")
    if zone_id is not None:
        zone_row = await Zone.select(Zone.county).where(Zone.id == zone_id).first()
        if zone_row is None:
            raise InvalidInput("role.scope", "没有找到该教研责任区。")
        if county_id is not None and county_id != zone_row["county"]:
            raise mismatch
        county_id = zone_row["county"]
    if kg_id is not None:
        row = await Kindergarten.select(Kindergarten.county, Kindergarten.zone).where(
            Kindergarten.id == kg_id
        ).first()
        if row is None:
            raise InvalidInput("role.scope", "没有找到该幼儿园。")
        if county_id is not None and county_id != row["county"]:
            raise mismatch
        if zone_id is not None and zone_id != row["zone"]:
            raise mismatch
        county_id, zone_id = row["county"], row["zone"]
    elif county_id is not None and zone_id is None and not await County.exists().where(
        County.id == county_id
    ):
        raise InvalidInput("role.scope", "没有找到该县（市、区）。")
    scope = ROLE_SCOPE[data.role]
    name = ROLE_NAMES[data.role]
    needed = {
        "county": county_id is not None,
        "zone": data.zone_id is not None,
        "kindergarten": kg_id is not None,
        "city": True,
        "any": True,
    }[scope]
    if not needed:
        label = {"county": "县（市、区）", "zone": "教研责任区", "kindergarten": "幼儿园"}[scope]
        raise InvalidInput("role.scope", f"“{name}”角色必须指定所在{label}。")
    if scope == "city":
        county_id = zone_id = kg_id = None
    if scope == "county":
        zone_id = kg_id = None
    if scope == "zone":
        kg_id = None
    return s.RoleIn(role=data.role, county_id=county_id, zone_id=zone_id, kindergarten_id=kg_id)


def _may_grant(actor: Principal, role: s.RoleIn) -> bool:
    if actor.has(Role.ADMIN):
        return True
    if actor.is_city:
        return role.role != Role.ADMIN
    if role.county_id is not None and role.county_id in actor.counties(Role.COUNTY_OFFICER):
        return role.role in (Role.ZONE_OFFICER, Role.DIRECTOR, Role.TEACHER, Role.EXPERT)
    if role.kindergarten_id is not None and role.kindergarten_id in actor.kindergartens(
        Role.DIRECTOR
    ):
        return role.role == Role.TEACHER
    return False


async def grant_role(
    actor: Principal | None, person_id: int, data: s.RoleIn
) -> s.RoleOut:
    """Give a person a role in a scope; ``actor=None`` is the command line."""
    if actor is not None:
        await get_person(actor, person_id)
    elif not await Person.exists().where(Person.id == person_id):
        raise NotFound("person.not_found", "没有找到该人员。")
    role = await normalise_scope(data)
    if actor is not None and not _may_grant(actor, role):
        raise Forbidden("role.forbidden", f"您不能授予“{ROLE_NAMES[role.role]}”角色或该范围的角色。")
    async with atomic():
        existing = await RoleAssignment.select(RoleAssignment.id).where(
            (RoleAssignment.person == person_id)
            & (RoleAssignment.role == role.role)
            & (RoleAssignment.active == True)  # noqa: E712
            & _eq_or_null(RoleAssignment.county, role.county_id)
            & _eq_or_null(RoleAssignment.zone, role.zone_id)
            & _eq_or_null(RoleAssignment.kindergarten, role.kindergarten_id)
        ).first()
        if existing is not None:
            role_id = existing["id"]
        else:
            role_id = (
                await RoleAssignment.insert(
                    RoleAssignment(
                        person=person_id,
                        role=role.role,
                        county=role.county_id,
                        zone=role.zone_id,
                        kindergarten=role.kindergarten_id,
                        created_at=clock.now(),
                    )
                )
            )[0]["id"]
            if role.role == Role.EXPERT and role.county_id is not None:
                # An expert's scope records where they work: the conflict-of-interest rules
                # compare it with the county of what they review.
                await Person.update({Person.county: role.county_id}).where(
                    (Person.id == person_id) & Person.county.is_null()
                )
            await audit.record(actor, "role.grant", "person", person_id, role=role.role)
    row = await RoleAssignment.select(*_ROLE_COLUMNS).where(RoleAssignment.id == role_id).first()
    return msgspec.convert(row, s.RoleOut)


def _eq_or_null(column: Any, value: int | None) -> Any:
    return column.is_null() if value is None else column == value
