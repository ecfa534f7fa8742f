"""The hook by which a content domain says "this changed" to the site-wide search.

The search domain (``lianyan/search``) sits above every content domain, so a content domain
cannot import it. Instead each owning service calls :func:`changed` with a kind and an id
after it creates, edits, moves or deletes something searchable, inside its own transaction
where it has one; the search domain installs its indexer here when the app (or a CLI command)
is built (``search.index.install``). With no indexer installed (a script that never built the
app), :func:`changed` does nothing and ``lianyan search reindex`` catches up.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

#: What can change: ``design``, ``exchange`` (its designs and library item), ``highlight``,
#: ``topic``, ``activity``, ``filing`` (its activities), ``kindergarten``, ``person``.
Indexer = Callable[[str, list[int]], Awaitable[None]]

_indexers: dict[str, Indexer] = {}


def install(name: str, indexer: Indexer) -> None:
    """Register ``indexer`` under ``name`` (installing the same name again replaces it)."""
    _indexers[name] = indexer


async def changed(kind: str, *ids: int) -> None:
    """Tell the installed indexers that the ``kind`` rows ``ids`` were written or deleted.

    Runs in the caller's transaction, if any, so the index commits (or rolls back) with the
    change itself.
    """
    if not ids:
        return
    for indexer in list(_indexers.values()):
        await indexer(kind, list(ids))
