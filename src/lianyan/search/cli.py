"""``lianyan search reindex``: rebuild the search index from the content (an existing
database, or after loading rows behind the services' back)."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any


def add_commands(sub: Any) -> None:
    """Register ``lianyan search`` on the ``lianyan`` argument parser."""
    search = sub.add_parser("search", help="the site-wide search index")
    actions = search.add_subparsers(dest="action", required=True)
    actions.add_parser("reindex", help="rebuild the whole search index").set_defaults(
        func=cmd_reindex
    )


def cmd_reindex(args: argparse.Namespace) -> None:
    """Rebuild the index and print the documents per kind."""
    from lianyan.cli_context import load_settings, with_db
    from lianyan.search import index

    load_settings()
    counts = asyncio.run(with_db(index.reindex_all))
    print("search index: " + ", ".join(f"{k} {n:,}" for k, n in counts.items()))
