"""签到 through the core, end to end on a real SQLite file."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import STUDY_DAY_MORNING, Zhibu

BOTH_ENGINES = True  # every test here runs on SQLite and on PostgreSQL


async def _present(z: Zhibu) -> list[str]:
    async with z.app.store.transaction() as tx:
        branch = await tx.find_branch("城关离退休干部党支部")
        assert branch is not None
        members = await tx.branch_members(branch.id)
        start = STUDY_DAY_MORNING.replace(hour=9, minute=0)
        session = await tx.ensure_session(branch.id, start, None)
        report = await tx.attendance(session, members)
    return [m.name for m, _ in report.present]


async def test_checkin_records_the_member_and_says_so(zhibu: Zhibu) -> None:
    reply = await zhibu.text("王秀英", "签到")
    assert "王秀英，签到成功" in reply
    assert await _present(zhibu) == ["王秀英"]


async def test_double_checkin_gives_one_row_and_the_first_time(zhibu: Zhibu) -> None:
    await zhibu.text("王秀英", "签到")
    zhibu.clock.advance(timedelta(minutes=3))
    again = await zhibu.text("王秀英", "签到")
    assert again == "已签到 08:30，不用再签了。"
    assert await _present(zhibu) == ["王秀英"]


async def test_traditional_checkin_is_understood_and_answered_in_traditional(zhibu: Zhibu) -> None:
    reply = await zhibu.text("张桂兰", "簽到")
    assert "簽到成功" in reply
    assert "學習日" in reply
    assert await _present(zhibu) == ["张桂兰"]


async def test_full_width_menu_digit_one_checks_in(zhibu: Zhibu) -> None:
    assert "签到成功" in await zhibu.text("陈淑珍", "１")


async def test_a_small_typo_still_checks_in(zhibu: Zhibu) -> None:
    assert "签到成功" in await zhibu.text("孙福海", "签倒")


async def test_synonyms_check_in(zhibu: Zhibu) -> None:
    assert "签到成功" in await zhibu.text("吴长林", "我到了")
    assert "签到成功" in await zhibu.text("郑丽华", "打卡")


async def test_member_with_traditional_roster_language_gets_traditional(zhibu: Zhibu) -> None:
    reply = await zhibu.text("周玉蘭", "签到")
    assert "簽到成功" in reply


async def test_checkin_before_the_window_says_when_it_opens(zhibu: Zhibu) -> None:
    zhibu.clock.advance(timedelta(hours=-2))  # 06:30, the window opens at 08:00
    reply = await zhibu.text("王秀英", "签到")
    assert "09:00开始" in reply and "08:00起可以签到" in reply
    assert await _present(zhibu) == []


async def test_checkin_on_another_day_names_the_next_study_day(zhibu: Zhibu) -> None:
    zhibu.clock.advance(timedelta(days=1))
    reply = await zhibu.text("王秀英", "签到")
    assert reply.startswith("今天不是学习日。")
    assert "1月12日（星期二） 09:00" in reply  # the second Tuesday of January 2027
    assert "老干部活动中心" in reply


async def test_checkin_is_open_until_the_end_of_the_study_day(zhibu: Zhibu) -> None:
    zhibu.clock.advance(timedelta(hours=15, minutes=29))  # 23:59
    assert "签到成功" in await zhibu.text("王秀英", "签到")


async def test_a_redelivered_message_has_one_effect_and_the_same_reply(zhibu: Zhibu) -> None:
    first = await zhibu.say("王秀英", "签到", message_id="wx-1")
    zhibu.clock.advance(timedelta(minutes=5))
    second = await zhibu.say("王秀英", "签到", message_id="wx-1")
    assert first == second
    assert "签到成功" in first[0].text
    assert await _present(zhibu) == ["王秀英"]


async def test_messages_arriving_together_are_each_answered_and_recorded_once(
    zhibu: Zhibu,
) -> None:
    import asyncio

    names = ["王秀英", "张桂兰", "刘德明", "陈淑珍", "孙福海", "吴长林", "郑丽华"]
    replies = await asyncio.gather(
        *(zhibu.say(name, "签到", message_id=f"burst-{name}") for name in names),
        zhibu.say("王秀英", "签到", message_id="burst-王秀英"),  # a redelivery in the same group
        zhibu.say("陌生人", "你好"),
    )
    for name, reply in zip(names, replies, strict=False):
        assert f"{name}，签到成功" in reply[0].text  # each their own name (none writes Traditional)
    assert replies[len(names)] == replies[0]
    assert "绑定码" in replies[-1][0].text
    assert sorted(await _present(zhibu)) == sorted(names)
