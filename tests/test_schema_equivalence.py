"""The one portable set of migrations ends in the same schema on SQLite and on PostgreSQL.

Both engines read storage/migrations/*.sql (PostgreSQL through `pg_base.ddl`, which turns
`INTEGER PRIMARY KEY` into an identity column and `REAL` into double precision). This test
opens a fresh database of each engine and compares what the repositories rely on: the tables,
their columns in order (name, type family, nullability, default), primary keys, foreign keys
(with their ON DELETE action), CHECK constraints (by what they name), and every index (its
columns, their order and direction, whether it is unique, and the predicate of a partial one).
SQLite is read through `PRAGMA table_info / index_list / index_xinfo / foreign_key_list` and
`sqlite_master`, PostgreSQL through information_schema and the pg_catalog in the test's own
schema.

Two differences are by design and normalised here, each with its reason:
- PostgreSQL keeps the schema version in a `schema_version` table, SQLite in
  `PRAGMA user_version`: that table is left out.
- A primary key column is NOT NULL on PostgreSQL by definition; SQLite (for backward
  compatibility) lets a non-INTEGER primary key column hold NULL unless it says NOT NULL.
  The repositories never write a NULL key, so a primary key column counts as NOT NULL on both.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import AsyncIterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest

from storage import Store, open_store
from storage.migrate import latest
from tests.conftest import drop, engine_url


@dataclass(frozen=True, order=True)
class Column:
    """One column as the repositories see it."""

    name: str
    type: str  # text, integer or real
    not_null: bool
    default: str | None


@dataclass(frozen=True, order=True)
class Index:
    """One index: its key columns (name, descending?), uniqueness and partial predicate."""

    columns: tuple[tuple[str, bool], ...]
    unique: bool
    predicate: tuple[str, ...]  # the columns and literals it names, sorted (empty: total)


@dataclass(frozen=True, order=True)
class ForeignKey:
    """A reference from some columns to another table's, and what deleting the target does."""

    columns: tuple[str, ...]
    table: str
    to: tuple[str, ...]
    on_delete: str


@dataclass(frozen=True)
class Table:
    """Everything compared of one table."""

    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    foreign_keys: frozenset[ForeignKey]
    named_indexes: dict[str, Index]  # CREATE INDEX …: the same name on both engines
    constraint_indexes: frozenset[Index]  # UNIQUE (…) in a table: names are each engine's
    checks: frozenset[tuple[str, ...]]  # each CHECK by the columns and literals it names


SQLITE_TYPES = {"TEXT": "text", "INTEGER": "integer", "REAL": "real"}
PG_TYPES = {"text": "text", "integer": "integer", "double precision": "real"}
PG_DELETE = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL",
             "d": "SET DEFAULT"}
_TOKEN = re.compile(r"'[^']*'|\b[A-Za-z_][A-Za-z0-9_]*\b|\b\d+\b")


def _default(text: str | None) -> str | None:
    """A column default without PostgreSQL's casts (`'pending'::text` is `'pending'`)."""
    if text is None:
        return None
    return re.sub(r"::[a-z ]+", "", text).strip("()")


def _predicate(text: str | None, columns: set[str]) -> tuple[str, ...]:
    """What a partial index's WHERE (or a CHECK) names: its columns, string and number
    literals."""
    if not text:
        return ()
    text = re.sub(r"::[a-z ]+", "", text)
    kept = {t for t in _TOKEN.findall(text)
            if t in columns or t.startswith("'") or t.isdigit()}
    return tuple(sorted(kept))


def _sqlite_checks(sql: str) -> list[str]:
    """The expressions of the CHECK constraints in a table's CREATE statement (SQLite keeps
    the statement, with the columns ALTER TABLE added, in sqlite_master)."""
    found = []
    for match in re.finditer(r"\bCHECK\s*\(", sql):
        depth, start = 1, match.end()
        end = start
        while depth:
            depth += {"(": 1, ")": -1}.get(sql[end], 0)
            end += 1
        found.append(sql[start:end - 1])
    return found


# -- SQLite -----------------------------------------------------------------------------------
def sqlite_schema(path: Path) -> dict[str, Table]:
    """The schema of a SQLite file, read with PRAGMAs."""
    with closing(sqlite3.connect(path)) as db:
        names = [r[0] for r in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return {name: _sqlite_table(db, name) for name in names}


def _sqlite_table(db: sqlite3.Connection, table: str) -> Table:
    info = db.execute(f"PRAGMA table_info('{table}')").fetchall()
    # (cid, name, type, notnull, dflt_value, pk)
    primary = tuple(r[1] for r in sorted((r for r in info if r[5]), key=lambda r: r[5]))
    columns = tuple(
        Column(r[1], SQLITE_TYPES[r[2].upper()], bool(r[3]) or r[1] in primary, r[4])
        for r in info)
    names = {c.name for c in columns}
    keys: dict[int, list[tuple[str, str, str, str]]] = {}
    for r in db.execute(f"PRAGMA foreign_key_list('{table}')"):
        # (id, seq, table, from, to, on_update, on_delete, match)
        keys.setdefault(r[0], []).append((r[2], r[3], r[4], r[6]))
    foreign = frozenset(
        ForeignKey(tuple(p[1] for p in parts), parts[0][0], tuple(p[2] for p in parts),
                   parts[0][3]) for parts in keys.values())
    named: dict[str, Index] = {}
    constraint: set[Index] = set()
    for _seq, name, unique, origin, _partial in db.execute(f"PRAGMA index_list('{table}')"):
        if origin == "pk":
            continue  # compared as the primary key
        key = tuple((r[2], bool(r[3])) for r in db.execute(f"PRAGMA index_xinfo('{name}')")
                    if r[5])
        sql = db.execute("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?",
                         (name,)).fetchone()[0]
        where = sql.split(" WHERE ", 1)[1] if sql and " WHERE " in sql else None
        index = Index(key, bool(unique), _predicate(where, names))
        if origin == "c":
            named[name] = index
        else:
            constraint.add(index)
    create = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?",
                        (table,)).fetchone()[0]
    checks = frozenset(_predicate(c, names) for c in _sqlite_checks(create))
    return Table(columns, primary, foreign, named, frozenset(constraint), checks)


# -- PostgreSQL -------------------------------------------------------------------------------
async def pg_schema(store: Store) -> dict[str, Table]:
    """The schema of a PostgreSQL store's own schema, read from the catalogs."""
    async with store.transaction() as tx:
        schema = (await tx._one("SELECT current_schema() AS s"))["s"]  # type: ignore[index]
        cols = await tx._all(
            "SELECT table_name, column_name, data_type, is_nullable, column_default "
            "FROM information_schema.columns WHERE table_schema = current_schema() "
            "ORDER BY table_name, ordinal_position")
        pks = await tx._all(
            "SELECT c.relname AS t, a.attname AS col, k.n FROM pg_constraint p "
            "JOIN pg_class c ON c.oid = p.conrelid "
            "JOIN pg_namespace s ON s.oid = c.relnamespace "
            "CROSS JOIN LATERAL unnest(p.conkey) WITH ORDINALITY AS k(attnum, n) "
            "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum "
            "WHERE s.nspname = current_schema() AND p.contype = 'p' ORDER BY c.relname, k.n")
        fks = await tx._all(
            "SELECT c.relname AS t, p.conname AS name, r.relname AS target, "
            "p.confdeltype::text AS del, a.attname AS col, b.attname AS ref, k.n "
            "FROM pg_constraint p JOIN pg_class c ON c.oid = p.conrelid "
            "JOIN pg_class r ON r.oid = p.confrelid "
            "JOIN pg_namespace s ON s.oid = c.relnamespace "
            "CROSS JOIN LATERAL unnest(p.conkey, p.confkey) WITH ORDINALITY AS k(a, b, n) "
            "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.a "
            "JOIN pg_attribute b ON b.attrelid = r.oid AND b.attnum = k.b "
            "WHERE s.nspname = current_schema() AND p.contype = 'f' "
            "ORDER BY c.relname, p.conname, k.n")
        chk = await tx._all(
            "SELECT c.relname AS t, pg_get_constraintdef(p.oid) AS def FROM pg_constraint p "
            "JOIN pg_class c ON c.oid = p.conrelid "
            "JOIN pg_namespace s ON s.oid = c.relnamespace "
            "WHERE s.nspname = current_schema() AND p.contype = 'c'")
        idx = await tx._all(
            "SELECT t.relname AS t, i.relname AS name, x.indisunique AS uniq, "
            "x.indisprimary AS pk, pg_get_expr(x.indpred, x.indrelid) AS pred, "
            "EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) "
            "AS from_constraint, a.attname AS col, "
            "((x.indoption::int2[])[k.n - 1] & 1) = 1 AS descending, k.n "
            "FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
            "JOIN pg_class t ON t.oid = x.indrelid "
            "JOIN pg_namespace s ON s.oid = t.relnamespace "
            "CROSS JOIN LATERAL unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, n) "
            "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum "
            "WHERE s.nspname = current_schema() ORDER BY t.relname, i.relname, k.n")
    assert schema.startswith("zt_"), "the test reads its own schema, never public"
    tables: dict[str, Table] = {}
    for name in sorted({r["table_name"] for r in cols} - {"schema_version"}):
        columns = tuple(
            Column(r["column_name"], PG_TYPES[r["data_type"]], r["is_nullable"] == "NO",
                   _default(r["column_default"]))
            for r in cols if r["table_name"] == name)
        names = {c.name for c in columns}
        keys: dict[str, list[tuple[str, str, str, str]]] = {}
        for r in fks:
            if r["t"] == name:
                keys.setdefault(r["name"], []).append(
                    (r["target"], r["col"], r["ref"], PG_DELETE[r["del"]]))
        foreign = frozenset(
            ForeignKey(tuple(p[1] for p in parts), parts[0][0], tuple(p[2] for p in parts),
                       parts[0][3]) for parts in keys.values())
        grouped: dict[str, list[tuple[str, bool]]] = {}
        meta: dict[str, tuple[bool, bool, bool, str | None]] = {}
        for r in idx:
            if r["t"] == name:
                grouped.setdefault(r["name"], []).append((r["col"], r["descending"]))
                meta[r["name"]] = (r["uniq"], r["pk"], r["from_constraint"], r["pred"])
        named: dict[str, Index] = {}
        constraint: set[Index] = set()
        for index_name, key in grouped.items():
            unique, primary, from_constraint, pred = meta[index_name]
            if primary:
                continue
            index = Index(tuple(key), unique, _predicate(pred, names))
            if from_constraint:
                constraint.add(index)
            else:
                named[index_name] = index
        primary_key = tuple(r["col"] for r in pks if r["t"] == name)
        checks = frozenset(_predicate(r["def"], names) for r in chk if r["t"] == name)
        tables[name] = Table(columns, primary_key, foreign, named, frozenset(constraint),
                             checks)
    return tables


@pytest.fixture
async def schemas(tmp_path: Path) -> AsyncIterator[tuple[dict[str, Table], dict[str, Table]]]:
    """The schema of a fresh SQLite file and of a fresh PostgreSQL schema."""
    lite = await open_store(engine_url("sqlite", tmp_path))
    await lite.close()
    pg = await open_store(engine_url("postgresql", tmp_path), files=str(tmp_path / "files"))
    try:
        yield sqlite_schema(Path(lite.path)), await pg_schema(pg)
    finally:
        await drop(pg)
        await pg.close()


async def test_both_engines_have_the_same_tables(
        schemas: tuple[dict[str, Table], dict[str, Table]]) -> None:
    lite, pg = schemas
    assert sorted(lite) == sorted(pg)
    # what the latest migration added is there (the comparison is not of two empty sets)
    assert {"leases", "shared_tokens", "outbox", "check_ins", "processed_messages"} <= set(pg)


async def test_every_table_has_the_same_columns_in_the_same_order(
        schemas: tuple[dict[str, Table], dict[str, Table]]) -> None:
    lite, pg = schemas
    for table in lite:
        assert lite[table].columns == pg[table].columns, table


async def test_every_table_has_the_same_primary_key(
        schemas: tuple[dict[str, Table], dict[str, Table]]) -> None:
    lite, pg = schemas
    assert {t: lite[t].primary_key for t in lite} == {t: pg[t].primary_key for t in pg}
    assert pg["processed_messages"].primary_key == ("channel", "message_id")
    assert all(pg[t].primary_key for t in pg), "every table has a primary key"


async def test_every_table_has_the_same_foreign_keys(
        schemas: tuple[dict[str, Table], dict[str, Table]]) -> None:
    lite, pg = schemas
    for table in lite:
        assert lite[table].foreign_keys == pg[table].foreign_keys, table
    assert ForeignKey(("member_id",), "members", ("id",), "CASCADE") in pg["check_ins"].foreign_keys


async def test_every_table_has_the_same_unique_constraints(
        schemas: tuple[dict[str, Table], dict[str, Table]]) -> None:
    lite, pg = schemas
    for table in lite:
        assert lite[table].constraint_indexes == pg[table].constraint_indexes, table
    # the constraints that guard an effect: one check-in per member and session, one outbox
    # row per idempotency key (one processed message per channel and id is the primary key)
    assert Index((("session_id", False), ("member_id", False)), True, ()) in (
        pg["check_ins"].constraint_indexes)
    assert Index((("idempotency_key", False),), True, ()) in pg["outbox"].constraint_indexes


async def test_every_table_has_the_same_check_constraints(
        schemas: tuple[dict[str, Table], dict[str, Table]]) -> None:
    lite, pg = schemas
    for table in lite:
        assert lite[table].checks == pg[table].checks, table
    assert ("'dead'", "'inflight'", "'pending'", "'sent'", "state") in pg["outbox"].checks
    assert ("0", "24", "hours") in pg["activity_attendance"].checks
    assert sum(len(t.checks) for t in pg.values()) >= 20


async def test_every_table_has_the_same_named_indexes(
        schemas: tuple[dict[str, Table], dict[str, Table]]) -> None:
    lite, pg = schemas
    for table in lite:
        assert lite[table].named_indexes == pg[table].named_indexes, table
    claim = pg["outbox"].named_indexes["outbox_claim"]
    assert claim.columns == (("state", False), ("urgent", True), ("not_before", False),
                             ("id", False))
    holding = pg["outbox"].named_indexes["outbox_holding"]
    assert holding.predicate == ("'inflight'", "'pending'", "0", "attempts", "state")
    assert pg["likes"].named_indexes["likes_once"].unique


async def test_the_postgresql_schema_records_the_latest_version(tmp_path: Path) -> None:
    store = await open_store(engine_url("postgresql", tmp_path), files=str(tmp_path / "f"))
    try:
        async with store.transaction() as tx:
            row = await tx._one("SELECT MAX(version) AS v, COUNT(*) AS n FROM schema_version")
        assert row is not None and (row["v"], row["n"]) == (latest(), latest())
    finally:
        await drop(store)
        await store.close()
