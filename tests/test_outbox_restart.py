"""A broadcast survives `zhibu run` being killed midway: everyone is reached, few twice.

The real command runs as a subprocess against a fake Bot API server in this process. Its
scheduler's catch-up queues a study-day reminder for 2,000 members at start-up; the process
is SIGKILLed while the outbox is sending, started again on the same SQLite file, and left to
finish. Only rows that were in flight at the kill may reach a member twice.
"""

from __future__ import annotations

import inspect
from pathlib import Path

from bot.outbox import Dispatcher
from tests.fakes.botapi import FakeBotApi
from tests.zhibu_process import (
    Tally,
    ZhibuProcess,
    db_counts,
    now_utc,
    outbox_states,
    seed_broadcast,
    until,
    write_config,
)

MEMBERS = 2000
FIRST_CHAT = 900_000_000
KILL_AFTER = 500  # sendMessage calls received: a quarter of the way
RATE = 200.0  # zhibu's [telegram] rate_limit: 2,000 pushes take ~10 s, so the kill lands midway
MAX_IN_FLIGHT = inspect.signature(Dispatcher).parameters["max_in_flight"].default


async def test_a_broadcast_killed_midway_reaches_every_member_once_more_at_most_for_rows_in_flight(
    tmp_path: Path,
) -> None:
    db = tmp_path / "zhibu.db"
    job_key = await seed_broadcast(db, MEMBERS, FIRST_CHAT, now_utc())
    chats = set(range(FIRST_CHAT, FIRST_CHAT + MEMBERS))
    async with FakeBotApi() as api:
        tally = Tally(api)
        config = write_config(tmp_path / "zhibu.toml", db, api.base_url, rate_limit=RATE)
        async with ZhibuProcess(config, tmp_path / "zhibu.log") as zhibu:
            zhibu.start()
            await until(api, lambda: tally.update().total >= KILL_AFTER, zhibu, within=20)
            await zhibu.kill()
            at_kill = outbox_states(db)  # before anything can put the rows back
            received_before_restart = tally.update().total

            zhibu.start()
            await until(api, lambda: len(tally.update().per_chat) >= MEMBERS, zhibu, within=30)
            await until(api, lambda: _unsent(db) == 0, zhibu, within=10)
            assert await zhibu.stop() == 0, zhibu.output()

    tally.update()
    inflight = at_kill.get("inflight", 0)
    print(f"\nat the kill: {at_kill}; received before restart {received_before_restart}; "
          f"duplicates {tally.duplicates}")
    assert 0 < at_kill.get("sent", 0) and 0 < at_kill.get("pending", 0)  # killed midway
    assert 0 < inflight <= MAX_IN_FLIGHT
    assert sum(at_kill.values()) == MEMBERS
    assert set(tally.per_chat) == chats  # nobody missing, nobody else written to
    assert tally.duplicates <= inflight
    assert all("学习日提醒" in call.text for call in api.sent())
    assert outbox_states(db) == {"sent": MEMBERS}
    # the restart's catch-up found the occurrence done: it queued nothing a second time
    runs = db_counts(db, "SELECT key, COUNT(*) FROM job_runs WHERE status = 'ran' GROUP BY key")
    assert runs == {job_key: 1}


def _unsent(db: Path) -> int:
    states = outbox_states(db)
    return states.get("pending", 0) + states.get("inflight", 0)
