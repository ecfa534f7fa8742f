"""Keeping the search index in step with the content (docs/search.md, "The index").

Each kind has a reader that copies the searchable text of some rows from the owning domain's
tables (reading downward, as ``reports/data.py`` does) into :class:`Doc`; :func:`refresh`
replaces their ``search_doc`` rows and grams. Content domains call
``lianyan.indexing.changed(kind, *ids)`` after a change, in their own transaction;
:func:`install` connects that hook to :func:`refresh`. ``lianyan search reindex`` (and the
demo) rebuild everything with :func:`reindex_all`.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from lianyan import clock, db, indexing
from lianyan.exchanges.tables import Design, DesignVersion, Highlight
from lianyan.filings.tables import FiledActivity
from lianyan.labels import ACTIVITY_FORM, TOPIC_STATUS
from lianyan.org.tables import Kindergarten, Person
from lianyan.search.grams import doc_grams
from lianyan.search.tables import SearchDoc
from lianyan.topics.tables import Topic

#: Kinds of documents, as the API's ``type`` names them, with their Chinese names.
KINDS = {
    "design": "教学设计",
    "topic": "课题",
    "activity": "备案活动",
    "library": "资源库",
    "kindergarten": "幼儿园",
    "person": "人员",
}
#: Longest body kept per document (a design's Word text is cut to this too).
MAX_BODY_CHARS = 60_000
#: Rows written per statement when (re)building in bulk.
BATCH = 500


@dataclass(slots=True)
class Doc:
    """The searchable copy of one row."""

    kind: str
    ref_id: int
    title: str
    body: str = ""
    county_id: int | None = None
    year: int | None = None
    domain: str = ""
    age_group: str = ""
    meta: str = ""
    link: str = ""
    exchange_id: int | None = None
    group_id: int | None = None


def _year(value: Any) -> int | None:
    return clock.local(value).year if value is not None else None


def _sections_text(value: Any) -> str:
    if isinstance(value, str | bytes):
        value = json.loads(value or "{}")
    return "\n".join(v for v in (value or {}).values() if isinstance(v, str))


async def _designs(ids: Sequence[int]) -> list[Doc]:
    rows = await Design.select(
        Design.id, Design.title, Design.latest_version,
        Design.participant.county.as_alias("county_id"),
        Design.exchange.as_alias("exchange_id"),
        Design.participant.group.as_alias("group_id"),
        Design.participant._.county.name.as_alias("county_name"),
        Design.participant._.kindergarten.name.as_alias("kindergarten_name"),
        Design.participant._.teacher.name.as_alias("teacher_name"),
        Design.exchange._.title.as_alias("exchange_title"),
        Design.exchange._.starts_at.as_alias("starts_at"),
        Design.exchange._.domain.as_alias("domain"),
        Design.exchange._.age_group.as_alias("age_group"),
    ).where(Design.id.is_in(list(ids)))
    versions: dict[int, dict[str, Any]] = {}
    if rows:
        for v in await DesignVersion.select(
            DesignVersion.design, DesignVersion.number, DesignVersion.sections,
            DesignVersion.text,
        ).where(DesignVersion.design.is_in([r["id"] for r in rows])).order_by(
            DesignVersion.number
        ):
            versions[v["design"]] = v  # the newest wins
    docs = []
    for r in rows:
        version = versions.get(r["id"])
        body = ""
        if version is not None:
            body = f"{_sections_text(version['sections'])}\n{version['text'] or ''}"
        docs.append(Doc(
            "design", r["id"], r["title"], body.strip(), r["county_id"], _year(r["starts_at"]),
            r["domain"] or "", r["age_group"] or "",
            f"{r['county_name']} · {r['kindergarten_name']} · {r['teacher_name']}"
            f" · {r['exchange_title']}",
            f"/designs/{r['id']}", r["exchange_id"], r["group_id"],
        ))
    return docs


async def _topics(ids: Sequence[int]) -> list[Doc]:
    rows = await Topic.select(
        Topic.id, Topic.title, Topic.abstract, Topic.keywords, Topic.direction, Topic.year,
        Topic.county, Topic.county.name.as_alias("county_name"), Topic.status,
    ).where(Topic.id.is_in(list(ids)))
    return [
        Doc("topic", r["id"], r["title"],
            f"{r['keywords'] or ''}\n{r['direction'] or ''}\n{r['abstract'] or ''}".strip(),
            r["county"], r["year"],
            meta=f"{r['county_name']} · {r['year']} 年 · {TOPIC_STATUS.get(r['status'], '')}",
            link=f"/topics/{r['id']}")
        for r in rows
    ]


async def _activities(ids: Sequence[int]) -> list[Doc]:
    rows = await FiledActivity.select(
        FiledActivity.id, FiledActivity.title, FiledActivity.description, FiledActivity.place,
        FiledActivity.form, FiledActivity.starts_on,
        FiledActivity.filing.as_alias("filing_id"),
        FiledActivity.filing._.county.as_alias("county_id"),
        FiledActivity.filing._.county._.name.as_alias("county_name"),
        FiledActivity.filing._.year.as_alias("year"),
        FiledActivity.zone._.name.as_alias("zone_name"),
    ).where(FiledActivity.id.is_in(list(ids)))
    return [
        Doc("activity", r["id"], r["title"], f"{r['description'] or ''}\n{r['place'] or ''}",
            r["county_id"], r["year"],
            meta=f"{r['county_name']} · {r['zone_name']} · {ACTIVITY_FORM.get(r['form'], '')}"
                 f" · {r['starts_on']}",
            link=f"/filings/{r['filing_id']}")
        for r in rows
    ]


async def _library(ids: Sequence[int]) -> list[Doc]:
    rows = await Highlight.select(
        Highlight.id, Highlight.summary, Highlight.exchange.as_alias("exchange_id"),
        Highlight.exchange._.title.as_alias("title"),
        Highlight.exchange._.content.as_alias("content"),
        Highlight.exchange._.county.as_alias("county_id"),
        Highlight.exchange._.county._.name.as_alias("county_name"),
        Highlight.exchange._.starts_at.as_alias("starts_at"),
        Highlight.exchange._.domain.as_alias("domain"),
        Highlight.exchange._.age_group.as_alias("age_group"),
    ).where(Highlight.id.is_in(list(ids)))
    return [
        Doc("library", r["id"], r["title"], f"{r['content'] or ''}\n{r['summary'] or ''}",
            r["county_id"], _year(r["starts_at"]), r["domain"] or "", r["age_group"] or "",
            meta=f"{r['county_name'] or '市教育局'} · 同研异构精选",
            link=f"/exchanges/{r['exchange_id']}", exchange_id=r["exchange_id"])
        for r in rows
    ]


async def _kindergartens(ids: Sequence[int]) -> list[Doc]:
    rows = await Kindergarten.select(
        Kindergarten.id, Kindergarten.name, Kindergarten.county,
        Kindergarten.county.name.as_alias("county_name"),
        Kindergarten.zone._.name.as_alias("zone_name"),
    ).where(Kindergarten.id.is_in(list(ids)))
    return [
        Doc("kindergarten", r["id"], r["name"], "", r["county"],
            meta=" · ".join(x for x in (r["county_name"], r["zone_name"]) if x),
            link=f"/org/kindergartens?county_id={r['county']}&q={r['name']}")
        for r in rows
    ]


async def _people(ids: Sequence[int]) -> list[Doc]:
    rows = await Person.select(
        Person.id, Person.name, Person.county, Person.unit, Person.job_title,
        Person.county.name.as_alias("county_name"),
    ).where(Person.id.is_in(list(ids)))
    return [
        Doc("person", r["id"], r["name"], "", r["county"],
            meta=" · ".join(x for x in (r["county_name"], r["unit"], r["job_title"]) if x))
        for r in rows
    ]


READERS: dict[str, Callable[[Sequence[int]], Awaitable[list[Doc]]]] = {
    "design": _designs,
    "topic": _topics,
    "activity": _activities,
    "library": _library,
    "kindergarten": _kindergartens,
    "person": _people,
}
#: Every id of each kind, for a full rebuild.
ALL_IDS: dict[str, Any] = {
    "design": Design.id, "topic": Topic.id, "activity": FiledActivity.id,
    "library": Highlight.id, "kindergarten": Kindergarten.id, "person": Person.id,
}


async def _expand(kind: str, ids: list[int]) -> dict[str, list[int]]:
    """The documents a change of ``kind`` rows touches (an exchange: its designs and library
    item; a filing: its activities)."""
    if kind == "exchange":
        designs = await Design.select(Design.id).where(Design.exchange.is_in(ids))
        items = await Highlight.select(Highlight.id).where(Highlight.exchange.is_in(ids))
        return {"design": [r["id"] for r in designs], "library": [r["id"] for r in items]}
    if kind == "filing":
        rows = await FiledActivity.select(FiledActivity.id).where(FiledActivity.filing.is_in(ids))
        return {"activity": [r["id"] for r in rows]}
    if kind == "highlight":
        return {"library": ids}
    if kind in READERS:
        return {kind: ids}
    raise ValueError(f"unknown search kind {kind!r}")


async def on_change(kind: str, ids: list[int]) -> None:
    """The ``lianyan.indexing`` hook: refresh what the change touched."""
    for touched, touched_ids in (await _expand(kind, ids)).items():
        if touched_ids:
            await refresh(touched, touched_ids)


def install() -> None:
    """Connect the content domains' ``indexing.changed`` to this index."""
    indexing.install("search", on_change)


def _trim(doc: Doc) -> Doc:
    doc.title = doc.title[:300]
    doc.body = doc.body.replace("\x00", "")[:MAX_BODY_CHARS]
    doc.meta = doc.meta[:300]
    return doc


async def refresh(kind: str, ids: Sequence[int]) -> None:
    """Replace the documents of ``kind`` rows ``ids`` (rows gone: their documents go)."""
    docs = [_trim(d) for d in await READERS[kind](ids)]
    async with db.atomic():
        await _delete(kind, ids)
        await write(docs)


async def _delete(kind: str, ids: Sequence[int]) -> None:
    for start in range(0, len(ids), BATCH):
        chunk = list(ids[start:start + BATCH])
        marks = ", ".join("{}" for _ in chunk)
        await SearchDoc.raw(
            "DELETE FROM search_gram WHERE doc IN (SELECT id FROM search_doc"
            f" WHERE kind = {{}} AND ref_id IN ({marks}))", kind, *chunk,
        )
        await SearchDoc.delete().where(
            (SearchDoc.kind == kind) & SearchDoc.ref_id.is_in(chunk)
        )


async def write(docs: Iterable[Doc]) -> int:
    """Insert ``docs`` and their grams (in the caller's transaction); returns how many."""
    now = clock.now()
    done = 0
    batch: list[Doc] = []
    for doc in docs:
        batch.append(doc)
        if len(batch) >= BATCH:
            done += await _write_batch(batch, now)
            batch = []
    if batch:
        done += await _write_batch(batch, now)
    return done


async def _write_batch(docs: list[Doc], now: Any) -> int:
    rows = await SearchDoc.insert(*(
        SearchDoc(kind=d.kind, ref_id=d.ref_id, county_id=d.county_id, year=d.year,
                  domain=d.domain, age_group=d.age_group, title=d.title, body=d.body,
                  meta=d.meta, link=d.link, exchange_id=d.exchange_id, group_id=d.group_id,
                  updated_at=now)
        for d in docs
    )).returning(SearchDoc.id)
    grams = [
        (gram, row["id"])
        for doc, row in zip(docs, rows, strict=True)
        for gram in doc_grams(doc.title, doc.body)
    ]
    await db.engine().executemany(  # type: ignore[attr-defined]
        "INSERT INTO search_gram (gram, doc) VALUES (?, ?)", grams
    )
    return len(docs)


async def reindex_all() -> dict[str, int]:
    """Rebuild the whole index from the content tables; returns documents per kind."""
    counts: dict[str, int] = {}
    async with db.atomic(lock="search-reindex"):
        await SearchDoc.raw("DELETE FROM search_gram")
        await SearchDoc.delete(force=True)
        for kind, column in ALL_IDS.items():
            ids = [r["id"] for r in await column._meta.table.select(column)]
            counts[kind] = 0
            for start in range(0, len(ids), 2_000):
                docs = await READERS[kind](ids[start:start + 2_000])
                counts[kind] += await write(_trim(d) for d in docs)
    if db.is_sqlite():
        await db.engine().run_ddl("ANALYZE")
    else:  # VACUUM sets the visibility map, so the gram look-up is an index-only scan
        await db.engine().run_ddl("VACUUM ANALYZE search_doc")
        await db.engine().run_ddl("VACUUM ANALYZE search_gram")
    return counts


async def ensure() -> None:
    """Build the index when it is empty but the database is not (after the migration that
    created it, on a database with content)."""
    if not await SearchDoc.exists() and await Person.exists():
        await reindex_all()
