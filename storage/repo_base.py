"""Shared plumbing for the repository mixins."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import aiosqlite


class RepoBase:
    """Small helpers over the transaction's connection.

    Each helper is one trip to aiosqlite's worker thread: those trips, not SQLite, are most
    of what a message costs (bench/core_checkin.py), so reads use execute_fetchall and
    writes read rowcount/lastrowid from the cursor without closing it in another trip.
    """

    _conn: aiosqlite.Connection

    async def _one(
        self, sql: str, params: Iterable[Any] | Mapping[str, Any] = ()
    ) -> aiosqlite.Row | None:
        args = params if isinstance(params, Mapping) else tuple(params)
        rows = await self._conn.execute_fetchall(sql, args)
        return next(iter(rows), None)

    async def _all(self, sql: str, params: Iterable[Any] = ()) -> list[aiosqlite.Row]:
        return list(await self._conn.execute_fetchall(sql, tuple(params)))

    async def _run(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Execute a write; return the number of rows it changed."""
        cursor = await self._conn.execute(sql, tuple(params))
        return cursor.rowcount

    async def _insert(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Execute an INSERT; return the new row id."""
        cursor = await self._conn.execute(sql, tuple(params))
        return int(cursor.lastrowid or 0)
