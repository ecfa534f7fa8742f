"""``lianyan backup DIR`` and ``lianyan restore DIR``: the database and every stored file.

A backup is taken while the app runs. The database first, as one consistent snapshot: SQLite's
online backup API (pages copied under SQLite's own locking, so writers carry on) or
``pg_dump --format=custom`` (one repeatable-read transaction). Then every object of the bucket,
streamed through the S3 API into ``DIR/objects/<key>``. Files are written before their rows, so
every row in the snapshot has its object by then; objects written after the snapshot may come
along too (no row refers to them: ``lianyan sweep`` removes them after a restore). Objects are
never changed in place, only added or deleted, so a copy taken a little later is still the
file the row names. ``DIR/manifest.json`` lists each object with its size and SHA-256.

``restore`` brings a backup back into the configured database and bucket, replacing what is
there: SQLite through the backup API again (stop the app first), PostgreSQL with
``pg_restore --clean``; the bucket ends up holding exactly the backup's objects, each checked
against the manifest's SHA-256.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import msgspec

from lianyan.files.store import ObjectStore

MANIFEST = "manifest.json"
SQLITE_FILE = "lianyan.db"
POSTGRES_FILE = "database.dump"


class BackupError(Exception):
    """The backup or restore could not be done; the message says why (for the operator)."""


class ObjectEntry(msgspec.Struct, frozen=True):
    """One object in a backup."""

    key: str
    size: int
    sha256: str


class Manifest(msgspec.Struct, kw_only=True):
    """What a backup holds."""

    created_at: dt.datetime
    engine: str
    database: str
    objects: list[ObjectEntry]


def _sqlite_path(database_url: str) -> Path | None:
    return Path(database_url.removeprefix("sqlite:///")) if database_url.startswith(
        "sqlite:///"
    ) else None


def _sqlite_copy(source: Path, target: Path) -> None:
    """Copy one SQLite database into another with the online backup API."""
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(target, timeout=30)
    try:
        src.backup(dst)  # one step: one consistent snapshot; WAL lets writers carry on
    finally:
        dst.close()
        src.close()


def _postgres_tool(tool: str, *args: str) -> None:
    binary = shutil.which(tool)
    if binary is None:
        raise BackupError(f"{tool} not found: install the PostgreSQL client tools")
    done = subprocess.run([binary, *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{tool} failed: {done.stderr.strip()[-2000:]}")


def _object_path(root: Path, key: str) -> Path:
    path = (root / key).resolve()
    if not path.is_relative_to(root.resolve()):
        raise BackupError(f"object key {key!r} leaves the backup folder")
    return path


async def take(database_url: str, store: ObjectStore, target: Path) -> Manifest:
    """Write a backup of the database and the bucket into the new or empty folder ``target``."""
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty")
    target.mkdir(parents=True, exist_ok=True)
    created = dt.datetime.now(dt.UTC)
    sqlite_path = _sqlite_path(database_url)
    if sqlite_path is not None:
        _sqlite_copy(sqlite_path, target / SQLITE_FILE)
        engine, database = "sqlite", SQLITE_FILE
    else:
        _postgres_tool("pg_dump", "--format=custom", "--no-owner", "--file",
                       str(target / POSTGRES_FILE), database_url)
        engine, database = "postgres", POSTGRES_FILE
    objects_dir = target / "objects"
    entries: list[ObjectEntry] = []
    for key in sorted(await store.keys()):
        path = _object_path(objects_dir, key)
        path.parent.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        try:
            with path.open("wb") as out:
                async for chunk in store.iter_chunks(key, 4 * 1024 * 1024):
                    out.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
        except Exception as exc:
            if await store.stat(key) is None:  # deleted since the listing: not in the backup
                path.unlink(missing_ok=True)
                continue
            raise BackupError(f"could not copy {key}: {exc}") from exc
        entries.append(ObjectEntry(key=key, size=size, sha256=digest.hexdigest()))
    manifest = Manifest(created_at=created, engine=engine, database=database, objects=entries)
    (target / MANIFEST).write_bytes(msgspec.json.format(msgspec.json.encode(manifest)))
    return manifest


def read_manifest(source: Path) -> Manifest:
    """The manifest of the backup in ``source``."""
    try:
        return msgspec.json.decode((source / MANIFEST).read_bytes(), type=Manifest)
    except (OSError, msgspec.DecodeError) as exc:
        raise BackupError(f"{source} holds no readable backup: {exc}") from exc


async def restore(database_url: str, store: ObjectStore, source: Path) -> Manifest:
    """Replace the database and the bucket's objects with the backup in ``source``."""
    manifest = read_manifest(source)
    sqlite_path = _sqlite_path(database_url)
    if (manifest.engine == "sqlite") != (sqlite_path is not None):
        raise BackupError(f"the backup is of {manifest.engine}, the database is not")
    objects_dir = source / "objects"
    for entry in manifest.objects:  # check everything before touching anything
        path = _object_path(objects_dir, entry.key)
        if _sha256(path) != entry.sha256:
            raise BackupError(f"{path} does not match the manifest")
    if sqlite_path is not None:
        _sqlite_copy(source / manifest.database, sqlite_path)
    else:
        _postgres_tool("pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
                       "--dbname", database_url, str(source / manifest.database))
    wanted = {e.key for e in manifest.objects}
    for key in await store.keys():
        if key not in wanted:
            await store.delete(key)
    for entry in manifest.objects:
        with _object_path(objects_dir, entry.key).open("rb") as stream:
            await store.put(entry.key, stream, length=entry.size)
    return manifest


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(4 * 1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def summary(manifest: Manifest) -> dict[str, Any]:
    """A one-line description for the command's output."""
    return {
        "engine": manifest.engine,
        "objects": len(manifest.objects),
        "bytes": sum(e.size for e in manifest.objects),
        "created_at": manifest.created_at.isoformat(),
    }


def describe(manifest: Manifest) -> str:
    """The summary as JSON."""
    return json.dumps(summary(manifest), ensure_ascii=False)



async def run(command: str, settings: Any, folder: Path) -> Manifest:
    """``backup`` or ``restore`` with the configured store (starting the embedded one)."""
    from lianyan.files.local_s3 import LocalS3Server

    local = None
    store_settings = settings.store
    if store_settings.embedded:
        local = LocalS3Server.from_settings(settings.data_dir, store_settings)
        local.start(watch=False)
        store_settings = local.settings()
    try:
        store = ObjectStore(store_settings)
        await store.ensure_bucket()
        if command == "backup":
            return await take(settings.database_url, store, folder)
        return await restore(settings.database_url, store, folder)
    finally:
        if local is not None:
            local.stop()
