"""报表 in chat: an officer's branch month as a workbook and a chart, on every channel."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

from openpyxl import load_workbook

from bot.core.messages import InboundMessage, Reply
from schedules.scheduler import Scheduler
from tests.conftest import SHANGHAI, Zhibu, count_rows
from tests.fakes.botapi import telegram_rig
from tests.fakes.wechatapi import open_rig, text_xml

BOTH_ENGINES = True  # every `zhibu` test here runs on SQLite and on PostgreSQL

BRANCH = "城关离退休干部党支部"


async def _audits(zhibu: Zhibu, action: str) -> int:
    async with zhibu.app.store.transaction() as tx:
        row = await tx._one("SELECT COUNT(*) AS n FROM audit_log WHERE action = ?", (action,))
    return int(row["n"]) if row else 0


async def test_a_secretary_gets_this_study_days_report_with_workbook_and_chart(
    zhibu: Zhibu,
) -> None:
    await zhibu.text("王秀英", "签到")
    await zhibu.converse("李建国", "代签 刘德明 腿脚不便", "确认")
    await zhibu.converse("张桂兰", "住院 中心医院", "跳过", "今天", "2", "确认")

    making, ready = await zhibu.say("李建国", "报表 本月")

    assert making.text == f"正在生成{BRANCH}2026年12月的报表，请稍候…"
    assert ready.text.startswith(f"{BRANCH}2026年12月报表：学习日1次，实到2人次（代签1）")
    assert "走访1次" in ready.text and "中心医院" not in ready.text
    xlsx, png = (Path(f) for f in ready.files)
    assert xlsx.name == f"{BRANCH}-2026-12-报表.xlsx"
    assert load_workbook(xlsx).sheetnames == ["出勤", "走访", "送学", "趋势", "人员变动", "指导",
                                              "活动"]
    assert "中心医院" not in str([list(r) for r in load_workbook(xlsx)["走访"].values])
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert await _audits(zhibu, "report") == 1


async def test_without_a_month_the_report_is_of_the_latest_study_day(zhibu: Zhibu) -> None:
    # 08:30 on the December study day: the session has not begun, so November's is the latest.
    making, _ = await zhibu.say("李建国", "报表")
    assert "2026年11月" in making.text


async def test_members_other_branches_and_bad_months_get_a_short_answer(zhibu: Zhibu) -> None:
    assert "只有支部书记" in await zhibu.text("王秀英", "报表")
    refused = await zhibu.text("李建国", "报表 东城离退休干部党支部")
    assert refused == "您只能为自己负责的支部做这件事。"
    assert "没看懂“13月”" in await zhibu.text("李建国", "报表 13月")
    assert await _audits(zhibu, "report") == 0
    assert await _audits(zhibu, "report_denied") == 1

    # the instructor oversees both branches
    making, ready = await zhibu.say("赵志刚", "報表 東城離退休幹部黨支部 上月")
    assert making.text.startswith("正在生成东城离退休干部党支部2026年11月的報表")
    assert len(ready.files) == 2


async def test_members_are_answered_while_a_chart_is_being_drawn(zhibu: Zhibu) -> None:
    def message(who: str, text: str, n: int) -> InboundMessage:
        return InboundMessage(channel="console", sender=who, text=text, message_id=f"m{n}",
                              received_at=zhibu.clock.now())

    report = asyncio.create_task(zhibu.app.router.handle(message("李建国", "报表", 1)))
    await asyncio.sleep(0)  # the report's transaction is queued first
    checkin = asyncio.create_task(zhibu.app.router.handle(message("王秀英", "签到", 2)))
    done, _ = await asyncio.wait({report, checkin}, return_when=asyncio.FIRST_COMPLETED)

    assert done == {checkin}  # the check-in did not wait for matplotlib
    assert len(await report) == 2
    assert await count_rows(zhibu.app.store, "check_ins") == 1


async def test_a_report_asked_again_after_a_restart_is_not_made_twice(zhibu: Zhibu) -> None:
    first = await zhibu.say("李建国", "报表 上月", message_id="same")
    again = await zhibu.say("李建国", "报表 上月", message_id="same")  # a redelivery
    assert len(first) == 2
    assert again == [Reply(first[0].text)]  # the stored answer, no second report
    assert await _audits(zhibu, "report") == 1


async def test_on_telegram_the_workbook_arrives_as_a_document_and_the_chart_as_a_photo(
    tmp_path: Path,
) -> None:
    async with telegram_rig(tmp_path / "z.db") as rig:
        await rig.bind(7001, "李建国")
        before = len(rig.api.sent(7001))
        rig.api.message(7001, "报表 上月")
        [photo] = await rig.api.wait_sent(7001, 1, method="sendPhoto")  # the chart, last
        [document] = rig.api.sent(7001, method="sendDocument")
        texts = [m.text for m in rig.api.sent(7001)[before:]]

    assert document.files["document"][0] == f"{BRANCH}-2026-11-报表.xlsx"
    assert photo.files["photo"][1][:8] == b"\x89PNG\r\n\x1a\n"
    assert texts[0].startswith("正在生成") and texts[1].startswith(f"{BRANCH}2026年11月报表")


async def test_on_wechat_the_summary_comes_at_once_or_later_and_the_chart_as_a_picture(
    zhibu: Zhibu,
) -> None:
    async with open_rig(zhibu, budget=0) as rig:  # every answer counts as slow
        await rig.bind("oLiJianguo", "李建国")
        passive = await rig.reply(text_xml("oLiJianguo", "报表 上月", rig.msg_id()))
        await rig.channel.inbox.drain()

    assert passive == "正在生成，请稍候…"
    [pushed] = rig.api.texts_to("oLiJianguo")  # both replies, as one text
    making, ready = pushed.split("\n\n")
    assert making.startswith("正在生成")
    assert ready.startswith(f"{BRANCH}2026年11月报表") and "Excel 表格在微信里发不了" in ready
    assert rig.api.uploads == [f"{BRANCH}-2026-11-报表.png"]


async def test_early_each_month_the_secretary_gets_last_months_summary_once(
    zhibu: Zhibu,
) -> None:
    await zhibu.text("王秀英", "签到")  # 2026-12-08, the December study day
    await zhibu.converse("张桂兰", "住院 中心医院", "跳过", "今天", "2", "确认")
    scheduler = Scheduler(zhibu.app)

    zhibu.clock.set(datetime(2026, 12, 31, 8, 0, tzinfo=SHANGHAI))
    await scheduler._periodic("daily")  # not yet: the month is not over
    zhibu.clock.set(datetime(2027, 1, 2, 8, 0, tzinfo=SHANGHAI))  # down on the 1st
    await scheduler._periodic("daily")
    await scheduler._periodic("daily")  # and again after a restart: nothing more
    await zhibu.app.dispatcher.run_once(limit=100)

    [summary] = [text for text in zhibu.sender.to("李建国") if "报表：" in text]
    assert summary.startswith(f"{BRANCH}2026年12月报表：学习日1次，实到1人次")
    assert "中心医院" not in summary
    buttons = zhibu.sender.buttons[zhibu.sender.sent.index(("李建国", summary))]
    assert buttons == [{"label": "取报表", "data": "报表 2026-12"}]
    assert not [text for who, text in zhibu.sender.sent if "报表：" in text and who != "李建国"]

    making, ready = await zhibu.say("李建国", button="报表 2026-12")  # the button
    assert "2026年12月" in making.text and len(ready.files) == 2


async def test_an_admin_gets_every_branch_side_by_side_and_an_instructor_theirs(
        zhibu: Zhibu) -> None:
    await zhibu.text("王秀英", "签到")
    async with zhibu.app.store.transaction() as tx:
        await tx.ensure_branch("西城离退休干部党支部", zhibu.clock.now())
    making, ready = await zhibu.say("钱主任", "报表 全部 本月")
    assert making.text == "正在生成3个支部2026年12月的汇总表，请稍候…"
    assert ready.text.startswith("2026年12月支部汇总：3个支部")
    xlsx, png = (Path(f) for f in ready.files)
    rows = [list(r) for r in load_workbook(xlsx)["支部汇总"].iter_rows(values_only=True)]
    assert [r[0] for r in rows[1:]] == ["东城离退休干部党支部", BRANCH, "西城离退休干部党支部",
                                        "合计"]
    chengguan = rows[2]
    # 9 members, 1 meeting, held (a study day), 应到 9, 实到 1
    assert chengguan[1:7] == [9, 1, 1, "学习日1", 9, 1]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "王秀英" not in str(rows)  # counts only, no names of members
    assert await _audits(zhibu, "report_all") == 1
    # the instructor: the two branches he oversees, not 西城
    _, ready = await zhibu.say("赵志刚", "报表 我的支部 本月")
    rows = [list(r) for r in load_workbook(Path(ready.files[0]))["支部汇总"].iter_rows(
        values_only=True)]
    assert [r[0] for r in rows[1:]] == ["东城离退休干部党支部", BRANCH, "合计"]
    # a secretary's 报表 全部 is their own branch's report (of the latest study day: at 08:30
    # today's has not begun, so November's, when nobody in the demo had been entered yet)
    _, ready = await zhibu.say("李建国", "报表 全部")
    assert ready.text.startswith(f"{BRANCH}2026年11月报表：学习日0次，实到0人次")
