"""What the rest of zhibu sees of a database: a store that hands out transactions.

Two engines implement it: `SqliteStore` (one file, the embedded default) and `PostgresStore`
(a server shared by several zhibu instances). `open_store` picks one by the `[database] url`.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Protocol

from storage.tx import Tx


class StoreUnavailable(Exception):
    """The database cannot be used; the message names it and the reason in one line."""


class Store(Protocol):
    """Transactions on one database, one unit of work each."""

    # What an operator should read to know which database this is: the SQLite file, or the
    # PostgreSQL server and database (never the password).
    path: str
    engine: str

    def transaction(self, *, serial: bool = True) -> AbstractAsyncContextManager[Tx]:
        """Run a unit of work: commit when the block ends, roll back if it raises.

        `serial=False` (PostgreSQL) runs it beside other units of work rather than after them:
        only for statements that are safe so under READ COMMITTED — single-row writes, or
        claims that lock what they take (FOR UPDATE SKIP LOCKED). SQLite ignores it."""
        ...

    async def close(self) -> None:
        """Close the connection(s); pending work must have committed."""
        ...


async def open_store(url: str, *, files: str | None = None) -> Store:
    """Open the store a `[database] url` names: sqlite:///FILE or postgresql://…; `files` is
    the folder of stored files (a SQLite database keeps them beside itself)."""
    if url.startswith("sqlite:///"):
        from storage.sqlite import SqliteStore

        return await SqliteStore.open(url[len("sqlite:///"):])
    if url.startswith(("postgresql://", "postgres://")):
        from storage.postgres import PostgresStore

        return await PostgresStore.open(url, files=files or "zhibu-files")
    raise ValueError(f"unsupported database url: {url.split(':')[0]}")
