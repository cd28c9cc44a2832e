"""Issue #14's defects: inputs that crashed a handler, names and permissions across branches."""

from __future__ import annotations

import pytest

from tests.conftest import Zhibu, add_person, count_rows

HUGE = "99999999999999999999"


async def test_a_short_answer_at_the_delivery_address_repeats_the_question(zhibu: Zhibu) -> None:
    await zhibu.say("王秀英", "送学")
    for _ in range(2):
        reply = await zhibu.text("王秀英", "3")
        assert "送到哪里" in reply and "出了点问题" not in reply
    assert "已取消" in await zhibu.text("王秀英", "取消")
    assert await count_rows(zhibu.app.store, "delivery_requests") == 0


@pytest.mark.parametrize("who", ["王秀英", "李建国"])
@pytest.mark.parametrize("word", ["接受", "已走访", "已送达", "送学单"])
async def test_a_number_longer_than_any_id_is_no_such_record(
        zhibu: Zhibu, who: str, word: str) -> None:
    reply = await zhibu.text(who, f"{word} {HUGE}")
    assert "出了点问题" not in reply and reply
    assert HUGE not in reply  # not echoed in full
    await zhibu.say(who, "请假")  # from inside a conversation too
    assert "出了点问题" not in await zhibu.text(who, f"{word} {HUGE}")


async def test_no_such_task_and_not_yours_read_the_same(zhibu: Zhibu) -> None:
    await add_person(zhibu, "东城书记", "13900000002", "secretary", "东城离退休干部党支部")
    await zhibu.converse("王秀英", "住院", "1", "人民医院", "跳过", "今天", "2", "确认")
    async with zhibu.app.store.transaction() as tx:
        (task,) = await tx.tasks(None, unfinished=False)
    theirs = await zhibu.text("东城书记", f"接受 {task.id}")
    missing = await zhibu.text("东城书记", f"接受 {task.id + 1}")
    assert theirs.replace(str(task.id), "N") == missing.replace(str(task.id + 1), "N")
    assert "王秀英" not in theirs


async def test_an_officer_on_no_roster_is_never_recorded_as_the_patient(zhibu: Zhibu) -> None:
    await add_person(zhibu, "局管理员", "13900000009", "admin", None)
    assert "请写这位同志的名字" in await zhibu.text("局管理员", "住院")  # no 我自己 offered
    await zhibu.say("局管理员", "取消")
    assert "不在哪个支部的名册上" in await zhibu.text("局管理员", "我住院了，在人民医院")
    await zhibu.say("局管理员", "取消")
    for word in ("困难", "出院"):
        reply = await zhibu.text("局管理员", word)
        assert "出了点问题" not in reply
        await zhibu.say("局管理员", "取消")
    assert "王秀英，住在人民医院" in await zhibu.converse(
        "局管理员", "住院", "王秀英", "人民医院", "跳过", "今天", "2")
    assert await count_rows(zhibu.app.store, "care_events") == 0


async def _other_branch(zhibu: Zhibu) -> None:
    await add_person(zhibu, "陈淑珍", "13900000010", "member", "东城离退休干部党支部")
    await add_person(zhibu, "东城乙", "13900000011", "member", "东城离退休干部党支部")
    await add_person(zhibu, "东城指导员", "13900000012", "instructor", "东城离退休干部党支部")


@pytest.mark.parametrize("word", ["去世", "思想"])
async def test_a_name_in_two_branches_is_the_one_in_the_officers_reach(
        zhibu: Zhibu, word: str) -> None:
    await _other_branch(zhibu)
    reply = await zhibu.text("东城指导员", f"{word} 陈淑珍 情绪低落")
    assert "东城指导员" not in reply and "陈淑珍" in reply
    async with zhibu.app.store.transaction() as tx:
        mine = await tx.find_members_by_name("陈淑珍")
        target = next(m for m in mine if m.phone == "13900000010")
    await zhibu.converse("东城指导员", "确认", "确认")
    async with zhibu.app.store.transaction() as tx:
        events = await tx._all("SELECT member_id FROM care_events")
    assert [row["member_id"] for row in events] == [target.id]


@pytest.mark.parametrize("who", ["张桂兰", "东城指导员"])
async def test_a_name_out_of_reach_never_becomes_the_speaker(zhibu: Zhibu, who: str) -> None:
    await _other_branch(zhibu)
    reply = await zhibu.text(who, "住院 东城乙 东城医院") if who == "张桂兰" else \
        await zhibu.text(who, "住院 王秀英 人民医院")
    assert "没有找到" in reply
    await zhibu.converse(who, "确认", "1", "跳过", "今天", "确认")
    assert await count_rows(zhibu.app.store, "care_events") == 0


async def test_another_members_report_of_an_open_stay_waits_for_the_secretary(
        zhibu: Zhibu) -> None:
    await zhibu.converse("王秀英", "住院", "1", "人民医院", "3病区12床", "今天", "2", "确认")
    zhibu.sender.sent.clear()
    reply = await zhibu.converse("孙福海", "住院 王秀英 县医院", "跳过", "今天", "2", "确认")
    assert "书记核实" in reply
    async with zhibu.app.store.transaction() as tx:
        (wang,) = await tx.find_members_by_name("王秀英")
        stay = await tx.open_stay(wang.id)
        (task,) = await tx.tasks(None, unfinished=True)
    assert stay is not None
    assert (stay.details["hospital"], stay.details["ward"]) == ("人民医院", "3病区12床")
    alert = "\n".join(text for _, text in zhibu.sender.sent)
    assert "待核实" in alert and "县医院" in alert and "3病区12床" not in alert
    assert "已采纳：王秀英，县医院" in await zhibu.text("李建国", f"采纳 {task.id}")
    async with zhibu.app.store.transaction() as tx:
        stay = await tx.open_stay(wang.id)
    assert stay is not None and stay.details["hospital"] == "县医院"
    assert "没有待核实" in await zhibu.text("李建国", f"采纳 {task.id}")


async def test_the_member_and_the_secretary_still_correct_the_stay_at_once(zhibu: Zhibu) -> None:
    await zhibu.converse("王秀英", "住院", "1", "人民医院", "3病区12床", "今天", "2", "确认")
    reply = await zhibu.converse("李建国", "住院 王秀英 县医院", "跳过", "今天", "2", "确认")
    assert "补充到已有的走访任务" in reply
    async with zhibu.app.store.transaction() as tx:
        (wang,) = await tx.find_members_by_name("王秀英")
        stay = await tx.open_stay(wang.id)
    assert stay is not None and stay.details["hospital"] == "县医院"


@pytest.mark.parametrize(("who", "steps"), [
    ("王秀英", ["\ud800签到"]),
    ("王秀英", ["请假 腿\ud800疼", "确认"]),
    ("李建国", ["通知 明天\udfff学习", "确认"]),
    ("陌生\ud800人", ["签到"]),
])
async def test_lone_surrogates_are_replaced_at_the_edge(
        zhibu: Zhibu, who: str, steps: list[str]) -> None:
    """JSON lets a client send \\ud800; stored or sent as is, it failed in SQLite."""
    for text in steps:
        reply = await zhibu.text(who, text)
        assert reply and "出了点问题" not in reply
        reply.encode("utf-8")


def test_long_messages_are_never_kept_in_the_caches() -> None:
    """4,096 cached Telegram-length messages could hold hundreds of MB (#14, defect 9)."""
    from bot.core.script import convert
    from bot.understanding.keywords import parse
    from bot.understanding.sentence import understand

    long = "通知 " + "明天上午九点学习，请准时参加。" * 270  # ~4,000 characters
    for cached in (parse, convert):
        cached.cache_clear()  # type: ignore[attr-defined]
    parse(long)
    understand(long)
    assert parse.cache_info().currsize == 0  # type: ignore[attr-defined]
    before = convert.cache_info().currsize  # type: ignore[attr-defined]  # short pieces only
    convert(long, "zh-hant")
    assert convert.cache_info().currsize == before  # type: ignore[attr-defined]
    parse("签到")
    assert parse.cache_info().currsize == 1  # type: ignore[attr-defined]
