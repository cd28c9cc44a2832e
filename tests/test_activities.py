"""Activities (issue #17, item 2): an officer creates one in chat or with `zhibu activity add`,
its people are invited with a 报名 button, sign up (or wait when it is full), are reminded the
day before exactly once, check in there and get volunteer hours. Through the real router on
the demo branch 城关 (clock: Tuesday 2026-12-08 08:30, study day at 09:00)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path

from bot.cli import main
from bot.core.clock import FakeClock
from handlers.activities.jobs import ActivityJobs
from handlers.activities.words import hours_in, limit_in
from tests.conftest import (
    SHANGHAI,
    STUDY_DAY_MORNING,
    Zhibu,
    add_person,
    count_rows,
    make_config,
    open_zhibu,
)

BOTH_ENGINES = True  # every `zhibu` test here runs on SQLite and on PostgreSQL

BRANCH = "城关离退休干部党支部"
EAST = "东城离退休干部党支部"
ONE_MESSAGE = "活动 志愿服务 12月12日上午9点 帮社区老人理发 地点社区服务站 限20人"


async def _rows(z: Zhibu, sql: str, *params: object) -> list[tuple[object, ...]]:
    async with z.app.store.transaction() as tx:
        return [tuple(r) for r in await tx._all(sql, params)]


async def _state(z: Zhibu, name: str) -> str | None:
    rows = await _rows(z, "SELECT s.state FROM activity_signups s JOIN members m "
                          "ON m.id = s.member_id WHERE m.name = ?", name)
    return str(rows[0][0]) if rows else None


async def _publish(z: Zhibu, said: str = ONE_MESSAGE, who: str = "李建国") -> int:
    """An activity said in one message and confirmed; its id."""
    assert "确认吗" in await z.text(who, said)
    assert "已发布" in await z.text(who, "确认")
    rows = await _rows(z, "SELECT MAX(id) FROM activities")
    return int(str(rows[0][0]))


def _pushed(z: Zhibu, head: str) -> list[tuple[str, str]]:
    """(who, text) of the pushes with a heading (in either script: 周玉蘭 reads Traditional)."""
    traditional = head.replace("动", "動").replace("补", "補")
    return [(who, text) for who, text in z.sender.sent if head in text or traditional in text]


async def _group(z: Zhibu, name: str, *members: str) -> None:
    async with z.app.store.transaction() as tx:
        branch = await tx.find_branch(BRANCH)
        assert branch is not None
        group = await tx.ensure_group(branch.id, name, None, z.clock.now())
        for member in members:
            (found,) = await tx.find_members_by_name(member)
            await tx.join_group(group.id, found.id, z.clock.now())


# --- words -----------------------------------------------------------------------------------


def test_places_and_hours_as_they_are_said() -> None:
    assert limit_in("限20人") == 20
    assert limit_in("二十人") == 20
    assert limit_in("名额30") == 30
    assert limit_in("帮社区老人理发") is None
    assert hours_in("2小时") == (2.0, "")
    assert hours_in("两个半小时") == (2.5, "")
    assert hours_in("孙福海 1.5小时") == (1.5, "孙福海")
    assert hours_in("半小时") == (0.5, "")
    assert hours_in("孙福海") is None


# --- creating ----------------------------------------------------------------------------------


async def test_an_officer_creates_one_step_by_step_and_a_cancel_records_nothing(
        zhibu: Zhibu) -> None:
    question = (await zhibu.say("李建国", "活动"))[0]
    assert "什么活动" in question.text
    assert [b.label for b in question.buttons][:2] == ["1 兴趣小组", "2 志愿服务"]
    assert "活动叫什么" in await zhibu.text("李建国", "志愿")
    assert "哪天" in await zhibu.text("李建国", "帮社区老人理发")
    assert "几点开始" in await zhibu.text("李建国", "12月12日")
    assert "在哪里" in await zhibu.text("李建国", "上午9点")
    assert "几个人" in await zhibu.text("李建国", "社区服务站")
    assert "几个人" in await zhibu.text("李建国", "很多")  # not a number: asked again
    readback = await zhibu.text("李建国", "20人")
    for part in ("类别：志愿服务", "名称：帮社区老人理发", "12月12日（星期六） 09:00",
                 "地点：社区服务站", "名额：限20人", f"{BRANCH}的党员", "确认吗"):
        assert part in readback, part
    assert "已取消" in await zhibu.text("李建国", "取消")
    assert await count_rows(zhibu.app.store, "activities") == 0
    assert await count_rows(zhibu.app.store, "outbox") == 0


async def test_one_message_asks_only_what_is_missing_and_a_sentence_works_too(
        zhibu: Zhibu) -> None:
    readback = await zhibu.text("李建国", ONE_MESSAGE)
    assert "名称：帮社区老人理发" in readback and "名额：限20人" in readback
    assert "地点：社区服务站" in readback and "12月12日（星期六） 09:00" in readback
    assert "已取消" in await zhibu.text("李建国", "取消")
    # dictated: the kind and the time in the sentence, the place still to ask
    assert "在哪里" in await zhibu.text("李建国", "我想组织一次讲座，明天下午3点 健康知识讲座")
    assert "几个人" in await zhibu.text("李建国", "活动室")
    readback = await zhibu.text("李建国", "不限")
    assert "类别：讲座" in readback and "名称：健康知识讲座" in readback
    assert "12月9日（星期三） 15:00" in readback and "名额：不限人数" in readback
    # 不对，是… at the read-back changes that part only
    readback = await zhibu.text("李建国", "不对，是下午4点")
    assert "12月9日（星期三） 16:00" in readback and "名称：健康知识讲座" in readback
    assert "已发布" in await zhibu.text("李建国", "确认")


async def test_traditional_words_and_corrections_that_name_their_part(zhibu: Zhibu) -> None:
    readback = await zhibu.text(
        "李建国", "活動 志願服務 12月12日 上午 9點 幫社區老人理髮 地點社區服務站 限20人")
    assert "名稱：幫社區老人理髮" in readback and "12月12日（星期六） 09:00" in readback
    assert "地點：社區服務站" in readback
    readback = await zhibu.text("李建国", "不对，地点改成社区活动中心")
    assert "地点：社区活动中心" in readback and "名称：幫社區老人理髮" in readback
    readback = await zhibu.text("李建国", "人数改成不限")
    assert "名额：不限人数" in readback
    # 活动 … said again inside the flow starts it afresh
    readback = await zhibu.text("李建国", "活动 讲座 明天上午9点 防诈骗讲座 在活动室 不限")
    assert "名称：防诈骗讲座" in readback and "12月9日（星期三） 09:00" in readback
    assert "已发布" in await zhibu.text("李建国", "确认")
    assert await count_rows(zhibu.app.store, "activities") == 1


async def test_a_time_gone_by_is_asked_again(zhibu: Zhibu) -> None:
    assert "已经过去" in await zhibu.text("李建国", "活动 参观 今天早上7点 参观纪念馆")


async def test_invitations_carry_a_signup_button_that_signs_up(zhibu: Zhibu) -> None:
    done = await zhibu.say("李建国", ONE_MESSAGE)
    assert await count_rows(zhibu.app.store, "outbox") == 0  # nothing before the yes
    done = await zhibu.say("李建国", "确认", message_id="create-1")
    assert "已发布" in done[0].text and "已通知" in done[0].text
    again = await zhibu.say("李建国", "确认", message_id="create-1")  # redelivered
    assert again[0].text == done[0].text
    assert await count_rows(zhibu.app.store, "activities") == 1
    (activity_id,) = [int(str(r[0])) for r in await _rows(zhibu, "SELECT id FROM activities")]
    invited = {who for who, _ in _pushed(zhibu, "【活动通知】")}
    pushes = _pushed(zhibu, "【活动通知】")
    assert len(pushes) == len(invited) >= 7 and "李建国" not in invited
    assert "王秀英" in invited and "赵志刚" not in invited  # the branch's members only
    (wang,) = [i for i, (who, _) in enumerate(zhibu.sender.sent) if who == "王秀英"]
    assert zhibu.sender.buttons[wang] == [{"label": "报名", "data": f"报名 #{activity_id}"}]
    readback = await zhibu.text("王秀英", button=f"报名 #{activity_id}")
    assert "报名：12月12日（星期六） 09:00 帮社区老人理发" in readback and "确认吗" in readback
    assert "报名成功" in await zhibu.text("王秀英", "确认")
    assert await _state(zhibu, "王秀英") == "signed"
    assert "已经报过名了" in await zhibu.text("王秀英", "报名")
    mine = await zhibu.text("王秀英", "我的活动")
    assert "1. 12月12日（星期六） 09:00 帮社区老人理发（社区服务站） — 已报名" in mine
    assert "可报名" in await zhibu.text("张桂兰", "有什么活动")
    assert "报名：12月12日" in await zhibu.text("张桂兰", "报名 1")  # the list's number
    assert "已取消" in await zhibu.text("张桂兰", "取消")
    assert "没有找到这个活动" in await zhibu.text("张桂兰", "报名 5")
    assert "帮社区老人理发" in await zhibu.text("张桂兰", "活动")  # a member's 活动: what is on


async def test_a_group_activity_invites_its_members_and_a_sentence_signs_up(
        zhibu: Zhibu) -> None:
    await _group(zhibu, "书法组", "张桂兰", "周玉蘭", "孙福海")
    question = await zhibu.text("李建国", "活动 兴趣小组 12月10日下午3点 地点活动室 不限")
    assert "哪个兴趣小组" in question
    readback = await zhibu.text("李建国", "书法")
    assert "名称：书法组活动" in readback and "通知：书法组的组员" in readback
    assert "已通知3位" in await zhibu.text("李建国", "确认")
    invited = {who for who, _ in _pushed(zhibu, "【活动通知】")}
    assert invited == {"张桂兰", "周玉蘭", "孙福海"}  # only the group's members
    readback = await zhibu.text("张桂兰", "我想报名书法班")
    assert "报名：12月10日（星期四） 15:00 书法组活动" in readback
    assert "报名成功" in await zhibu.text("张桂兰", "对")
    readback = await zhibu.text("周玉蘭", "我想報名書法班")
    assert "報名" in readback and "確認" in readback
    assert "報名成功" in await zhibu.text("周玉蘭", "確認")
    assert await _state(zhibu, "周玉蘭") == "signed"
    # 王秀英 is not in the group: nothing of it to sign up for
    assert "没有可以报名" in await zhibu.text("王秀英", "我想报名书法班")
    zhibu.clock.set(datetime(2026, 12, 10, 14, 30, tzinfo=SHANGHAI))
    assert "签到成功！12月10日（星期四）书法组活动" in await zhibu.text("张桂兰", "签到 书法")
    assert "今天不是学习日" in await zhibu.text("王秀英", "签到")  # not hers


async def test_a_full_activity_offers_the_waiting_list_and_a_cancel_promotes_the_first(
        zhibu: Zhibu) -> None:
    await _publish(zhibu, "活动 参观 12月12日上午9点 参观革命纪念馆 地点纪念馆 限1人")
    await zhibu.text("王秀英", "报名")
    done = await zhibu.text("王秀英", "确认", message_id="yes-1")
    assert await zhibu.text("王秀英", "确认", message_id="yes-1") == done  # redelivered
    assert await count_rows(zhibu.app.store, "activity_signups") == 1
    assert await _state(zhibu, "王秀英") == "signed"
    assert "名额已满，要排队候补吗" in await zhibu.text("张桂兰", "我也想参加")
    assert "排队候补" in await zhibu.text("张桂兰", "确认")
    await zhibu.converse("刘德明", "报名", "确认")
    assert (await _state(zhibu, "张桂兰"), await _state(zhibu, "刘德明")) == ("waiting", "waiting")
    assert "候补" in await zhibu.text("张桂兰", "我的活动")
    readback = await zhibu.text("王秀英", "活动不去了")
    assert "取消报名：12月12日（星期六） 09:00 参观革命纪念馆" in readback
    assert "已取消报名" in await zhibu.text("王秀英", "确认")
    assert await _state(zhibu, "王秀英") == "cancelled"
    assert await _state(zhibu, "张桂兰") == "signed"  # the first in line takes the place
    assert await _state(zhibu, "刘德明") == "waiting"
    assert [t for t in zhibu.sender.to("张桂兰") if "【候补成功】" in t]
    assert not [t for t in zhibu.sender.to("刘德明") if "【候补成功】" in t]
    # the place is not free for 王秀英 now: she may queue again
    assert "名额已满" in await zhibu.text("王秀英", "报名")
    assert "已取消" in await zhibu.text("王秀英", "取消")
    assert "不用取消" in await zhibu.text("孙福海", "取消报名")


async def _day_before(z: Zhibu) -> int:
    """An activity on Saturday 09:00; 王秀英 signed up, 张桂兰 signed up and cancelled."""
    activity = await _publish(z)
    await z.converse("王秀英", "报名", "确认")
    await z.converse("张桂兰", "报名", "确认")
    await z.converse("张桂兰", "取消报名", "确认")
    z.sender.sent.clear()
    return activity


def _jobs(z: Zhibu) -> ActivityJobs:
    return ActivityJobs(z.app.store, z.clock, SHANGHAI, "zh-Hans")


async def test_the_reminder_goes_once_the_day_before_and_not_to_who_cancelled(
        zhibu: Zhibu) -> None:
    await _day_before(zhibu)
    assert await _jobs(zhibu).remind_day_before() == 0  # Tuesday: not the day before
    zhibu.clock.set(datetime(2026, 12, 11, 10, 0, tzinfo=SHANGHAI))
    jobs = _jobs(zhibu)
    assert await jobs.remind_day_before() == 1
    assert await jobs.remind_day_before() == 0  # the next tick
    zhibu.clock.advance(timedelta(minutes=10))
    assert await _jobs(zhibu).remind_day_before() == 0  # a restart: a fresh job, same keys
    await zhibu.app.dispatcher.run_once(limit=100)
    (reminder,) = [t for t in zhibu.sender.to("王秀英") if "【活动提醒】" in t]
    assert "明天12月12日（星期六） 09:00：帮社区老人理发，地点：社区服务站" in reminder
    assert not [t for t in zhibu.sender.to("张桂兰") if "【活动提醒】" in t]
    zhibu.clock.set(datetime(2026, 12, 12, 8, 0, tzinfo=SHANGHAI))
    assert await _jobs(zhibu).remind_day_before() == 0  # on the day: nothing more


async def test_a_reminder_queued_in_quiet_hours_waits_and_is_still_one(zhibu: Zhibu) -> None:
    await _day_before(zhibu)
    zhibu.clock.set(datetime(2026, 12, 11, 22, 30, tzinfo=SHANGHAI))  # quiet from 21:00
    assert await _jobs(zhibu).remind_day_before() == 1
    await zhibu.app.dispatcher.run_once(limit=100)
    assert zhibu.sender.to("王秀英") == []  # held through the night
    zhibu.clock.advance(timedelta(minutes=10))
    assert await _jobs(zhibu).remind_day_before() == 0
    zhibu.clock.set(datetime(2026, 12, 12, 7, 5, tzinfo=SHANGHAI))
    await zhibu.app.dispatcher.run_once(limit=100)
    await zhibu.app.dispatcher.run_once(limit=100)
    assert len([t for t in zhibu.sender.to("王秀英") if "【活动提醒】" in t]) == 1


async def test_checkin_at_an_activity_asks_which_when_the_study_day_is_open_too(
        zhibu: Zhibu) -> None:
    await _publish(zhibu, "活动 讲座 今天上午10点 健康讲座 地点活动室 不限")
    assert "学习日" in await zhibu.text("刘德明", "签到")  # 08:30: the lecture is not open yet
    zhibu.clock.advance(timedelta(hours=1))  # 09:30: the study day and the lecture are open
    (question,) = await zhibu.say("王秀英", "签到")
    assert "您要签哪一个" in question.text
    assert [b.label for b in question.buttons] == ["1 学习日 09:00", "2 健康讲座 10:00"]
    assert "签到成功！12月8日（星期二）健康讲座" in await zhibu.text("王秀英", "2")
    assert "学习日" in await zhibu.text("王秀英", "签到")  # the one left needs no question
    assert "已签到" in await zhibu.text("王秀英", "签到")
    assert "健康讲座" in await zhibu.text("张桂兰", "签到 讲座")  # named: no question
    assert await count_rows(zhibu.app.store, "activity_attendance") == 2
    assert await count_rows(zhibu.app.store, "check_ins") == 2  # 刘德明's and 王秀英's


async def _saturday(z: Zhibu) -> int:
    """The Saturday volunteer activity, 王秀英 and 张桂兰 checked in at 08:45."""
    activity = await _publish(z)
    z.clock.set(datetime(2026, 12, 12, 8, 45, tzinfo=SHANGHAI))
    assert "签到成功！12月12日（星期六）帮社区老人理发" in await z.text("王秀英", "签到")
    assert "帮社区老人理发" in await z.text("张桂兰", "我到了")
    assert "已签到" in await z.text("张桂兰", "签到")
    return activity


async def test_only_an_activity_open_is_checked_in_to_at_once(zhibu: Zhibu) -> None:
    await _saturday(zhibu)
    rows = await _rows(zhibu, "SELECT m.name, t.branch_id FROM activity_attendance t "
                              "JOIN members m ON m.id = t.member_id ORDER BY m.name")
    assert [r[0] for r in rows] == ["张桂兰", "王秀英"] and all(r[1] for r in rows)
    zhibu.clock.set(datetime(2026, 12, 12, 14, 0, tzinfo=SHANGHAI))  # 5 hours on: closed
    assert "今天不是学习日" in await zhibu.text("刘德明", "签到")


async def test_hours_go_to_everyone_present_or_to_the_people_named(zhibu: Zhibu) -> None:
    assert "还没有组织过已经开始的活动" in await zhibu.text("李建国", "时长 2小时")
    await _saturday(zhibu)
    zhibu.clock.set(datetime(2026, 12, 12, 12, 0, tzinfo=SHANGHAI))
    readback = await zhibu.text("李建国", "时长 2小时")
    assert "帮社区老人理发" in readback and "王秀英、张桂兰，共2人，每人2小时" in readback
    assert "2人，每人2小时" in await zhibu.text("李建国", "确认")
    readback = await zhibu.text("李建国", "时长 孙福海 3小时")
    assert "孙福海，共1人，每人3小时" in readback
    await zhibu.text("李建国", "确认")
    readback = await zhibu.text("李建国", "每人两个半小时")
    assert "共3人，每人2.5小时" in readback
    assert "每人3小时" in await zhibu.text("李建国", "不对，是3小时")
    await zhibu.text("李建国", "确认")
    hours = await _rows(zhibu, "SELECT m.name, t.hours FROM activity_attendance t "
                               "JOIN members m ON m.id = t.member_id ORDER BY m.name")
    assert hours == [("孙福海", 3.0), ("张桂兰", 3.0), ("王秀英", 3.0)]
    assert "没有找到“马大哈”" in await zhibu.text("李建国", "时长 马大哈 2小时")
    assert "24" in await zhibu.text("李建国", "时长 30小时")
    async with zhibu.app.store.transaction() as tx:
        branch = await tx.find_branch(BRANCH)
        assert branch is not None
        figures = await tx.life_figures(branch.id, "2026-12")
    assert figures.participants == 3 and figures.volunteer_hours == 9.0


async def test_an_instructors_activity_for_several_branches_invites_both(zhibu: Zhibu) -> None:
    await add_person(zhibu, "马东来", "13900000021", "member", EAST)
    first = await _publish(zhibu)  # 李建国's: 城关 only
    assert "没有找到这个活动" in await zhibu.text("马东来", f"报名 #{first}")
    assert "没有可以报名" in await zhibu.text("马东来", "报名")
    said = "活动 12月15日上午9点 健康讲座 地点老干部活动中心"
    assert "什么活动" in await zhibu.text("赵志刚", said)
    assert "几个人" in await zhibu.text("赵志刚", "讲座")
    (question,) = await zhibu.say("赵志刚", "跳过")
    assert "通知哪些支部" in question.text
    assert [b.label for b in question.buttons] == [
        f"1 {EAST}", f"2 {BRANCH}", "3 我负责的全部支部（2个）", "4 取消"]
    readback = await zhibu.text("赵志刚", "3")
    assert f"通知：{BRANCH}、{EAST}的党员" in readback or f"{EAST}、{BRANCH}" in readback
    assert "已发布" in await zhibu.text("赵志刚", "确认")
    invited = {who for who, text in _pushed(zhibu, "【活动通知】") if "健康讲座" in text}
    assert {"马东来", "王秀英", "李建国"} <= invited and "赵志刚" not in invited
    assert "报名：12月15日" in await zhibu.text("马东来", "我想报名健康讲座")
    assert "报名成功" in await zhibu.text("马东来", "确认")
    organised = await zhibu.text("赵志刚", "我的活动")
    assert "您组织的活动" in organised and "已报名1人" in organised


async def test_an_instructor_may_invite_one_of_their_branches(zhibu: Zhibu) -> None:
    await add_person(zhibu, "马东来", "13900000021", "member", EAST)
    await zhibu.text("赵志刚", "活动 其他 12月20日下午3点 茶话会 地点活动室 不限")
    assert f"通知：{BRANCH}的党员" in await zhibu.text("赵志刚", "城关")
    await zhibu.text("赵志刚", "确认")
    assert [t for t in zhibu.sender.to("王秀英") if "茶话会" in t]
    assert not [t for t in zhibu.sender.to("马东来") if "茶话会" in t]


async def test_a_family_member_and_the_menu_words_see_what_is_on(zhibu: Zhibu) -> None:
    assert "最近没有活动" in await zhibu.text("王秀英", "我的活动")
    assert "没有可以报名" in await zhibu.text("王秀英", "报名")
    await _publish(zhibu)
    daughter = await zhibu.bind_daughter()
    assert "帮社区老人理发" in await zhibu.text(daughter, "活动")
    await zhibu.converse(daughter, "报名", "确认")
    assert await _state(zhibu, "刘德明") == "signed"  # for the member she speaks for


def test_the_cli_adds_an_activity_and_queues_its_invitations(
        tmp_path: Path, capsys: object) -> None:
    db = tmp_path / "z.db"
    config = tmp_path / "z.toml"
    config.write_text(f'[database]\nurl = "{make_config(db).database.url}"\n', encoding="utf-8")

    async def seeded() -> None:
        z = await open_zhibu(db, FakeClock(STUDY_DAY_MORNING), fresh=True)
        await _group(z, "书法组", "张桂兰", "周玉蘭")
        await z.app.close()

    asyncio.run(seeded())
    base = ["--config", str(config), "activity"]
    assert main([*base, "add", "--branch", BRANCH, "--kind", "志愿服务", "--title", "清扫街道",
                 "--at", "2099-05-01 09:00", "--place", "人民路", "--limit", "10"]) == 0
    assert main([*base, "add", "--branch", BRANCH, "--kind", "兴趣小组", "--title", "练字",
                 "--at", "2099-05-02 15:00", "--group", "书法"]) == 0
    assert main([*base, "add", "--branch", BRANCH, "--kind", "跳舞", "--title", "x",
                 "--at", "2099-05-02 15:00"]) == 2
    assert main([*base, "add", "--branch", BRANCH, "--kind", "讲座", "--title", "x",
                 "--at", "2001-05-02 15:00"]) == 2
    assert main([*base, "add", "--branch", "西城", "--kind", "讲座", "--title", "x",
                 "--at", "2099-05-02 15:00"]) == 2
    assert main([*base, "list", "--branch", BRANCH]) == 0
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    assert "已发布：#1 清扫街道（志愿服务）2099-05-01 09:00" in out
    assert "#2 2099-05-02 15:00 兴趣小组 练字 [书法组]" in out and "报名 0/10" in out

    async def pushes() -> list[tuple[str, str]]:
        z = await open_zhibu(db, FakeClock(STUDY_DAY_MORNING), fresh=False)
        try:
            await z.app.dispatcher.run_once(limit=100)
            await z.app.dispatcher.run_once(limit=100)
            assert "报名：" in await z.text("王秀英", "我想报名清扫街道")
            return list(z.sender.sent)
        finally:
            await z.app.close()

    sent = asyncio.run(pushes())
    sweep = {who for who, text in sent if "清扫街道" in text}
    writing = {who for who, text in sent if "练字" in text}
    assert {"王秀英", "李建国", "张桂兰"} <= sweep  # no organiser in chat: the secretary too
    assert writing == {"张桂兰", "周玉蘭"}


async def test_several_open_activities_are_offered_by_number(zhibu: Zhibu) -> None:
    await _publish(zhibu)
    await _publish(zhibu, "活动 学手机 12月13日下午2点半 学用微信视频 在活动室 不限")
    (question,) = await zhibu.say("王秀英", "报名")
    assert "您要报名哪一个" in question.text
    assert [b.label for b in question.buttons] == [
        "1 12月12日（星期六） 09:00 帮社区老人理发", "2 12月13日（星期日） 14:30 学用微信视频"]
    assert "报名：12月13日（星期日） 14:30 学用微信视频" in await zhibu.text("王秀英", "2")
    await zhibu.text("王秀英", "确认")
    assert "帮社区老人理发" not in await zhibu.text("王秀英", "学手机")  # that kind only
    assert "最近没有参观活动" in await zhibu.text("王秀英", "参观")
    readback = await zhibu.text("王秀英", "我想报名学手机")  # by its kind: signed already
    assert "已经报过名了" in readback
    unsure = await zhibu.text("王秀英", "报名 太极拳")
    assert "没有对上“太极拳”" in unsure and "您要报名哪一个" in unsure
