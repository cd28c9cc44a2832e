"""Start-up fails fast and says why in one line (issue #14, item 15).

Each case runs the real command (`python -m bot`) as a subprocess: a supervisor such as
systemd only sees the exit status and what was printed, so both are what is checked.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import load_config
from storage.migrate import latest
from tests.fakes.botapi import FakeBotApi, free_port
from tests.zhibu_process import ROOT

TOKEN = "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghi"


def _zhibu(config: Path, *argv: str) -> tuple[int, str]:
    """Exit status and output; a command that hangs (as `run` did with its port taken)
    fails the test through the timeout, not through a timed assertion."""
    done = subprocess.run([sys.executable, "-m", "bot", "--config", str(config), *argv],
                          cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    return done.returncode, done.stdout + done.stderr


def _one_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in output, output
    return lines[0]


def _config(tmp_path: Path, body: str, db: str = "zhibu.db") -> Path:
    config = tmp_path / "zhibu.toml"
    config.write_text(f'[database]\nurl = "sqlite:///{db}"\n{body}', encoding="utf-8")
    return config


def test_a_taken_port_stops_zhibu_run_at_once(tmp_path: Path) -> None:
    port = free_port()
    with socket.socket() as taken:
        taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        taken.bind(("127.0.0.1", port))
        taken.listen()
        config = _config(tmp_path, f'[wechat]\napp_id = "wx1"\ntoken = "tok123"\n'
                                   f'app_secret = "s3cret"\nlisten = "127.0.0.1:{port}"\n')
        code, output = _zhibu(config, "run")
    assert code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in _one_line(output)


def test_telegram_unreachable_at_start_is_one_line(tmp_path: Path) -> None:
    config = _config(tmp_path, f'[telegram]\ntoken = "{TOKEN}"\n'
                               f'base_url = "http://127.0.0.1:{free_port()}/bot"\n')
    code, output = _zhibu(config, "run")
    assert code == 2 and "Telegram is unreachable" in _one_line(output)


@pytest.mark.parametrize("case", ["not sqlite", "newer schema"])
def test_a_database_zhibu_cannot_use_is_named_with_the_reason(tmp_path: Path, case: str) -> None:
    db = tmp_path / "zhibu.db"
    if case == "not sqlite":
        db.write_text("name,phone\n王秀英,13800000003\n", encoding="utf-8")
    else:
        with contextlib.closing(sqlite3.connect(db)) as conn:
            conn.execute(f"PRAGMA user_version = {latest() + 1}")
    code, output = _zhibu(_config(tmp_path, ""), "outbox")
    line = _one_line(output)
    assert code == 2 and str(db) in line
    assert ("not a SQLite database" if case == "not sqlite" else "newer than this zhibu") in line


def test_wechat_without_an_app_secret_is_refused_by_the_config_check(tmp_path: Path) -> None:
    config = _config(tmp_path, '[wechat]\napp_id = "wx1"\ntoken = "tok123"\n')
    code, output = _zhibu(config, "run")
    assert code == 2 and "app_secret" in _one_line(output)


def test_a_report_into_a_missing_folder_says_so_first(tmp_path: Path) -> None:
    out = tmp_path / "no" / "such" / "report.xlsx"
    code, output = _zhibu(_config(tmp_path, ""), "report", "--branch", "城关",
                             "--month", "2026-11", "--out", str(out))
    assert code == 2 and "does not exist" in _one_line(output)


def test_a_relative_database_path_is_beside_the_config_file(tmp_path: Path) -> None:
    config = _config(tmp_path, "", db="data/zhibu.db")
    assert load_config(config).database.sqlite_path() == str(tmp_path / "data" / "zhibu.db")
    assert load_config(None, {}).database.sqlite_path() == "zhibu.db"  # no file: the cwd


async def test_zhibu_run_prints_the_database_it_uses(tmp_path: Path) -> None:
    async with FakeBotApi() as api:
        config = _config(tmp_path, f'[telegram]\ntoken = "{FakeBotApi.token}"\n'
                                   f'base_url = "{api.base_url}"\n', db="here.db")
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "--config", str(config), "run", cwd=ROOT,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        try:
            assert proc.stdout is not None
            line = (await asyncio.wait_for(proc.stdout.readline(), 30)).decode()
        finally:
            proc.terminate()
            await asyncio.wait_for(proc.communicate(), 15)
    assert "正在运行" in line and str(tmp_path / "here.db") in line
