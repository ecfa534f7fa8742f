"""``lianyan search reindex --files``: designs uploaded before the search kept their Word
text get it from the stored document (docs/search.md, "Keeping it in step")."""

from __future__ import annotations

from lianyan.exchanges import designs
from lianyan.exchanges.tables import DesignVersion
from lianyan.files import services as files
from lianyan.search import cli, index
from tests.exchanges.conftest import World
from tests.search.test_search import DOCX_WORD, _design, _search


async def _forget_text(design_id: int) -> None:
    """As a version uploaded before the search feature: no text kept."""
    await DesignVersion.update({DesignVersion.text: ""}).where(
        DesignVersion.design == design_id
    )


async def test_reindex_with_files_finds_a_word_only_in_an_old_designs_document(
    client, world: World, store
):
    design_id = await _design(world, store, "t3")
    await _forget_text(design_id)
    await index.reindex_all()
    assert (await _search(client, "t3", q=DOCX_WORD))["total"] == 0
    seen = []

    done = await designs.fill_missing_texts(store, batch=1, progress=seen.append)
    await index.reindex_all()

    assert (done.filled, done.skipped) == (1, 0) and seen
    found = await _search(client, "t3", q=DOCX_WORD)
    assert [(h["type"], h["id"]) for h in found["items"]] == [("design", design_id)]
    again = await designs.fill_missing_texts(store)  # nothing left to read
    assert (again.filled, again.skipped) == (0, 0)


async def test_unreadable_or_missing_stored_documents_are_skipped_and_counted(
    client, world: World, store
):
    broken = await _design(world, store, "t3")
    gone = await _design(world, store, "t4")
    fine = await _design(world, store, "t1")
    for design_id in (broken, gone, fine):
        await _forget_text(design_id)
    file_ids = {
        r["design"]: r["document_file_id"]
        for r in await DesignVersion.select(DesignVersion.design, DesignVersion.document_file_id)
    }
    keys = await files.object_keys(file_ids.values())
    await store.put_bytes(keys[file_ids[broken]], b"PK\x03\x04 not a zip at all")
    await store.delete(keys[file_ids[gone]])

    done = await designs.fill_missing_texts(store)

    assert (done.filled, done.skipped) == (1, 2)
    texts = {r["design"]: r["text"] for r in await DesignVersion.select(
        DesignVersion.design, DesignVersion.text)}
    assert DOCX_WORD in texts[fine] and texts[broken] == texts[gone] == ""


def test_reindex_takes_a_files_flag():
    import argparse

    parser = argparse.ArgumentParser()
    cli.add_commands(parser.add_subparsers())
    assert parser.parse_args(["search", "reindex", "--files"]).files is True
    assert parser.parse_args(["search", "reindex"]).files is False
