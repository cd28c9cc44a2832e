"""Whole tables, a page at a time: what `zhibu migrate` reads from one database and writes to
another (storage/copy.py drives it).

The statements are the repositories' one portable dialect, so the same methods read and write
SQLite and PostgreSQL. The tables, their keys and the order their foreign keys need come from
the migrations themselves, run into an in-memory SQLite database (`schema`): a new migration
needs nothing here. Table and column names come only from there, never from input, which is
why they may be spliced into the SQL.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from storage.migrate import migrations
from storage.repo_base import RepoBase

# At most this many values in one statement: SQLite allows 32,766 and PostgreSQL 32,767.
MAX_VALUES = 30_000


@dataclass(frozen=True)
class Table:
    """One table as the migrations define it."""

    name: str
    columns: tuple[str, ...]
    key: tuple[str, ...]  # the primary key's columns
    integer_key: bool  # one INTEGER key column: a generated id on PostgreSQL
    # Columns that reference this table or one copied after it: written NULL first and set
    # once every table is in (members.pair_member_id, study_sessions.moved_to).
    later: tuple[str, ...] = ()

    def key_of(self, row: Sequence[Any]) -> tuple[Any, ...]:
        """The key values of a row of all `columns`."""
        return tuple(row[self.columns.index(column)] for column in self.key)


@functools.cache
def schema() -> tuple[Table, ...]:
    """Every table of the current schema, each after the tables its foreign keys name."""
    db = sqlite3.connect(":memory:")
    try:
        for _, sql in migrations():
            db.executescript(sql)
        names = sorted(row[0] for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")
            if not row[0].startswith("sqlite_"))
        info = {name: db.execute(f"PRAGMA table_info({name})").fetchall() for name in names}
        refs = {name: [(row[3], row[2]) for row in
                       db.execute(f"PRAGMA foreign_key_list({name})")] for name in names}
    finally:
        db.close()
    return tuple(_in_order(names, info, refs))


def _in_order(names: list[str], info: dict[str, list[Any]],
              refs: dict[str, list[tuple[str, str]]]) -> list[Table]:
    """Tables whose references are all in come first; a reference to the table itself (or,
    in a cycle, to one not yet in) is a `later` column, which must allow NULL meanwhile."""
    ordered: list[Table] = []
    done: set[str] = set()
    left = list(names)
    while left:
        ready = [n for n in left if all(ref in done or ref == n for _, ref in refs[n])]
        name = (ready or left)[0]
        later = tuple(sorted({column for column, ref in refs[name] if ref not in done}))
        columns = info[name]  # rows of cid, name, type, notnull, default, pk
        for row in columns:
            if row[1] in later and row[3]:
                raise RuntimeError(f"{name}.{row[1]} references a table copied after it and "
                                   "may not be NULL meanwhile")
        key = tuple(row[1] for row in sorted(columns, key=lambda r: r[5]) if row[5])
        integer = len(key) == 1 and any(r[1] == key[0] and r[2].upper() == "INTEGER"
                                        for r in columns)
        ordered.append(Table(name, tuple(row[1] for row in columns), key, integer, later))
        done.add(name)
        left.remove(name)
    return ordered


def _where_key(table: Table) -> str:
    return " AND ".join(f"{column} = ?" for column in table.key)


class CopyRepo(RepoBase):
    """Counting, paging, bulk inserting and fixing up whole tables."""

    async def copy_count(self, table: Table) -> int:
        """Rows in the table."""
        row = await self._one(f"SELECT COUNT(*) AS n FROM {table.name}")
        return int(row["n"]) if row else 0

    async def copy_page(self, table: Table, after: tuple[Any, ...] | None, limit: int, *,
                        keys_only: bool = False) -> list[tuple[Any, ...]]:
        """The next `limit` rows (all `columns`, or only the key's) after the key `after`
        (None: from the start), in key order.

        Keyset paging — `(k1, k2) > (?, ?)` — costs the same on the last page as on the
        first, and a row-value comparison is the same SQL on both engines.
        """
        keys = ", ".join(table.key)
        where = f"WHERE ({keys}) > ({', '.join('?' * len(table.key))}) " if after else ""
        columns = keys if keys_only else ", ".join(table.columns)
        rows = await self._all(
            f"SELECT {columns} FROM {table.name} {where}ORDER BY {keys} LIMIT ?",
            (*(after or ()), limit))
        return [tuple(row) for row in rows]

    async def copy_put(self, table: Table, rows: Sequence[Sequence[Any]]) -> None:
        """Insert rows of all `columns`, as many per statement as the engines allow."""
        width = len(table.columns)
        per_statement = max(1, MAX_VALUES // width)
        names = ", ".join(table.columns)
        one = f"({', '.join('?' * width)})"
        for start in range(0, len(rows), per_statement):
            chunk = rows[start:start + per_statement]
            values = [value for row in chunk for value in row]
            await self._run(f"INSERT INTO {table.name} ({names}) VALUES "
                            f"{', '.join([one] * len(chunk))}", values)

    async def copy_set(self, table: Table, column: str,
                       values: Sequence[tuple[tuple[Any, ...], Any]]) -> None:
        """Set one column of the rows with these keys: [(key, value), …]."""
        sql = f"UPDATE {table.name} SET {column} = ? WHERE {_where_key(table)}"
        for key, value in values:
            await self._run(sql, (value, *key))

    async def copy_row(self, table: Table, key: tuple[Any, ...]) -> tuple[Any, ...] | None:
        """The row (all `columns`) with this key, or None."""
        row = await self._one(
            f"SELECT {', '.join(table.columns)} FROM {table.name} WHERE {_where_key(table)}",
            key)
        return tuple(row) if row is not None else None

    async def copy_id_sum(self, table: Table) -> int:
        """The sum of an integer key (0 for an empty table)."""
        row = await self._one(f"SELECT COALESCE(SUM({table.key[0]}), 0) AS s FROM {table.name}")
        return int(row["s"]) if row else 0

    async def continue_ids(self, table: Table) -> None:
        """After rows came in with their ids, new rows get ids after the largest one.

        SQLite does this by itself (a new rowid is one more than the largest); a PostgreSQL
        identity column has a sequence of its own that the copied ids did not advance.
        """
        if self.engine != "postgresql" or not table.integer_key:
            return
        column = table.key[0]
        # setval(NULL, …) does nothing: an empty table, or a key that is not generated.
        await self._one(f"SELECT setval(pg_get_serial_sequence(?, ?), MAX({column})) "
                        f"FROM {table.name}", (table.name, column))
