"""Tests for the `zhibu` command line: set-study-day, invite, --help and config errors."""

from __future__ import annotations

import asyncio
import itertools
import os
import re
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.cli import main
from handlers.binding import code_hash
from storage import SqliteStore

ROSTER = """姓名,手机,支部,角色,互助对象
李建国,13800000001,城关支部,书记,
赵志刚,13800000002,城关支部、东城支部,指导员,
王秀英,13800000003,城关支部,党员,
刘德明,13800000005,东城支部,党员,
"""
PUBLIC_COMMANDS = ("demo", "import-roster", "set-study-day", "invite")


@pytest.fixture(autouse=True)
def no_zhibu_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The developer's own ZHIBU_* variables must not reach these tests."""
    for var in [v for v in os.environ if v.startswith("ZHIBU_")]:
        monkeypatch.delenv(var)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """The test's database file."""
    return tmp_path / "z.db"


@pytest.fixture
def config(tmp_path: Path, db_path: Path) -> Path:
    """A config file pointing at the test's database."""
    path = tmp_path / "zhibu.toml"
    path.write_text(f'[database]\nurl = "sqlite:///{db_path}"\n', encoding="utf-8")
    return path


@pytest.fixture
def imported(config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """The config, after `zhibu import-roster` loaded a small roster of two branches."""
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    assert main(["--config", str(config), "import-roster", str(roster)]) == 0
    capsys.readouterr()
    return config


def zhibu(config: Path, *args: str) -> int:
    """Run one `zhibu` command in-process against the test config."""
    return main(["--config", str(config), *args])


async def _take(db_path: Path, code: str) -> tuple[str, int | None, str | None, int | None]:
    store = await SqliteStore.open(db_path)
    try:
        async with store.transaction() as tx:
            member = await tx.find_member_by_phone("13800000003")
            now = datetime.now().astimezone()
            outcome, member_id, relation = await tx.take_invite(code_hash(code), now)
    finally:
        await store.close()
    return outcome, member_id, relation, member.id if member else None


def take_invite(db_path: Path, code: str) -> tuple[str, int | None, str | None, int | None]:
    """Use a printed code against the database: (outcome, member, relation, 王秀英's id)."""
    return asyncio.run(_take(db_path, code))


# --- set-study-day ---------------------------------------------------------------------------


def test_setting_a_study_day_prints_the_next_sessions(
    imported: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = zhibu(imported, "set-study-day", "城关支部", "每月10日 09:00", "--place", "活动室")

    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("城关支部：每月10日 09:00。接下来：")
    starts = [datetime.strptime(s, "%Y-%m-%d %H:%M")
              for s in re.findall(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", out)]
    assert len(starts) == 3
    assert all((s.day, s.hour, s.minute) == (10, 9, 0) for s in starts)
    months = [s.year * 12 + s.month for s in starts]
    assert [b - a for a, b in itertools.pairwise(months)] == [1, 1]
    assert timedelta(days=-1) < starts[0] - datetime.now() < timedelta(days=32)


def test_a_study_day_is_stored_on_the_branch(imported: Path, db_path: Path) -> None:
    assert zhibu(imported, "set-study-day", "东城支部", "monthly 2nd tue 09:00") == 0

    async def branch_rule() -> tuple[str | None, str | None]:
        store = await SqliteStore.open(db_path)
        try:
            async with store.transaction() as tx:
                branch = await tx.find_branch("东城支部")
        finally:
            await store.close()
        assert branch is not None
        return branch.study_rule, branch.study_place

    assert asyncio.run(branch_rule()) == ("每月第二个周二 09:00", None)


def test_an_unknown_branch_is_refused_with_the_known_branches(
    imported: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = zhibu(imported, "set-study-day", "西城支部", "每月10日 09:00")

    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    assert "西城支部" in captured.err
    assert "城关支部" in captured.err and "东城支部" in captured.err


def test_an_unknown_branch_before_any_import_says_to_import_first(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = zhibu(config, "set-study-day", "城关支部", "每月10日 09:00")

    assert code == 2
    assert "请先导入名单" in capsys.readouterr().err


def test_an_unparseable_rule_is_refused_with_an_example(
    imported: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = zhibu(imported, "set-study-day", "城关支部", "随便哪天")

    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("zhibu: ")
    assert "每月10日 09:00" in err
    assert err.count("\n") == 1


# --- invite ----------------------------------------------------------------------------------


def test_an_invite_prints_a_code_that_binds_once(
    imported: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = zhibu(imported, "invite", "138-0000-0003")

    out = capsys.readouterr().out
    match = re.search(r"王秀英的绑定码：(\d{4}) (\d{4})", out)
    assert code == 0
    assert match is not None, out
    outcome, member_id, relation, wang_id = take_invite(db_path, match[1] + match[2])
    assert (outcome, member_id, relation) == ("ok", wang_id, None)


def test_a_family_invite_names_the_relation(
    imported: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = zhibu(imported, "invite", "13800000003", "--family", "女儿")

    out = capsys.readouterr().out
    match = re.search(r"王秀英的女儿的绑定码：(\d{4}) (\d{4})", out)
    assert code == 0
    assert match is not None, out
    outcome, member_id, relation, wang_id = take_invite(db_path, match[1] + match[2])
    assert (outcome, member_id, relation) == ("ok", wang_id, "女儿")


def test_an_invite_for_an_unknown_phone_is_refused(
    imported: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = zhibu(imported, "invite", "13900000000")

    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    assert "13900000000" in captured.err


def test_an_invite_for_an_invalid_phone_is_refused(
    imported: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = zhibu(imported, "invite", "12345")

    assert code == 2
    assert "手机号无效：12345" in capsys.readouterr().err


# --- help and configuration ------------------------------------------------------------------


def test_help_lists_every_public_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])

    out = capsys.readouterr().out
    assert exit_.value.code == 0
    for name in (*PUBLIC_COMMANDS, "--config"):
        assert name in out


@pytest.mark.parametrize("command", PUBLIC_COMMANDS)
def test_each_command_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main([command, "--help"])

    assert exit_.value.code == 0
    assert f"usage: zhibu {command}" in capsys.readouterr().out


def test_a_bad_config_value_is_one_line_naming_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "zhibu.toml"
    config.write_text('timezone = "Mars/Base"\n', encoding="utf-8")

    code = zhibu(config, "invite", "13800000003")

    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    assert captured.err.startswith("zhibu: config key timezone:")
    assert "Mars/Base" in captured.err
    assert captured.err.count("\n") == 1


def test_python_dash_m_bot_shows_the_same_help() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZHIBU_")}
    result = subprocess.run([sys.executable, "-m", "bot", "--help"], capture_output=True,
                            text=True, env=env, timeout=60, check=False)

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: zhibu")
    for name in PUBLIC_COMMANDS:
        assert name in result.stdout


def test_branch_care_changes_due_days_and_holiday_set(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _branch_care_config(tmp_path)
    assert main(["--config", str(config), "branch-care", "城关离退休干部党支部",
                 "--visit-due-days", "5", "--holiday-visits", "lives_alone,age80"]) == 0
    assert "走访期限 5 天；节日走访：lives_alone,age80" in capsys.readouterr().out
    assert main(["--config", str(config), "branch-care", "城关离退休干部党支部",
                 "--holiday-visits", "rich"]) == 2
    assert "unknown holiday-visit criteria rich" in capsys.readouterr().err


def _branch_care_config(tmp_path: Path) -> Path:
    db = tmp_path / "care.db"
    config = tmp_path / "care.toml"
    config.write_text(f'[database]\nurl = "sqlite:///{db}"\n', encoding="utf-8")
    roster = Path(__file__).resolve().parent.parent / "bot" / "demo_data" / "roster.csv"
    assert main(["--config", str(config), "import-roster", str(roster)]) == 0
    return config


def test_outbox_lists_dead_rows_and_retry_requeues_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _branch_care_config(tmp_path)

    async def make_dead() -> None:
        store = await SqliteStore.open(tmp_path / "care.db")
        try:
            async with store.transaction() as tx:
                (wang,) = await tx.find_members_by_name("王秀英")
                (zhang,) = await tx.find_members_by_name("张桂兰")
                now = datetime.now().astimezone()
                await tx.enqueue("k1", wang.id, "reminder", "提醒", now)
                await tx.enqueue("k2", zhang.id, "reminder", "提醒", now)
                (row, _) = await tx.claim_due(now + timedelta(seconds=1), 2)
                await tx.mark_failed(row.id, "no reachable chat account", None)
        finally:
            await store.close()

    asyncio.run(make_dead())
    capsys.readouterr()
    assert main(["--config", str(config), "outbox"]) == 0
    out = capsys.readouterr().out
    assert "pending 0  inflight 1  sent 0  dead 1" in out
    assert "reminder → 王秀英 (1 tries): no reachable chat account" in out
    assert main(["--config", str(config), "outbox", "retry", "--dead"]) == 0
    assert "requeued 1" in capsys.readouterr().out
    assert main(["--config", str(config), "outbox", "retry", "99"]) == 1
