"""Binding a Telegram account: /start, the contact button, invite codes, deep links."""

from __future__ import annotations

from pathlib import Path

from bot.core.clock import FakeClock
from handlers.binding import create_invite
from tests.conftest import STUDY_DAY_MORNING
from tests.fakes.botapi import TelegramRig, telegram_rig

WANG = 5001  # 王秀英's Telegram user id in these tests; her phone is 13800000003


async def test_start_greets_in_chinese_with_a_big_contact_button(tmp_path: Path) -> None:
    async with telegram_rig(tmp_path / "z.db") as rig:
        [greeting] = await rig.say(WANG, "/start")
        assert "您好" in greeting.text and "绑定码" in greeting.text
        [[button]] = greeting.markup["keyboard"]
        assert button == {"text": "📱 发送手机号", "request_contact": True}
        assert greeting.markup["resize_keyboard"] is True


async def test_own_contact_on_the_roster_binds_and_shows_the_name_and_the_menu(
    tmp_path: Path,
) -> None:
    async with telegram_rig(tmp_path / "z.db") as rig:
        await rig.say(WANG, "/start")
        before = len(rig.api.sent(WANG))
        rig.api.contact(WANG, "+86 138 0000 0003")
        [welcome] = (await rig.api.wait_sent(WANG, before + 1))[before:]
        assert "王秀英同志" in welcome.text and "绑定成功" in welcome.text
        keyboard = welcome.markup["keyboard"]
        labels = [b["text"] for row in keyboard for b in row]
        assert labels[:2] == ["签到", "请假"] and "帮助" in labels
        assert welcome.markup["is_persistent"] is True
        [checked] = await rig.say(WANG, "签到")
        assert "王秀英，签到成功" in checked.text


async def test_someone_elses_contact_is_refused_politely_naming_the_secretary(
    tmp_path: Path,
) -> None:
    async with telegram_rig(tmp_path / "z.db") as rig:
        rig.api.contact(WANG, "13800000004", owner_id=777)  # 张桂兰's card, not her own
        [refusal] = await rig.api.wait_sent(WANG)
        assert "不是您本人的" in refusal.text and "支部书记是李建国" in refusal.text
        assert refusal.markup["keyboard"][0][0]["request_contact"] is True
        async with rig.store.transaction() as tx:
            assert await tx.get_binding("telegram", str(WANG)) is None


async def test_a_phone_not_on_the_roster_is_refused_with_the_secretary_name(
    tmp_path: Path,
) -> None:
    async with telegram_rig(tmp_path / "z.db") as rig:
        rig.api.contact(WANG, "13999999999")
        [refusal] = await rig.api.wait_sent(WANG)
        assert "不在支部名单上" in refusal.text and "李建国" in refusal.text
        async with rig.store.transaction() as tx:
            assert await tx.get_binding("telegram", str(WANG)) is None


async def _invite(rig: TelegramRig, name: str) -> str:
    async with rig.store.transaction() as tx:
        [member] = await tx.find_members_by_name(name)
        return await create_invite(tx, member.id, None, None, rig.clock.now())


async def test_an_invite_code_binds_typed_or_as_a_deep_link(tmp_path: Path) -> None:
    clock = FakeClock(STUDY_DAY_MORNING)
    async with telegram_rig(tmp_path / "z.db", clock=clock) as rig:
        typed, linked = await _invite(rig, "张桂兰"), await _invite(rig, "刘德明")
        [ok] = await rig.say(6001, f"{typed[:4]} {typed[4:]}")
        assert "张桂兰同志" in ok.text
        [ok] = await rig.say(6002, f"/start {linked}")
        assert "刘德明同志" in ok.text
        async with rig.store.transaction() as tx:
            assert (await tx.get_binding("telegram", "6002")) is not None


async def test_binding_in_a_group_is_refused_with_please_message_me_privately(
    tmp_path: Path,
) -> None:
    group = -100200
    async with telegram_rig(tmp_path / "z.db") as rig:
        code = await _invite(rig, "张桂兰")
        rig.api.group_message(group, 6001, code)
        rig.api.group_message(group, 6001, "/start")
        rig.api.message(6001, chat_id=group, contact={"phone_number": "13800000004",
                                                      "first_name": "张", "user_id": 6001})
        lines = await rig.api.wait_sent(group, 3)
        assert all("请私聊我" in c.text for c in lines)
        async with rig.store.transaction() as tx:
            assert await tx.get_binding("telegram", "6001") is None
