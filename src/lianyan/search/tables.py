"""The search index: one ``search_doc`` per searchable thing, its grams in ``search_gram``.

``search_doc`` is a copy of the searchable text with the filters (county, year, domain, age
group); who may see a row is not stored: the query asks the owning domain's scope each time.
``search_gram (gram, doc)`` holds each distinct character and pair of adjacent characters of
the title and body (``search.grams``). It is not a Piccolo ``Table`` (no id: it is the bulk of
the index), created by the migration and written only by ``search.index``.
"""

from __future__ import annotations

from piccolo.columns import Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table


class SearchDoc(Table):
    """One searchable thing: a design, topic, filed activity, library item, kindergarten or
    person (``kind`` + ``ref_id``, unique)."""

    id: Serial

    kind = Varchar(length=20)
    ref_id = Integer()
    county_id = Integer(null=True, default=None)
    year = Integer(null=True, default=None)
    domain = Varchar(length=10, default="")
    age_group = Varchar(length=10, default="")
    title = Varchar(length=300, default="")
    body = Text(default="")
    #: What the result line shows under the title (county, kindergarten, status …).
    meta = Varchar(length=300, default="")
    #: A design's (or library item's) exchange and a design's group: the blind rule reads
    #: them here (``exchanges.access.design_visibility``), not through a join per candidate.
    exchange_id = Integer(null=True, default=None)
    group_id = Integer(null=True, default=None)
    link = Varchar(length=300, default="")
    updated_at = Timestamptz()
