"""``lianyan backup`` / ``restore`` against the real database and store, on either engine."""

from __future__ import annotations

import hashlib
import os
import random
import subprocess
import sys
import typing

import anyio
import pytest

from lianyan import backup
from lianyan.files.tables import StoredFile
from tests.builders import files


async def write_file(store: typing.Any, n: int, written: dict[str, bytes]) -> None:
    """One stored file: its object first, then its row (as the app does)."""
    data = random.Random(n).randbytes(1000 + n * 37)
    key = f"design/2026/11/backup-{n:04d}.docx"
    await store.put_bytes(key, data)
    await files.stored_file(
        "design", n, key=key, original_name=f"教案{n}.docx", size=len(data),
        content_type="application/zip", sha256=hashlib.sha256(data).hexdigest(),
        kind="design_document",
    )
    written[key] = data


async def test_backup_taken_during_writes_restores_the_same_rows_and_bytes(
    clean_db, store, settings, tmp_path
):
    # Arrange: 20 files, and a writer that keeps adding files while the backup runs.
    for key in await store.keys():
        await store.delete(key)
    written: dict[str, bytes] = {}
    for n in range(20):
        await write_file(store, n, written)
    stop = anyio.Event()

    async def writer() -> None:
        n = 100
        while not stop.is_set():
            await write_file(store, n, written)
            n += 1

    # Act
    async with anyio.create_task_group() as group:
        group.start_soon(writer)
        await anyio.sleep(0.05)
        manifest = await backup.take(settings.database_url, store, tmp_path / "backup")
        stop.set()
    written_after = len(written)
    await StoredFile.delete().where(StoredFile.owner_id < 10)
    await store.delete("design/2026/11/backup-0001.docx")
    await store.put_bytes("design/2026/11/backup-0002.docx", b"overwritten")
    restored = await backup.restore(settings.database_url, store, tmp_path / "backup")

    # Assert: every restored row's file is there, byte for byte; the bucket is the backup.
    rows = await StoredFile.select(StoredFile.key, StoredFile.sha256, StoredFile.size)
    keys = {r["key"] for r in rows}
    assert {f"design/2026/11/backup-{n:04d}.docx" for n in range(20)} <= keys
    assert len(rows) < written_after  # the rows written after the snapshot are not in it
    for row in rows:
        data = await store.get(row["key"])
        assert data == written[row["key"]]
        assert hashlib.sha256(data).hexdigest() == row["sha256"]
    assert set(await store.keys()) == {e.key for e in restored.objects} >= keys
    for entry in manifest.objects:
        assert (tmp_path / "backup" / "objects" / entry.key).read_bytes() == written[entry.key]


async def test_backup_into_a_folder_that_is_not_empty_is_refused(store, settings, tmp_path):
    (tmp_path / "old.txt").write_text("keep me")

    with pytest.raises(backup.BackupError, match="not empty"):
        await backup.take(settings.database_url, store, tmp_path)

    assert (tmp_path / "old.txt").read_text() == "keep me"


def test_backup_command_refuses_a_folder_without_a_backup(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIANYAN_")}
    env["LIANYAN_DATA_DIR"] = str(tmp_path / "var")

    done = subprocess.run(
        [sys.executable, "-m", "lianyan.cli", "restore", str(tmp_path / "nothing")],
        env=env, capture_output=True, text=True, timeout=120,
    )

    assert done.returncode != 0
    assert "holds no readable backup" in done.stderr
