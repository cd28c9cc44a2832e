"""The embedded default store: one SQLite file through aiosqlite (WAL, foreign keys on)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite

from storage.migrate import migrate
from storage.repo_care import CareRepo
from storage.repo_channels import ChannelRepo
from storage.repo_delivery import DeliveryRepo
from storage.repo_members import MemberRepo
from storage.repo_runtime import RuntimeRepo
from storage.repo_study import StudyRepo
from storage.repo_wechat import WechatRepo

log = logging.getLogger(__name__)


class Tx(MemberRepo, StudyRepo, RuntimeRepo, CareRepo, DeliveryRepo, WechatRepo, ChannelRepo):
    """One unit of work: every repository method, inside one transaction."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn


class SqliteStore:
    """Opens the file, migrates it, and hands out transactions one at a time."""

    def __init__(self, conn: aiosqlite.Connection, path: str) -> None:
        self._conn = conn
        self._lock = asyncio.Lock()
        self.path = path

    @classmethod
    async def open(cls, path: str | Path) -> SqliteStore:
        """Connect, set the pragmas and apply pending migrations."""
        target = str(path)
        if target != ":memory:":
            Path(target).parent.mkdir(parents=True, exist_ok=True)
        conn = await aiosqlite.connect(target, isolation_level=None)
        conn.row_factory = aiosqlite.Row
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
        return cls(conn, target)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Tx]:
        """Run a unit of work: commit when the block ends, roll back if it raises."""
        async with self._lock:
            await self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield Tx(self._conn)
            except BaseException:
                await self._conn.execute("ROLLBACK")
                raise
            await self._conn.execute("COMMIT")

    async def close(self) -> None:
        """Close the connection (pending work must have committed)."""
        await self._conn.close()


async def open_store(url: str) -> SqliteStore:
    """Open the store named by a `[database] url` (sqlite:///FILE)."""
    if not url.startswith("sqlite:///"):
        raise ValueError(f"unsupported database url for the embedded store: {url.split(':')[0]}")
    return await SqliteStore.open(url[len("sqlite:///") :])
