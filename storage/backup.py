"""Backups of the SQLite database and its files, and putting one back.

A backup is one tar.gz: `zhibu.db` (written with SQLite's online backup API, so it is safe
while zhibu runs: readers and the one writer carry on), the `files/` folder beside the
database (materials, visit photos, report copies; drafts left out) and `backup.json` (the
schema version and when it was taken). Every schema migration first writes a plain copy of
the database beside it (`zhibu.db.before-0007.bak`).

These run in a worker thread (they block): callers use asyncio.to_thread.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from storage.files import DRAFTS
from storage.migrate import latest

_DB, _FILES, _META = "zhibu.db", "files", "backup.json"


class RestoreRefused(Exception):
    """The backup was not put back; the message says why in one line."""


@dataclass(frozen=True)
class BackupInfo:
    """What a backup holds."""

    schema: int
    taken_at: datetime


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy of a live database (SQLite's online backup), written atomically."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".backup-")
    os.close(fd)
    try:
        with contextlib.closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src, \
                contextlib.closing(sqlite3.connect(tmp)) as dst:
            src.backup(dst)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def schema_of(path: Path) -> int:
    """A database file's schema version (PRAGMA user_version)."""
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        return int(db.execute("PRAGMA user_version").fetchone()[0])


def write_backup(database: Path, target: Path, now: datetime) -> BackupInfo:
    """Back up the database and its files folder into one tar.gz at `target`."""
    if not database.is_file():
        raise FileNotFoundError(f"no database at {database}")
    files = database.parent / _FILES
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".backup-") as work:
        copy = Path(work) / _DB
        copy_database(database, copy)
        info = BackupInfo(schema_of(copy), now)
        meta = json.dumps({"schema": info.schema, "taken_at": now.isoformat()}).encode()
        partial = Path(work) / "backup.tar.gz"
        with tarfile.open(partial, "w:gz") as tar:
            entry = tarfile.TarInfo(_META)
            entry.size = len(meta)
            tar.addfile(entry, io.BytesIO(meta))
            tar.add(copy, arcname=_DB)
            if files.is_dir():
                tar.add(files, arcname=_FILES,
                        filter=lambda e: None if f"/{DRAFTS}" in e.name else e)
        os.replace(partial, target)
    return info


def read_info(backup: Path) -> BackupInfo:
    """The schema and time a backup was taken at."""
    with tarfile.open(backup, "r:gz") as tar:
        member = tar.extractfile(_META)
        if member is None:
            raise RestoreRefused(f"{backup} is not a zhibu backup (no {_META})")
        meta = json.loads(member.read())
    return BackupInfo(int(meta["schema"]), datetime.fromisoformat(meta["taken_at"]))


def restore(backup: Path, database: Path, *, force: bool) -> BackupInfo:
    """Put a backup in place of the database (zhibu must not be running).

    Refused without `force` when the database there is newer than the backup: a higher
    schema, or changed after the backup was taken. A backup from a newer zhibu is always
    refused (this one could not read it).
    """
    try:
        info = read_info(backup)
    except (tarfile.TarError, OSError, KeyError, ValueError) as err:
        raise RestoreRefused(f"{backup} is not a zhibu backup ({err})") from None
    if info.schema > latest():
        raise RestoreRefused(f"the backup's schema {info.schema} is newer than this zhibu "
                             f"({latest()}): upgrade zhibu first")
    if database.exists() and not force:
        current = schema_of(database)
        changed = datetime.fromtimestamp(database.stat().st_mtime, UTC)
        if current > info.schema or changed > info.taken_at:
            raise RestoreRefused(
                f"{database} is newer than the backup (schema {current} vs {info.schema}, "
                f"changed {changed:%Y-%m-%d %H:%M} UTC after the backup of "
                f"{info.taken_at:%Y-%m-%d %H:%M}); add --force to replace it")
    database.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=database.parent, prefix=".restore-") as work:
        with tarfile.open(backup, "r:gz") as tar:
            tar.extractall(work, filter="data")
        for suffix in ("-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(f"{database}{suffix}")
        os.replace(Path(work) / _DB, database)
        restored = Path(work) / _FILES
        if restored.is_dir():
            shutil.copytree(restored, database.parent / _FILES, dirs_exist_ok=True)
    return info


def before_migration(database: Path, version: int) -> Path:
    """The copy written beside the database before migrating it to `version`."""
    target = database.with_name(f"{database.name}.before-{version:04d}.bak")
    copy_database(database, target)
    return target
