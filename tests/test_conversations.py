"""Multi-step conversations: leave, proxy check-in, binding, and what survives a restart."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

from bot.core.clock import FakeClock
from handlers.binding import create_invite
from tests.conftest import STUDY_DAY_MORNING, Zhibu, open_zhibu

BOTH_ENGINES = True  # every `zhibu` test here runs on SQLite and on PostgreSQL

BRANCH = "城关离退休干部党支部"
SESSION_START = STUDY_DAY_MORNING.replace(hour=9, minute=0)


async def _leave_of(z: Zhibu, name: str) -> str | None:
    async with z.app.store.transaction() as tx:
        branch = await tx.find_branch(BRANCH)
        assert branch is not None
        (member,) = await tx.find_members_by_name(name)
        session = await tx.ensure_session(branch.id, SESSION_START, None)
        return await tx.get_leave(session.id, member.id)


async def _checkin_of(z: Zhibu, name: str) -> tuple[int | None, str | None] | None:
    async with z.app.store.transaction() as tx:
        branch = await tx.find_branch(BRANCH)
        assert branch is not None
        (member,) = await tx.find_members_by_name(name)
        session = await tx.ensure_session(branch.id, SESSION_START, None)
        found = await tx.get_checkin(session.id, member.id)
        return (found.by_member_id, found.reason) if found else None


async def test_leave_with_reason_reads_back_and_records_only_on_confirm(zhibu: Zhibu) -> None:
    readback = await zhibu.say("陈淑珍", "请假 孙子发烧")
    assert "原因：孙子发烧" in readback[0].text
    assert [b.data for b in readback[0].buttons] == ["确认", "取消"]
    assert await _leave_of(zhibu, "陈淑珍") is None
    assert "已为您请假" in await zhibu.text("陈淑珍", button="确认")
    assert await _leave_of(zhibu, "陈淑珍") == "孙子发烧"


async def test_leave_asks_for_a_reason_and_skip_works(zhibu: Zhibu) -> None:
    assert "请假原因" in await zhibu.text("陈淑珍", "请假")
    assert "原因：未说明" in await zhibu.text("陈淑珍", "1")
    await zhibu.text("陈淑珍", "1")
    assert await _leave_of(zhibu, "陈淑珍") == "未说明"


async def test_cancel_midway_records_nothing(zhibu: Zhibu) -> None:
    await zhibu.text("陈淑珍", "请假")
    await zhibu.text("陈淑珍", "腿疼")
    assert "已取消" in await zhibu.text("陈淑珍", "取消")
    assert await _leave_of(zhibu, "陈淑珍") is None
    assert "没有需要确认" in await zhibu.text("陈淑珍", "确认")


async def test_a_confirm_after_thirty_minutes_is_asked_about_not_acted_on(
    zhibu: Zhibu,
) -> None:
    await zhibu.text("陈淑珍", "请假 腿疼")
    zhibu.clock.advance(timedelta(minutes=31))
    assert "要接着请假吗" in await zhibu.text("陈淑珍", "确认")
    assert await _leave_of(zhibu, "陈淑珍") is None
    assert "已为您请假" in await zhibu.text("陈淑珍", "接着请假")
    assert await _leave_of(zhibu, "陈淑珍") == "腿疼"


async def test_silence_for_a_day_forgets_the_conversation(zhibu: Zhibu) -> None:
    await zhibu.text("陈淑珍", "请假 腿疼")
    zhibu.clock.advance(timedelta(hours=25))
    assert "没有需要确认" in await zhibu.text("陈淑珍", "确认")
    assert await _leave_of(zhibu, "陈淑珍") is None


async def test_a_confirm_pressed_twice_records_once(zhibu: Zhibu) -> None:
    await zhibu.text("陈淑珍", "请假 腿疼")
    assert "已为您请假" in await zhibu.text("陈淑珍", button="确认")
    assert "没有需要确认" in await zhibu.text("陈淑珍", button="确认")
    assert await _leave_of(zhibu, "陈淑珍") == "腿疼"


async def test_conversation_state_survives_reopening_the_database(tmp_path: Path) -> None:
    path = tmp_path / "restart.db"
    clock = FakeClock(STUDY_DAY_MORNING)
    first = await open_zhibu(path, clock, fresh=True)
    assert "请假原因" in await first.text("陈淑珍", "请假")
    await first.app.close()
    second = await open_zhibu(path, clock, fresh=False)
    try:
        assert "原因：头晕" in await second.text("陈淑珍", "头晕")
        assert "已为您请假" in await second.text("陈淑珍", "确认")
        assert await _leave_of(second, "陈淑珍") == "头晕"
    finally:
        await second.app.close()


async def test_secretary_sees_attendance_with_names(zhibu: Zhibu) -> None:
    await zhibu.text("王秀英", "签到")
    await zhibu.text("陈淑珍", "请假 腿疼")
    await zhibu.text("陈淑珍", "确认")
    report = await zhibu.text("李建国", "出勤")
    assert "应到 9 人" in report
    assert "实到 1 人：王秀英" in report
    assert "请假 1 人：陈淑珍（腿疼）" in report
    assert "缺席 7 人：李建国、张桂兰、刘德明、孙福海、周玉蘭、吴长林、郑丽华" in report


async def test_proxy_checkin_records_who_and_why_and_tells_the_member(zhibu: Zhibu) -> None:
    readback = await zhibu.text("李建国", "代签 刘德明 腿脚不便")
    assert "为刘德明代签" in readback and "腿脚不便" in readback
    assert await _checkin_of(zhibu, "刘德明") is None
    assert "已通知本人" in await zhibu.text("李建国", "确认")
    by, reason = await _checkin_of(zhibu, "刘德明") or (None, None)
    assert reason == "腿脚不便" and by is not None
    assert zhibu.sender.to("刘德明") == [
        "李建国已为您代签12月8日（星期二）学习日（原因：腿脚不便）。"
    ]
    assert "刘德明（代签）" in await zhibu.text("李建国", "出勤")


async def test_a_member_cannot_use_proxy_checkin(zhibu: Zhibu) -> None:
    assert "只有支部书记" in await zhibu.text("王秀英", "代签 张桂兰 腿疼")
    assert "只有支部书记" in await zhibu.text("王秀英", "出勤")
    assert await _checkin_of(zhibu, "张桂兰") is None


async def test_proxy_for_an_unknown_name_is_refused_politely(zhibu: Zhibu) -> None:
    assert "没有找到“张三”" in await zhibu.text("李建国", "代签 张三 腿疼")
    assert "代签 姓名 原因" in await zhibu.text("李建国", "代签")


async def _code_for(z: Zhibu, name: str, *, days_ago: int = 0, relation: str | None = None) -> str:
    async with z.app.store.transaction() as tx:
        (member,) = await tx.find_members_by_name(name)
        return await create_invite(tx, member.id, relation, None,
                                   z.clock.now() - timedelta(days=days_ago))


async def test_a_stranger_binds_with_a_fresh_code_once(zhibu: Zhibu) -> None:
    assert "绑定码" in await zhibu.text("新手机", "你好")
    code = await _code_for(zhibu, "孙福海")
    assert "孙福海同志，您好！绑定成功" in await zhibu.text("新手机", f"{code[:4]} {code[4:]}")
    assert "签到成功" in await zhibu.text("新手机", "签到")
    assert "已经用过" in await zhibu.text("另一部手机", code)


async def test_an_expired_code_is_refused(zhibu: Zhibu) -> None:
    code = await _code_for(zhibu, "孙福海", days_ago=8)
    assert "已过期" in await zhibu.text("新手机", code)
    assert "绑定码" in await zhibu.text("新手机", "签到")


async def test_repeated_wrong_codes_are_slowed_down(zhibu: Zhibu) -> None:
    for attempt in range(5):
        assert "不对" in await zhibu.text("猜码的人", f"{10000000 + attempt}")
    code = await _code_for(zhibu, "孙福海")
    assert "次数太多" in await zhibu.text("猜码的人", code)


async def test_a_family_member_checks_in_for_the_member(zhibu: Zhibu) -> None:
    code = await _code_for(zhibu, "刘德明", relation="女儿")
    assert "您是刘德明的女儿" in await zhibu.text("刘德明的女儿", code)
    assert "已为刘德明签到" in await zhibu.text("刘德明的女儿", "签到")
    assert "只有支部书记" in await zhibu.text("刘德明的女儿", "出勤")


async def test_a_secretary_invites_a_member_of_their_branch(zhibu: Zhibu) -> None:
    reply = await zhibu.text("李建国", "邀请 王秀英")
    assert "王秀英的绑定码" in reply
    code = reply.split("：")[1].split("\n")[0].replace(" ", "")
    assert "王秀英同志" in await zhibu.text("王秀英的新手机", code)


async def test_anything_not_understood_gets_the_numbered_menu(zhibu: Zhibu) -> None:
    reply = await zhibu.text("王秀英", "今天天气怎么样")
    assert "没听明白" in reply and "1 签到" in reply and "0 帮助" in reply
    assert "10 出勤" not in reply
    assert "10 出勤" in await zhibu.text("李建国", "菜单")


async def test_no_input_crashes_the_router(zhibu: Zhibu) -> None:
    rng = random.Random(20261122)
    alphabet = "签到请假１2３确认取消代签邀请 \n\t/?？!@#emoji😀\u200b\x00簽請"
    for i in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        who = rng.choice(["王秀英", "李建国", "陌生人"])
        replies = await zhibu.say(who, text, message_id=f"fuzz-{i}")
        assert replies and all(r.text for r in replies)
