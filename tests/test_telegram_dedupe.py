"""One effect per update, keyed by (telegram, chat, update_id) (issue #19, item 3).

Keyed by (telegram, update_id) alone, an update id seen again from another member was taken
for the first one: that member got the first member's "签到成功" and was not checked in.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from telegram import Update

from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.keys import message_key
from tests.fakes.botapi import TelegramRig, telegram_rig

WANG, ZHANG = 5001, 5002
BOUND = {WANG: "王秀英", ZHANG: "张桂兰"}
SECRET = "s3cret-token"


def _checkin(update_id: int, user_id: int) -> dict[str, Any]:
    message = {"message_id": 7, "date": 1_700_000_000, "text": "签到",
               "chat": {"id": user_id, "type": "private"},
               "from": {"id": user_id, "is_bot": False, "first_name": "老同志"}}
    return {"update_id": update_id, "message": message}


def _channel(rig: TelegramRig) -> TelegramChannel:
    assert rig.runtime.telegram is not None
    return rig.runtime.telegram


async def _handle(rig: TelegramRig, data: dict[str, Any]) -> None:
    """Straight into the channel's handler, as the application would call it."""
    channel = _channel(rig)
    update = Update.de_json(data, channel.application.bot)
    assert update is not None
    await channel.handler(update, None)


async def _processed(rig: TelegramRig, key: str) -> bool:
    async with rig.store.transaction() as tx:
        return await tx.get_processed("telegram", key) is not None


async def test_an_update_id_reused_by_another_member_is_their_own_message(
    tmp_path: Path,
) -> None:
    async with telegram_rig(tmp_path / "z.db", bound=BOUND) as rig:
        await _handle(rig, _checkin(900, WANG))
        await _handle(rig, _checkin(900, ZHANG))
        [wang] = rig.api.texts(WANG)
        [zhang] = rig.api.texts(ZHANG)
        assert "王秀英，签到成功" in wang
        assert "张桂兰，签到成功" in zhang  # not a replay of WANG's answer
        assert await rig.count("check_ins") == 2
        assert await _processed(rig, message_key(WANG, 900))
        assert await _processed(rig, message_key(ZHANG, 900))


async def test_the_same_update_twice_has_one_effect(tmp_path: Path) -> None:
    async with telegram_rig(tmp_path / "z.db", bound=BOUND) as rig:
        await _handle(rig, _checkin(901, WANG))
        await _handle(rig, _checkin(901, WANG))  # redelivered (a restart, a retry)
        assert await rig.count("check_ins") == 1
        assert await rig.count("processed_messages") == 1
        texts = rig.api.texts(WANG)
        assert texts and all("王秀英，签到成功" in text for text in texts)  # the same answer


async def test_an_update_without_a_usable_id_is_refused(tmp_path: Path) -> None:
    async with telegram_rig(tmp_path / "z.db", bound=BOUND) as rig:
        await _handle(rig, _checkin(0, WANG))
        assert await rig.count("processed_messages") == 0
        assert rig.api.texts(WANG) == []


async def test_over_the_webhook_a_reused_id_is_recorded_and_a_missing_id_refused(
    tmp_path: Path,
) -> None:
    async with telegram_rig(tmp_path / "z.db", mode="webhook", bound=BOUND) as rig:
        assert await rig.api.post_webhook(_checkin(902, WANG), SECRET) == 200
        assert await rig.api.post_webhook(_checkin(902, ZHANG), SECRET) == 200
        assert await rig.api.post_webhook(_checkin(902, ZHANG), SECRET) == 200  # a retry
        no_id = _checkin(903, WANG)
        del no_id["update_id"]
        assert await rig.api.post_webhook(no_id, SECRET) == 400
        assert await rig.api.post_webhook(_checkin(-5, WANG), SECRET) == 400
        assert "张桂兰，签到成功" in rig.api.texts(ZHANG)[0]
        assert len(rig.api.texts(ZHANG)) == 1 and len(rig.api.texts(WANG)) == 1
        assert await rig.count("check_ins") == 2
