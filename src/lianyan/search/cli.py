"""``lianyan search reindex [--files]``: rebuild the search index from the content (an
existing database, or after loading rows behind the services' back); with ``--files``, first
read the Word text of designs uploaded before the search kept it."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any


def add_commands(sub: Any) -> None:
    """Register ``lianyan search`` on the ``lianyan`` argument parser."""
    search = sub.add_parser("search", help="the site-wide search index")
    actions = search.add_subparsers(dest="action", required=True)
    reindex = actions.add_parser("reindex", help="rebuild the whole search index")
    reindex.add_argument(
        "--files", action="store_true",
        help="first read the Word text of each design whose current version has none",
    )
    reindex.set_defaults(func=cmd_reindex)


def cmd_reindex(args: argparse.Namespace) -> None:
    """(With ``--files``, fill the missing design texts, then) rebuild the index and print the
    documents per kind."""
    from lianyan.cli_context import load_settings, with_db
    from lianyan.search import index

    settings = load_settings()

    async def work() -> dict[str, int]:
        if args.files:
            await fill_texts(settings)
        return await index.reindex_all()

    counts = asyncio.run(with_db(work))
    print("search index: " + ", ".join(f"{k} {n:,}" for k, n in counts.items()))


async def fill_texts(settings: Any) -> None:
    """``exchanges.designs.fill_missing_texts`` with the configured store (the embedded one
    started for the while), printing progress after each batch."""
    from lianyan.exchanges.designs import TextFill, fill_missing_texts
    from lianyan.files.local_s3 import LocalS3Server
    from lianyan.files.office import OfficeBounds
    from lianyan.files.store import ObjectStore

    def progress(done: TextFill) -> None:
        print(f"design texts: {done.filled:,} read, {done.skipped:,} skipped", flush=True)

    local = None
    store_settings = settings.store
    if store_settings.embedded:
        local = LocalS3Server.from_settings(settings.data_dir, store_settings)
        local.start(watch=False)
        store_settings = local.settings()
    try:
        store = ObjectStore(store_settings)
        done = await fill_missing_texts(
            store, OfficeBounds.from_settings(settings.uploads), progress=progress
        )
    finally:
        if local is not None:
            local.stop()
    print(f"design texts: {done.filled:,} read from their Word documents, {done.skipped:,}"
          " skipped (unreadable, too large or missing)")
