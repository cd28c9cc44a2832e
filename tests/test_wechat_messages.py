"""What followers send besides text: subscribing, binding, the menu, voice, pictures."""

from __future__ import annotations

import pytest

from bot.channels.wechat.menu import build_menu, word_for
from bot.core.messages import Reply
from handlers import INTENT_HANDLERS
from handlers.binding import create_invite
from tests.fakes.wechatapi import MEMBER, Rig, event_xml, image_xml, text_xml, voice_xml

STRANGER = "oNewFollower"




async def test_a_new_follower_is_welcomed_with_how_to_bind(rig: Rig) -> None:
    welcome = await rig.reply(event_xml(STRANGER, "subscribe"))
    again = await rig.reply(event_xml(STRANGER, "subscribe"))  # WeChat's retry

    assert "欢迎关注支部助手" in welcome and "8位绑定码" in welcome
    assert again == welcome


async def test_a_code_typed_in_chat_binds_the_follower_to_the_member(rig: Rig) -> None:
    async with rig.zhibu.app.store.transaction() as tx:
        [member] = await tx.find_members_by_name("张桂兰")
        code = await create_invite(tx, member.id, None, None, rig.zhibu.clock.now())

    bound = await rig.reply(text_xml(STRANGER, f"{code[:4]} {code[4:]}", rig.msg_id()))
    checked_in = await rig.reply(text_xml(STRANGER, "签到", rig.msg_id()))

    assert bound.startswith("张桂兰同志，您好！绑定成功")
    assert checked_in.startswith("张桂兰，签到成功！")


async def test_a_bound_member_who_follows_again_gets_the_menu(rig: Rig) -> None:
    await rig.reply(event_xml(MEMBER, "unsubscribe"))
    menu = await rig.reply(event_xml(MEMBER, "subscribe", create_time=9))

    assert "1 签到" in menu
    async with rig.zhibu.app.store.transaction() as tx:
        target = await tx.push_target("wechat", MEMBER)
    assert target is not None and target.unreachable_at is None


async def test_a_menu_click_checks_in_once_however_often_it_is_delivered(rig: Rig) -> None:
    click = event_xml(MEMBER, "CLICK", "ZHIBU_CHECKIN", create_time=1765150000)

    replies = [await rig.reply(click) for _ in range(3)]

    assert replies[0].startswith("王秀英，签到成功！")
    assert replies == [replies[0]] * 3
    assert await rig.count("check_ins") == 1


async def test_voice_with_recognition_is_treated_as_typed_text(rig: Rig) -> None:
    reply = await rig.reply(voice_xml(MEMBER, "签到。", rig.msg_id()))

    assert reply.startswith("王秀英，签到成功！")


@pytest.mark.parametrize("recognition", ["", "  ", None])
async def test_voice_without_recognition_asks_to_say_it_again(
    rig: Rig, recognition: str | None
) -> None:
    reply = await rig.reply(voice_xml(MEMBER, recognition, rig.msg_id()))

    assert reply == "没听清，请再说一次或按菜单。"
    assert await rig.count("check_ins") == 0


async def test_a_picture_gets_a_friendly_request_for_text(rig: Rig) -> None:
    assert await rig.reply(image_xml(MEMBER, rig.msg_id())) == "请发文字或按菜单。"
    assert await rig.reply(image_xml(STRANGER, rig.msg_id())) == "请发文字或按菜单。"


async def test_events_that_need_no_answer_get_success(rig: Rig) -> None:
    response = await rig.post(event_xml(MEMBER, "VIEW", "https://example.org/"))

    assert (response.status_code, response.text) == (200, "success")


async def test_a_reply_longer_than_wechat_allows_is_split_and_the_rest_pushed(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    long_lines = "\n".join(f"第{i}行：" + "学习资料内容" * 20 for i in range(40))

    async def long_answer(msg: object) -> list[Reply]:
        return [Reply(long_lines)]

    monkeypatch.setattr(rig.channel.inbox.router, "handle", long_answer)
    first = await rig.reply(text_xml(MEMBER, "资料", rig.msg_id()))
    await rig.channel.inbox.drain()

    rest = rig.api.texts_to(MEMBER)
    assert len(first.encode()) <= 2048 and rest
    assert all(len(part.encode()) <= 2048 for part in rest)
    assert "\n".join([first, *rest]) == long_lines


def test_the_menu_has_at_most_three_groups_of_five_and_clicks_map_back() -> None:
    menu = build_menu("zh-Hans", {str(i) for i in INTENT_HANDLERS})

    assert 1 <= len(menu["button"]) <= 3
    for group in menu["button"]:
        assert 1 <= len(group["sub_button"]) <= 5
        assert len(group["name"].encode()) <= 16
        for item in group["sub_button"]:
            assert word_for(item["key"]) == item["name"]
    assert word_for("ZHIBU_NOPE") is None and word_for("other") is None
