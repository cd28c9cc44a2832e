"""Numbered schema migrations, applied in order at start-up (PRAGMA user_version)."""

from __future__ import annotations

import logging
from importlib import resources

import aiosqlite

log = logging.getLogger(__name__)


class SchemaTooNew(Exception):
    """The database was written by a newer zhibu than this one."""


def migrations() -> list[tuple[int, str]]:
    """Every migration shipped with zhibu, as (version, sql), in order."""
    found = []
    for entry in resources.files("storage.migrations").iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:4].isdigit():
            found.append((int(name[:4]), entry.read_text(encoding="utf-8")))
    return sorted(found)


def latest() -> int:
    """The newest schema version this zhibu knows."""
    return max(version for version, _ in migrations())


async def current_version(conn: aiosqlite.Connection) -> int:
    """The schema version of an open database (0 for a new file)."""
    async with conn.execute("PRAGMA user_version") as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def migrate(conn: aiosqlite.Connection) -> int:
    """Bring the database to the latest version; each step is one transaction."""
    version = await current_version(conn)
    if version > latest():
        raise SchemaTooNew(f"its schema {version} is newer than this zhibu's ({latest()})")
    for number, sql in migrations():
        if number <= version:
            continue
        log.info("applying migration %04d", number)
        script = f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version = {number};\nCOMMIT;"
        try:
            await conn.executescript(script)
        except BaseException:
            if conn.in_transaction:
                await conn.execute("ROLLBACK")
            raise
        version = number
    return version
