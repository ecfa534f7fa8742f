"""Rows of the organisation and logins: counties, zones, kindergartens, people, users."""

from __future__ import annotations

from typing import Any

from lianyan import clock
from lianyan.auth import services as auth_services
from lianyan.auth.passwords import hash_password
from lianyan.auth.tables import Account
from lianyan.org.tables import County, Kindergarten, Person, RoleAssignment, Zone
from lianyan.principal import Principal

PASSWORD = "correct-horse-battery"
_HASH: str | None = None


def _password_hash() -> str:
    # argon2 is slow by design: hash the shared test password once per session.
    global _HASH
    if _HASH is None:
        _HASH = hash_password(PASSWORD)
    return _HASH


async def county(code: str = "411282", name: str = "灵宝市", kind: str = "county_city") -> int:
    """A county; returns its id."""
    rows = await County.insert(County(code=code, name=name, kind=kind, created_at=clock.now()))
    return int(rows[0]["id"])


async def zone(county_id: int, name: str = "第一教研责任区") -> int:
    """A zone of a county; returns its id."""
    rows = await Zone.insert(Zone(county=county_id, name=name, created_at=clock.now()))
    return int(rows[0]["id"])


async def kindergarten(
    county_id: int,
    *,
    zone_id: int | None = None,
    name: str | None = None,
    locale: str = "urban",
    ownership: str = "public",
    level: str = "grade1",
) -> int:
    """A kindergarten; returns its id."""
    rows = await Kindergarten.insert(
        Kindergarten(
            county=county_id, zone=zone_id, name=name or f"幼儿园{clock.now().timestamp()}",
            locale=locale, ownership=ownership, level=level, created_at=clock.now(),
        )
    )
    return int(rows[0]["id"])


async def user(
    username: str,
    role: str | None,
    *,
    county_id: int | None = None,
    zone_id: int | None = None,
    kindergarten_id: int | None = None,
    name: str | None = None,
    phone: str | None = None,
) -> int:
    """A person with a login and (optionally) one role; returns the person id.

    Scoped roles also record the county (and zone) above their scope, as the services do.
    """
    if kindergarten_id is not None:
        row = await Kindergarten.select(Kindergarten.county, Kindergarten.zone).where(
            Kindergarten.id == kindergarten_id
        ).first()
        county_id, zone_id = row["county"], zone_id or row["zone"]
    elif zone_id is not None:
        row = await Zone.select(Zone.county).where(Zone.id == zone_id).first()
        county_id = row["county"]
    now = clock.now()
    person_id = (
        await Person.insert(
            Person(name=name or username, phone=phone, county=county_id,
                   kindergarten=kindergarten_id, created_at=now)
        )
    )[0]["id"]
    await Account.insert(
        Account(username=username, person=person_id, password_hash=_password_hash(),
                created_at=now)
    )
    if role is not None:
        await RoleAssignment.insert(
            RoleAssignment(person=person_id, role=role, county=county_id, zone=zone_id,
                           kindergarten=kindergarten_id, created_at=now)
        )
    return int(person_id)


async def principal(username: str) -> Principal:
    """The ``Principal`` of a user, for calling services directly."""
    row = await Account.select(
        Account.id, Account.username, Account.person.id, Account.person.name,
        Account.person.county,
    ).where(Account.username == username).first()
    return await auth_services.principal_for_person(
        row["person.id"], account_id=row["id"], username=row["username"],
        name=row["person.name"], home_county_id=row["person.county"],
    )


async def bearer(client: Any, username: str, password: str = PASSWORD) -> dict[str, str]:
    """Log in through the API; returns the Authorization header."""
    response = await client.post(
        "/api/v1/auth/login", json={"username": username, "password": password}
    )
    assert response.status_code == 200, response.text
    client.cookies.clear()
    return {"Authorization": f"Bearer {response.json()['token']}"}


async def person(
    name: str, role: str | None = None, *, kindergarten_id: int | None = None,
    county_id: int | None = None, phone: str | None = None,
) -> int:
    """A person without a login (as an import makes them), with an optional role; returns the
    person id."""
    zone_id = None
    if kindergarten_id is not None:
        row = await Kindergarten.select(Kindergarten.county, Kindergarten.zone).where(
            Kindergarten.id == kindergarten_id
        ).first()
        county_id, zone_id = row["county"], row["zone"]
    now = clock.now()
    person_id = int((await Person.insert(
        Person(name=name, phone=phone, county=county_id, kindergarten=kindergarten_id,
               created_at=now)
    ))[0]["id"])
    if role is not None:
        await RoleAssignment.insert(
            RoleAssignment(person=person_id, role=role, county=county_id, zone=zone_id,
                           kindergarten=kindergarten_id, created_at=now)
        )
    return person_id
