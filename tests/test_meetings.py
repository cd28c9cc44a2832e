"""三会一课: meetings of every kind beside the study day, added in chat, moved, checked in to,
reminded and reported. The demo branch meets on the second Tuesday (8 December 2026) at
09:00; the clock starts at 08:30 that day."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

from openpyxl import load_workbook

from bot.cli import main
from handlers.meetings.when import parse_clock, parse_future_day
from schedules.scheduler import Scheduler
from tests.conftest import SHANGHAI, Zhibu, count_rows, make_config

BOTH_ENGINES = True  # every `zhibu` test here runs on SQLite and on PostgreSQL

BRANCH = "城关离退休干部党支部"


def test_days_and_times_as_an_officer_says_them() -> None:
    thursday = date(2026, 12, 3)
    assert parse_future_day("明天", thursday) == date(2026, 12, 4)
    assert parse_future_day("12月20日", thursday) == date(2026, 12, 20)
    assert parse_future_day("下周二", thursday) == date(2026, 12, 8)
    assert parse_future_day("周二", thursday) == date(2026, 12, 8)  # this week's has passed
    assert parse_future_day("11月1日", thursday) == date(2027, 11, 1)  # past: next year
    assert parse_future_day("昨天", thursday) is None
    assert parse_clock("9点") == time(9, 0)
    assert parse_clock("下午2点半") == time(14, 30)
    assert parse_clock("两点半") == time(14, 30)  # nobody meets at night
    assert parse_clock("上午十点") == time(10, 0)
    assert parse_clock("25:00") is None


async def _rule(z: Zhibu, kind: str, rule: str) -> None:
    async with z.app.store.transaction() as tx:
        branch = await tx.find_branch(BRANCH)
        assert branch is not None
        await tx.set_meeting_rule(branch.id, kind, rule, None)


async def test_two_meetings_open_at_once_and_checkin_asks_which(zhibu: Zhibu) -> None:
    await _rule(zhibu, "lecture", "每月第二个星期二 10:00")
    zhibu.clock.advance(timedelta(hours=1))  # 09:30: the study day and the 党课 are both open
    (question,) = await zhibu.say("王秀英", "嗯，我签到")
    assert "您要签哪一个" in question.text
    assert [b.label for b in question.buttons] == ["1 学习日 09:00", "2 党课 10:00"]
    assert "签到成功！12月8日（星期二）党课" in await zhibu.text("王秀英", "2")
    # the one left needs no question; a third time, both are done
    assert "签到成功！12月8日（星期二）学习日" in await zhibu.text("王秀英", "签到")
    assert "已签到" in await zhibu.text("王秀英", "签到")
    assert await count_rows(zhibu.app.store, "check_ins") == 2
    # 签到 党课 names it at once
    assert "党课" in await zhibu.text("张桂兰", "签到 党课")


async def test_the_committee_is_its_officers_meeting(zhibu: Zhibu) -> None:
    async with zhibu.app.store.transaction() as tx:
        branch = await tx.find_branch(BRANCH)
        assert branch is not None
        await tx.set_study_rule(branch.id, "每月1日 09:00")  # no study day today
        await tx.set_meeting_rule(branch.id, "committee", "每月第二个星期二 09:00", None)
    assert "今天没有要开的会" in await zhibu.text("王秀英", "签到")
    assert "签到成功！12月8日（星期二）支委会" in await zhibu.text("李建国", "签到")
    reply = await zhibu.text("李建国", "出勤")
    assert "支委会" in reply and "应到 1 人" in reply  # the branch's one secretary


async def test_an_officer_adds_a_party_lecture_and_every_member_hears_once(
        zhibu: Zhibu) -> None:
    assert "加一个什么会" in await zhibu.text("李建国", "开会")
    assert "哪天开" in await zhibu.text("李建国", "党课")
    assert "几点开始" in await zhibu.text("李建国", "12月20日")
    assert "在哪里开" in await zhibu.text("李建国", "上午9点")
    assert "主题" in await zhibu.text("李建国", "老地方")
    readback = await zhibu.text("李建国", "学习全会精神")
    assert "12月20日（星期日） 09:00" in readback and "主题：学习全会精神" in readback
    assert await count_rows(zhibu.app.store, "outbox") == 0  # nothing before the yes
    done = await zhibu.say("李建国", "确认", message_id="add-lecture")
    assert "党课已安排，已通知" in done[0].text
    again = await zhibu.say("李建国", "确认", message_id="add-lecture")  # a redelivery
    assert again[0].text == done[0].text
    pushes = [text for who, text in zhibu.sender.sent if "【党课通知】" in text]
    members = {who for who, text in zhibu.sender.sent if "【党课通知】" in text}
    assert len(pushes) == len(members) >= 7  # once each (the deceased and unbound: none)
    assert "李建国" not in members
    # on the day, the scheduler reminds it like a study day, naming the kind
    zhibu.clock.set(datetime(2026, 12, 20, 8, 5, tzinfo=SHANGHAI))
    await Scheduler(zhibu.app).catch_up()
    await zhibu.app.dispatcher.run_once(limit=100)
    assert any(text.startswith("【党课提醒】12月20日（星期日） 09:00开党课")
               for text in zhibu.sender.to("王秀英"))
    assert "签到成功！12月20日（星期日）党课" in await zhibu.text("王秀英", "签到")


async def test_a_meeting_said_in_one_sentence(zhibu: Zhibu) -> None:
    assert "在哪里开" in await zhibu.text("李建国", "开会 党小组会 明天 下午3点")
    await zhibu.text("李建国", "跳过")
    readback = await zhibu.text("李建国", "跳过")
    assert "党小组会：12月9日（星期三） 15:00" in readback


async def test_the_study_day_is_moved_and_everyone_told_once(zhibu: Zhibu) -> None:
    assert "12月8日（星期二） 09:00的学习日改到哪天" in await zhibu.text("李建国", "改期")
    assert "几点开始" in await zhibu.text("李建国", "12月15日")
    readback = await zhibu.text("李建国", "时间不变")
    assert "把12月8日（星期二） 09:00的学习日改到12月15日（星期二） 09:00" in readback
    assert "学习日已改期" in await zhibu.text("李建国", "确认")
    told = [text for who, text in zhibu.sender.sent if "【学习日改期】" in text]
    assert len(told) == len({who for who, text in zhibu.sender.sent if "【学习日改期】" in text})
    assert "今天不是学习日。下次学习日：12月15日" in await zhibu.text("王秀英", "签到")
    assert "12月15日" in await zhibu.text("王秀英", "学习日")
    zhibu.clock.set(datetime(2026, 12, 15, 8, 30, tzinfo=SHANGHAI))
    assert "签到成功！12月15日（星期二）学习日" in await zhibu.text("王秀英", "签到")


def test_the_report_counts_each_kind_and_the_cli_sets_a_kinds_rule(
        tmp_path: Path, capsys: object) -> None:
    import asyncio

    from bot.core.clock import FakeClock
    from tests.conftest import STUDY_DAY_MORNING, open_zhibu

    db = tmp_path / "z.db"
    config = tmp_path / "z.toml"
    config.write_text(f'[database]\nurl = "{make_config(db).database.url}"\n', encoding="utf-8")

    async def a_month() -> None:
        z = await open_zhibu(db, FakeClock(STUDY_DAY_MORNING), fresh=True)
        await z.app.close()

    asyncio.run(a_month())
    assert main(["--config", str(config), "set-study-day", BRANCH, "每月第二个星期二 10:30",
                 "--kind", "党课"]) == 0
    assert main(["--config", str(config), "set-study-day", BRANCH, "每月1日 09:00",
                 "--kind", "会餐"]) == 2

    async def checkins() -> None:
        z = await open_zhibu(db, FakeClock(STUDY_DAY_MORNING + timedelta(hours=1)), fresh=False)
        try:
            assert "您要签哪一个" in await z.text("王秀英", "签到")
            await z.text("王秀英", "党课")
            await z.text("张桂兰", "签到 学习日")
        finally:
            await z.app.close()

    asyncio.run(checkins())
    out = tmp_path / "dec.xlsx"
    assert main(["--config", str(config), "report", "--branch", BRANCH, "--month", "2026-12",
                 "--out", str(out)]) == 0
    rows = [list(r) for r in load_workbook(out)["出勤"].iter_rows(values_only=True)]
    assert [r[:4] for r in rows[1:]] == [["2026-12-08 09:00", "学习日", 9, 1],
                                         ["2026-12-08 10:30", "党课", 9, 1]]
    all_out = tmp_path / "all.xlsx"
    assert main(["--config", str(config), "report", "--all", "--month", "2026-12",
                 "--out", str(all_out)]) == 0
    summary = [list(r) for r in load_workbook(all_out)["支部汇总"].iter_rows(values_only=True)]
    (chengguan,) = [r for r in summary if r[0] == BRANCH]
    assert chengguan[2:5] == [2, 2, "学习日1、党课1"]
