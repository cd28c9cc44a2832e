"""`zhibu migrate` (issue #18, item 5): the demo database to PostgreSQL and back to a new
SQLite file — every row equal on all three, the source's bytes unchanged — and the
PostgreSQL copy goes on working: new rows get ids after the copied ones.

The demo database is the demo's own session (bot.demo.Demo) replaying every example script,
plus what the scripts leave out: an interest group, a 党课 rule, an invite code, a moved
study day (a row that references a later row of its own table, as paired members do).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import re
import shutil
import sqlite3
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.app import build_app
from bot.channels.console import CHANNEL, ConsoleSender
from bot.cli import main
from bot.cli.migrate_command import render
from bot.core.clock import FakeClock
from bot.core.rules import parse_rule
from bot.demo import Demo, seed
from handlers.binding import create_invite
from storage import open_store
from storage.copy import Check, CopyReport
from storage.migrate import latest
from storage.repo_copy import schema
from tests.conftest import SHANGHAI, STUDY_DAY_MORNING, drop, engine_url, make_config, open_zhibu

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SCRIPTS = ("first-study-day", "branch-life", "hospital-visit", "home-delivery",
           "secretary-month")


@pytest.fixture(autouse=True)
def no_zhibu_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The developer's own ZHIBU_* settings must not reach the command line here."""
    for var in [v for v in os.environ if v.startswith("ZHIBU_")]:
        monkeypatch.delenv(var)


async def _build_demo(db: Path) -> None:
    clock = FakeClock(STUDY_DAY_MORNING)
    app = await build_app(make_config(db), clock, {})
    app.dispatcher.senders[CHANNEL] = ConsoleSender(lambda _: None)
    try:
        await seed(app)
        demo = Demo(app, clock, lambda _: None)
        demo.files_from = EXAMPLES
        for script in SCRIPTS:
            for line in (EXAMPLES / f"{script}.txt").read_text(encoding="utf-8").splitlines():
                await demo.line(line)
        now = clock.now()
        async with app.store.transaction() as tx:
            branch = await tx.find_branch("城关离退休干部党支部")
            assert branch is not None
            (wang,) = await tx.find_members_by_name("王秀英")
            group = await tx.ensure_group(branch.id, "书法组", wang.id, now)
            await tx.join_group(group.id, wang.id, now)
            lecture = parse_rule("每月第三个周四 15:00").describe("zh-Hans")  # 党课
            await tx.set_meeting_rule(branch.id, "lecture", lecture, "二楼")
            await create_invite(tx, wang.id, "女儿", None, now)
            later = await tx.add_meeting(branch.id, "study", now + timedelta(days=2), "二楼",
                                         "改期")
            assert later is not None
            first = (await tx._all("SELECT MIN(id) AS id FROM study_sessions"))[0]["id"]
            await tx.move_session(int(first), later.id)
    finally:
        await app.close()


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo database, built once for the module."""
    db = tmp_path_factory.mktemp("demo") / "zhibu.db"
    asyncio.run(_build_demo(db))
    return db


@pytest.fixture
def demo_db(demo_template: Path, tmp_path: Path) -> Path:
    """This test's own copy of the demo database."""
    db = tmp_path / "demo" / "zhibu.db"
    db.parent.mkdir()
    shutil.copyfile(demo_template, db)
    shutil.copytree(demo_template.parent / "files", db.parent / "files")  # materials, reports
    return db


@pytest.fixture
async def pg_url(tmp_path: Path) -> AsyncIterator[str]:
    """A PostgreSQL schema of the test's own (nothing there yet), dropped afterwards."""
    url = engine_url("postgresql", tmp_path)
    yield url
    store = await open_store(url, files=str(tmp_path / "files"))
    await drop(store)
    await store.close()


async def _zhibu(*argv: str) -> int:
    """The command line, from a test's event loop (it runs a loop of its own)."""
    return await asyncio.to_thread(main, list(argv))


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _sqlite_rows(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, read straight from the file (not through zhibu)."""
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        names = [row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'")]
        return {name: sorted(conn.execute(f"SELECT * FROM {name}").fetchall(), key=repr)
                for name in names}


async def _pg_rows(url: str, tables: list[str]) -> dict[str, list[tuple[Any, ...]]]:
    """The same from the PostgreSQL copy, and the tables it has besides schema_version."""
    import asyncpg

    from storage.postgres import _split

    dsn, name = _split(url)
    conn = await asyncpg.connect(dsn)
    try:
        found = {r["table_name"] for r in await conn.fetch(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = $1", name)}
        assert found - {"schema_version"} == set(tables)
        return {t: sorted((tuple(r) for r in await conn.fetch(f'SELECT * FROM "{name}".{t}')),
                          key=repr) for t in tables}
    finally:
        await conn.close()


async def test_the_demo_database_goes_to_postgresql_and_back_with_every_row_equal(
        demo_db: Path, pg_url: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    before = _sha256(demo_db)
    original = _sqlite_rows(demo_db)
    filled = [name for name, rows in original.items() if rows]
    assert len(filled) >= 28 and len(original["members"]) == 11  # a real deployment's tables

    assert await _zhibu("migrate", "--from", f"sqlite:///{demo_db}", "--to", pg_url) == 0
    out, err = capsys.readouterr()
    assert "行数、键和与抽样的行全部一致" in out and "Traceback" not in err
    assert re.search(r"^members\s+11\s+11\s+66\s+11/11 equal$", out, re.M)  # ids 1..11
    assert re.search(r"^members\s+\[#{24}\] 11/11$", err, re.M)  # the progress bar
    assert "存储的文件" in out  # the demo wrote files beside the database: copy them too
    assert _sha256(demo_db) == before

    back = tmp_path / "back" / "zhibu.db"
    assert await _zhibu("migrate", "--from", pg_url, "--to", f"sqlite:///{back}") == 0
    assert "全部一致" in capsys.readouterr().out

    assert await _pg_rows(pg_url, list(original)) == original
    assert _sqlite_rows(back) == original
    assert _sha256(demo_db) == before
    with contextlib.closing(sqlite3.connect(back)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == latest()
        # The rows that point at a later row of their own table kept their references.
        moved = conn.execute("SELECT moved_to FROM study_sessions WHERE id = "
                             "(SELECT MIN(id) FROM study_sessions)").fetchone()[0]
        assert moved is not None and moved > 1
        pairs = conn.execute("SELECT COUNT(*) FROM members WHERE pair_member_id > id").fetchone()
        assert pairs[0] >= 1
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


async def test_the_postgresql_copy_takes_new_rows_after_the_copied_ids(
        demo_db: Path, pg_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert await _zhibu("migrate", "--from", f"sqlite:///{demo_db}", "--to", pg_url) == 0
    copied = _sqlite_rows(demo_db)
    last = {t: max(row[0] for row in copied[t]) for t in ("study_sessions", "check_ins")}
    # February's study day (the second Tuesday, 2027-02-09 09:00): no session stored yet.
    clock = FakeClock(datetime(2027, 2, 9, 8, 45, tzinfo=SHANGHAI))
    z = await open_zhibu(demo_db.parent / "pg.db", clock, fresh=False, url=pg_url)
    try:
        assert "王秀英，签到成功" in await z.text("王秀英", "签到")
        assert "签到成功" in await z.text("张桂兰", "签到")
        async with z.app.store.transaction() as tx:
            rows = await tx._all("SELECT id, session_id FROM check_ins ORDER BY id DESC LIMIT 2")
            sessions = await tx._all("SELECT MAX(id) AS id FROM study_sessions")
    finally:
        await z.app.close()
    assert sessions[0]["id"] == last["study_sessions"] + 1
    assert [r["id"] for r in rows] == [last["check_ins"] + 2, last["check_ins"] + 1]
    assert {r["session_id"] for r in rows} == {last["study_sessions"] + 1}


async def test_a_target_with_rows_is_refused_and_left_as_it_was(
        demo_db: Path, pg_url: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    assert await _zhibu("migrate", "--from", f"sqlite:///{demo_db}", "--to", pg_url) == 0
    capsys.readouterr()
    copied = await _pg_rows(pg_url, list(_sqlite_rows(demo_db)))
    assert await _zhibu("migrate", "--from", f"sqlite:///{demo_db}", "--to", pg_url) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is not empty (audit_log: " in err and "Traceback" not in err
    assert await _pg_rows(pg_url, list(copied)) == copied

    used = tmp_path / "used.db"
    shutil.copyfile(demo_db, used)
    before = _sha256(used)
    assert await _zhibu("migrate", "--from", pg_url, "--to", f"sqlite:///{used}") == 2
    assert "not empty" in capsys.readouterr().err
    assert _sha256(used) == before


def test_a_database_of_another_schema_version_is_refused_on_either_side(
        demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    older = tmp_path / "older.db"
    shutil.copyfile(demo_db, older)
    with contextlib.closing(sqlite3.connect(older)) as conn:
        conn.execute(f"PRAGMA user_version = {latest() - 1}")
    before = _sha256(older)
    assert main(["migrate", "--from", f"sqlite:///{older}",
                 "--to", f"sqlite:///{tmp_path / 'new.db'}"]) == 2
    err = capsys.readouterr().err
    assert f"has schema {latest() - 1}, this zhibu {latest()}" in err
    assert not (tmp_path / "new.db").exists()

    assert main(["migrate", "--from", f"sqlite:///{demo_db}",
                 "--to", f"sqlite:///{older}"]) == 2
    assert f"holds a zhibu database of schema {latest() - 1}" in capsys.readouterr().err
    # Not upgraded on the way to being refused (no copy written before a migration either).
    assert _sha256(older) == before and list(tmp_path.glob("older.db.before-*")) == []

    assert main(["migrate", "--from", f"sqlite:///{tmp_path / 'none.db'}",
                 "--to", f"sqlite:///{tmp_path / 'new.db'}"]) == 2
    assert "no zhibu database at" in capsys.readouterr().err
    assert not (tmp_path / "none.db").exists() and not (tmp_path / "new.db").exists()


def test_tables_come_after_the_tables_they_reference() -> None:
    tables = schema()
    with contextlib.closing(sqlite3.connect(":memory:")) as conn:
        from storage.migrate import migrations

        for _, sql in migrations():
            conn.executescript(sql)
        seen: set[str] = set()
        for table in tables:
            for ref in conn.execute(f"PRAGMA foreign_key_list({table.name})").fetchall():
                assert ref[2] in seen or ref[3] in table.later, (table.name, ref[3], ref[2])
            seen.add(table.name)
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert seen == names
    later = {(t.name, column) for t in tables for column in t.later}
    assert later == {("members", "pair_member_id"), ("study_sessions", "moved_to")}
    keys = {t.name: t.key for t in tables}
    assert keys["members"] == ("id",) and keys["pair_nudges"] == ("member_id", "partner_id",
                                                                  "since")


def test_a_failed_verification_names_the_table_and_exits_1() -> None:
    checks = [Check("members", 11, 11, 66, 66, 11, 11, False),
              Check("bindings", 11, 10, 7, 5, 11, 10, True)]
    lines = render(CopyReport("a.db", "b.db", checks, 0.1))
    assert lines[1].endswith("11/11 equal")
    assert "#0000000000000007 ≠ #0000000000000005" in lines[2] and "DIFFERS" in lines[2]
    assert "bindings" in lines[-1] and "FAILED" in lines[-1]


def test_help_says_what_migrate_does(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["migrate", "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert "--from URL" in out and "--to URL" in out and "new, empty" in out
    assert "files folder" in out and "Stop every zhibu" in out


def test_a_copy_to_a_new_sqlite_file_needs_no_server(demo_db: Path, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    copy = tmp_path / "copy" / "zhibu.db"
    assert main(["migrate", "--from", f"sqlite:///{demo_db}", "--to", f"sqlite:///{copy}"]) == 0
    assert "全部一致" in capsys.readouterr().out
    assert _sqlite_rows(copy) == _sqlite_rows(demo_db)
