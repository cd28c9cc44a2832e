"""Scheduling: fire times on chosen dates, reminders, quiet hours, catch-up after downtime."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core.clock import FakeClock
from bot.core.rules import parse_rule
from schedules.plan import ABSENTEES, REMIND_DAY, REMIND_EARLY, fire_time, next_occurrence
from schedules.scheduler import Scheduler
from storage.models import Branch
from tests.conftest import SHANGHAI, Zhibu, open_zhibu

BRANCH = "城关离退休干部党支部"
NEW_YORK = ZoneInfo("America/New_York")
PLAIN = Branch(id=1, name="b", study_rule=None, study_place=None, visit_due_days=3)


def _next(rule: str, kind: str, after: datetime, tz: ZoneInfo = SHANGHAI) -> datetime:
    return next_occurrence(PLAIN, parse_rule(rule), kind, after, tz).fire_at


def test_reminders_fire_three_days_before_at_nine_and_an_hour_before() -> None:
    after = datetime(2026, 11, 22, 12, 0, tzinfo=SHANGHAI)
    assert _next("每月10日 09:00", REMIND_EARLY, after) == datetime(2026, 12, 7, 9, 0,
                                                                      tzinfo=SHANGHAI)
    assert _next("每月10日 09:00", REMIND_DAY, after) == datetime(2026, 12, 10, 8, 0,
                                                                    tzinfo=SHANGHAI)
    assert _next("每月第二个周二 14:30", REMIND_DAY, after) == datetime(
        2026, 12, 8, 13, 30, tzinfo=SHANGHAI)
    assert _next("每月10日 09:00", ABSENTEES, after) == datetime(2026, 12, 10, 12, 0,
                                                                   tzinfo=SHANGHAI)


def test_last_day_and_the_31st_fall_on_february_28_or_29() -> None:
    jan = datetime(2027, 1, 31, 12, 0, tzinfo=SHANGHAI)
    assert _next("每月最后一天 09:00", REMIND_DAY, jan).date().isoformat() == "2027-02-28"
    assert _next("每月31日 09:00", REMIND_DAY, jan).date().isoformat() == "2027-02-28"
    leap = datetime(2028, 2, 1, tzinfo=SHANGHAI)
    assert _next("每月31日 09:00", REMIND_DAY, leap).date().isoformat() == "2028-02-29"
    assert _next("每月31日 09:00", REMIND_EARLY, leap) == datetime(2028, 2, 26, 9, 0,
                                                                     tzinfo=SHANGHAI)


def test_a_dst_zone_keeps_local_times_across_the_change() -> None:
    # US clocks move forward on 2027-03-14; the study day is the 15th.
    before = datetime(2027, 3, 1, tzinfo=NEW_YORK)
    early = _next("monthly day 15 09:00", REMIND_EARLY, before, NEW_YORK)
    day = _next("monthly day 15 09:00", REMIND_DAY, before, NEW_YORK)
    assert (early.hour, early.utcoffset()) == (9, timedelta(hours=-5))  # 12 March, EST
    assert (day.hour, day.utcoffset()) == (8, timedelta(hours=-4))  # 15 March, EDT


def test_per_branch_offsets_are_honoured() -> None:
    branch = replace(PLAIN, remind_days_before=1, remind_early_at="16:30",
                     remind_minutes_before=30)
    session = datetime(2026, 12, 10, 9, 0, tzinfo=SHANGHAI)
    assert fire_time(REMIND_EARLY, branch, session, SHANGHAI) == datetime(
        2026, 12, 9, 16, 30, tzinfo=SHANGHAI)
    assert fire_time(REMIND_DAY, branch, session, SHANGHAI) == datetime(
        2026, 12, 10, 8, 30, tzinfo=SHANGHAI)


async def _zhibu_at(tmp_path: Path, moment: datetime) -> Zhibu:
    return await open_zhibu(tmp_path / "z.db", FakeClock(moment), fresh=True)


async def test_the_early_reminder_reaches_members_in_their_language(tmp_path: Path) -> None:
    # The demo branch meets on the second Tuesday (8 Dec 2026) at 09:00; 3 days before is 5 Dec.
    z = await _zhibu_at(tmp_path, datetime(2026, 12, 5, 9, 0, tzinfo=SHANGHAI))
    try:
        await z.text("陈淑珍", "请假 要去医院复查")
        await z.text("陈淑珍", "确认")
        ran, skipped = await Scheduler(z.app).catch_up()
        assert (ran, skipped) == (1, 0)
        await z.app.dispatcher.run_once(limit=100)
        (reminder,) = z.sender.to("王秀英")
        assert reminder == ("【学习日提醒】12月8日（星期二） 09:00是支部学习日，"
                            "地点：老干部活动中心二楼学习室。到了请发“签到”。")
        assert "學習日" in z.sender.to("周玉蘭")[0]
        assert "已为您请假" in z.sender.to("陈淑珍")[-1]
    finally:
        await z.app.close()


async def test_deceased_and_unbound_members_get_no_reminder_and_the_secretary_a_list(
    tmp_path: Path,
) -> None:
    z = await _zhibu_at(tmp_path, datetime(2026, 12, 8, 8, 0, tzinfo=SHANGHAI))
    try:
        await z.text("李建国", "去世 孙福海")
        await z.text("李建国", "确认")
        async with z.app.store.transaction() as tx:
            (wu,) = await tx.find_members_by_name("吴长林")
            for binding in await tx.bindings_for(wu.id):
                await tx.mark_unreachable(binding.channel, binding.external_id, z.clock.now())
        await Scheduler(z.app).catch_up()
        await z.app.dispatcher.run_once(limit=100)
        assert z.sender.to("孙福海") == [] and z.sender.to("吴长林") == []
        assert any("请电话通知12月8日（星期二）的学习日：吴长林" in text
                   for text in z.sender.to("李建国"))
    finally:
        await z.app.close()


async def test_absentees_go_to_the_secretary_and_a_welfare_check_to_the_partner(
    tmp_path: Path,
) -> None:
    z = await _zhibu_at(tmp_path, datetime(2026, 12, 8, 8, 40, tzinfo=SHANGHAI))
    try:
        for name in ("李建国", "张桂兰", "刘德明", "陈淑珍", "孙福海", "吴长林"):
            await z.text(name, "签到")
        await z.text("郑丽华", "请假 感冒")
        await z.text("郑丽华", "确认")
        z.clock.advance(timedelta(hours=3, minutes=20))  # 12:00
        await Scheduler(z.app).catch_up()
        await z.app.dispatcher.run_once(limit=100)
        lists = [t for t in z.sender.to("李建国") if "既没签到也没请假" in t]
        assert lists == ["12月8日（星期二）学习日，既没签到也没请假的同志：王秀英、周玉蘭"]
        assert z.sender.to("张桂兰")[-1] == (
            "王秀英今天没来学习，他/她一个人住，请您打个电话或去看看。")
        assert not any("没来学习" in text for text in z.sender.to("郑丽华"))
    finally:
        await z.app.close()


async def test_quiet_hours_hold_member_pushes_but_not_urgent_alerts(zhibu: Zhibu) -> None:
    zhibu.clock.set(datetime(2026, 12, 8, 22, 0, tzinfo=SHANGHAI))
    await zhibu.text("李建国", "代签 刘德明 腿脚不便")  # 22:00: the notice to the member waits
    await zhibu.text("李建国", "确认")
    await zhibu.text("王秀英", "住院 人民医院")       # an urgent alert to the secretary does not
    await zhibu.text("王秀英", "跳过")
    await zhibu.text("王秀英", "今天")
    await zhibu.text("王秀英", "2")
    await zhibu.text("王秀英", "确认")
    assert zhibu.sender.to("刘德明") == []
    assert len(zhibu.sender.to("李建国")) == 1
    zhibu.clock.set(datetime(2026, 12, 9, 7, 0, tzinfo=SHANGHAI))
    await zhibu.app.dispatcher.run_once()
    assert len(zhibu.sender.to("刘德明")) == 1


async def test_a_job_missed_by_an_hour_runs_once_and_one_missed_by_eight_is_skipped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    # Down from before 08:00 (the day reminder) until 09:00 on the study day.
    z = await _zhibu_at(tmp_path, datetime(2026, 12, 8, 9, 0, tzinfo=SHANGHAI))
    try:
        scheduler = Scheduler(z.app)
        with caplog.at_level(logging.WARNING, logger="schedules.scheduler"):
            ran, skipped = await scheduler.catch_up()
            assert (ran, skipped) == (1, 1)  # day reminder (1 h late) ran; 5 Dec 09:00 skipped
            assert await scheduler.catch_up() == (0, 0)  # a restart repeats nothing
        (skip,) = [r for r in caplog.records if "skipped" in r.getMessage()]
        assert "remind_early" in skip.getMessage()
        await z.app.dispatcher.run_once(limit=100)
        assert len(z.sender.to("王秀英")) == 1
    finally:
        await z.app.close()


async def test_one_due_eight_hours_ago_is_skipped(tmp_path: Path) -> None:
    z = await _zhibu_at(tmp_path, datetime(2026, 12, 8, 16, 1, tzinfo=SHANGHAI))
    try:
        ran, skipped = await Scheduler(z.app).catch_up()
        assert ran == 1  # the absentee list at 12:00 is within 6 h
        assert skipped == 2  # 08:00 today (8 h ago) and 5 Dec 09:00
        await z.app.dispatcher.run_once(limit=100)
        assert z.sender.to("王秀英") == []
    finally:
        await z.app.close()


async def test_jobs_are_armed_with_stable_ids_and_replaced_when_the_rule_changes(
    tmp_path: Path,
) -> None:
    z = await _zhibu_at(tmp_path, datetime(2026, 11, 22, 10, 0, tzinfo=SHANGHAI))
    scheduler = Scheduler(z.app)
    try:
        await scheduler.start()
        ids = scheduler.job_ids()
        assert "branch:1:remind_day" in ids and "care:escalations" in ids
        assert scheduler._aps is not None
        job = scheduler._aps.get_job("branch:1:remind_day")
        assert job.next_run_time == datetime(2026, 12, 8, 8, 0, tzinfo=SHANGHAI)
        async with z.app.store.transaction() as tx:
            await tx.set_study_rule(1, "每月10日 09:00")
        await scheduler.sync()
        assert scheduler.job_ids() == ids
        job = scheduler._aps.get_job("branch:1:remind_day")
        assert job.next_run_time == datetime(2026, 12, 10, 8, 0, tzinfo=SHANGHAI)
    finally:
        await scheduler.stop()
        await z.app.close()


async def test_the_daily_run_on_a_study_day_broadcasts_the_months_material(
    tmp_path: Path,
) -> None:
    z = await _zhibu_at(tmp_path, datetime(2026, 12, 8, 8, 0, tzinfo=SHANGHAI))
    try:
        await z.text("李建国", "资料 发布 十二月学习材料：学习党的二十届四中全会精神。")
        assert "已发布" in await z.text("李建国", "确认")
        z.sender.sent.clear()
        scheduler = Scheduler(z.app)
        await scheduler._periodic("daily")
        await scheduler._periodic("daily")  # once per member however often it runs
        await z.app.dispatcher.run_once(limit=100)
        material = [t for t in z.sender.to("王秀英") if "学习党的二十届四中全会精神" in t]
        assert len(material) == 1
    finally:
        await z.app.close()


async def test_the_daily_run_forgets_replies_older_than_thirty_days(tmp_path: Path) -> None:
    # Stored replies can hold a hospital read-back or a binding code: kept only while a
    # platform may still redeliver the message (Telegram: a day; WeChat: seconds).
    clock = FakeClock(datetime(2026, 12, 8, 8, 0, tzinfo=SHANGHAI))
    z = await open_zhibu(tmp_path / "z.db", clock, fresh=True)
    try:
        await z.text("王秀英", "学习日")
        clock.advance(timedelta(days=29))
        await z.text("张桂兰", "学习日")
        clock.advance(timedelta(days=2))
        scheduler = Scheduler(z.app)
        await scheduler._periodic("daily")
        async with z.app.store.transaction() as tx:
            kept = await tx._all("SELECT created_at FROM processed_messages")
        assert len(kept) == 1  # 张桂兰's, two days old; 王秀英's (31 days) is gone
        assert await scheduler.forget_old_replies() == 0
    finally:
        await z.app.close()
