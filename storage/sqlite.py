"""The embedded default store: one SQLite file through aiosqlite (WAL, foreign keys on).

aiosqlite owns the connection and its worker thread: opening, migrations, BEGIN (which may
wait for another process's write lock), COMMIT (which waits for the disk) and closing go
through it. The short statements of a unit of work run on the event loop (storage/repo_base).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite

from storage.backup import before_migration, schema_of
from storage.migrate import SchemaTooNew, latest, migrate
from storage.repo_base import SqliteBase
from storage.store import StoreUnavailable
from storage.tx import Tx

log = logging.getLogger(__name__)


def _why(err: BaseException) -> str:
    """What an operator should hear about a database that failed to open."""
    text = str(err)
    if isinstance(err, SchemaTooNew):
        return f"{text}: upgrade zhibu, or restore a backup"
    if "not a database" in text or "file is encrypted" in text:
        return "this file is not a SQLite database"
    if "readonly" in text or "read-only" in text:
        return "the database (or its folder) is read-only: zhibu must be able to write there"
    if "unable to open" in text or isinstance(err, PermissionError):
        return "cannot open or create the file there (does the folder exist, can zhibu write it?)"
    if "locked" in text or "busy" in text:
        return "the database is locked by another program"
    return text


class SqliteTx(SqliteBase, Tx):
    """One unit of work on the SQLite file: every repository method, in one transaction."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._start(db)


class SqliteStore:
    """Opens the file, migrates it, and hands out transactions one at a time."""

    engine = "sqlite"

    def __init__(self, conn: aiosqlite.Connection, db: sqlite3.Connection, path: str) -> None:
        self._conn = conn
        self._db = db  # the same connection, for statements inside a unit of work
        self._lock = asyncio.Lock()
        self.path = path

    @classmethod
    async def open(cls, path: str | Path) -> SqliteStore:
        """Connect, set the pragmas and apply pending migrations."""
        target = str(path)
        try:
            return await cls._open(target)
        except (sqlite3.DatabaseError, OSError, SchemaTooNew) as err:
            raise StoreUnavailable(f"database {target}: {_why(err)}") from err

    @classmethod
    async def _open(cls, target: str) -> SqliteStore:
        if target != ":memory:":
            await asyncio.to_thread(Path(target).parent.mkdir, parents=True, exist_ok=True)
        opened: list[sqlite3.Connection] = []

        def connect() -> sqlite3.Connection:  # runs in aiosqlite's thread
            db = sqlite3.connect(target, isolation_level=None, check_same_thread=False)
            db.row_factory = sqlite3.Row
            opened.append(db)
            return db

        # aiosqlite.connect() with our own connector, so that we keep the sqlite3 connection
        # too. Both sides never use it at once: the store's lock sees to that.
        if target != ":memory:":
            await _backup_before_migrating(Path(target))
        conn = await aiosqlite.Connection(connect, iter_chunk_size=64)
        try:
            for pragma in (
                "PRAGMA journal_mode = WAL",
                "PRAGMA synchronous = FULL",
                "PRAGMA foreign_keys = ON",
                "PRAGMA busy_timeout = 5000",
            ):
                await conn.execute(pragma)
            await migrate(conn)
        except BaseException:
            await conn.close()  # else its worker thread keeps the process from exiting
            raise
        return cls(conn, opened[0], target)

    @asynccontextmanager
    async def transaction(self, *, serial: bool = True) -> AsyncIterator[SqliteTx]:
        """Run a unit of work: commit when the block ends, roll back if it raises.

        Always one at a time (`serial` is for PostgreSQL: one file has one writer)."""
        async with self._lock:
            await self._conn.execute("BEGIN IMMEDIATE")
            tx = SqliteTx(self._db)
            try:
                yield tx
            except BaseException:
                tx._end()
                await self._conn.execute("ROLLBACK")
                raise
            tx._end()
            await self._conn.execute("COMMIT")

    async def close(self) -> None:
        """Close the connection (pending work must have committed)."""
        await self._conn.close()


async def _backup_before_migrating(path: Path) -> None:
    """An existing database about to be migrated is copied beside itself first."""
    if not await asyncio.to_thread(path.is_file):
        return
    current = await asyncio.to_thread(schema_of, path)
    if 0 < current < latest():
        copy = await asyncio.to_thread(before_migration, path, latest())
        log.warning("upgrading the database from schema %d to %d; a copy of it as it was is "
                    "at %s", current, latest(), copy)
