"""Members as they speak, and the misfires that recorded what nobody meant (issue #13)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.roster.importer import import_roster
from tests.conftest import Zhibu, count_rows

BOTH_ENGINES = True  # every `zhibu` test here runs on SQLite and on PostgreSQL

BRANCH = "城关离退休干部党支部"


async def _checked_in(z: Zhibu) -> int:
    return await count_rows(z.app.store, "check_ins")


# -- sentences reach the same handlers as the words -----------------------------------------

async def test_a_dictated_check_in_records_at_once(zhibu: Zhibu) -> None:
    assert "签到成功" in await zhibu.text("王秀英", "嗯，我今天签到。")
    assert "签到成功" in await zhibu.text("张桂兰", "书记好，我到了")
    assert "签到成功" in await zhibu.text("陈淑珍", "签 到")
    assert await _checked_in(zhibu) == 3


async def test_not_yet_and_cannot_come_are_never_a_check_in(zhibu: Zhibu) -> None:
    for text in ("还没到", "快到了", "在路上", "不签到", "我今天不能签到了", "签到晚了有没有关系"):
        reply = await zhibu.text("王秀英", text)
        assert "签到成功" not in reply, text
    assert "去不了" in "去不了" and "请假原因" in await zhibu.text("孙福海", "去不了")
    assert await _checked_in(zhibu) == 0


async def test_a_rambling_leave_goes_straight_to_the_read_back(zhibu: Zhibu) -> None:
    reply = await zhibu.text("王秀英", "书记你好我腿疼今天去不了想请个假")
    assert "原因：腿疼。" in reply and "确认吗" in reply


async def test_a_hospital_sentence_asks_only_what_is_missing(zhibu: Zhibu) -> None:
    assert "几号床" in await zhibu.text("王秀英", "那个我住院了在人民医院")
    assert "哪天" in await zhibu.text("王秀英", "跳过")


async def test_a_member_reports_another_by_a_dictated_name(zhibu: Zhibu) -> None:
    assert "哪家医院" in await zhibu.text("张桂兰", "王秀音住院了")
    await zhibu.converse("张桂兰", "人民医院", "跳过", "今天")
    assert "王秀英" in await zhibu.text("张桂兰", "我的互助对象")  # not among the choices
    readback = await zhibu.text("张桂兰", "确认")
    assert "已记下" in readback


async def test_a_daughter_reports_her_father(zhibu: Zhibu) -> None:
    await zhibu.bind_daughter()
    assert "哪个病区" in await zhibu.text("刘德明的女儿", "我爸住院了，在中医院")
    await zhibu.converse("刘德明的女儿", "跳过")
    readback = await zhibu.text("刘德明的女儿", "昨天")
    assert "刘德明，住在中医院" in readback


async def test_secretary_sentences_and_glued_names(zhibu: Zhibu) -> None:
    assert "应到" in await zhibu.text("李建国", "谁没来")
    readback = await zhibu.text("李建国", "代签刘德民腿脚不便")
    assert "为刘德明代签" in readback and "原因：腿脚不便" in readback


# -- the misfires ---------------------------------------------------------------------------

async def test_a_late_1_in_a_hospital_report_never_checks_her_in(zhibu: Zhibu) -> None:
    await zhibu.text("张桂兰", "住院")
    zhibu.clock.advance(timedelta(minutes=40))
    reply = await zhibu.text("张桂兰", "1")
    assert "要接着登记住院吗" in reply
    assert await _checked_in(zhibu) == 0
    assert "哪家医院" in await zhibu.text("张桂兰", "接着登记住院")  # 1 was 我自己
    assert await _checked_in(zhibu) == 0


async def test_a_late_answer_can_be_let_go(zhibu: Zhibu) -> None:
    await zhibu.text("张桂兰", "住院")
    zhibu.clock.advance(timedelta(minutes=40))
    await zhibu.text("张桂兰", "1")
    assert "已取消" in await zhibu.text("张桂兰", "不用了")
    assert "签到成功" in await zhibu.text("张桂兰", "签到")  # a word after the pause is done


async def test_a_late_confirm_of_a_proxy_is_asked_about(zhibu: Zhibu) -> None:
    await zhibu.text("李建国", "代签 刘德明 腿脚不便")
    zhibu.clock.advance(timedelta(minutes=40))
    assert "要接着代签吗" in await zhibu.text("李建国", "确认")
    assert await _checked_in(zhibu) == 0


async def test_a_late_confirm_of_a_leave_is_not_answered_already_done(zhibu: Zhibu) -> None:
    await zhibu.text("王秀英", "请假 腿疼")
    zhibu.clock.advance(timedelta(hours=1))
    reply = await zhibu.text("王秀英", "确认")
    assert "已处理" not in reply and "要接着请假吗" in reply
    assert "已为您请假" in await zhibu.text("王秀英", "1")
    assert "请假 1 人：王秀英（腿疼）" in await zhibu.text("李建国", "出勤")


@pytest.mark.parametrize(("label", "told"), [
    ("可以", True), ("不要", False),
    ("不要麻烦她了，她身体也不好", False),  # 麻烦她 means "tell her", but 不要 stands before it
])
async def test_typed_labels_at_the_partner_question_are_that_choice(
        zhibu: Zhibu, label: str, told: bool) -> None:
    await zhibu.converse("王秀英", "住院", "我自己", "人民医院", "跳过", "今天")
    readback = await zhibu.text("王秀英", label)  # typed, as WeChat members do
    assert "确认吗" in readback
    assert ("会请互助对象张桂兰去看看" in readback) is told
    assert await count_rows(zhibu.app.store, "care_events") == 0
    await zhibu.text("王秀英", "确认")
    assert await count_rows(zhibu.app.store, "care_events") == 1


async def test_a_correction_at_the_read_back_changes_that_part(zhibu: Zhibu) -> None:
    await zhibu.text("王秀英", "请假 腿疼")
    assert "原因：头疼。" in await zhibu.text("王秀英", "不对，是头疼")
    assert "要改成什么原因" in await zhibu.text("王秀英", "改一下")
    assert "原因：感冒。" in await zhibu.text("王秀英", "感冒")
    assert "已为您请假" in await zhibu.text("王秀英", "确认")


async def test_a_number_not_offered_repeats_the_question(zhibu: Zhibu) -> None:
    await zhibu.converse("王秀英", "住院", "1")
    reply = await zhibu.text("王秀英", "３")
    assert "哪家医院" in reply and "送学" not in reply
    await zhibu.converse("王秀英", "人民医院", "跳过")
    assert "1到3" in await zhibu.text("王秀英", "5")
    assert await count_rows(zhibu.app.store, "delivery_requests") == 0


# -- a person to ask ------------------------------------------------------------------------

async def test_a_lost_member_gets_the_secretary_and_a_call_back(zhibu: Zhibu) -> None:
    reply = await zhibu.say("王秀英", "我不会弄")
    assert "李建国书记，电话 13800000001" in reply[0].text
    assert "互助对象是张桂兰" in reply[0].text
    assert [b.data for b in reply[0].buttons] == ["请书记回电话"]
    assert "已请李建国给您回电话" in await zhibu.text("王秀英", button="请书记回电话")
    assert zhibu.sender.to("李建国") == ["王秀英请您回个电话：13800000003"]


async def test_a_second_not_understood_in_a_row_names_the_secretary(zhibu: Zhibu) -> None:
    first = await zhibu.text("王秀英", "天气真好啊")
    assert "没听明白" in first and "李建国" not in first
    assert "李建国书记" in await zhibu.text("王秀英", "今天天气真冷")


async def test_help_shows_four_actions_and_that_a_sentence_works(zhibu: Zhibu) -> None:
    for text in ("帮助", "?", "怎么用啊"):
        reply = await zhibu.text("王秀英", text)
        assert "1 签到\n2 请假\n3 送学上门\n4 住院" in reply, text
        assert "我腿疼去不了" in reply
    assert "7 我的" in await zhibu.text("王秀英", "菜单")


# -- names never reach into another branch --------------------------------------------------

async def _second_branch(z: Zhibu, tmp_path: Path) -> None:
    roster = tmp_path / "east.csv"
    roster.write_text(
        "姓名,手机,支部,角色\n"
        "刘德民,13900000001,东城离退休干部党支部,党员\n"
        "王秀英,13900000002,东城离退休干部党支部,党员\n"
        "东城甲,13900000003,东城离退休干部党支部,党员\n"
        "东城书记,13900000004,东城离退休干部党支部,书记\n", encoding="utf-8")
    summary = await import_roster(z.app.store, roster, z.clock.now())
    assert summary.applied
    async with z.app.store.transaction() as tx:
        for name in ("东城甲", "东城书记"):
            (member,) = await tx.find_members_by_name(name)
            await tx.bind("console", name, member.id, None, z.clock.now())


async def test_a_secretarys_homophone_finds_only_their_own_branch(
    zhibu: Zhibu, tmp_path: Path
) -> None:
    await _second_branch(zhibu, tmp_path)
    readback = await zhibu.text("李建国", "代签 刘德民 腿脚不便")  # 刘德民 exists only in 东城
    assert "为刘德明代签" in readback
    reply = await zhibu.text("李建国", "代签 东城甲 腿脚不便")
    assert "没有找到" in reply and "东城" not in reply.replace("“东城甲”", "")
    east = await zhibu.text("东城书记", "代签 刘德明 腿脚不便")
    assert "没有找到" in east or "今天不是学习日" in east
    assert "刘德明" not in east.replace("“刘德明”", "")


async def test_a_name_from_another_branch_never_becomes_the_reporter(
    zhibu: Zhibu, tmp_path: Path
) -> None:
    await _second_branch(zhibu, tmp_path)
    reply = await zhibu.text("张桂兰", "东城甲住院了")
    assert "没有找到" in reply
    reply = await zhibu.text("张桂兰", "住院 东城甲 东城医院")
    assert "没有找到" in reply and "张桂兰，住在" not in reply
    assert await count_rows(zhibu.app.store, "care_events") == 0


# -- guesses are asked back -----------------------------------------------------------------

async def test_a_guess_is_asked_before_anything_is_recorded(zhibu: Zhibu) -> None:
    assert "您是要签到吗" in await zhibu.text("王秀英", "书记早，王秀英到")
    assert await _checked_in(zhibu) == 0
    assert "什么也没有记录" in await zhibu.text("王秀英", "不是")
    assert await _checked_in(zhibu) == 0
    await zhibu.text("王秀英", "书记早，王秀英到")
    assert "签到成功" in await zhibu.text("王秀英", "是")


# -- a hospital stay on the study day is leave, not absence ---------------------------------

async def test_a_member_in_hospital_on_the_study_day_is_on_leave_not_absent(
    zhibu: Zhibu,
) -> None:
    await zhibu.converse("王秀英", "我昨天住院了，在人民医院", "跳过", "2", "确认")
    attendance = await zhibu.text("李建国", "出勤")
    assert "王秀英（住院）" in attendance
    assert "缺席 8 人" in attendance and "王秀英、" not in attendance.split("缺席")[1]
    zhibu.clock.advance(timedelta(hours=12))
    me = await zhibu.text("王秀英", "我的")
    assert "请假1次" in me and "缺席0次" in me


async def test_a_time_word_between_two_verbs_is_not_the_person(zhibu: Zhibu) -> None:
    assert "哪个病区" in await zhibu.text("王秀英", "陈淑贞住院了，昨天住进中医院的")
    readback = await zhibu.text("王秀英", "跳过")
    assert "陈淑珍，住在中医院，昨天入院。" in readback
