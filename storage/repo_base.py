"""Shared plumbing for the repository mixins."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import aiosqlite


class RepoBase:
    """Small helpers over the transaction's connection."""

    _conn: aiosqlite.Connection

    async def _one(self, sql: str, params: Iterable[Any] = ()) -> aiosqlite.Row | None:
        async with self._conn.execute(sql, tuple(params)) as cur:
            return await cur.fetchone()

    async def _all(self, sql: str, params: Iterable[Any] = ()) -> list[aiosqlite.Row]:
        async with self._conn.execute(sql, tuple(params)) as cur:
            return list(await cur.fetchall())

    async def _run(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Execute a write; return the number of rows it changed."""
        async with self._conn.execute(sql, tuple(params)) as cur:
            return cur.rowcount

    async def _insert(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Execute an INSERT; return the new row id."""
        async with self._conn.execute(sql, tuple(params)) as cur:
            return int(cur.lastrowid or 0)
