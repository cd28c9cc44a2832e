"""Tests for applying a roster to the store (bot.roster.importer) and `zhibu import-roster`."""

from __future__ import annotations

import csv
import io
import os
import re
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest

from bot.cli import main
from bot.roster.importer import import_roster
from storage import SqliteStore
from storage.models import Member

NOW = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=30)

HEADER = ["姓名", "手机", "支部", "角色", "生日", "住址", "行动不便", "独居", "互助对象", "语言"]
GOOD_ROWS = [
    ["李建国", "13800000001", "城关支部", "书记", "1950-03-18", "人民路12号", "否", "否", "", ""],
    ["赵志刚", "13800000002", "城关支部、东城支部", "指导员", "", "老干部局", "否", "否", "", ""],
    ["王秀英", "13800000003", "城关支部", "党员", "1943-11-02", "和平街8号", "否", "是",
     "13800000004", ""],
    ["张桂兰", "138 0000 0004", "城关支部", "党员", "农历1949-05-20", "和平街10号", "是", "否",
     "", "繁体"],
    ["刘德明", "13800000005", "东城支部", "", "", "南关村17号", "否", "否", "", ""],
]
GOOD_PHONES = [f"1380000000{i}" for i in range(1, 6)]
BAD_ROWS = [  # rows 7, 8 and 9 of the file
    ["孙福海", "", "城关支部", "党员", "", "", "", "", "", ""],
    ["陈淑珍", "13800000005", "城关支部", "党员", "", "", "", "", "", ""],
    ["吴长林", "13800000009", "城关支部", "主任", "", "", "", "", "", ""],
]


def write_csv(path: Path, rows: Sequence[Sequence[object]]) -> Path:
    """Write a UTF-8 CSV roster with the Chinese header."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows([HEADER, *rows])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def snapshot(db: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of the roster tables, to compare a database before and after."""
    tables = {"branches": "id", "members": "id", "member_branches": "member_id, branch_id"}
    with closing(sqlite3.connect(db)) as conn:
        return {
            name: conn.execute(f"SELECT * FROM {name} ORDER BY {order}").fetchall()
            for name, order in tables.items()
        }


async def member(store: SqliteStore, phone: str) -> Member:
    """The member with that phone (which must exist)."""
    async with store.transaction() as tx:
        found = await tx.find_member_by_phone(phone)
    assert found is not None, phone
    return found


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """The database file shared by the store fixture and the CLI config."""
    return tmp_path / "z.db"


@pytest.fixture
async def store(db_path: Path) -> AsyncIterator[SqliteStore]:
    """An empty store, closed after the test."""
    store = await SqliteStore.open(db_path)
    yield store
    await store.close()


@pytest.fixture
def good_csv(tmp_path: Path) -> Path:
    """A valid roster of five people in two branches."""
    return write_csv(tmp_path / "good.csv", GOOD_ROWS)


@pytest.fixture
def config(tmp_path: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A config file pointing at the test's database (and no ZHIBU_* overrides)."""
    for var in [v for v in os.environ if v.startswith("ZHIBU_")]:
        monkeypatch.delenv(var)
    path = tmp_path / "zhibu.toml"
    path.write_text(f'[database]\nurl = "sqlite:///{db_path}"\n', encoding="utf-8")
    return path


# --- import_roster ---------------------------------------------------------------------------


async def test_a_good_roster_adds_every_row(store: SqliteStore, good_csv: Path) -> None:
    summary = await import_roster(store, good_csv, NOW)

    assert (summary.added, summary.updated, summary.unchanged, summary.skipped) == (5, 0, 0, 0)
    assert summary.applied and summary.errors == []
    async with store.transaction() as tx:
        branches = {b.name: b.id for b in await tx.list_branches()}
        instructor = await tx.find_member_by_phone("13800000002")
        assert instructor is not None
        overseen = await tx.overseen_branch_ids(instructor.id)
    assert set(branches) == {"城关支部", "东城支部"}
    assert (instructor.role, instructor.branch_id) == ("instructor", None)
    assert sorted(overseen) == sorted(branches.values())
    zhang = await member(store, "13800000004")
    assert (zhang.birthday, zhang.needs_home_delivery, zhang.language) == (
        "农历1949-05-20", True, "zh-Hant"
    )
    liu = await member(store, "13800000005")
    assert (liu.role, liu.branch_id) == ("member", branches["东城支部"])


async def test_reimporting_the_same_roster_changes_nothing(
    store: SqliteStore, good_csv: Path, db_path: Path
) -> None:
    await import_roster(store, good_csv, NOW)
    before = snapshot(db_path)

    summary = await import_roster(store, good_csv, LATER)

    assert (summary.added, summary.updated, summary.unchanged, summary.skipped) == (0, 0, 5, 0)
    assert snapshot(db_path) == before


async def test_an_edited_address_updates_only_that_member(
    store: SqliteStore, good_csv: Path, tmp_path: Path
) -> None:
    await import_roster(store, good_csv, NOW)
    original = await member(store, "13800000003")
    edited = [list(row) for row in GOOD_ROWS]
    edited[2][5] = "幸福里1号"
    edited_csv = write_csv(tmp_path / "edited.csv", edited)

    summary = await import_roster(store, edited_csv, LATER)

    assert (summary.added, summary.updated, summary.unchanged) == (0, 1, 4)
    moved = await member(store, "13800000003")
    assert moved.id == original.id
    assert moved.address == "幸福里1号"
    assert (await member(store, "13800000004")).address == "和平街10号"


async def test_pairs_are_mutual(store: SqliteStore, good_csv: Path) -> None:
    await import_roster(store, good_csv, NOW)

    wang = await member(store, "13800000003")
    zhang = await member(store, "13800000004")
    assert wang.pair_member_id == zhang.id  # 王秀英 lists 张桂兰 ...
    assert zhang.pair_member_id == wang.id  # ... and 张桂兰 is paired back
    assert (await member(store, "13800000005")).pair_member_id is None


async def test_changing_a_partner_leaves_no_one_half_paired(
    store: SqliteStore, good_csv: Path, tmp_path: Path
) -> None:
    await import_roster(store, good_csv, NOW)
    edited = [list(row) for row in GOOD_ROWS]
    edited[2][8] = "13800000005"  # 王秀英 now pairs with 刘德明 instead of 张桂兰
    edited_csv = write_csv(tmp_path / "edited.csv", edited)

    summary = await import_roster(store, edited_csv, LATER)

    wang = await member(store, "13800000003")
    liu = await member(store, "13800000005")
    assert (wang.pair_member_id, liu.pair_member_id) == (liu.id, wang.id)
    assert (await member(store, "13800000004")).pair_member_id is None
    assert (summary.updated, summary.unchanged) == (3, 2)


async def test_a_partner_taken_over_releases_their_former_partner(
    store: SqliteStore, good_csv: Path, tmp_path: Path
) -> None:
    await import_roster(store, good_csv, NOW)
    edited = [list(row) for row in GOOD_ROWS]
    edited[2][8] = ""  # 王秀英 no longer names 张桂兰 ...
    edited[4][8] = "13800000004"  # ... and 刘德明 now names her
    edited_csv = write_csv(tmp_path / "edited.csv", edited)

    await import_roster(store, edited_csv, LATER)

    zhang = await member(store, "13800000004")
    liu = await member(store, "13800000005")
    assert (zhang.pair_member_id, liu.pair_member_id) == (liu.id, zhang.id)
    assert (await member(store, "13800000003")).pair_member_id is None


async def test_a_bad_roster_writes_nothing(
    store: SqliteStore, tmp_path: Path, db_path: Path
) -> None:
    bad_csv = write_csv(tmp_path / "bad.csv", [*GOOD_ROWS, *BAD_ROWS])

    summary = await import_roster(store, bad_csv, NOW)

    assert not summary.applied
    assert sorted({e.row_number for e in summary.errors}) == [7, 8, 9]
    assert snapshot(db_path) == {"branches": [], "members": [], "member_branches": []}


async def test_an_xlsx_roster_with_english_headers_imports(
    store: SqliteStore, tmp_path: Path
) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Name", "Phone", "Branch", "Role", "Birthday", "Address",
                  "Needs home delivery", "Lives alone", "Pair", "Language", "Notes"])
    sheet.append(["Li Jianguo", 13800000001, "城关支部", "secretary",
                  datetime(1950, 3, 18), "人民路12号", "no", "no", None, "en", "extra"])
    sheet.append(["王秀英", 13800000003, "城关支部", "member", None, None, "yes", "yes",
                  13800000001, None, None])
    path = tmp_path / "roster.xlsx"
    workbook.save(path)

    summary = await import_roster(store, path, NOW)

    assert (summary.added, summary.skipped) == (2, 0)
    li = await member(store, "13800000001")
    wang = await member(store, "13800000003")
    assert (li.name, li.role, li.birthday, li.language) == (
        "Li Jianguo", "secretary", "1950-03-18", "en"
    )
    assert (wang.needs_home_delivery, wang.lives_alone) == (True, True)
    assert (li.pair_member_id, wang.pair_member_id) == (wang.id, li.id)


# --- zhibu import-roster ---------------------------------------------------------------------


def test_the_command_imports_and_prints_a_summary(
    config: Path, good_csv: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = main(["--config", str(config), "import-roster", str(good_csv)])
    first_out = capsys.readouterr().out
    before = snapshot(db_path)
    second = main(["--config", str(config), "import-roster", str(good_csv)])
    second_out = capsys.readouterr().out

    assert (first, second) == (0, 0)
    assert "新增 5 · 更新 0 · 未变 0 · 跳过 0" in first_out
    assert "新增 0 · 更新 0 · 未变 5 · 跳过 0" in second_out
    assert snapshot(db_path) == before
    assert len(before["members"]) == 5


def test_a_bad_roster_is_refused_with_each_bad_row_named(
    config: Path, good_csv: Path, tmp_path: Path, db_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--config", str(config), "import-roster", str(good_csv)]) == 0
    before = snapshot(db_path)
    edited = [list(row) for row in GOOD_ROWS]
    edited[0][5] = "新地址"  # a good change that must not be applied either
    bad_csv = write_csv(tmp_path / "bad.csv", [*edited, *BAD_ROWS])
    capsys.readouterr()

    code = main(["--config", str(config), "import-roster", str(bad_csv)])

    out = capsys.readouterr().out
    assert code != 0
    assert re.search(r"第7行：缺少手机号", out)
    assert re.search(r"第8行：手机号重复（与第6行相同）", out)
    assert re.search(r"第9行：未知角色：主任", out)
    assert "未导入任何人" in out
    assert snapshot(db_path) == before


def test_skip_bad_imports_the_good_rows(
    config: Path, tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad_csv = write_csv(tmp_path / "bad.csv", [*GOOD_ROWS, *BAD_ROWS])

    main(["--config", str(config), "import-roster", "--skip-bad", str(bad_csv)])

    out = capsys.readouterr().out
    assert "第7行" in out and "第8行" in out and "第9行" in out
    assert "新增 5 · 更新 0 · 未变 0 · 跳过 3" in out
    phones = {row[2] for row in snapshot(db_path)["members"]}
    assert phones == set(GOOD_PHONES)


def test_an_unreadable_roster_is_a_one_line_error(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = tmp_path / "roster.txt"
    notes.write_text("姓名\n", encoding="utf-8")

    code = main(["--config", str(config), "import-roster", str(notes)])

    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("zhibu: 不支持的文件类型：.txt")
    assert err.count("\n") == 1


# --- never erasing silently (#14) ------------------------------------------------------------


def write(path: Path, header: list[str], *rows: list[str]) -> Path:
    """A CSV roster with the header given (some optional columns left out)."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, *rows])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


async def test_a_file_without_optional_columns_keeps_what_the_database_has(
        store: SqliteStore, good_csv: Path, tmp_path: Path) -> None:
    await import_roster(store, good_csv, NOW)
    assert (await member(store, "13800000001")).role == "secretary"
    thin = write(tmp_path / "thin.csv", ["姓名", "手机", "支部"],
                 ["李建国", "13800000001", "城关支部"], ["王秀英", "13800000003", "城关支部"])
    summary = await import_roster(store, thin, LATER)
    assert summary.applied and summary.updated == 0 and summary.unchanged == 2
    after = await member(store, "13800000001")
    assert (after.role, after.birthday, after.address) == ("secretary", "1950-03-18", "人民路12号")
    wang = await member(store, "13800000003")
    assert wang.lives_alone and wang.pair_member_id is not None


async def test_an_unknown_branch_is_refused_with_the_closest_name(
        store: SqliteStore, good_csv: Path, tmp_path: Path) -> None:
    await import_roster(store, good_csv, NOW)
    typo = write(tmp_path / "typo.csv", ["姓名", "手机", "支部"],
                 ["孙福海", "13800000007", "城关之部"])
    summary = await import_roster(store, typo, LATER)
    assert not summary.applied
    (error,) = summary.errors
    assert "没有“城关之部”这个支部" in str(error) and "是“城关支部”吗" in str(error)
    assert "--new-branch" in str(error)
    summary = await import_roster(store, typo, LATER, new_branch=True)
    assert summary.applied and summary.added == 1


async def test_the_status_column_marks_who_left_or_died_and_who_came_back(
        store: SqliteStore, good_csv: Path, tmp_path: Path) -> None:
    await import_roster(store, good_csv, NOW)
    header = ["姓名", "手机", "支部", "状态"]
    gone = write(tmp_path / "gone.csv", header, ["王秀英", "13800000003", "城关支部", "离开"],
                 ["张桂兰", "13800000004", "城关支部", "去世"],
                 ["李建国", "13800000001", "城关支部", ""])
    summary = await import_roster(store, gone, LATER)
    assert summary.updated == 2 and summary.unchanged == 1
    assert "王秀英：状态 在册 → 离开" in summary.changes
    assert (await member(store, "13800000003")).status == "inactive"
    assert (await member(store, "13800000004")).status == "deceased"
    back = write(tmp_path / "back.csv", header, ["王秀英", "13800000003", "城关支部", "在册"])
    await import_roster(store, back, LATER)
    assert (await member(store, "13800000003")).status == "active"


async def test_a_dry_run_lists_every_change_and_writes_nothing(
        store: SqliteStore, good_csv: Path, tmp_path: Path, db_path: Path) -> None:
    await import_roster(store, good_csv, NOW)
    edited = write(tmp_path / "edited.csv", ["姓名", "手机", "支部", "角色", "住址"],
                   ["李建国", "13800000001", "城关支部", "党员", "新华路1号"],
                   ["孙福海", "13800000007", "城关支部", "", ""])
    before = snapshot(db_path)
    summary = await import_roster(store, edited, LATER, dry_run=True)
    assert not summary.applied and summary.dry_run
    assert "李建国：角色 书记 → 党员；住址 人民路12号 → 新华路1号" in summary.changes
    assert "孙福海：新增" in summary.changes
    assert snapshot(db_path) == before


def test_the_cli_previews_and_marks_members(
        config: Path, good_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(config), "import-roster", str(good_csv)]) == 0
    capsys.readouterr()
    moved = write(tmp_path / "moved.csv", ["姓名", "手机", "支部"],
                  ["王秀英", "13800000003", "东城支部"])
    assert main(["--config", str(config), "import-roster", str(moved), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "王秀英：支部 城关支部 → 东城支部" in out and "预览" in out
    base = ["--config", str(config), "member"]
    assert main([*base, "leave", "13800000003"]) == 0
    assert "王秀英" in capsys.readouterr().out
    assert main([*base, "move", "13800000003", "--branch", "东城支部"]) == 0
    assert main([*base, "restore", "138 0000 0003"]) == 0
    out = capsys.readouterr().out
    assert "东城支部" in out and "在册" in out
    assert main([*base, "move", "13800000003", "--branch", "东城之部"]) == 2
    assert "东城支部" in capsys.readouterr().err  # the closest name
    assert main([*base, "leave", "13999999999"]) == 2
