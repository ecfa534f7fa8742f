"""The site-wide search: what the caller may see that contains every word of the query.

One query answers a page (and one more counts, when the page does not show the end): the
documents that have every gram of every word (``search_gram``, by its index), that really
contain each word (``LIKE`` on the candidates only), that pass the filters, and that the caller
may see. Visibility is each owning domain's own scope, as a sub-select on its table
(``topics.access.scope``, ``filings.access.filing_scope``, ``exchanges.access.visible_designs``,
``org.services.kindergarten_scope``/``person_scope``; library items are every signed-in
user's), so paging and counts are right. Title matches come first.
"""

from __future__ import annotations

import html
import re
from typing import Any

from piccolo.columns.combination import WhereRaw
from piccolo.querystring import QueryString

from lianyan import clock
from lianyan.errors import InvalidInput
from lianyan.exchanges.access import design_visibility
from lianyan.exchanges.tables import Highlight
from lianyan.filings.access import filing_scope
from lianyan.filings.tables import FiledActivity, Filing
from lianyan.labels import AGE_GROUP, DOMAIN
from lianyan.org import services as org
from lianyan.org.tables import County, Kindergarten, Person
from lianyan.principal import Principal, Role
from lianyan.search import schemas as s
from lianyan.search.grams import MAX_QUERY_CHARS, MAX_WORDS, query_words, word_grams
from lianyan.search.index import KINDS
from lianyan.search.tables import SearchDoc
from lianyan.topics import access as topics_access
from lianyan.topics.tables import Topic

#: Characters of context each side of the first match in a snippet.
SNIPPET_CONTEXT = 40
#: Who may open the kindergarten list a kindergarten result links to.
KINDERGARTEN_LIST_ROLES = (Role.CITY_ADMIN, Role.COUNTY_OFFICER, Role.ZONE_OFFICER,
                           Role.DIRECTOR)
#: Years a search may filter by.
YEARS = range(2000, 2101)


def _int(value: str | int | None, code: str, message: str, valid: range) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        raise InvalidInput(code, message) from None
    if number not in valid:
        raise InvalidInput(code, message)
    return number


async def parse(
    *, q: str | None, type: str | None = None, county_id: str | int | None = None,
    year: str | int | None = None, domain: str | None = None, age_group: str | None = None,
) -> s.SearchQuery:
    """The query and filters as typed, checked; refusals are ``search.*`` with Chinese messages."""
    text = (q or "").strip()
    if not text or not query_words(text):
        raise InvalidInput("search.q_empty", "请输入要搜索的词语（汉字、字母或数字）。", field="q")
    if len(text) > MAX_QUERY_CHARS:
        raise InvalidInput(
            "search.q_too_long", f"搜索词最多 {MAX_QUERY_CHARS} 个字，请缩短后再搜索。",
            field="q", max_length=MAX_QUERY_CHARS,
        )
    if len(query_words(text)) > MAX_WORDS:
        raise InvalidInput(
            "search.q_too_many_words", f"搜索词最多 {MAX_WORDS} 个，请用空格分隔更少的词语。",
            field="q",
        )
    kind = (type or "").strip() or None
    if kind is not None and kind not in KINDS:
        raise InvalidInput(
            "search.type", "搜索类型不正确，可选：" + "、".join(KINDS.values()) + "。",
            field="type", allowed=list(KINDS),
        )
    county = _int(county_id, "search.county", "所选县（市、区）不存在。", range(1, 2**31))
    if county is not None and not await County.exists().where(County.id == county):
        raise InvalidInput("search.county", "所选县（市、区）不存在。", field="county_id")
    found_year = _int(year, "search.year", f"年份应为 {YEARS.start}–{YEARS.stop - 1} 之间的数字。",
                      YEARS)
    domain = (domain or "").strip() or None
    if domain is not None and domain not in DOMAIN:
        raise InvalidInput("search.domain", "领域不正确，可选：" + "、".join(DOMAIN.values()) + "。",
                           field="domain", allowed=list(DOMAIN))
    age_group = (age_group or "").strip() or None
    if age_group is not None and age_group not in AGE_GROUP:
        raise InvalidInput("search.age_group",
                           "年龄段不正确，可选：" + "、".join(AGE_GROUP.values()) + "。",
                           field="age_group", allowed=list(AGE_GROUP))
    return s.SearchQuery(q=text, type=kind, county_id=county, year=found_year, domain=domain,
                         age_group=age_group)


def _in(kind: str, table: Any, scope: Any | None) -> Any:
    """``kind`` documents whose row the caller may see (``scope`` on ``table``; None: all)."""
    condition: Any = SearchDoc.kind == kind
    if scope is not None:
        condition = condition & SearchDoc.ref_id.is_in(table.select(table.id).where(scope))
    return condition


def visibility(actor: Principal, kinds: list[str]) -> Any:
    """A condition on ``SearchDoc``: the documents of ``kinds`` the caller may see."""
    scopes: dict[str, Any] = {
        "design": lambda: _designs(actor),
        "topic": lambda: _in("topic", Topic, topics_access.scope(actor)),
        "activity": lambda: _in("activity", FiledActivity, _activity_scope(actor)),
        "library": lambda: _in("library", Highlight, Highlight.status == "accepted"),
        "kindergarten": lambda: _in(
            "kindergarten", Kindergarten, org.kindergarten_scope(actor)
        ),
        "person": lambda: _in("person", Person, org.person_scope(actor)),
    }
    condition: Any = None
    for kind in kinds:
        one = scopes[kind]()
        condition = one if condition is None else condition | one
    return condition


def _designs(actor: Principal) -> Any:
    """Designs under the blind rule, on the index's copy of their exchange and group."""
    condition: Any = SearchDoc.kind == "design"
    rule = design_visibility(actor, clock.now(), exchange=SearchDoc.exchange_id,
                             group=SearchDoc.group_id)
    return condition if rule is None else condition & rule


def _activity_scope(actor: Principal) -> Any | None:
    scope = filing_scope(actor, Filing)
    if scope is None:
        return None
    return FiledActivity.filing.is_in(Filing.select(Filing.id).where(scope))


def _like(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _hits(words: list[str]) -> QueryString:
    """The documents holding every gram of every word, from the gram index alone: the
    postings of the first gram, each probed for the others (``EXISTS`` on ``(gram, doc)``,
    three times faster than grouping every posting of every gram).

    The outer ``GROUP BY … HAVING count(*) = 1`` changes nothing (a document has a gram
    once) but makes PostgreSQL expect few hits, so that it reads the hits' documents by key;
    expecting thousands, it scans every document instead (90 ms against 55 ms at province
    scale, as its cost model takes each read by key for a disk seek).
    """
    first, *others = sorted({g for w in words for g in word_grams(w)})
    probes = "".join(
        " AND EXISTS (SELECT 1 FROM search_gram AS other WHERE other.gram = {}"
        " AND other.doc = search_gram.doc)" for _ in others
    )
    return QueryString(
        f"SELECT doc FROM search_gram WHERE gram = {{}}{probes} GROUP BY doc"
        " HAVING count(*) = 1",
        first, *others,
    )


def _has_words(words: list[str]) -> Any:
    """Each word of more than two characters really in the text (``LIKE``): checked only on
    the documents the gram index gave (a word of one or two characters is its own gram)."""
    condition: Any = None
    for word in words:
        if len(word) <= 2:
            continue
        like = _like(word)
        # A word without letter case (Chinese, digits) needs no lower() of the whole body.
        body = "lower(search_doc.body)" if word != word.upper() else "search_doc.body"
        one = WhereRaw(
            "(lower(search_doc.title) LIKE {} ESCAPE '\\'"
            f" OR {body} LIKE {{}} ESCAPE '\\')", like, like,
        )
        condition = one if condition is None else condition & one
    return condition


#: What ``visible`` needs of a hit: the filters and the scopes' columns, all of them in the
#: index ``search_doc_filters`` (PostgreSQL reads them without the row).
_FILTER_COLUMNS = ", ".join(
    f"search_doc.{c}" for c in ("id", "kind", "ref_id", "county_id", "year", "domain",
                                "age_group", "exchange_id", "group_id")
)


def _title_rank(words: list[str]) -> QueryString:
    """0 for a document whose title holds every word, else 1."""
    tests = " AND ".join("lower(search_doc.title) LIKE {} ESCAPE '\\'" for _ in words)
    return QueryString(f"CASE WHEN {tests} THEN 0 ELSE 1 END", *(_like(w) for w in words))


def page_statement(
    words: list[str], condition: Any, kind: str | None, limit: int, offset: int,
    *, narrow_first: bool = True,
) -> QueryString:
    """The statement of :func:`_page_and_counts` (``EXPLAIN`` of it is tested).

    Materialised steps, so that the planner cannot start anywhere but the index: the gram
    look-up (``hits``); with ``narrow_first`` (a caller who sees a part of the documents),
    the hits' filters and the columns the scopes read (``keys``: on PostgreSQL an index-only
    scan of ``search_doc_filters``, no row read), the filters and every type's visibility on
    those (``visible``, which names ``keys`` ``search_doc`` so that the owning domains'
    conditions apply as they are), then only the visible documents' rows read by key, with the
    text check and the title rank (``matches``). Without it (the city, no filter: nearly every
    hit is visible), the hits' rows are read with the text check first (``candidates``) and the
    conditions applied on those. ``matches`` is grouped for the counts and ordered for the page.

    As one join, PostgreSQL's planner guessed from the visibility conditions that few
    documents pass and scanned every document; with ``keys`` and ``visible`` as one step, it
    costs the scopes' sub-selects once per hit and again scans every document; reading every
    hit's row before the visibility made a teacher's search of a common word read thousands of
    rows to keep two. Same SQL on both engines.
    """
    text = _has_words(words)
    text_tail = QueryString(" WHERE {}", text.querystring) if text is not None else QueryString("")
    where = (
        QueryString(" WHERE {}", condition.querystring) if condition is not None
        else QueryString("")
    )
    if narrow_first:
        steps = QueryString(
            f"keys AS MATERIALIZED (SELECT {_FILTER_COLUMNS} FROM hits"
            " JOIN search_doc ON search_doc.id = hits.doc),"
            " visible AS MATERIALIZED (SELECT search_doc.id AS id FROM keys AS search_doc{}),"
            " matches AS MATERIALIZED (SELECT search_doc.id AS id, search_doc.kind AS kind,"
            " {} AS rank FROM visible JOIN search_doc ON search_doc.id = visible.id{})",
            where, _title_rank(words), text_tail,
        )
    else:
        steps = QueryString(
            f"candidates AS MATERIALIZED (SELECT {_FILTER_COLUMNS}, {{}} AS rank FROM hits"
            " JOIN search_doc ON search_doc.id = hits.doc{}),"
            " matches AS MATERIALIZED (SELECT search_doc.id AS id, search_doc.kind AS kind,"
            " search_doc.rank AS rank FROM candidates AS search_doc{})",
            _title_rank(words), text_tail, where,
        )
    only = QueryString(" WHERE kind = {}", kind) if kind else QueryString("")
    return QueryString(
        "WITH hits AS MATERIALIZED ({}), {}"
        " SELECT 0 AS part, kind, count(*) AS value, 0 AS rank FROM matches GROUP BY kind"
        " UNION ALL SELECT 1, kind, id, rank FROM (SELECT id, kind, rank FROM matches{}"
        " ORDER BY rank, id DESC LIMIT {} OFFSET {}) AS page",
        _hits(words), steps, only, limit, offset,
    )


async def _page_and_counts(
    words: list[str], condition: Any, kind: str | None, limit: int, offset: int,
    *, narrow_first: bool,
) -> tuple[list[int], dict[str, int]]:
    """The ids of one page (title matches first, then newest) and the number of matches per
    type, in one statement (:func:`page_statement`)."""
    rows = await SearchDoc.raw(
        "{}", page_statement(words, condition, kind, limit, offset, narrow_first=narrow_first)
    )
    counts = {r["kind"]: int(r["value"]) for r in rows if r["part"] == 0}
    page = sorted((r for r in rows if r["part"] == 1), key=lambda r: (r["rank"], -r["value"]))
    return [int(r["value"]) for r in page], counts


async def search(
    actor: Principal, query: s.SearchQuery, *, limit: int = 20, offset: int = 0
) -> s.SearchPage:
    """One page of what the caller may see matching ``query``, title matches first, then the
    newest, with the exact count of every match and per type. Two queries: the page's ids and
    the counts (the index, the filters and the owning domains' scopes all in SQL), then the
    page's rows."""
    words = query_words(query.q)
    condition: Any = visibility(actor, list(KINDS))
    filtered = False
    for column, value in ((SearchDoc.county_id, query.county_id), (SearchDoc.year, query.year),
                          (SearchDoc.domain, query.domain),
                          (SearchDoc.age_group, query.age_group)):
        if value is not None:
            condition = condition & (column == value)
            filtered = True
    page_ids, per_kind = await _page_and_counts(
        words, condition, query.type, limit, offset,
        narrow_first=filtered or not actor.is_city,
    )
    rows = {
        r["id"]: r
        for r in await SearchDoc.select(
            SearchDoc.id, SearchDoc.kind, SearchDoc.ref_id, SearchDoc.title, SearchDoc.body,
            SearchDoc.meta, SearchDoc.link, SearchDoc.county_id, SearchDoc.year,
            SearchDoc.domain, SearchDoc.age_group,
        ).where(SearchDoc.id.is_in(page_ids or [0]))
    } if page_ids else {}
    # The kindergarten list is a page of officers and directors only (org/pages.py).
    opens_list = actor.is_city or actor.has(*KINDERGARTEN_LIST_ROLES)
    items = [
        s.SearchHit(
            type=r["kind"], id=r["ref_id"], title=r["title"], meta=r["meta"],
            link=(r["link"] or None) if r["kind"] != "kindergarten" or opens_list else None, county_id=r["county_id"], year=r["year"],
            domain=r["domain"] or None, age_group=r["age_group"] or None,
            title_html=highlight(r["title"], words),
            snippet_html=snippet(r["body"], words),
        )
        for r in (rows[i] for i in page_ids if i in rows)
    ]
    total = per_kind.get(query.type, 0) if query.type else sum(per_kind.values())
    return s.SearchPage(
        items=items, total=total, limit=limit, offset=offset,
        counts={k: per_kind.get(k, 0) for k in KINDS},
    )


def _pattern(words: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)


def highlight(text: str, words: list[str]) -> str:
    """``text`` escaped, each occurrence of a word in ``<mark>``."""
    out: list[str] = []
    last = 0
    for match in _pattern(words).finditer(text):
        out.append(html.escape(text[last:match.start()]))
        out.append(f"<mark>{html.escape(match.group())}</mark>")
        last = match.end()
    out.append(html.escape(text[last:]))
    return "".join(out)


def snippet(body: str, words: list[str]) -> str:
    """A short passage of ``body`` around the first match, escaped and highlighted ("" when
    the body has none)."""
    match = _pattern(words).search(body)
    if match is None:
        return ""
    start = max(0, match.start() - SNIPPET_CONTEXT)
    end = min(len(body), match.end() + SNIPPET_CONTEXT * 2)
    text = " ".join(body[start:end].split())
    return ("…" if start > 0 else "") + highlight(text, words) + ("…" if end < len(body) else "")

