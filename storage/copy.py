"""Copy a zhibu database into a new, empty one: `zhibu migrate --from URL --to URL`.

The way a deployment moves from its SQLite file to PostgreSQL when it outgrows one box (or
back, or to a new file). Both ends run the same portable statements (storage/repo_copy.py),
which also knows the tables and the order their foreign keys need, from the migrations.

The source is read in one read-only transaction — a `mode=ro` SQLite connection, or a
PostgreSQL READ ONLY REPEATABLE READ transaction — so the copy is one consistent moment and
the source cannot be written by it. Rows keep their ids; PostgreSQL's id sequences are moved
past them. Afterwards each table is checked: the row count, a key sum (the sum of an integer
key; of a 64-bit hash of a composite or text one) and a sample of whole rows, read back from
the target.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import sqlite3
import ssl
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storage.migrate import latest
from storage.repo_copy import Table, schema
from storage.store import Store, StoreUnavailable, open_store
from storage.tx import Tx

BATCH = 500  # rows read, then written in one target transaction
SAMPLE = 20  # whole rows compared per table, spread evenly over it
Progress = Callable[[str, int, int], None]  # (table, rows copied, rows in it)
Later = tuple[Table, str, tuple[Any, ...], Any]  # (table, column, key, value) set at the end


class CopyRefused(Exception):
    """The copy was not started; the message says why in one line."""


@dataclass(frozen=True)
class Check:
    """One table, verified: both sides' counts and key sums, and the sample compared."""

    table: str
    source_rows: int
    target_rows: int
    source_keys: int
    target_keys: int
    sampled: int
    sample_equal: int
    hashed: bool  # the key sums are of a hash of each key (composite or text keys)

    @property
    def ok(self) -> bool:
        """Counts, key sums and every sampled row are the same."""
        return (self.source_rows == self.target_rows and self.source_keys == self.target_keys
                and self.sample_equal == self.sampled)


@dataclass(frozen=True)
class CopyReport:
    """What was copied where, and what the verification found."""

    source: str
    target: str
    checks: list[Check]
    seconds: float

    @property
    def rows(self) -> int:
        """Rows copied, in every table."""
        return sum(check.target_rows for check in self.checks)

    @property
    def ok(self) -> bool:
        """Every table verified."""
        return all(check.ok for check in self.checks)


@dataclass(frozen=True)
class Snapshot:
    """A database as it was at one moment, read only."""

    version: int
    tx: Tx
    where: str


def where(url: str) -> str:
    """The database a url names, for messages (never a password)."""
    if url.startswith("sqlite:///"):
        return url[len("sqlite:///"):]
    from storage.postgres import _split, describe

    schema_name = _split(url)[1]
    return describe(url) + (f" (schema {schema_name})" if schema_name != "public" else "")


@asynccontextmanager
async def snapshot(url: str) -> AsyncIterator[Snapshot | None]:
    """A read-only, consistent view of the zhibu database at `url`; None if there is none."""
    if url.startswith("sqlite:///"):
        async with _sqlite_snapshot(url[len("sqlite:///"):]) as found:
            yield found
    elif url.startswith(("postgresql://", "postgres://")):
        async with _pg_snapshot(url) as found:
            yield found
    else:
        raise CopyRefused(f"unsupported database url: {url.split(':')[0]} (sqlite:///FILE or "
                          "postgresql://…)")


def _read_only_uri(file: Path) -> str | None:
    """The file opened read only (`mode=ro`), or None where there is no database."""
    if not file.is_file() or file.stat().st_size == 0:
        return None
    return f"{file.resolve().as_uri()}?mode=ro"


@asynccontextmanager
async def _sqlite_snapshot(path: str) -> AsyncIterator[Snapshot | None]:
    uri = None if path == ":memory:" else await asyncio.to_thread(_read_only_uri, Path(path))
    if uri is None:
        yield None
        return
    from storage.sqlite import SqliteTx

    db = sqlite3.connect(uri, uri=True, isolation_level=None)
    try:
        db.row_factory = sqlite3.Row
        try:
            db.execute("BEGIN")
            version = int(db.execute("PRAGMA user_version").fetchone()[0])
        except sqlite3.DatabaseError as err:
            raise CopyRefused(f"{path}: not a zhibu database ({err})") from None
        if version == 0:
            raise CopyRefused(f"{path}: not a zhibu database (it has no schema version)")
        tx = SqliteTx(db)
        try:
            yield Snapshot(version, tx, path)
        finally:
            tx._end()
            db.execute("ROLLBACK")
    finally:
        db.close()


@asynccontextmanager
async def _pg_snapshot(url: str) -> AsyncIterator[Snapshot | None]:
    import asyncpg

    from storage.postgres import PgTx, _split

    dsn, schema_name = _split(url)
    try:
        conn = await asyncpg.connect(dsn, server_settings={
            "search_path": schema_name, "application_name": "zhibu migrate"})
    except (OSError, asyncpg.PostgresError, ssl.SSLError) as err:
        raise StoreUnavailable(f"database {where(url)}: {err}") from err
    try:
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            if await conn.fetchval("SELECT to_regclass('schema_version')") is None:
                yield None
                return
            version = int(await conn.fetchval("SELECT MAX(version) FROM schema_version") or 0)
            tx = PgTx(conn, Path("."))
            try:
                yield Snapshot(version, tx, where(url))
            finally:
                tx._end()
    finally:
        await conn.close()


async def copy_database(source_url: str, target_url: str, *,
                        progress: Progress | None = None) -> CopyReport:
    """Copy every row of the source into a new, empty target, then verify each table."""
    started = time.monotonic()
    tables = schema()
    async with snapshot(source_url) as source:
        if source is None:
            raise CopyRefused(f"no zhibu database at {where(source_url)}")
        if source.version != latest():
            raise CopyRefused(
                f"the source {source.where} has schema {source.version}, this zhibu "
                f"{latest()}: run this zhibu on it once (it upgrades it), then migrate")
        await _refuse_used_target(target_url, tables)
        target = await open_store(target_url)
        try:
            samples: dict[str, list[tuple[Any, ...]]] = {}
            later: list[Later] = []
            for table in tables:
                samples[table.name] = await _copy_table(source.tx, target, table, later,
                                                        progress)
            await _set_later(target, later)
            checks = [await _check(source.tx, target, table, samples[table.name])
                      for table in tables]
        finally:
            await target.close()
    return CopyReport(source.where, target.path, checks, time.monotonic() - started)


async def _refuse_used_target(url: str, tables: tuple[Table, ...]) -> None:
    """Before anything is created or migrated there: the target must hold nothing."""
    async with snapshot(url) as found:
        if found is None:
            return
        if found.version != latest():
            raise CopyRefused(f"the target {found.where} holds a zhibu database of schema "
                              f"{found.version}: migrate copies into a new, empty database")
        used = [(t.name, n) for t in tables if (n := await found.tx.copy_count(t))]
    if used:
        named = ", ".join(f"{name}: {rows} rows" for name, rows in used[:3])
        raise CopyRefused(f"the target {found.where} is not empty ({named}"
                          f"{', …' if len(used) > 3 else ''}): migrate copies into a new, "
                          "empty database")


def _positions(total: int) -> set[int]:
    """Which rows (by position in key order) to compare: SAMPLE of them, first and last in."""
    if total <= SAMPLE:
        return set(range(total))
    return {i * (total - 1) // (SAMPLE - 1) for i in range(SAMPLE)}


async def _copy_table(source: Tx, target: Store, table: Table, later: list[Later],
                      progress: Progress | None) -> list[tuple[Any, ...]]:
    """Copy one table in batches; returns its sampled rows, as read from the source."""
    total = await source.copy_count(table)
    picks, sample = _positions(total), []
    blank = {table.columns.index(column): column for column in table.later}
    after: tuple[Any, ...] | None = None
    done = 0
    if progress:
        progress(table.name, 0, total)
    while rows := await source.copy_page(table, after, BATCH):
        sample += [row for at, row in enumerate(rows, done) if at in picks]
        if blank:
            later += [(table, column, table.key_of(row), row[at])
                      for row in rows for at, column in blank.items() if row[at] is not None]
            rows = [tuple(None if at in blank else v for at, v in enumerate(row))
                    for row in rows]
        async with target.transaction() as tx:
            await tx.copy_put(table, rows)
        done += len(rows)
        after = table.key_of(rows[-1])
        if progress:
            progress(table.name, done, total)
    async with target.transaction() as tx:
        await tx.continue_ids(table)
    return sample


async def _set_later(target: Store, later: list[Later]) -> None:
    """The references held back (to the same table, or one copied after), now all in."""
    for start in range(0, len(later), BATCH):
        async with target.transaction() as tx:
            for table, column, key, value in later[start:start + BATCH]:
                await tx.copy_set(table, column, [(key, value)])


async def key_sum(tx: Tx, table: Table) -> int:
    """The sum of an integer key, or of a 64-bit hash of each row's key (mod 2**64)."""
    if table.integer_key:
        return await tx.copy_id_sum(table)
    total, after = 0, None
    while keys := await tx.copy_page(table, after, 5 * BATCH, keys_only=True):
        for key in keys:
            text = json.dumps(key, ensure_ascii=False).encode()
            total += int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big")
        after = keys[-1]
    return total % 2**64


async def _check(source: Tx, target: Store, table: Table,
                 sample: list[tuple[Any, ...]]) -> Check:
    """Count, key sum and sampled rows of one table, on both sides."""
    async with target.transaction() as tx:
        rows, keys = await tx.copy_count(table), await key_sum(tx, table)
        equal = sum([await tx.copy_row(table, table.key_of(row)) == row for row in sample])
    return Check(table.name, await source.copy_count(table), rows, await key_sum(source, table),
                 keys, len(sample), equal, not table.integer_key)
