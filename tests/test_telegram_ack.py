"""What is acknowledged to Telegram, and when: only updates that have been handled.

In-process, against the fake Bot API: an update held in progress (its answer's sendMessage
waits at a gate) must not be confirmed, by getUpdates' offset or by a webhook 200, while later
updates are; a webhook copy of it waits for the same handling, and the webhook says 503 (not
200) when the handling outlasts its wait. See test_telegram_delivery for the crash itself.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.fakes.botapi import telegram_rig

WANG, LI = 5001, 5002
SECRET = "s3cret-token"


async def test_polling_confirms_nothing_past_an_update_in_progress(tmp_path: Path) -> None:
    bound = {WANG: "王秀英", LI: "李建国"}
    async with telegram_rig(tmp_path / "z.db", bound=bound) as rig:
        api = rig.api
        gate = api.hold("sendMessage")
        held = api.message(WANG, "签到")
        await api.wait_until(lambda: api.held == 1)
        later = api.message(LI, "下次学习")
        await api.wait_until(lambda: api.held == 2)  # Li's update is handled too, in parallel
        assert api.confirmed_below <= held  # Wang's is in progress: nothing from it on
        gate.set()
        await api.wait_sent(LI)
        await api.wait_until(lambda: api.confirmed_below > later, within=5)
        assert await rig.count("check_ins") == 1


async def test_stopping_the_poller_confirms_what_was_handled(tmp_path: Path) -> None:
    async with telegram_rig(tmp_path / "z.db", bound={WANG: "王秀英"}) as rig:
        update_id = rig.api.message(WANG, "签到")
        [reply] = await rig.api.wait_sent(WANG)
        assert "签到成功" in reply.text
        channel = rig.runtime.telegram
        assert channel is not None
        await channel.stop_polling()
        assert rig.api.confirmed_below == update_id + 1  # the next poller starts after it
        await channel.take_updates()  # the election may give the role back
        [again] = await rig.say(WANG, "下次学习")
        assert again.text


async def test_a_webhook_copy_of_an_update_in_progress_waits_and_is_never_200_early(
    tmp_path: Path,
) -> None:
    async with telegram_rig(tmp_path / "z.db", mode="webhook", bound={WANG: "王秀英"}) as rig:
        api = rig.api
        channel = rig.runtime.telegram
        assert channel is not None and channel.webhook is not None
        channel.webhook.wait = 0.3
        gate = api.hold("sendMessage")
        update = api.build({"message": {
            "message_id": 1, "date": 0, "chat": {"id": WANG, "type": "private"},
            "from": {"id": WANG, "is_bot": False, "first_name": "王"}, "text": "签到"}})
        first = asyncio.create_task(api.post_webhook(update, SECRET))
        await api.wait_until(lambda: api.held == 1)
        copy = asyncio.create_task(api.post_webhook(update, SECRET))
        # still in progress after the wait: 503 (Telegram sends it again), never 200
        assert await first == 503 and await copy == 503
        copy = asyncio.create_task(api.post_webhook(update, SECRET))
        await asyncio.sleep(0.05)
        assert not copy.done()  # waits for the same handling, not a second one
        gate.set()
        assert await copy == 200
        assert await api.post_webhook(update, SECRET) == 200  # handled here: 200 at once
        assert await rig.count("check_ins") == 1
        assert await rig.count("processed_messages") == 1
        assert len(api.sent(WANG)) == 1
