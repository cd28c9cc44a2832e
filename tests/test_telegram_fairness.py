"""One chatty account waits for its own turn without holding a shared slot (issue #19, item 4).

Before: PTB took one of the 8 slots before the per-account line, so 40 messages from one member
sat on all of them and another member's 签到 waited behind ~33 of the 40 (32 s at one reply a
second per chat). Now only the head of each account's line competes for a slot.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from telegram import Update

from bot.channels.telegram.fairness import PerChatProcessor
from tests.fakes.botapi import telegram_rig

WANG, ZHANG = 5001, 5002


def _update(update_id: int, user_id: int) -> Update:
    message = {"message_id": update_id, "date": 0, "text": "签到",
               "chat": {"id": user_id, "type": "private"},
               "from": {"id": user_id, "is_bot": False, "first_name": "老同志"}}
    update = Update.de_json({"update_id": update_id, "message": message}, None)
    assert update is not None
    return update


class Trace:
    """Coroutines that note when they start and end; the busy account's wait for a gate."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str]] = []
        self.gate = asyncio.Event()
        self.done: dict[str, asyncio.Event] = {}
        self.running = 0
        self.peak = 0

    async def work(self, name: str, *, gated: bool) -> None:
        self.running += 1
        self.peak = max(self.peak, self.running)
        self.events.append(("start", name))
        if gated:
            await self.gate.wait()
        self.events.append(("end", name))
        self.running -= 1
        self.done.setdefault(name, asyncio.Event()).set()

    async def finished(self, name: str) -> None:
        await asyncio.wait_for(self.done.setdefault(name, asyncio.Event()).wait(), 5)


async def test_a_busy_account_holds_one_slot_and_the_next_account_runs_at_once() -> None:
    processor = PerChatProcessor(2)
    trace = Trace()
    tasks = [asyncio.create_task(processor.process_update(
        _update(i, WANG), trace.work(f"wang{i}", gated=True))) for i in range(1, 41)]
    tasks.append(asyncio.create_task(processor.process_update(
        _update(41, ZHANG), trace.work("zhang", gated=False))))
    await trace.finished("zhang")  # while wang1 still holds its slot
    assert trace.events == [("start", "wang1"), ("start", "zhang"), ("end", "zhang")]
    trace.gate.set()
    await asyncio.gather(*tasks)
    wang = [name for kind, name in trace.events if name.startswith("wang")]
    assert wang == [name for i in range(1, 41) for name in (f"wang{i}", f"wang{i}")]
    assert trace.peak == 2  # wang's own updates never ran side by side


async def test_no_more_than_the_bound_run_at_once_across_accounts() -> None:
    processor = PerChatProcessor(3)
    trace = Trace()
    tasks = [asyncio.create_task(processor.process_update(
        _update(i, 6000 + i), trace.work(f"a{i}", gated=True))) for i in range(10)]
    for _ in range(20):
        await asyncio.sleep(0)  # three start; nobody else while they run
    assert [name for _, name in trace.events] == ["a0", "a1", "a2"]
    trace.gate.set()
    await asyncio.gather(*tasks)
    assert trace.peak == 3 and len(trace.events) == 20


async def test_another_members_checkin_is_answered_long_before_the_40th_message(
    tmp_path: Path,
) -> None:
    # per_chat 0.02 s: WANG's 40 replies are paced (the slow part) while ZHANG's is not.
    async with telegram_rig(tmp_path / "z.db", per_chat=0.02,
                            bound={WANG: "王秀英", ZHANG: "张桂兰"}) as rig:
        for _ in range(40):
            rig.api.message(WANG, "签到")
        rig.api.message(ZHANG, "签到")
        [reply] = await rig.api.wait_sent(ZHANG, within=10)
        assert "张桂兰，签到成功" in reply.text
        before = [c.chat_id for c in rig.api.sent()].index(ZHANG)
        assert before <= 3  # ZHANG waited for at most the first of WANG's (was ~33 of 40)
        await rig.api.wait_sent(WANG, 40, within=20)
        assert "王秀英，签到成功" in rig.api.texts(WANG)[0]
        assert await rig.count("check_ins") == 2
