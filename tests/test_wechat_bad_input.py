"""Hostile or broken callbacks: the right status at once, nothing processed, nothing stored."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest

from tests.conftest import Zhibu
from tests.fakes.wechatapi import ACCOUNT, MEMBER, Rig, open_rig, signature, text_xml

LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa">'
    '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    f"<xml><ToUserName>{ACCOUNT}</ToUserName><FromUserName>{MEMBER}</FromUserName>"
    "<CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&c;</Content>"
    "<MsgId>77</MsgId></xml>"
)
Send = Callable[[Rig], Awaitable[httpx.Response]]



async def snapshot(rig: Rig) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table."""
    async with rig.zhibu.app.store.transaction() as tx:
        tables = await tx._all("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {t["name"]: [tuple(r) for r in await tx._all(f"SELECT * FROM {t['name']}")]
                for t in tables}


def checkin(rig: Rig) -> str:
    return text_xml(MEMBER, "签到", rig.msg_id())


async def missing_signature(rig: Rig) -> httpx.Response:
    query, body = rig.server.sealed(checkin(rig), rig.now)
    del query["msg_signature"]
    return await rig.client.post("/wechat", params=query, content=body)


async def wrong_signature(rig: Rig) -> httpx.Response:
    query, body = rig.server.sealed(checkin(rig), rig.now)
    return await rig.client.post("/wechat", params={**query, "msg_signature": "f" * 40},
                                 content=body)


async def body_swapped_under_a_valid_signature(rig: Rig) -> httpx.Response:
    query, _ = rig.server.sealed(checkin(rig), rig.now)
    _, other = rig.server.sealed(text_xml(MEMBER, "请假", rig.msg_id()), rig.now)
    return await rig.client.post("/wechat", params=query, content=other)


async def eleven_minutes_old(rig: Rig) -> httpx.Response:
    query, body = rig.server.sealed(checkin(rig), rig.now - 660)
    return await rig.client.post("/wechat", params=query, content=body)


async def eleven_minutes_ahead(rig: Rig) -> httpx.Response:
    query, body = rig.server.sealed(checkin(rig), rig.now + 660)
    return await rig.client.post("/wechat", params=query, content=body)


async def another_accounts_appid(rig: Rig) -> httpx.Response:
    query, body = rig.server.sealed(checkin(rig), rig.now, app_id="wx0000000000000000")
    return await rig.client.post("/wechat", params=query, content=body)


async def over_64_kb(rig: Rig) -> httpx.Response:
    query, body = rig.server.sealed(text_xml(MEMBER, "签" * 30_000, rig.msg_id()), rig.now)
    assert len(body) > 64 * 1024
    return await rig.client.post("/wechat", params=query, content=body)


async def over_64_kb_without_a_length(rig: Rig) -> httpx.Response:
    query, body = rig.server.sealed(text_xml(MEMBER, "签" * 30_000, rig.msg_id()), rig.now)

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(body), 8192):
            yield body[start:start + 8192]

    return await rig.client.post("/wechat", params=query, content=chunks())


async def malformed_envelope(rig: Rig) -> httpx.Response:
    query, body = rig.server.sealed(checkin(rig), rig.now)
    return await rig.client.post("/wechat", params=query, content=body[:-9])


async def malformed_message_inside(rig: Rig) -> httpx.Response:
    query, body = rig.server.sealed("<xml><MsgType>text</MsgType><Content>签到", rig.now)
    return await rig.client.post("/wechat", params=query, content=body)


async def not_a_message_inside(rig: Rig) -> httpx.Response:
    query, body = rig.server.sealed("<xml><MsgType>text</MsgType></xml>", rig.now)
    return await rig.client.post("/wechat", params=query, content=body)


async def garbage_ciphertext(rig: Rig) -> httpx.Response:
    encrypted = "bm90IHJlYWxseSBlbmNyeXB0ZWQ="
    query = rig.server.query(rig.now, encrypted=encrypted)
    body = f"<xml><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>".encode()
    return await rig.client.post("/wechat", params=query, content=body)


async def entities_in_the_envelope(rig: Rig) -> httpx.Response:
    query, _ = rig.server.sealed(checkin(rig), rig.now)
    return await rig.client.post("/wechat", params=query, content=LAUGHS.encode())


async def entities_inside_the_encryption(rig: Rig) -> httpx.Response:
    query, body = rig.server.sealed(LAUGHS, rig.now)
    return await rig.client.post("/wechat", params=query, content=body)


async def forged_url_verification(rig: Rig) -> httpx.Response:
    ts = str(rig.now)
    return await rig.client.get("/wechat", params={"signature": signature("x", ts, "1"),
                                                  "timestamp": ts, "nonce": "1", "echostr": "e"})


CASES: list[tuple[Send, int]] = [
    (missing_signature, 403),
    (wrong_signature, 403),
    (body_swapped_under_a_valid_signature, 403),
    (eleven_minutes_old, 403),
    (eleven_minutes_ahead, 403),
    (another_accounts_appid, 403),
    (over_64_kb, 413),
    (over_64_kb_without_a_length, 413),
    (malformed_envelope, 400),
    (malformed_message_inside, 400),
    (not_a_message_inside, 400),
    (garbage_ciphertext, 400),
    (entities_in_the_envelope, 400),
    (entities_inside_the_encryption, 400),
    (forged_url_verification, 403),
]


@pytest.mark.parametrize(("send", "status"), CASES, ids=[c[0].__name__ for c in CASES])
async def test_bad_input_gets_its_status_and_changes_nothing(
    rig: Rig, send: Send, status: int
) -> None:
    before = await snapshot(rig)
    response = await send(rig)
    assert response.status_code == status
    assert "Traceback" not in response.text and len(response.text) < 20
    assert await snapshot(rig) == before
    assert rig.channel.inbox._answers == {}


async def test_a_forged_plaintext_callback_is_refused_in_plaintext_mode(zhibu: Zhibu) -> None:
    async with open_rig(zhibu, safe=False) as rig:
        await rig.bind(MEMBER, "王秀英")
        before = await snapshot(rig)
        query = {**rig.server.query(rig.now), "signature": "0" * 40}
        forged = await rig.client.post("/wechat", params=query,
                                       content=text_xml(MEMBER, "签到", 1).encode())
        unsigned = await rig.client.post("/wechat", content=text_xml(MEMBER, "签到", 2).encode())

        assert (forged.status_code, unsigned.status_code) == (403, 403)
        assert await snapshot(rig) == before


async def test_after_bad_input_the_next_good_message_is_answered(rig: Rig) -> None:
    for send, _ in CASES:
        await send(rig)

    assert (await rig.reply(checkin(rig))).startswith("王秀英，签到成功！")
