"""Members on Telegram: the big keyboard, words, commands, buttons pressed once, long lists."""

from __future__ import annotations

from pathlib import Path

from bot.core.messages import Reply
from storage import MemberData
from tests.fakes.botapi import TelegramRig, telegram_rig

WANG, ZHANG, LIU, LI = 5001, 5002, 5003, 7001


async def test_checkin_by_button_text_by_slash_command_and_by_traditional_word(
    tmp_path: Path,
) -> None:
    async with telegram_rig(tmp_path / "z.db") as rig:
        for user, name in ((WANG, "王秀英"), (ZHANG, "张桂兰"), (LIU, "刘德明")):
            await rig.bind(user, name)
        [by_button] = await rig.say(WANG, "签到")
        [by_command] = await rig.say(ZHANG, "/checkin")
        [by_word] = await rig.say(LIU, "簽到")
        assert "王秀英，签到成功" in by_button.text
        assert "张桂兰，签到成功" in by_command.text
        assert "刘德明，簽到成功" in by_word.text  # answered in the script it was asked in
        assert await rig.count("check_ins") == 3


async def test_the_main_keyboard_shows_the_actions_the_router_offers(tmp_path: Path) -> None:
    async with telegram_rig(tmp_path / "z.db") as rig:
        await rig.bind(WANG, "王秀英")
        [menu] = await rig.say(WANG, "帮助")
        labels = [b["text"] for row in menu.markup["keyboard"] for b in row]
        offered = {"签到": "checkin", "请假": "leave", "送学": "delivery", "住院": "hospital",
                   "学习日": "next", "帮助": "help"}
        assert rig.runtime.app is not None
        available = rig.runtime.app.router.available
        assert labels == [w for w, intent in offered.items() if intent in available]
        assert all(len(row) <= 2 for row in menu.markup["keyboard"])


async def test_commands_are_registered_in_chinese_and_english_at_start(tmp_path: Path) -> None:
    async with telegram_rig(tmp_path / "z.db") as rig:
        calls = rig.api.sent(None, "setMyCommands")
        default = next(c for c in calls if "language_code" not in c.params and
                       "scope" not in c.params)
        english = next(c for c in calls if c.params.get("language_code") == "en")
        group = next(c for c in calls if c.params.get("scope", {}).get("type") ==
                     "all_group_chats")
        assert {"command": "checkin", "description": "签到"} in default.params["commands"]
        assert {"command": "checkin", "description": "Check in (签到)"} in \
            english.params["commands"]
        assert [c["command"] for c in group.params["commands"]] == ["help", "bindgroup"]


async def _leave_readback(rig: TelegramRig) -> int:
    await rig.bind(WANG, "王秀英")
    [ask] = await rig.say(WANG, "请假")
    assert ask.inline == [("1 跳过", "跳过")]
    [readback] = await rig.say(WANG, "身体不适")
    assert readback.inline == [("1 确认", "确认"), ("2 取消", "取消")]
    return int(readback.result["message_id"])


async def test_a_confirm_button_pressed_twice_records_once_and_the_second_is_stale(
    tmp_path: Path,
) -> None:
    async with telegram_rig(tmp_path / "z.db") as rig:
        message_id = await _leave_readback(rig)
        before = len(rig.api.sent(WANG))
        rig.api.press(WANG, message_id, "确认")
        rig.api.press(WANG, message_id, "确认")
        await rig.api.wait_sent(None, 2, "answerCallbackQuery")
        answers = [c.params.get("text") for c in rig.api.sent(None, "answerCallbackQuery")]
        assert answers == [None, "已处理"]
        [done] = rig.api.sent(WANG)[before:]
        assert "已为您请假" in done.text
        [settled] = rig.api.sent(WANG, "editMessageText")
        assert settled.params["message_id"] == message_id
        assert settled.text.endswith("👉 1 确认") and not settled.markup
        assert await rig.count("leave_requests") == 1


async def test_a_typed_answer_also_settles_the_conversation_once(tmp_path: Path) -> None:
    async with telegram_rig(tmp_path / "z.db") as rig:
        message_id = await _leave_readback(rig)
        [done] = await rig.say(WANG, "确认")
        assert "已为您请假" in done.text
        rig.api.press(WANG, message_id, "确认")  # the old button, after the fact
        [stale] = await rig.api.wait_sent(None, 1, "answerCallbackQuery")
        assert stale.params["text"] == "已处理"
        assert rig.api.sent(WANG, "editMessageText") == []
        assert await rig.count("leave_requests") == 1


async def _crowd(rig: TelegramRig, n: int) -> None:
    """n more members in the demo branch, so 出勤 lists a long line of absent names."""
    now = rig.clock.now()
    async with rig.store.transaction() as tx:
        branch = await tx.find_branch("城关离退休干部党支部")
        assert branch is not None
        for i in range(n):
            data = MemberData(name=f"老同志{i:04d}号", phone=f"139{i:08d}", role="member",
                              home_branch_id=branch.id, birthday=None, address=None,
                              needs_home_delivery=False, lives_alone=False, language=None)
            await tx.upsert_member(data, [branch.id], now)


async def test_a_long_attendance_list_is_paged_with_buttons(tmp_path: Path) -> None:
    async with telegram_rig(tmp_path / "z.db") as rig:
        await _crowd(rig, 500)
        await rig.bind(LI, "李建国")
        [first] = await rig.say(LI, "出勤")
        assert len(first.text) <= 4096 and first.text.endswith("第1页，共2页")
        assert "应到 509 人" in first.text and "老同志0000号" in first.text
        [(label, data)] = first.inline
        assert label == "下一页 ▶" and len(data.encode()) <= 64
        rig.api.press(LI, int(first.result["message_id"]), data)
        [second] = await rig.api.wait_sent(LI, 1, "editMessageText")
        assert second.text.endswith("第2页，共2页") and "老同志0499号" in second.text
        assert [label for label, _ in second.inline] == ["◀ 上一页"]
        assert len(rig.api.sent(LI)) == 1  # paging rewrites the message, it sends nothing


async def test_a_forged_page_button_shows_nothing(tmp_path: Path) -> None:
    async with telegram_rig(tmp_path / "z.db") as rig:
        await rig.bind(WANG, "王秀英")
        [menu] = await rig.say(WANG, "帮助")
        rig.api.press(WANG, int(menu.result["message_id"]), "pg:1:0:1:0123456789ab")
        [answer] = await rig.api.wait_sent(None, 1, "answerCallbackQuery")
        assert answer.params["text"] == "这一页已过期，请重新查询。"
        assert rig.api.sent(WANG, "editMessageText") == []


async def test_reply_files_go_as_a_photo_or_a_document(tmp_path: Path) -> None:
    chart, sheet = tmp_path / "出勤.png", tmp_path / "出勤.xlsx"
    chart.write_bytes(b"\x89PNG fake")
    sheet.write_bytes(b"PK fake workbook")
    async with telegram_rig(tmp_path / "z.db") as rig:
        telegram = rig.runtime.telegram
        assert telegram is not None
        await telegram.handler.answer(LI, 1, [Reply("本月报表", files=(str(chart), str(sheet)))])
        [photo] = rig.api.sent(LI, "sendPhoto")
        [document] = rig.api.sent(LI, "sendDocument")
        assert photo.files["photo"] == ("出勤.png", b"\x89PNG fake")
        assert document.files["document"] == ("出勤.xlsx", b"PK fake workbook")
        assert rig.api.texts(LI) == ["本月报表"]


def _chat_menus(rig: TelegramRig) -> dict[int, list[str]]:
    """The command menus set for single chats: chat id -> commands."""
    return {int(c.params["scope"]["chat_id"]): [x["command"] for x in c.params["commands"]]
            for c in rig.api.sent(None, "setMyCommands")
            if c.params.get("scope", {}).get("type") == "chat"}


async def test_a_bound_secretary_sees_the_secretary_words_in_the_command_menu(
    tmp_path: Path,
) -> None:
    async with telegram_rig(tmp_path / "z.db", bound={7001: "李建国", WANG: "王秀英"}) as rig:
        await rig.api.wait_until(lambda: 7001 in _chat_menus(rig))  # set at start-up
        await rig.say(WANG, "帮助")  # (and nothing more after a member's message)
        menus = _chat_menus(rig)
        assert list(menus) == [7001]  # for the officer only
        assert menus[7001][-7:] == ["visits", "deliveries", "attendance", "proxy",
                                    "broadcast", "report", "invite"]
        assert menus[7001][0] == "checkin"  # the member commands come first


async def test_an_officer_who_binds_later_gets_the_menu_after_their_next_message(
    tmp_path: Path,
) -> None:
    async with telegram_rig(tmp_path / "z.db") as rig:
        await rig.say(7001, "帮助")  # not bound yet: nothing to set
        assert _chat_menus(rig) == {}
        await rig.bind(7001, "李建国")
        await rig.bind(WANG, "王秀英")
        await rig.say(7001, "帮助")
        await rig.say(WANG, "帮助")
        await rig.api.wait_until(lambda: 7001 in _chat_menus(rig))
        await rig.say(7001, "出勤")  # once per chat
        assert len([c for c in rig.api.sent(None, "setMyCommands")
                    if c.params.get("scope", {}).get("type") == "chat"]) == 1
        assert list(_chat_menus(rig)) == [7001]
