"""zhibu backup / restore, and the copy written before every schema migration (#14, item 16)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from pathlib import Path

import pytest

from bot.cli import main
from bot.core.clock import FakeClock
from storage import SqliteStore
from storage.migrate import latest, migrations
from tests.conftest import STUDY_DAY_MORNING, Zhibu, open_zhibu


def _config(tmp_path: Path, db: Path) -> Path:
    config = tmp_path / "zhibu.toml"
    config.write_text(f'[database]\nurl = "sqlite:///{db}"\n', encoding="utf-8")
    return config


async def _zhibu(*argv: str) -> int:
    """The command line, from a test's running event loop (it starts a loop of its own)."""
    return await asyncio.to_thread(main, list(argv))


def _rows(db: Path, table: str) -> int:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


async def test_a_backup_of_a_running_zhibu_restores_its_data_and_files(
        zhibu: Zhibu, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    await zhibu.say("王秀英", "签到")
    files = zhibu.path.parent / "files"
    (files / "abc").mkdir(parents=True)
    (files / "abc" / "公报.pdf").write_bytes(b"%PDF-1.4 x")
    (files / ".drafts" / "x").mkdir(parents=True)
    (files / ".drafts" / "x" / "draft.pdf").write_bytes(b"%PDF-1.4 draft")
    archive = tmp_path / "backup.tar.gz"
    # The store is open (and could be writing): the online backup API copes.
    assert await _zhibu("--config", str(_config(tmp_path, zhibu.path)), "backup", str(archive)) == 0
    assert "已备份" in capsys.readouterr().out
    await zhibu.say("张桂兰", "签到")  # after the backup

    elsewhere = tmp_path / "restored" / "zhibu.db"
    config = _config(tmp_path, elsewhere)
    assert await _zhibu("--config", str(config), "restore", str(archive)) == 0
    assert _rows(elsewhere, "check_ins") == 1
    assert (elsewhere.parent / "files" / "abc" / "公报.pdf").read_bytes() == b"%PDF-1.4 x"
    assert not (elsewhere.parent / "files" / ".drafts").exists()


async def test_restore_refuses_a_newer_database_without_force(
        zhibu: Zhibu, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = _config(tmp_path, zhibu.path)
    archive = tmp_path / "backup.tar.gz"
    assert await _zhibu("--config", str(config), "backup", str(archive)) == 0
    await zhibu.say("王秀英", "签到")  # the database moves on after the backup
    await zhibu.app.close()
    assert await _zhibu("--config", str(config), "restore", str(archive)) == 2
    err = capsys.readouterr().err
    assert "newer than the backup" in err and "--force" in err and "Traceback" not in err
    assert _rows(zhibu.path, "check_ins") == 1
    assert await _zhibu("--config", str(config), "restore", str(archive), "--force") == 0
    assert _rows(zhibu.path, "check_ins") == 0


def test_restore_refuses_what_is_not_a_backup(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not a tar")
    config = _config(tmp_path, tmp_path / "z.db")
    assert main(["--config", str(config), "restore", str(junk)]) == 2
    assert "not a zhibu backup" in capsys.readouterr().err
    assert main(["--config", str(config), "backup", str(tmp_path / "no" / "b.tar.gz")]) == 2
    assert "does not exist" in capsys.readouterr().err


async def test_a_migration_first_writes_a_copy_of_the_database_and_says_so(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    db = tmp_path / "old.db"
    with contextlib.closing(sqlite3.connect(db, isolation_level=None)) as conn:
        for number, sql in migrations()[:-1]:
            conn.executescript(f"BEGIN;\n{sql}\nPRAGMA user_version = {number};\nCOMMIT;")
        conn.execute("INSERT INTO branches (name, created_at) VALUES ('老支部', '2026-01-01')")
    with caplog.at_level(logging.WARNING, logger="storage.sqlite"):
        store = await SqliteStore.open(db)
    await store.close()
    copy = db.with_name(f"old.db.before-{latest():04d}.bak")
    assert copy.is_file() and str(copy) in caplog.text
    with contextlib.closing(sqlite3.connect(copy)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == latest() - 1
        assert conn.execute("SELECT name FROM branches").fetchall() == [("老支部",)]
    # A database already at the latest schema is not copied again.
    copy.unlink()
    store = await SqliteStore.open(db)
    await store.close()
    assert not copy.exists()


async def test_a_fresh_database_is_not_backed_up(tmp_path: Path) -> None:
    z = await open_zhibu(tmp_path / "new.db", FakeClock(STUDY_DAY_MORNING), fresh=True)
    await z.app.close()
    assert await asyncio.to_thread(lambda: list(tmp_path.glob("*.bak"))) == []
    assert (tmp_path / "new.db").is_file()
