"""The send budget: replies before pushes, one message a second per chat, pauses per chat.

The tests run on a virtual clock (tests/fakes/timeloop.py): every wait takes no real time
and every instant is exact, so the figures below are equalities or tight bounds, never a
race with a shared machine.
"""

from __future__ import annotations

import asyncio

import pytest

from bot.ratelimit import PUSH, REPLY, Busy, SendBudget
from tests.fakes.timeloop import VirtualTimeLoop

pytestmark = pytest.mark.asyncio  # on the folder's virtual clock (conftest.py)


def _now() -> float:
    return asyncio.get_running_loop().time()


async def test_replies_waiting_with_pushes_are_granted_first() -> None:
    budget = SendBudget(100.0, per_chat=0.0)
    order: list[str] = []

    async def send(name: str, priority: int) -> None:
        await budget.acquire(name, priority=priority)
        order.append(name)

    await budget.acquire("first")  # takes the current slot: everyone below has to queue
    waiting = [send(f"push{i}", PUSH) for i in range(3)] + [send(f"reply{i}", REPLY)
                                                          for i in range(3)]
    await asyncio.gather(*waiting)
    assert order == ["reply0", "reply1", "reply2", "push0", "push1", "push2"]


async def test_the_overall_rate_spaces_every_send() -> None:
    budget = SendBudget(50.0, per_chat=0.0)
    start = _now()
    await asyncio.gather(*(budget.acquire(f"chat{i}") for i in range(6)))
    assert _now() - start == pytest.approx(5 / 50)  # six sends: five intervals


async def test_one_chat_gets_one_message_per_interval_in_arrival_order() -> None:
    budget = SendBudget(1000.0, per_chat=0.1)
    times: list[tuple[int, float]] = []

    async def send(i: int) -> None:
        await budget.acquire("5001")
        times.append((i, _now()))

    await asyncio.gather(*(send(i) for i in range(3)))
    assert [i for i, _ in times] == [0, 1, 2]
    assert times[2][1] - times[0][1] == pytest.approx(0.2)


async def test_a_429_pauses_only_that_chat() -> None:
    budget = SendBudget(1000.0, per_chat=0.0)
    budget.pause("5001", 0.2)
    start = _now()
    await budget.acquire("5002")
    assert _now() == start  # the other chat did not wait at all
    await budget.acquire("5001")
    assert _now() - start == pytest.approx(0.2)


async def test_a_push_that_would_wait_too_long_is_told_how_long() -> None:
    budget = SendBudget(1000.0)
    budget.pause("5001", 30)
    with pytest.raises(Busy) as busy:
        await budget.acquire("5001", priority=PUSH, max_wait=2.0)
    assert 29 < busy.value.wait <= 30


async def test_an_edit_does_not_use_up_the_chats_turn_but_honours_a_pause() -> None:
    budget = SendBudget(1000.0, per_chat=10.0)
    await budget.acquire("5001")
    start = _now()
    await budget.acquire("5001", new_message=False)
    assert _now() - start < 0.01  # not the chat's 10 s turn, only the overall 1 ms spacing
    budget.pause("5001", 0.1)
    await budget.acquire("5001", new_message=False)
    assert _now() - start == pytest.approx(0.1, abs=0.002)


async def test_a_group_gets_at_most_its_quota_per_window() -> None:
    budget = SendBudget(1000.0, per_chat=0.0, group_max=3, group_window=0.2)
    start = _now()
    for _ in range(3):
        await budget.acquire("-100", group=True)
    assert budget.wait_for("-100", group=True) > 0.1  # the quota is used up
    await budget.acquire("-100", group=True)
    assert _now() - start == pytest.approx(0.2, abs=0.002)


async def test_no_second_holds_more_grants_than_the_rate_even_after_a_stall() -> None:
    # A loop that stalls (a slow query, a GC pause) used to release a catch-up burst when it
    # woke; a platform counting a sliding second answers that with 429.
    budget = SendBudget(20.0, per_chat=0.0)
    times: list[float] = []

    async def send(i: int) -> None:
        await budget.acquire(f"chat{i}")
        times.append(_now())

    tasks = [asyncio.ensure_future(send(i)) for i in range(60)]
    await asyncio.sleep(0.3)
    loop = asyncio.get_running_loop()
    assert isinstance(loop, VirtualTimeLoop)
    loop.stall(0.5)  # the loop is blocked for half a second: ten slots go by unused
    woke = _now()
    await asyncio.gather(*tasks)

    assert len(times) == 60
    # (A grant just before the stall is only seen after it: count from the wake-up on.)
    after = [at for at in times if at > woke + 0.01]
    assert len(after) > 40  # enough seconds after the stall to look at
    for i in range(len(after) - 20):
        assert after[i + 20] - after[i] >= 1.0, f"21 grants within a second from {after[i]}"
