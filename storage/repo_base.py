"""Shared plumbing for the repository mixins: what a statement returns (`Row`), the four
ways a repository runs SQL (`RepoBase`), and how SQLite runs them (`SqliteBase`).

Repositories write portable SQL with `?` placeholders and call `_one`, `_all`, `_run` and
`_insert`; each engine's base class runs it (storage/pg_base.py translates it for
PostgreSQL). Nothing above this layer knows which engine holds the data.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Protocol

# Statements run on the event loop (see RepoBase); a long unit of work (queuing a reminder to
# every member) lets the rest of the loop in at least this often, in seconds.
BREATHE = 0.005


class TransactionOver(RuntimeError):
    """A Tx was used after its transaction had committed or rolled back."""


class Row(Protocol):
    """A result row: by column name or position (sqlite3.Row, asyncpg.Record)."""

    def __getitem__(self, key: Any, /) -> Any: ...

    def __iter__(self) -> Iterator[Any]: ...

    def keys(self) -> Any: ...


class RepoBase:
    """What every repository mixin runs its SQL through; an engine's base class implements it
    (SqliteBase here, PgBase in storage/pg_base.py)."""

    engine: str = ""

    async def _one(self, sql: str, params: Iterable[Any] | Mapping[str, Any] = ()) -> Row | None:
        """The first row of a query, or None."""
        raise NotImplementedError

    async def _all(self, sql: str, params: Iterable[Any] = ()) -> list[Row]:
        """Every row of a query."""
        raise NotImplementedError

    async def _run(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Execute a write; return the number of rows it changed."""
        raise NotImplementedError

    async def _insert(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Execute an INSERT into a table with an `id` column; return the new row's id."""
        raise NotImplementedError


class SqliteBase(RepoBase):
    """Small helpers over the transaction's SQLite connection.

    Inside a unit of work the statements run right here, on the event loop: the store holds
    its lock and has begun the transaction in aiosqlite's worker thread, so nothing else uses
    the connection until the block ends. One statement is 10-50 µs of SQLite; a trip to the
    worker thread and back cost 100-250 µs of hand-off and waking the loop, and those trips
    were most of what a message cost (bench/core_checkin.py). What can take long — BEGIN,
    which may wait for another process's write lock, and COMMIT, which waits for the disk —
    still goes through aiosqlite's thread. A long run of statements yields to the loop every
    BREATHE seconds so that network work goes on.
    """

    engine = "sqlite"
    _db: sqlite3.Connection
    _open: bool
    _breathe_at: float

    def _start(self, db: sqlite3.Connection) -> None:
        self._db = db
        self._open = True
        self._breathe_at = time.monotonic() + BREATHE

    def _end(self) -> None:
        self._open = False

    def _cursor(self, sql: str, params: Iterable[Any] | Mapping[str, Any]) -> sqlite3.Cursor:
        if not self._open:
            raise TransactionOver("this transaction has ended; open a new one")
        kind = type(params)
        args: tuple[Any, ...] | Mapping[str, Any]
        if kind is tuple or kind is dict:  # an ABC check is slow, at 5 statements a message
            args = params  # type: ignore[assignment]
        else:
            args = params if isinstance(params, Mapping) else tuple(params)
        return self._db.execute(sql, args)

    async def _breathe(self) -> None:
        if time.monotonic() >= self._breathe_at:
            await asyncio.sleep(0)
            self._breathe_at = time.monotonic() + BREATHE

    async def _one(self, sql: str, params: Iterable[Any] | Mapping[str, Any] = ()) -> Row | None:
        row: sqlite3.Row | None = self._cursor(sql, params).fetchone()
        await self._breathe()
        return row

    async def _all(self, sql: str, params: Iterable[Any] = ()) -> list[Row]:
        rows: list[Row] = self._cursor(sql, params).fetchall()
        await self._breathe()
        return rows

    async def _run(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Execute a write; return the number of rows it changed."""
        changed = self._cursor(sql, params).rowcount
        await self._breathe()
        return changed

    async def _insert(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Execute an INSERT; return the new row id."""
        new_id = int(self._cursor(sql, params).lastrowid or 0)
        await self._breathe()
        return new_id
