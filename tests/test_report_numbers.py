"""The report's numbers on a fixed branch year, every figure worked out by hand below.

测试支部 meets on the 10th of each month at 09:00. Its people:
- 甲, 乙, 丁, 戊 and the secretary 书记 are entered on 2026-01-01;
- 丙 is entered on 2026-06-15 (joined mid-year: not 应到 on 10 June);
- 戊 moves to 另一支部 on 2026-05-01 (应到 here until April);
- 丁 dies on 2026-09-20 (应到 up to September's session, not after).
What happens:
- 10 March: 甲 and 书记 check in, 书记 checks 乙 in (代签), 丁 asked for leave (感冒);
  戊 is absent.
- 10 July: 丙 checks in; 丁 is in hospital since 9 July (请假：住院); 甲's July material was
  delivered home (送学补学); 乙 and 书记 are absent. Two visit tasks are due in July: 丁's,
  made on the 11th for the 12th (on time), and 乙's, due the 5th and never made (overdue).
  丁 leaves hospital on 20 July.
- August: the study day on the 10th (nobody came), and one meeting of each other kind added
  once: 支委会 on the 12th (its 应到 is the secretary alone, who came), 党员大会 on the 13th
  (甲, and 乙 by 代签), 党小组会 on the 14th (丙 asked for leave), 党课 on the 15th (all five).
另一支部 (戊's after the move) meets on the 10th too; nobody has ever come.
Every other session: nobody came.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

from openpyxl import load_workbook

from bot.cli import main
from bot.core.clock import FakeClock
from bot.documents.report import MonthReport, chart_series
from handlers.officers.report_data import build_report
from storage import MemberData, SqliteStore
from tests.conftest import SHANGHAI, make_config, open_zhibu

BRANCH = "测试支部"


def at(month: int, day: int, hour: int = 8) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=SHANGHAI)


def person(name: str, phone: str, branch_id: int, role: str = "member") -> MemberData:
    return MemberData(name=name, phone=phone, role=role, home_branch_id=branch_id,
                      birthday=None, address=None, needs_home_delivery=False,
                      lives_alone=False, language=None)


async def a_branch_year(store: SqliteStore) -> None:
    """The year above, written through the repositories at the instants it happened."""
    async with store.transaction() as tx:
        branch, _ = await tx.ensure_branch(BRANCH, at(1, 1, 0))
        other, _ = await tx.ensure_branch("另一支部", at(1, 1, 0))
        await tx.set_study_rule(branch.id, "每月10日 09:00", "活动室")
        await tx.set_study_rule(other.id, "每月10日 09:00")
        ids = {}
        for name, phone, role in [("甲", "13900000001", "member"), ("乙", "13900000002", "member"),
                                  ("丁", "13900000004", "member"), ("戊", "13900000005", "member"),
                                  ("书记", "13900000009", "secretary")]:
            ids[name], _ = await tx.upsert_member(person(name, phone, branch.id, role),
                                                  [branch.id], at(1, 1, 0))
        await tx.upsert_member(person("戊", "13900000005", other.id), [other.id], at(5, 1))
        ids["丙"], _ = await tx.upsert_member(person("丙", "13900000003", branch.id),
                                             [branch.id], at(6, 15))
        await tx.set_status(ids["丁"], "deceased", at(9, 20))

        march = await tx.ensure_session(branch.id, at(3, 10, 9), "活动室")
        await tx.add_checkin(march.id, ids["甲"], at(3, 10, 9), "console")
        await tx.add_checkin(march.id, ids["书记"], at(3, 10, 9), "console")
        await tx.add_checkin(march.id, ids["乙"], at(3, 10, 9), "console",
                             by_member_id=ids["书记"], reason="腿脚不便")
        await tx.add_leave(march.id, ids["丁"], "感冒", at(3, 9))

        july = await tx.ensure_session(branch.id, at(7, 10, 9), "活动室")
        await tx.add_checkin(july.id, ids["丙"], at(7, 10, 9), "console")
        stay = await tx.add_care_event(ids["丁"], "hospitalisation", at(7, 9),
                                       reported_by=ids["丁"], relation=None,
                                       details={"admitted_on": "2026-07-09"})
        await tx.close_care_event(stay.id, at(7, 20))
        delivery = await tx.add_delivery(branch.id, ids["甲"], "2026-07", "asked", at(7, 1),
                                         material_id=None, address=None)
        assert delivery is not None
        await tx.mark_delivered(delivery.id, ids["书记"], "officer", at(7, 12))
        # 五必访 in July: 丁's hospital visit made before its date; 乙's owed since 5 July
        ding = await tx.add_visit_task(branch.id, ids["丁"], "hospitalisation", at(7, 9),
                                       at(7, 12))
        assert ding is not None
        await tx.finish_task(ding.id, ids["书记"], at(7, 11), "2026-07-11", None)
        await tx.add_visit_task(branch.id, ids["乙"], "birthday", at(7, 1), at(7, 5))
        instructor, _ = await tx.upsert_member(person("指导员", "13900000010", branch.id,
                                                      "instructor"), [branch.id], at(1, 1, 0))
        await tx.add_guidance(branch.id, instructor, "2026-07-10", "参加了学习日", at(7, 10))

        # August: the study day, and one meeting of every other kind added once
        kinds = {}
        for day, kind in [(12, "committee"), (13, "general"), (14, "group"), (15, "lecture")]:
            added = await tx.add_meeting(branch.id, kind, at(8, day, 9), "活动室", None)
            assert added is not None
            kinds[kind] = added.id
        await tx.add_checkin(kinds["committee"], ids["书记"], at(8, 12, 9), "console")
        await tx.add_checkin(kinds["general"], ids["甲"], at(8, 13, 9), "console")
        await tx.add_checkin(kinds["general"], ids["乙"], at(8, 13, 9), "console",
                             by_member_id=ids["书记"], reason="腿脚不便")
        await tx.add_leave(kinds["group"], ids["丙"], "家里有事", at(8, 13))
        for name in ("甲", "乙", "丙", "丁", "书记"):
            await tx.add_checkin(kinds["lecture"], ids[name], at(8, 15, 9), "console")


# 应到 / 实到 / 代签 / 请假 / 请假：住院 / 送学补学 / 缺席, by the people listed above
JULY_SESSION = ["2026-07-10 09:00", "学习日", 5, 1, 0, 0, 1, 1, 2, "乙、书记"]
TREND_TO_JULY = [  # 月份, 应到, 实到, 请假 (with 住院), 送学补学, 缺席, 出勤率
    ["2026-01", 5, 0, 0, 0, 5, "0%"],  # 甲 乙 丁 戊 书记
    ["2026-02", 5, 0, 0, 0, 5, "0%"],
    ["2026-03", 5, 3, 1, 0, 1, "60%"],  # 甲 书记 + 乙 (代签); 丁 leave; 戊 absent
    ["2026-04", 5, 0, 0, 0, 5, "0%"],
    ["2026-05", 4, 0, 0, 0, 4, "0%"],  # 戊 has moved
    ["2026-06", 4, 0, 0, 0, 4, "0%"],  # 丙 not yet entered on the 10th
    ["2026-07", 5, 1, 1, 1, 2, "20%"],  # 丙 here, 丁 hospital, 甲 made up, 乙 书记 absent
]


AUGUST_MEETINGS = [  # 日期, 会议, 应到, 实到, 代签, 请假, 住院, 送学补学, 缺席, 缺席名单
    ["2026-08-10 09:00", "学习日", 5, 0, 0, 0, 0, 0, 5, "甲、乙、丁、书记、丙"],
    ["2026-08-12 09:00", "支委会", 1, 1, 0, 0, 0, 0, 0, None],
    ["2026-08-13 09:00", "党员大会", 5, 2, 1, 0, 0, 0, 3, "丁、书记、丙"],
    ["2026-08-14 09:00", "党小组会", 5, 0, 0, 1, 0, 0, 4, "甲、乙、丁、书记"],
    ["2026-08-15 09:00", "党课", 5, 5, 0, 0, 0, 0, 0, None],
]
AUGUST_TREND = ["2026-08", 21, 8, 1, 0, 12, "38%"]  # the five added up


def _sheet(path: Path, name: str) -> list[list[object]]:
    return [list(r) for r in load_workbook(path)[name].iter_rows(values_only=True)]


async def _reports(db: Path) -> list[MonthReport]:
    """The year written, then July's, September's and December's reports collected."""
    z = await open_zhibu(db, FakeClock(at(12, 20)), fresh=False)
    try:
        await a_branch_year(z.app.store)
        built = [await build_report(z.app.store, BRANCH, 2026, month, SHANGHAI, z.clock.now(),
                                    ("test", "test")) for month in (7, 9, 12)]
    finally:
        await z.app.close()
    return [r for r in built if r is not None]


def test_the_workbook_equals_the_figures_worked_out_by_hand(tmp_path: Path) -> None:
    db = tmp_path / "z.db"
    july, september, december = asyncio.run(_reports(db))
    # the chart draws the trend's months only: none before the branch's first member
    labels, attended, leave, absent = chart_series(july)
    assert labels == [row[0][2:] for row in TREND_TO_JULY]
    assert attended == [row[2] for row in TREND_TO_JULY]
    assert leave == [row[3] + row[4] for row in TREND_TO_JULY]
    assert absent == [row[5] for row in TREND_TO_JULY]
    # 丁 died on 20 September: still 应到 on the 10th, gone from October
    assert [(s.date, s.expected) for s in september.sessions] == [("2026-09-10 09:00", 5)]
    assert [(s.date, s.expected, s.absent) for s in december.sessions] == [
        ("2026-12-10 09:00", 4, ["甲", "乙", "书记", "丙"])]
    # twelve months back from December: January to December, all twelve had members
    assert december.history[0].month == "2026-01"
    assert len(december.history) == 12

    config = tmp_path / "z.toml"
    config.write_text(f'[database]\nurl = "{make_config(db).database.url}"\n', encoding="utf-8")
    out = tmp_path / "july.xlsx"
    assert main(["--config", str(config), "report", "--branch", BRANCH, "--month", "2026-07",
                 "--out", str(out)]) == 0
    assert _sheet(out, "出勤")[1:] == [JULY_SESSION]
    assert _sheet(out, "趋势")[1:] == TREND_TO_JULY
    assert _sheet(out, "指导")[1:] == [["2026-07-10", "指导员", "参加了学习日"]]

    out = tmp_path / "august.xlsx"
    assert main(["--config", str(config), "report", "--branch", BRANCH, "--month", "2026-08",
                 "--out", str(out)]) == 0
    assert _sheet(out, "出勤")[1:] == AUGUST_MEETINGS
    assert _sheet(out, "趋势")[1:] == [*TREND_TO_JULY, AUGUST_TREND]

    for month, changes in [("2026-05", [["2026-05-01", "戊", "转出"]]),
                           ("2026-06", [["2026-06-15", "丙", "入支部"]]),
                           ("2026-09", [["2026-09-20", "丁", "去世"]])]:
        out = tmp_path / f"{month}.xlsx"
        assert main(["--config", str(config), "report", "--branch", BRANCH, "--month", month,
                     "--out", str(out)]) == 0
        assert _sheet(out, "人员变动")[1:] == changes
    out = tmp_path / "other.xlsx"
    assert main(["--config", str(config), "report", "--branch", "另一支部", "--month",
                 "2026-05", "--out", str(out)]) == 0
    assert _sheet(out, "人员变动")[1:] == [["2026-05-01", "戊", "转入"]]
    # 另一支部 had nobody before May: its trend starts there, its May session counts 戊 alone
    assert [row[:2] for row in _sheet(out, "趋势")[1:]] == [["2026-05", 1]]


async def test_members_entered_before_version_7_keep_their_dates(tmp_path: Path) -> None:
    """Upgrading a database: each member joined when first entered, and those no longer
    active left (or died) when their row last changed."""
    import contextlib
    import sqlite3

    from storage.migrate import migrations

    db = tmp_path / "old.db"
    with contextlib.closing(sqlite3.connect(db, isolation_level=None)) as conn:
        for number, sql in migrations():
            if number >= 7:
                break
            conn.executescript(f"BEGIN;\n{sql}\nPRAGMA user_version = {number};\nCOMMIT;")
        conn.execute("INSERT INTO branches (name, created_at) VALUES (?, ?)",
                     (BRANCH, "2025-01-01T00:00:00.000000+00:00"))
        for phone, status, changed in [("13900000001", "active", "2025-03-01"),
                                       ("13900000002", "deceased", "2025-08-01")]:
            conn.execute(
                "INSERT INTO members (name, phone, branch_id, role, status, created_at, "
                "updated_at) VALUES (?, ?, 1, 'member', ?, ?, ?)",
                (phone[-1], phone, status, "2025-02-01T00:00:00.000000+00:00",
                 f"{changed}T00:00:00.000000+00:00"))
    store = await SqliteStore.open(db)
    try:
        async with store.transaction() as tx:
            roll = await tx.branch_roll(1)
    finally:
        await store.close()
    feb, june, september = (datetime(2025, m, 10, tzinfo=SHANGHAI) for m in (2, 6, 9))
    assert [m.name for m in roll.expected_at(feb)] == ["1", "2"]
    assert [m.name for m in roll.expected_at(june)] == ["1", "2"]
    assert [m.name for m in roll.expected_at(september)] == ["1"]  # 2 died on 1 August
    assert roll.first_member_at() == datetime(2025, 2, 1, tzinfo=SHANGHAI).replace(
        hour=8)  # 00:00 UTC


# zhibu report --all --month 2026-07, row by row (支部 by name: 另一支部 before 测试支部)
ROLLUP_JULY = [
    # 支部, 党员数, 会议, 已开展, 三会一课（已开展）, 应到, 实到, 代签, 请假, 送学补学, 缺席,
    # 出勤率,
    # 五必访应访, 按时, 逾期完成, 逾期未访, 按时率, 送学待指派, 指导次数,
    # 稿件收到, 稿件采用, 活动人次, 志愿服务时长, 联系的对子 (no branch life in July), 需关注
    ["另一支部", 1, 1, 0, None, 1, 0, 0, 0, 0, 1, "0%", 0, 0, 0, 0, None, 0, 0,  # none due: no rate
     0, 0, 0, 0, 0, "未开展学习日、出勤率低于60%"],
    [BRANCH, 5, 1, 1, "学习日1", 5, 1, 0, 1, 1, 2, "20%", 2, 1, 0, 1, "50%", 0, 1,
     0, 0, 0, 0, 0, "出勤率低于60%、走访逾期"],
    ["合计", 6, 2, 1, None, 6, 1, 0, 1, 1, 3, "17%", 2, 1, 0, 1, "50%", 0, 1,
     0, 0, 0, 0, 0, "2个支部需关注"],
]


def test_the_roll_up_of_every_branch_equals_the_hand_figures(tmp_path: Path) -> None:
    db = tmp_path / "z.db"
    asyncio.run(_reports(db))
    config = tmp_path / "z.toml"
    config.write_text(f'[database]\nurl = "{make_config(db).database.url}"\n', encoding="utf-8")
    out = tmp_path / "all.xlsx"
    assert main(["--config", str(config), "report", "--all", "--month", "2026-07",
                 "--out", str(out)]) == 0
    rows = _sheet(out, "支部汇总")
    assert rows[1:] == ROLLUP_JULY
    filled = [row[0].fill.start_color.rgb for row in load_workbook(out)["支部汇总"].iter_rows(
        min_row=2, max_row=3)]
    assert filled == ["00FADBD8", "00FADBD8"]  # both need a look
    assert out.with_suffix(".png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    august = tmp_path / "august-all.xlsx"
    assert main(["--config", str(config), "report", "--all", "--month", "2026-08",
                 "--out", str(august)]) == 0
    (ours,) = [r for r in _sheet(august, "支部汇总") if r[0] == BRANCH]
    # five meetings, three held (nobody came to the study day or the group meeting)
    assert ours[2:12] == [5, 3, "支委会1、党员大会1、党课1", 21, 8, 1, 1, 0, 12, "38%"]
    may = tmp_path / "may.xlsx"
    assert main(["--config", str(config), "report", "--all", "--month", "2026-05",
                 "--out", str(may)]) == 0
    assert _sheet(may, "人员变动")[1:] == [["另一支部", "2026-05-01", "戊", "转入"],
                                        [BRANCH, "2026-05-01", "戊", "转出"]]
