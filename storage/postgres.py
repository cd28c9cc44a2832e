"""PostgreSQL, for a deployment that outgrew one file: several zhibu instances share one server.

`[database] url = "postgresql://user@host:5432/zhibu"` selects it (a `?schema=NAME` picks a
schema other than `public`; the tests give each run its own). The tables, constraints and
indexes are the same portable migrations SQLite reads (`storage/pg_base.ddl` adapts two
words), tracked in a `schema_version` table.

A unit of work is one transaction on a pooled connection. Every transaction first takes one
transaction-scoped advisory lock, so units of work run one at a time across every instance
— the guarantee the SQLite store gives within one process, and what the handlers were written
against (read, decide, write). Instances share the work that costs CPU (HTTP, parsing,
understanding, rendering, sending); the store's own cost is a few round trips per message,
batched by the router's group commit.
"""

from __future__ import annotations

import logging
import os
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlsplit, urlunsplit

import asyncpg

from storage.migrate import SchemaTooNew, latest, migrations
from storage.pg_base import PgBase, ddl
from storage.store import StoreUnavailable
from storage.tx import Tx

log = logging.getLogger(__name__)

# pg_advisory_xact_lock key: the letters "zhibu" — one lock for every unit of work.
UNIT_OF_WORK_LOCK = 0x7A68696275
# Another key: only one instance migrates at a time.
MIGRATION_LOCK = 0x7A68696276


class PgTx(PgBase, Tx):
    """One unit of work on PostgreSQL: every repository method, in one transaction."""

    def __init__(self, conn: asyncpg.Connection, files: Path) -> None:
        self._start(conn)
        self._files = files

    async def files_dir(self) -> Path | None:
        """Where stored files live: the configured folder (shared by every instance)."""
        return self._files


def _split(url: str) -> tuple[str, str]:
    """The connection url without zhibu's own `schema` parameter, and that schema."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    schema = (query.pop("schema", ["public"]) or ["public"])[0]
    rest = "&".join(f"{k}={v}" for k, values in query.items() for v in values)
    return urlunsplit(parts._replace(query=rest)), schema


def _absolute(folder: str) -> Path:
    """The files folder as an absolute path (made once, at opening)."""
    return Path(os.path.abspath(folder))


def describe(url: str) -> str:
    """The server and database, without a password, for logs and errors."""
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    port = f":{parts.port}" if parts.port else ""
    return f"postgresql://{host}{port}{parts.path}"


class PostgresStore:
    """A pool of connections to one database (and schema); transactions one at a time."""

    engine = "postgresql"

    def __init__(self, pool: asyncpg.Pool, url: str, schema: str, files: Path) -> None:
        self._pool = pool
        self.files = files
        self.schema = schema
        self.path = describe(url) + (f" (schema {schema})" if schema != "public" else "")

    @classmethod
    async def open(cls, url: str, *, files: str = "zhibu-files", min_size: int = 2,
                   max_size: int = 10) -> PostgresStore:
        """Connect, create the schema if needed and apply pending migrations."""
        dsn, schema = _split(url)
        try:
            pool = await asyncpg.create_pool(
                dsn, min_size=min_size, max_size=max_size, statement_cache_size=1024,
                server_settings={"search_path": schema, "application_name": "zhibu"},
                init=None)
        except (OSError, asyncpg.PostgresError, ssl.SSLError) as err:
            raise StoreUnavailable(f"database {describe(url)}: {err}") from err
        store = cls(pool, url, schema, _absolute(files))
        try:
            await store._migrate()
        except (asyncpg.PostgresError, SchemaTooNew) as err:
            await pool.close()
            raise StoreUnavailable(f"database {store.path}: {err}") from err
        return store

    async def _migrate(self) -> int:
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
            await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            version = await conn.fetchval("SELECT MAX(version) FROM schema_version") or 0
            if version > latest():
                raise SchemaTooNew(f"its schema {version} is newer than this zhibu's "
                                   f"({latest()})")
            for number, sql in migrations():
                if number <= version:
                    continue
                log.info("applying migration %04d", number)
                await conn.execute(ddl(sql))
                await conn.execute("INSERT INTO schema_version (version) VALUES ($1)", number)
                version = number
            return int(version)

    @asynccontextmanager
    async def transaction(self, *, serial: bool = True) -> AsyncIterator[PgTx]:
        """Run a unit of work: commit when the block ends, roll back if it raises.

        `serial=False` skips the unit-of-work lock: the outbox's claims and marks, which lock
        only the rows they take, run beside the handlers instead of queueing behind them."""
        async with self._pool.acquire() as conn:
            tr = conn.transaction()
            await tr.start()
            tx = PgTx(conn, self.files)
            try:
                if serial:
                    await conn.execute("SELECT pg_advisory_xact_lock($1)", UNIT_OF_WORK_LOCK)
                yield tx
            except BaseException:
                tx._end()
                await tr.rollback()
                raise
            tx._end()
            await tr.commit()

    async def close(self) -> None:
        """Close every connection of the pool."""
        await self._pool.close()

    async def drop_schema(self) -> None:
        """Remove the schema and everything in it (the tests' own schemas; never public)."""
        assert self.schema != "public", "refusing to drop the public schema"
        async with self._pool.acquire() as conn:
            await conn.execute(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE')
