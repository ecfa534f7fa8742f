"""Schemas of the site-wide search."""

from __future__ import annotations

from lianyan.schemas import Output


class SearchQuery(Output, kw_only=True):
    """A checked query: the text and the filters (None: any)."""

    q: str
    type: str | None = None
    county_id: int | None = None
    year: int | None = None
    domain: str | None = None
    age_group: str | None = None


class SearchHit(Output, kw_only=True):
    """One result: what it is, where it opens, and the matched text highlighted.

    ``title_html`` and ``snippet_html`` are escaped text with ``<mark>`` around each match.
    """

    type: str
    id: int
    title: str
    meta: str
    link: str | None = None
    county_id: int | None = None
    year: int | None = None
    domain: str | None = None
    age_group: str | None = None
    title_html: str
    snippet_html: str


class SearchPage(Output, kw_only=True):
    """A page of results, the number of every match, and the number per type (filters other
    than the type applied)."""

    items: list[SearchHit]
    total: int
    limit: int
    offset: int
    counts: dict[str, int]
