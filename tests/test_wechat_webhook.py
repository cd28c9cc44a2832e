"""The WeChat callback: signatures, safe mode, one effect per MsgId, the 5-second deadline."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from bot.channels.wechat.crypto import WechatCipher, signature_ok
from bot.channels.wechat.xml import WechatInbound
from tests.conftest import Zhibu
from tests.fakes.wechatapi import (
    MEMBER,
    SAMPLE_AES_KEY,
    SAMPLE_APP_ID,
    SAMPLE_ENCRYPT,
    SAMPLE_MSG_SIGNATURE,
    SAMPLE_NONCE,
    SAMPLE_TIMESTAMP,
    SAMPLE_TOKEN,
    Rig,
    open_rig,
    signature,
    text_xml,
)


def test_the_official_tencent_sample_decrypts() -> None:
    cipher = WechatCipher(SAMPLE_AES_KEY, SAMPLE_APP_ID)

    assert signature_ok(SAMPLE_MSG_SIGNATURE, SAMPLE_TOKEN, SAMPLE_TIMESTAMP, SAMPLE_NONCE,
                        SAMPLE_ENCRYPT)
    xml = cipher.decrypt(SAMPLE_ENCRYPT)
    assert "<FromUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></FromUserName>" in xml
    assert "<Content><![CDATA[abcdteT]]></Content>" in xml
    assert "<MsgId>6054768590064713728</MsgId>" in xml


async def test_the_official_sample_posted_to_the_webhook_is_answered_encrypted(
    zhibu: Zhibu,
) -> None:
    zhibu.clock.set(datetime.fromtimestamp(int(SAMPLE_TIMESTAMP), UTC))
    body = f"<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><Encrypt><![CDATA[{SAMPLE_ENCRYPT}]]></Encrypt></xml>"  # noqa: E501
    query = {"timestamp": SAMPLE_TIMESTAMP, "nonce": SAMPLE_NONCE, "encrypt_type": "aes",
             "msg_signature": SAMPLE_MSG_SIGNATURE}

    async with open_rig(zhibu) as rig:
        response = await rig.client.post("/wechat", params=query, content=body.encode())

    reply = rig.server.open_reply(response.text)
    assert response.status_code == 200
    assert reply["ToUserName"] == "oyORnuP8q7ou2gfYjqLzSIWZf0rs"
    assert reply["FromUserName"] == "gh_10f6c3c3ac5a"
    assert "绑定码" in reply["Content"]  # a stranger is told how to bind


async def test_url_verification_echoes_echostr_only_when_signed(rig: Rig) -> None:
    ts, nonce = str(rig.now), "42"
    good = {"signature": signature(SAMPLE_TOKEN, ts, nonce), "timestamp": ts, "nonce": nonce,
            "echostr": "8741235098765"}

    ok = await rig.client.get("/wechat", params=good)
    forged = await rig.client.get("/wechat", params={**good, "signature": "0" * 40})

    assert (ok.status_code, ok.text) == (200, "8741235098765")
    assert (forged.status_code, forged.text) == (403, "forbidden")


async def test_a_bound_members_checkin_in_safe_mode_gets_an_encrypted_confirmation(
    rig: Rig,
) -> None:
    response = await rig.post(text_xml(MEMBER, "签到", rig.msg_id()))

    assert response.status_code == 200
    assert "<Encrypt>" in response.text and "签到" not in response.text
    reply = rig.server.open_reply(response.text)
    assert reply["ToUserName"] == MEMBER and reply["MsgType"] == "text"
    assert reply["Content"].startswith("王秀英，签到成功！")
    assert await rig.count("check_ins") == 1


async def test_the_same_msgid_three_times_checks_in_once_with_three_identical_replies(
    rig: Rig,
) -> None:
    xml = text_xml(MEMBER, "签到", rig.msg_id())

    replies = await asyncio.gather(rig.reply(xml), rig.reply(xml), rig.reply(xml))

    assert await rig.count("check_ins") == 1
    assert replies[0].startswith("王秀英，签到成功！")
    assert replies == [replies[0]] * 3


async def test_a_retry_arriving_while_the_first_is_processed_gets_the_first_answer(
    rig: Rig,
) -> None:
    xml = text_xml(MEMBER, "签到", rig.msg_id())
    arrived: list[asyncio.Event] = [asyncio.Event(), asyncio.Event()]
    answer = rig.channel.webhook.answer

    async def noting_arrival(msg: WechatInbound) -> str | None:
        arrived[0 if not arrived[0].is_set() else 1].set()
        return await answer(msg)

    rig.channel.webhook.answer = noting_arrival
    async with rig.zhibu.app.store.transaction():  # the first delivery waits for the database
        first = asyncio.create_task(rig.reply(xml))
        await arrived[0].wait()
        retry = asyncio.create_task(rig.reply(xml))
        await arrived[1].wait()
        assert not first.done()

    assert await first == await retry
    assert (await first).startswith("王秀英，签到成功！")
    assert await rig.count("check_ins") == 1


async def test_a_redelivery_after_a_restart_gets_the_stored_reply(zhibu: Zhibu) -> None:
    xml = text_xml(MEMBER, "签到", 6054768590064713728)
    async with open_rig(zhibu) as rig:
        await rig.bind(MEMBER, "王秀英")
        before = await rig.reply(xml)
    async with open_rig(zhibu) as restarted:
        after = await restarted.reply(xml)

    assert after == before
    assert await restarted.count("check_ins") == 1


async def test_slow_work_is_answered_at_once_and_its_result_pushed(zhibu: Zhibu) -> None:
    async with open_rig(zhibu, budget=0) as rig:
        await rig.bind(MEMBER, "王秀英")
        xml = text_xml(MEMBER, "签到", rig.msg_id())
        async with zhibu.app.store.transaction():  # the work cannot finish yet
            first = await rig.reply(xml)
            retry = await rig.reply(xml)
        await rig.channel.inbox.drain()

    assert first == retry == "正在生成，请稍候…"
    [pushed] = rig.api.texts_to(MEMBER)
    assert pushed.startswith("王秀英，签到成功！")
    assert await rig.count("check_ins") == 1


async def test_plaintext_mode_answers_in_plaintext(zhibu: Zhibu) -> None:
    async with open_rig(zhibu, safe=False) as rig:
        await rig.bind(MEMBER, "王秀英")
        response = await rig.post(text_xml(MEMBER, "签到", rig.msg_id()))

    assert response.status_code == 200
    assert "<Encrypt>" not in response.text
    assert rig.server.open_reply(response.text)["Content"].startswith("王秀英，签到成功！")


async def test_a_plaintext_body_is_refused_when_safe_mode_is_configured(rig: Rig) -> None:
    plain = await rig.client.post("/wechat", params=rig.server.query(rig.now),
                                  content=text_xml(MEMBER, "签到", rig.msg_id()).encode())

    assert plain.status_code == 403
    assert await rig.count("check_ins") == 0


async def test_a_numbered_question_lists_its_choices_to_reply_with(rig: Rig) -> None:
    asked = await rig.reply(text_xml(MEMBER, "请假", rig.msg_id()))
    reason = await rig.reply(text_xml(MEMBER, "腿疼", rig.msg_id()))
    confirmed = await rig.reply(text_xml(MEMBER, "1", rig.msg_id()))

    assert asked.endswith("回复 1 跳过")
    assert reason.endswith("回复 1 确认 / 2 取消")
    assert confirmed.startswith("已为您请假")


async def test_a_members_words_cannot_break_out_of_the_reply_xml(rig: Rig) -> None:
    # A notice is read back word for word (a leave reason is cut to its words: 腿疼).
    await rig.bind("oLiJianguo", "李建国")
    await rig.reply(text_xml("oLiJianguo", "通知", rig.msg_id()))
    sneaky = "停水]]></Content><MsgType>image</MsgType><Content><![CDATA["
    readback = await rig.reply(text_xml("oLiJianguo", sneaky.replace("]]>", "]]]]><![CDATA[>"),
                                        rig.msg_id()))

    assert sneaky in readback


async def test_a_failure_inside_gets_the_friendly_error_line_not_a_500(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(msg: object) -> list[object]:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(rig.channel.inbox.router, "handle", broken)
    response = await rig.post(text_xml(MEMBER, "签到", rig.msg_id()))

    assert response.status_code == 200
    assert rig.server.open_reply(response.text)["Content"] == (
        "抱歉，出了点问题，请稍后再试。您的话没有被记录。")
