"""A member's pushes arrive in the order they were queued, retries and edits included."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.outbox import SendError
from tests.conftest import SHANGHAI, RecordingSender, Zhibu


@dataclass
class FlakySender(RecordingSender):
    """Times out on the first push to each listed account, then delivers like the console."""

    flaky: set[str] = field(default_factory=set)
    sending: dict[str, int] = field(default_factory=dict)
    most_at_once: int = 0

    async def send(self, external_id: str, text: str, buttons: list[dict[str, str]]) -> str | None:
        if external_id in self.flaky:
            self.flaky.discard(external_id)
            raise SendError("timed out")
        self.sending[external_id] = self.sending.get(external_id, 0) + 1
        self.most_at_once = max(self.most_at_once, self.sending[external_id])
        for _ in range(3):  # on the wire for a few turns of the loop: a second push could pass it
            await asyncio.sleep(0)
        self.sending[external_id] -= 1
        return await super().send(external_id, text, buttons)


async def _queue(zhibu: Zhibu, name: str, key: str, body: str, *, kind: str = "notice",
                 ref_key: str | None = None, urgent: bool = False) -> None:
    async with zhibu.app.store.transaction() as tx:
        (member,) = await tx.find_members_by_name(name)
        await tx.enqueue(key, member.id, kind, body, zhibu.clock.now(), ref_key=ref_key,
                         urgent=urgent)


def _flaky(zhibu: Zhibu, *accounts: str) -> FlakySender:
    sender = FlakySender(flaky=set(accounts))
    zhibu.app.dispatcher.senders["console"] = sender
    return sender


async def test_a_push_waiting_for_its_retry_is_not_overtaken_by_a_later_one(
    zhibu: Zhibu,
) -> None:
    sender = _flaky(zhibu, "王秀英")
    await _queue(zhibu, "王秀英", "k1", "第一条")
    await _queue(zhibu, "王秀英", "k2", "第二条")
    await _queue(zhibu, "张桂兰", "k3", "给张桂兰")

    await zhibu.app.dispatcher.run_once()
    assert sender.to("王秀英") == []  # the first timed out; the second waits behind it
    assert sender.to("张桂兰") == ["给张桂兰"]  # nobody else waits

    zhibu.clock.advance(timedelta(minutes=1))  # past the retry's back-off
    await zhibu.app.dispatcher.run_once()
    assert sender.to("王秀英") == ["第一条", "第二条"]


async def test_an_edit_waits_for_the_message_it_rewrites(zhibu: Zhibu) -> None:
    sender = _flaky(zhibu, "王秀英")
    await _queue(zhibu, "王秀英", "alert", "住院提醒：请接受", kind="care_alert", ref_key="task:1")
    await zhibu.app.dispatcher.run_once()
    await _queue(zhibu, "王秀英", "alert-edit", "已由张书记接受", kind="edit", ref_key="task:1")
    await zhibu.app.dispatcher.run_once()
    assert sender.sent == [] and sender.edits == []  # the edit did not go out as a message

    zhibu.clock.advance(timedelta(minutes=1))
    await zhibu.app.dispatcher.run_once()
    assert sender.to("王秀英") == ["住院提醒：请接受"]
    assert sender.edits == [("王秀英", "1", "已由张书记接受")]  # rewritten in place


async def test_pushes_to_one_member_go_out_one_after_another_in_order(zhibu: Zhibu) -> None:
    sender = _flaky(zhibu)
    for i in range(5):
        await _queue(zhibu, "王秀英", f"k{i}", f"第{i + 1}条")
        await _queue(zhibu, "张桂兰", f"z{i}", f"张{i + 1}")

    await zhibu.app.dispatcher.run_once(limit=100)
    assert sender.to("王秀英") == [f"第{i + 1}条" for i in range(5)]
    assert sender.to("张桂兰") == [f"张{i + 1}" for i in range(5)]
    assert sender.most_at_once == 1


async def test_in_quiet_hours_an_urgent_alert_does_not_wait_behind_a_held_notice(
    zhibu: Zhibu,
) -> None:
    sender = _flaky(zhibu, "李建国")
    zhibu.clock.set(datetime(2026, 12, 8, 20, 59, tzinfo=SHANGHAI))  # quiet from 21:00
    await _queue(zhibu, "李建国", "notice", "学习资料已发布")  # times out at 20:59
    await zhibu.app.dispatcher.run_once()
    zhibu.clock.set(datetime(2026, 12, 8, 23, 0, tzinfo=SHANGHAI))  # due again, but quiet
    await _queue(zhibu, "李建国", "alert", "王秀英住院", urgent=True)
    await zhibu.app.dispatcher.run_once()
    assert sender.to("李建国") == ["王秀英住院"]

    zhibu.clock.set(datetime(2026, 12, 9, 7, 0, tzinfo=SHANGHAI))
    await zhibu.app.dispatcher.run_once()
    assert sender.to("李建国") == ["王秀英住院", "学习资料已发布"]
