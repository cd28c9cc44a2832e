"""Interest groups (issue #17): 加入 / 退出 a group, officers creating one, notices to a
group only, and `zhibu group add|list`. Through the real router on the demo branch 城关."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.cli import main
from bot.core.clock import FakeClock
from handlers.groups.find import group_named, match_group
from storage.repo_groups import InterestGroup
from tests.conftest import STUDY_DAY_MORNING, Zhibu, add_person, count_rows, make_config, open_zhibu

BOTH_ENGINES = True  # every `zhibu` test here runs on SQLite and on PostgreSQL

BRANCH = "城关离退休干部党支部"
GROUPS = (InterestGroup(1, 1, "书法组"), InterestGroup(2, 1, "门球队"),
          InterestGroup(3, 1, "合唱队"), InterestGroup(4, 1, "学智能手机班"))


# --- match_group: which group the words name ------------------------------------------------


@pytest.mark.parametrize("said", ["书法组", "书法", "书法班", "书法小组", "書法組",
                                  "我想参加书法班", "  书法组！"])
def test_the_ways_of_saying_the_calligraphy_group(said: str) -> None:
    assert match_group(GROUPS, said) == GROUPS[0]


def test_a_stem_names_its_group_and_nothing_or_two_names_none() -> None:
    assert match_group(GROUPS, "门球") == GROUPS[1]
    assert match_group(GROUPS, "我想学智能手机") == GROUPS[3]
    assert match_group(GROUPS, "") is None
    assert match_group(GROUPS, "太极拳") is None
    assert match_group(GROUPS, "书法和门球") is None  # two fit: no guess
    assert match_group([], "书法组") is None


def test_a_longer_name_wins_over_the_shorter_inside_it() -> None:
    both = (*GROUPS, InterestGroup(5, 1, "书法提高班"))
    assert match_group(both, "书法提高班") == both[4]
    assert match_group(both, "书法组") == both[0]


def test_a_notice_word_must_be_a_group_name_not_mention_one() -> None:
    assert group_named(GROUPS, "书法组") == GROUPS[0]
    assert group_named(GROUPS, "書法") == GROUPS[0]
    assert group_named(GROUPS, "门球队") == GROUPS[1]
    assert group_named(GROUPS, "合唱比赛") is None
    assert group_named(GROUPS, "明天") is None


# --- helpers ------------------------------------------------------------------------------


async def _groups(z: Zhibu, *names: str, branch: str = BRANCH) -> list[InterestGroup]:
    async with z.app.store.transaction() as tx:
        found = await tx.find_branch(branch)
        assert found is not None
        return [await tx.ensure_group(found.id, n, None, z.clock.now()) for n in names]


async def _branch_groups(z: Zhibu) -> list[InterestGroup]:
    async with z.app.store.transaction() as tx:
        branch = await tx.find_branch(BRANCH)
        assert branch is not None
        return await tx.branch_groups(branch.id)


async def _members(z: Zhibu, group: InterestGroup) -> set[str]:
    async with z.app.store.transaction() as tx:
        ids = await tx.group_member_ids(group.id)
        return {m.name for m in [await tx.get_member(i) for i in ids] if m is not None}


async def _join(z: Zhibu, group: InterestGroup, *names: str) -> None:
    async with z.app.store.transaction() as tx:
        for name in names:
            (member,) = await tx.find_members_by_name(name)
            await tx.join_group(group.id, member.id, z.clock.now())


# --- 加入 -----------------------------------------------------------------------------------


@pytest.mark.parametrize("said", ["加入 书法组", "我想加入书法组", "加入書法組", "我也想进书法组",
                                  "加入 书法", "加入书法班"])
async def test_a_member_joins_by_word_sentence_or_traditional(zhibu: Zhibu, said: str) -> None:
    (calligraphy, _) = await _groups(zhibu, "书法组", "门球队")
    reply = await zhibu.text("王秀英", said)
    assert "您已加入书法组" in reply
    assert await _members(zhibu, calligraphy) == {"王秀英"}


async def test_joining_twice_says_so_and_a_redelivery_records_once(zhibu: Zhibu) -> None:
    (calligraphy,) = await _groups(zhibu, "书法组")
    first = await zhibu.text("张桂兰", "加入 书法组", message_id="j1")
    again = await zhibu.text("张桂兰", "加入 书法组", message_id="j1")  # redelivered
    assert again == first and "您已加入书法组" in first
    assert await count_rows(zhibu.app.store, "group_members") == 1
    assert "已经在书法组里" in await zhibu.text("张桂兰", "加入书法组")
    assert await count_rows(zhibu.app.store, "group_members") == 1
    assert await _members(zhibu, calligraphy) == {"张桂兰"}


async def test_周玉蘭_writes_traditional_and_reads_traditional(zhibu: Zhibu) -> None:
    await _groups(zhibu, "书法组")
    reply = await zhibu.text("周玉蘭", "我想加入書法組")
    assert "您已加入书法组。組裡的通知" in reply  # a name is shown as it was written


async def test_no_group_named_offers_the_branch_groups_by_number(zhibu: Zhibu) -> None:
    (_, ball) = await _groups(zhibu, "书法组", "门球队")
    (question,) = await zhibu.say("刘德明", "加入")
    assert "想加入哪个" in question.text
    assert [b.label for b in question.buttons] == ["1 书法组", "2 门球队", "3 取消"]
    assert "您已加入门球队" in await zhibu.text("刘德明", "2")
    assert await _members(zhibu, ball) == {"刘德明"}


async def test_an_unknown_group_lists_them_and_a_typed_label_or_button_picks(
        zhibu: Zhibu) -> None:
    (calligraphy, ball) = await _groups(zhibu, "书法组", "门球队")
    asked = await zhibu.text("陈淑珍", "加入 太极拳")
    assert "没有叫“太极拳”的小组" in asked and "没有找到" not in asked
    assert await count_rows(zhibu.app.store, "group_members") == 0  # a guess never joins
    assert "您已加入门球队" in await zhibu.text("陈淑珍", "门球队")  # the label typed
    await zhibu.say("孙福海", "加入")
    assert "您已加入书法组" in await zhibu.text("孙福海", button="书法组")  # the button
    assert await _members(zhibu, ball) == {"陈淑珍"}
    assert await _members(zhibu, calligraphy) == {"孙福海"}


async def test_something_else_at_the_list_asks_again_and_cancel_joins_nothing(
        zhibu: Zhibu) -> None:
    await _groups(zhibu, "书法组", "门球队")
    await zhibu.say("吴长林", "加入")
    (hint, again) = await zhibu.say("吴长林", "7")  # not offered: the question again
    assert "1到3" in hint.text
    assert [b.label for b in again.buttons] == ["1 书法组", "2 门球队", "3 取消"]
    again = (await zhibu.say("吴长林", "打太极拳的"))[-1]  # no group of ours: asked again
    assert "想加入哪个" in again.text
    assert "取消" in await zhibu.text("吴长林", "取消")
    assert await count_rows(zhibu.app.store, "group_members") == 0


async def test_a_branch_without_groups_says_so(zhibu: Zhibu) -> None:
    reply = await zhibu.text("王秀英", "加入 书法组")
    assert "支部还没有兴趣小组" in reply
    assert await count_rows(zhibu.app.store, "interest_groups") == 0


async def test_another_branchs_member_cannot_join_our_group(zhibu: Zhibu) -> None:
    (calligraphy,) = await _groups(zhibu, "书法组")
    await add_person(zhibu, "东城党员", "13900000021", "member", "东城离退休干部党支部")
    reply = await zhibu.text("东城党员", "加入 书法组")
    assert "支部还没有兴趣小组" in reply
    assert await _members(zhibu, calligraphy) == set()


# --- an officer creates a group ------------------------------------------------------------


async def test_an_officer_creates_a_group_after_the_readback(zhibu: Zhibu) -> None:
    readback = await zhibu.text("李建国", "加入 书法组")
    assert "新建兴趣小组“书法组”？" in readback
    assert await count_rows(zhibu.app.store, "interest_groups") == 0
    done = await zhibu.text("李建国", "确认", message_id="c1")
    assert "已新建兴趣小组“书法组”" in done
    assert await zhibu.text("李建国", "确认", message_id="c1") == done  # redelivered
    assert await count_rows(zhibu.app.store, "interest_groups") == 1
    assert await count_rows(zhibu.app.store, "group_members") == 0  # not made a member
    assert "您已加入书法组" in await zhibu.text("王秀英", "我想加入书法组")


async def test_a_cancelled_creation_creates_nothing(zhibu: Zhibu) -> None:
    assert "新建兴趣小组“合唱队”" in await zhibu.text("李建国", "我想加入合唱队")
    assert "取消" in await zhibu.text("李建国", "取消")
    assert await count_rows(zhibu.app.store, "interest_groups") == 0


async def test_an_instructor_is_asked_which_branch_first(zhibu: Zhibu) -> None:
    which = await zhibu.text("赵志刚", "我想加入合唱队")  # 城关 and 东城: no branch of his own
    assert "哪一个" in which and BRANCH in which
    assert "新建兴趣小组“合唱队”" in await zhibu.text("赵志刚", "城关")
    assert "取消" in await zhibu.text("赵志刚", "取消")
    assert await count_rows(zhibu.app.store, "interest_groups") == 0
    assert "新建兴趣小组“门球队”" in await zhibu.text("赵志刚", "加入 城关 门球队")
    await zhibu.text("赵志刚", "确认")
    assert [g.name for g in await _branch_groups(zhibu)] == ["门球队"]
    assert await count_rows(zhibu.app.store, "group_members") == 0


async def test_the_new_name_can_be_corrected_at_the_readback(zhibu: Zhibu) -> None:
    await zhibu.text("李建国", "加入 书法组")
    assert "新建兴趣小组“书法班”" in await zhibu.text("李建国", "不对，是书法班")
    await zhibu.text("李建国", "确认")
    assert [g.name for g in await _branch_groups(zhibu)] == ["书法班"]


async def test_an_officer_naming_an_existing_group_joins_it(zhibu: Zhibu) -> None:
    (calligraphy,) = await _groups(zhibu, "书法组")
    assert "您已加入书法组" in await zhibu.text("李建国", "加入 书法")
    assert await _members(zhibu, calligraphy) == {"李建国"}
    assert await count_rows(zhibu.app.store, "interest_groups") == 1


# --- 退出 -----------------------------------------------------------------------------------


@pytest.mark.parametrize("said", ["退出 书法组", "书法组我不去了", "書法組我不去了",
                                  "我不参加书法组了", "退出书法班"])
async def test_a_member_leaves_by_word_or_sentence(zhibu: Zhibu, said: str) -> None:
    (calligraphy, ball) = await _groups(zhibu, "书法组", "门球队")
    await _join(zhibu, calligraphy, "王秀英", "张桂兰")
    await _join(zhibu, ball, "王秀英")
    reply = await zhibu.text("王秀英", said)
    assert "您已退出书法组" in reply
    assert await _members(zhibu, calligraphy) == {"张桂兰"}
    assert await _members(zhibu, ball) == {"王秀英"}
    assert await count_rows(zhibu.app.store, "leave_requests") == 0  # not a day's leave


async def test_leaving_a_group_one_is_not_in_is_a_friendly_answer(zhibu: Zhibu) -> None:
    await _groups(zhibu, "书法组")
    reply = await zhibu.text("刘德明", "退出 书法组")
    assert "您不在书法组里" in reply and "没有找到" not in reply
    assert "还没有加入兴趣小组" in await zhibu.text("刘德明", "退出")


async def test_no_group_named_offers_ones_own_groups(zhibu: Zhibu) -> None:
    (calligraphy, ball, choir) = await _groups(zhibu, "书法组", "门球队", "合唱队")
    await _join(zhibu, calligraphy, "郑丽华")
    await _join(zhibu, choir, "郑丽华")
    (question,) = await zhibu.say("郑丽华", "退出")
    assert [b.label for b in question.buttons] == ["1 书法组", "2 合唱队", "3 取消"]
    assert "您已退出合唱队" in await zhibu.text("郑丽华", "合唱")  # part of the label typed
    assert await _members(zhibu, choir) == set()
    assert await _members(zhibu, calligraphy) == {"郑丽华"}
    assert await _members(zhibu, ball) == set()


# --- 通知 书法组 …: a group's members only --------------------------------------------------


async def test_a_group_notice_reaches_only_the_group(zhibu: Zhibu) -> None:
    (calligraphy, ball) = await _groups(zhibu, "书法组", "门球队")
    await _join(zhibu, calligraphy, "王秀英", "周玉蘭", "李建国")
    await _join(zhibu, ball, "孙福海")
    readback = await zhibu.text("李建国", "通知 书法组 明天下午练字改到活动室")
    assert readback.startswith("将把下面这条通知发给书法组的2位成员：\n明天下午练字改到活动室")
    assert await count_rows(zhibu.app.store, "outbox") == 0
    assert "书法组的2位成员会收到" in await zhibu.text("李建国", "确认")
    await zhibu.app.dispatcher.run_once(limit=100)
    pushed = "【书法组通知】\n明天下午练字改到活动室\n——李建国"
    assert zhibu.sender.to("王秀英") == [pushed]
    assert zhibu.sender.to("周玉蘭") == [pushed]  # a notice reads as it was written
    for other in ("孙福海", "张桂兰", "刘德明", "李建国"):
        assert zhibu.sender.to(other) == []


async def test_a_group_notice_without_text_asks_for_it(zhibu: Zhibu) -> None:
    (ball,) = await _groups(zhibu, "门球队")
    await _join(zhibu, ball, "孙福海")
    assert "通知门球队成员的内容" in await zhibu.text("李建国", "通知 门球")
    assert "发给门球队的1位成员" in await zhibu.text("李建国", "周五上午比赛")
    await zhibu.text("李建国", "确认")
    await zhibu.app.dispatcher.run_once(limit=100)
    assert zhibu.sender.to("孙福海") == ["【门球队通知】\n周五上午比赛\n——李建国"]
    assert zhibu.sender.to("王秀英") == []


async def test_a_notice_mentioning_a_group_in_its_body_goes_to_the_branch(zhibu: Zhibu) -> None:
    await _groups(zhibu, "合唱队")
    readback = await zhibu.text("李建国", "通知 合唱比赛改到周五，书法组也参加")
    assert readback.startswith(f"将把下面这条通知发给{BRANCH}8位同志")


async def test_a_group_without_members_sends_nothing(zhibu: Zhibu) -> None:
    await _groups(zhibu, "书法组")
    assert "书法组还没有能收到消息的成员" in await zhibu.text("李建国", "通知 书法组 明天练字")
    assert await count_rows(zhibu.app.store, "outbox") == 0


# --- zhibu group add | list ----------------------------------------------------------------


def _config(tmp_path: Path) -> Path:
    db = tmp_path / "z.db"
    config = tmp_path / "z.toml"
    config.write_text(f'[database]\nurl = "{make_config(db).database.url}"\n', encoding="utf-8")

    async def seeded() -> None:
        z = await open_zhibu(db, FakeClock(STUDY_DAY_MORNING), fresh=True)
        await z.app.close()

    asyncio.run(seeded())
    return config


def test_the_cli_adds_and_lists_groups(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    config = _config(tmp_path)
    assert main(["--config", str(config), "group", "add", "--branch", BRANCH, "书法组"]) == 0
    assert capsys.readouterr().out.strip() == f"已新建兴趣小组：{BRANCH} 书法组"
    assert main(["--config", str(config), "group", "add", "--branch", BRANCH, "书法组"]) == 0
    assert "已经有“书法组”了" in capsys.readouterr().out
    assert main(["--config", str(config), "group", "add", "--branch", BRANCH, "门球队"]) == 0
    capsys.readouterr()

    async def join() -> None:
        z = await open_zhibu(tmp_path / "z.db", FakeClock(STUDY_DAY_MORNING), fresh=False)
        try:
            assert "您已加入书法组" in await z.text("王秀英", "加入 书法组")
        finally:
            await z.app.close()

    asyncio.run(join())
    assert main(["--config", str(config), "group", "list"]) == 0
    assert capsys.readouterr().out.splitlines() == [f"{BRANCH}  书法组  1人",
                                                    f"{BRANCH}  门球队  0人"]
    assert main(["--config", str(config), "group", "list", "--branch", BRANCH]) == 0
    assert f"{BRANCH}  书法组  1人" in capsys.readouterr().out


def test_the_cli_refuses_an_unknown_branch_or_a_bad_name(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = _config(tmp_path)
    assert main(["--config", str(config), "group", "add", "--branch", "城关支部", "书法组"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("zhibu: 没有“城关支部”这个支部。") and len(err.splitlines()) == 1
    assert main(["--config", str(config), "group", "add", "--branch", BRANCH, " "]) == 2
    assert "小组名称" in capsys.readouterr().err
    assert main(["--config", str(config), "group", "list", "--branch", "东城"]) == 2
    capsys.readouterr()
    assert main(["--config", str(config), "group", "list"]) == 0
    assert capsys.readouterr().out.strip() == "还没有兴趣小组。"


def test_the_group_command_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    for args in (["group", "--help"], ["group", "add", "--help"]):
        with pytest.raises(SystemExit) as exit_:
            main(args)
        assert exit_.value.code == 0
    assert "usage: zhibu group add" in capsys.readouterr().out


@pytest.mark.parametrize("said", ["加入 2", "加入 😀😀", "加入 " + "书" * 300, "退出 1",
                                  "退出 ？？", "加入书法组和门球队"])
async def test_odd_input_gets_a_short_answer_and_changes_nothing(zhibu: Zhibu,
                                                                said: str) -> None:
    (calligraphy, _) = await _groups(zhibu, "书法组", "门球队")
    await _join(zhibu, calligraphy, "王秀英")
    reply = await zhibu.text("王秀英", said)
    assert reply and len(reply) < 200
    assert await count_rows(zhibu.app.store, "group_members") == 1
    assert await count_rows(zhibu.app.store, "interest_groups") == 2


async def test_a_daughter_joins_for_her_father(zhibu: Zhibu) -> None:
    (calligraphy,) = await _groups(zhibu, "书法组")
    daughter = await zhibu.bind_daughter()
    assert "您已加入书法组" in await zhibu.text(daughter, "我爸想加入书法组")
    assert await _members(zhibu, calligraphy) == {"刘德明"}


async def test_a_hobby_said_alone_is_asked_back_and_then_chosen(zhibu: Zhibu) -> None:
    (calligraphy, _) = await _groups(zhibu, "书法组", "门球队")
    # a guess: asked, nothing done
    assert "是要加入兴趣小组吗" in await zhibu.text("吴长林", "书法")
    (question,) = await zhibu.say("吴长林", "是")
    assert [b.label for b in question.buttons] == ["1 书法组", "2 门球队", "3 取消"]
    assert await count_rows(zhibu.app.store, "group_members") == 0
    assert "您已加入书法组" in await zhibu.text("吴长林", "1")
    assert await _members(zhibu, calligraphy) == {"吴长林"}
    (listed,) = await zhibu.say("刘德明", "兴趣小组")
    assert "想加入哪个" in listed.text
