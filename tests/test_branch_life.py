"""Branch life end to end (issue #17): the scheduler's day-before reminder and monthly digest
across a real restart, and the 活动 sheet of `zhibu report` against figures worked out by
hand. The demo branch: clock 8 December 2026 08:30, study day 09:00."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path

from openpyxl import load_workbook

from bot.cli import main
from bot.core.clock import FakeClock
from schedules.scheduler import Scheduler
from tests.conftest import SHANGHAI, STUDY_DAY_MORNING, Zhibu, make_config, open_zhibu

BRANCH = "城关离退休干部党支部"


async def _say(z: Zhibu, who: str, *texts: str) -> str:
    return await z.converse(who, *texts)


def _reminders(z: Zhibu, who: str) -> list[str]:
    return [t for t in z.sender.to(who) if "【活动提醒】" in t]


async def test_the_schedulers_day_before_reminder_goes_once_across_a_restart(
        tmp_path: Path) -> None:
    path = tmp_path / "z.db"
    clock = FakeClock(STUDY_DAY_MORNING)
    z = await open_zhibu(path, clock, fresh=True)
    try:
        assert "已发布" in await _say(
            z, "李建国", "活动 讲座 12月10日下午2点 冬季养生讲座 地点老干部活动中心", "不限人数",
            "确认")
        assert "报名成功" in await _say(z, "王秀英", "我想报名讲座", "确认")
        assert "報名成功" in await _say(z, "周玉蘭", "報名", "確認")
        assert "报名成功" in await _say(z, "孙福海", "报名", "确认")
        assert "已取消" in await _say(z, "孙福海", "取消报名", "确认")
        clock.set(datetime(2026, 12, 9, 6, 0, tzinfo=SHANGHAI))  # the day before, quiet hours
        await Scheduler(z.app)._periodic("escalations")
        await z.app.dispatcher.run_once(limit=100)
        assert _reminders(z, "王秀英") == []  # held by the outbox until quiet hours end
    finally:
        await z.app.close()
    clock.set(datetime(2026, 12, 9, 9, 0, tzinfo=SHANGHAI))
    z = await open_zhibu(path, clock, fresh=False)  # a restart: a new process, the same file
    try:
        z.sender.sent.clear()
        for _ in range(2):  # two ticks of the new process
            await Scheduler(z.app)._periodic("escalations")
            await z.app.dispatcher.run_once(limit=100)
        (reminder,) = _reminders(z, "王秀英")
        assert "明天12月10日（星期四） 14:00：冬季养生讲座" in reminder
        assert len([t for t in z.sender.to("周玉蘭") if "【活動提醒】" in t]) == 1
        assert _reminders(z, "孙福海") == [] and _reminders(z, "张桂兰") == []
    finally:
        await z.app.close()


async def test_the_monthly_digest_goes_out_once_on_the_first(tmp_path: Path) -> None:
    path = tmp_path / "z.db"
    clock = FakeClock(STUDY_DAY_MORNING)
    z = await open_zhibu(path, clock, fresh=True)
    try:
        await _say(z, "王秀英", "我见证：社区新修了健身广场，老人们都去锻炼", "确认")
        await _say(z, "张桂兰", "我腿疼住院了，在人民医院", "跳过", "今天", "确认")
        assert "已采用" in await _say(z, "李建国", "稿件", "采用")
        clock.set(datetime(2027, 1, 1, 8, 0, tzinfo=SHANGHAI))
        await Scheduler(z.app)._periodic("daily")
    finally:
        await z.app.close()
    z = await open_zhibu(path, clock, fresh=False)
    try:
        await Scheduler(z.app)._periodic("daily")  # the same morning after a restart
        await z.app.dispatcher.run_once(limit=100)
        digests = [t for t in z.sender.to("吴长林") if "简报" in t]
        assert len(digests) == 1
        assert "王秀英（我见证）：社区新修了健身广场" in digests[0]
        assert "住院" not in digests[0] and "人民医院" not in digests[0]
    finally:
        await z.app.close()


async def _a_month_of_branch_life(z: Zhibu) -> None:
    """December in the demo branch, as the figures below count it."""
    await _say(z, "李建国", "活动 志愿服务 12月8日上午10点 帮社区老人理发 地点社区服务站",
               "跳过", "确认")
    await _say(z, "李建国", "活动 讲座 12月20日上午9点 冬季养生讲座 地点老干部活动中心", "20人",
               "确认")
    for who in ("王秀英", "张桂兰", "孙福海"):
        assert "报名成功" in await _say(z, who, "报名 理发", "确认")
    assert "报名成功" in await _say(z, "吴长林", "报名 养生", "确认")
    await _say(z, "王秀英", "我见证：社区新修了健身广场，老人们都去锻炼", "确认")
    await _say(z, "孙福海", "投稿", "2", "参加了社区义诊志愿服务", "确认")
    await _say(z, "陈淑珍", "我有个建议，活动室冬天太冷了", "确认")
    await _say(z, "郑丽华", "投稿", "1", "我眼中的新变化：小区加装了电梯", "确认")
    await _say(z, "李建国", "稿件", "采用", "退回", "写得再具体一点", "上报")
    z.clock.advance(timedelta(hours=1, minutes=36))  # 10:06, the volunteer activity is on
    assert "签到成功" in await _say(z, "王秀英", "签到 理发")
    assert "签到成功" in await _say(z, "张桂兰", "签到", "2")
    assert "已记好" in await _say(z, "李建国", "时长 2小时", "确认")
    await _say(z, "王秀英", "今天去看了张桂兰", "确认")
    await _say(z, "张桂兰", "给王秀英打了电话", "确认")
    await _say(z, "张桂兰", "给王秀英点个赞，她帮邻居买菜", "确认")


async def test_the_activity_sheet_equals_the_figures_worked_out_by_hand(
        zhibu: Zhibu, tmp_path: Path) -> None:
    await _a_month_of_branch_life(zhibu)
    config = tmp_path / "zhibu.toml"
    config.write_text(f'[database]\nurl = "{make_config(zhibu.path).database.url}"\n',
                      encoding="utf-8")
    await zhibu.app.close()
    out = tmp_path / "december.xlsx"
    assert await asyncio.to_thread(main, [  # the command runs its own event loop
        "--config", str(config), "report", "--branch", BRANCH, "--month", "2026-12",
        "--out", str(out)]) == 0
    rows = [list(r) for r in load_workbook(out)["活动"].iter_rows(values_only=True)]
    assert rows == [
        ["栏目", "收到", "采用", None, None, None, None, None],
        # 王秀英's piece taken; 孙福海's returned; 陈淑珍's advice sent up (taken up);
        # 郑丽华's still waiting
        ["我见证", 2, 1, None, None, None, None, None],
        ["我参与", 1, 0, None, None, None, None, None],
        ["我点赞", 0, 0, None, None, None, None, None],
        ["建言献策", 1, 1, None, None, None, None, None],
        ["合计", 4, 2, None, None, None, None, None],
        [None] * 8,
        ["项目", "数量", None, None, None, None, None, None],
        ["活动参与人次", 2, None, None, None, None, None, None],  # 王秀英 and 张桂兰
        ["志愿服务时长（小时）", 4, None, None, None, None, None, None],  # 2 people × 2 hours
        ["有联系的互助对子", 1, None, None, None, None, None, None],  # two contacts, one pair
        ["互助对子", 1, None, None, None, None, None, None],
        ["点赞", 1, None, None, None, None, None, None],
        [None] * 8,
        ["日期", "活动", "类别", "组织支部", "报名", "候补", "参加人次", "时长（小时）"],
        ["2026-12-08 10:00", "帮社区老人理发", "志愿服务", BRANCH, 3, 0, 2, 4],
        ["2026-12-20 09:00", "冬季养生讲座", "讲座", BRANCH, 1, 0, 0, 0],
    ]
    # the roll-up's columns say the same, and 报表 says it in one line
    everyone = tmp_path / "all.xlsx"
    assert await asyncio.to_thread(main, [
        "--config", str(config), "report", "--all", "--month", "2026-12",
        "--out", str(everyone)]) == 0
    summary = [list(r) for r in load_workbook(everyone)["支部汇总"].iter_rows(values_only=True)]
    header, (ours,) = summary[0], [r for r in summary if r[0] == BRANCH]
    figures = dict(zip(header, ours, strict=True))
    columns = ("稿件收到", "稿件采用", "活动人次", "志愿服务时长", "联系的对子")
    assert [figures[k] for k in columns] == [4, 2, 2, 4, 1]


async def test_reports_one_line_tells_the_month_of_branch_life(zhibu: Zhibu) -> None:
    await _a_month_of_branch_life(zhibu)
    _, ready = await zhibu.say("李建国", "报表 本月")
    assert ("活动参加2人次，志愿服务4小时；稿件收到4篇，采用2篇；互助对子联系1对；点赞1次。"
            in ready.text)
