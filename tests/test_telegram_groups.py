"""A branch's Telegram group: /help and /bindgroup only, never anything personal."""

from __future__ import annotations

from pathlib import Path

from tests.fakes.botapi import telegram_rig

GROUP = -100500
WANG, LI, STRANGER = 5001, 7001, 9001


async def test_hospital_typed_in_the_group_is_answered_in_private_and_nothing_in_the_group(
    tmp_path: Path,
) -> None:
    async with telegram_rig(tmp_path / "z.db") as rig:
        await rig.bind(WANG, "王秀英")
        rig.api.group_message(GROUP, WANG, "住院")
        [private] = await rig.api.wait_sent(WANG)
        assert private.text
        rig.api.group_message(GROUP, WANG, "/help")  # handled after 住院: same person, in order
        [line] = await rig.api.wait_sent(GROUP)
        assert "请私聊我" in line.text and "王秀英" not in line.text
        assert rig.api.texts(GROUP) == [line.text]


async def test_a_stranger_typing_hospital_in_the_group_gets_one_line_without_details(
    tmp_path: Path,
) -> None:
    async with telegram_rig(tmp_path / "z.db") as rig:
        rig.api.group_message(GROUP, STRANGER, "住院")
        [line] = await rig.api.wait_sent(GROUP)
        assert line.text == "请私聊我：点我的名字，再点“发消息”，在那里办理。"
        assert rig.api.sent(STRANGER) == []
        assert await rig.count("outbox") == 0


async def test_group_chatter_is_left_alone_and_only_help_is_answered(tmp_path: Path) -> None:
    async with telegram_rig(tmp_path / "z.db") as rig:
        await rig.bind(WANG, "王秀英")
        for chatter in ("好的", "住院的老李怎么样了", "帮助", "1", "/checkin@other_bot x"):
            rig.api.group_message(GROUP, WANG, chatter)
        rig.api.group_message(GROUP, WANG, "/help@zhibu_test_bot")
        [help_line] = await rig.api.wait_sent(GROUP)
        assert help_line.text.startswith("我是支部助手")
        assert rig.api.sent(WANG) == [] and await rig.count("outbox") == 0


async def test_a_secretary_registers_the_group_with_bindgroup_and_a_member_cannot(
    tmp_path: Path,
) -> None:
    async with telegram_rig(tmp_path / "z.db") as rig:
        await rig.bind(WANG, "王秀英")
        await rig.bind(LI, "李建国")
        rig.api.group_message(GROUP, WANG, "/bindgroup")
        [denied] = await rig.api.wait_sent(GROUP)
        assert "只有支部书记" in denied.text
        rig.api.group_message(GROUP, LI, "/bindgroup")
        [_, ok] = await rig.api.wait_sent(GROUP, 2)
        assert "城关离退休干部党支部的支部群" in ok.text
        async with rig.store.transaction() as tx:
            branch = await tx.find_branch("城关离退休干部党支部")
            assert branch is not None
            [chat] = await tx.branch_chats(branch.id, "telegram")
        assert chat.chat_id == str(GROUP) and chat.title == "城关支部群"


async def test_posts_to_a_group_keep_to_twenty_a_minute(tmp_path: Path) -> None:
    async with telegram_rig(tmp_path / "z.db") as rig:
        telegram = rig.runtime.telegram
        assert telegram is not None
        telegram.budget.group_window = 0.5  # twenty per half second here, per minute live
        for i in range(21):
            await telegram.sender.send(str(GROUP), f"通知{i}", [])
        posts = rig.api.sent(GROUP)
        assert len(posts) == 21
        assert posts[20].at - posts[0].at >= 0.45


async def test_a_member_who_blocks_the_bot_is_marked_unreachable_at_once(tmp_path: Path) -> None:
    async with telegram_rig(tmp_path / "z.db") as rig:
        await rig.bind(WANG, "王秀英")
        await rig.bind(LI, "李建国")
        rig.api.blocked(WANG)
        [note] = await rig.api.wait_sent(LI)
        assert note.text.startswith("王秀英在Telegram上联系不到了")
        rig.api.message(WANG, "/start")  # back again: reachable
        await rig.api.wait_sent(WANG)
        async with rig.store.transaction() as tx:
            binding = await tx.get_binding("telegram", str(WANG))
        assert binding is not None and binding.unreachable_at is None
