"""Three `zhibu run` processes on one PostgreSQL database; the scheduler's holder is killed.

The real command runs three times as subprocesses against one fake Bot API server in this
process, all on one PostgreSQL schema holding a branch of 3,000 members bound on Telegram
whose early study-day reminder has just fallen due. The instances elect one scheduler and one
Telegram poller (leases, `[run] lease_seconds`, short here); the scheduler's catch-up queues
the reminder, and all three instances send it. Midway, the scheduler's holder is SIGKILLed:
another instance must hold the scheduler within 30 s, its catch-up must queue nothing again
(job_runs), and every member must get the reminder exactly once — but for the rows the dead
instance had in flight, which another instance sends again once their claim runs out.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from storage import Store, open_store
from tests.conftest import drop, engine_url
from tests.fakes.botapi import FakeBotApi
from tests.zhibu_process import Tally, ZhibuProcess, now_utc, seed_broadcast, write_config

MEMBERS = 3000
FIRST_CHAT = 910_000_000
RATE = 300.0  # the bot's [telegram] rate_limit, shared by the instances: ~10 s for 3,000
KILL_AFTER = 1000  # sendMessage calls received: a third of the way
LEASE = 3.0  # [run] lease_seconds: the roles move within 3 s of a death
TAKEOVER_WITHIN = 30.0  # the bound
STARTED = re.compile(r"zhibu 正在运行：(.*)；数据库 .*（实例 ([0-9a-f]+)）")


class PollingBotApi(FakeBotApi):
    """The fake, also counting the getUpdates long polls waiting at once (one poller: 1)."""

    def __init__(self) -> None:
        super().__init__()
        self.polling = 0
        self.most_polling = 0
        self.polls: list[float] = []  # when each long poll arrived (time.monotonic)

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        self.polling += 1
        self.most_polling = max(self.most_polling, self.polling)
        self.polls.append(time.monotonic())
        try:
            return await super()._get_updates(params)
        finally:
            self.polling -= 1


async def test_three_instances_one_scheduler_fails_over_and_every_member_is_reminded_once(
    tmp_path: Path,
) -> None:
    url = engine_url("postgresql", tmp_path)  # skips (saying why) without PostgreSQL
    began = time.monotonic()
    job_key = await seed_broadcast(url, MEMBERS, FIRST_CHAT, now_utc())
    seeded = time.monotonic() - began
    db = await open_store(url, files=str(tmp_path / "files"))
    chats = set(range(FIRST_CHAT, FIRST_CHAT + MEMBERS))
    try:
        async with PollingBotApi() as api:
            tally = Tally(api)
            config = write_config(tmp_path / "zhibu.toml", url, api.base_url, rate_limit=RATE,
                                  lease_seconds=LEASE)
            zhibus = [ZhibuProcess(config, tmp_path / f"zhibu{i}.log") for i in range(3)]
            try:
                for zhibu in zhibus:
                    zhibu.start()
                await until(lambda: all(STARTED.search(z.output()) for z in zhibus), zhibus,
                            within=60)
                await until(lambda: tally.update().total >= KILL_AFTER, zhibus, within=60)
                ids, roles = zip(*(started(zhibu) for zhibu in zhibus), strict=True)
                holder = await lease_holder(db, "scheduler")
                assert holder in ids, (holder, ids)
                victim = zhibus[ids.index(holder)]
                polled_at_once = api.most_polling  # before any role moved

                await victim.kill()
                killed_at = time.monotonic()
                at_kill = await outbox_states(db)
                victims_rows = await count(db, "SELECT COUNT(*) AS n FROM outbox WHERE "
                                           "state = 'inflight' AND claimed_by = ?", holder)
                received_at_kill = tally.update().total
                survivors = [z for z in zhibus if z is not victim]

                new_holder = await wait_for_lease(db, "scheduler", holder, survivors,
                                                  within=TAKEOVER_WITHIN)
                takeover = time.monotonic() - killed_at
                poller = await wait_for_lease(db, "telegram-poller", holder, survivors,
                                              within=TAKEOVER_WITHIN)
                await until(lambda: len(tally.update().per_chat) >= MEMBERS, survivors,
                            within=120)
                await until_async(lambda: unsent(db), survivors, within=30)
                finished = time.monotonic() - killed_at
                # the reminders may all be out before a long poll begins after the lease: wait
                # for one (each lasts at most the poll timeout), not for luck
                await until(lambda: any(t > killed_at + LEASE for t in api.polls), survivors,
                            within=30)
                polls_after = [t for t in api.polls if t > killed_at + LEASE]
                codes = await asyncio.gather(*(z.stop() for z in survivors))
                assert codes == [0, 0], [z.output() for z in survivors]
            finally:
                for zhibu in zhibus:
                    if zhibu.proc is not None:
                        await zhibu.kill()

        tally.update()
        inflight = at_kill.get("inflight", 0)
        print(f"\nseeded {MEMBERS} members in {seeded:.1f} s; at the kill: {at_kill}, "
              f"{received_at_kill} received, {victims_rows} in flight on the killed instance; "
              f"scheduler taken over in {takeover:.1f} s; all sent {finished:.1f} s after the "
              f"kill; duplicates {tally.duplicates}")
        assert sorted(roles) == ["scheduler", "scheduler (standby)", "scheduler (standby)"]
        assert roles[ids.index(holder)] == "scheduler"  # the lease stayed put until the kill
        assert polled_at_once == 1  # one poller of three (a second would get 409 Conflict)
        assert polls_after  # and polling went on after the kill, wherever the poller was
        assert new_holder in ids and new_holder != holder and poller in ids
        assert takeover < TAKEOVER_WITHIN
        assert 0 < at_kill.get("sent", 0) and 0 < at_kill.get("pending", 0)  # killed midway
        assert sum(at_kill.values()) == MEMBERS
        assert 0 <= victims_rows <= inflight
        assert set(tally.per_chat) == chats  # nobody missing, nobody else written to
        assert tally.duplicates <= victims_rows  # only the dead instance's rows in flight
        assert all("学习日提醒" in call.text for call in api.sent())
        assert await outbox_states(db) == {"sent": MEMBERS}
        # the new holder's catch-up found the occurrence done: nothing was queued twice
        runs = await count(db, "SELECT COUNT(*) AS n FROM job_runs WHERE key = ? AND "
                           "status = 'ran'", job_key)
        assert runs == 1
    finally:
        await drop(db)
        await db.close()


def started(zhibu: ZhibuProcess) -> tuple[str, str]:
    """The instance id a process printed in its start-up line, and whether it started as
    the scheduler ("scheduler" or "scheduler (standby)")."""
    found = STARTED.search(zhibu.output())
    assert found, zhibu.output()
    return found.group(2), found.group(1).split(", ")[-1]


async def lease_holder(db: Store, name: str) -> str | None:
    """Who holds a lease now (by this process's clock, the same as the instances')."""
    async with db.transaction(serial=False) as tx:
        return await tx.lease_holder(name, now_utc())


async def wait_for_lease(db: Store, name: str, dead: str, alive: list[ZhibuProcess], *,
                         within: float) -> str:
    """Wait until a live instance (not `dead`) holds the lease; its id."""
    deadline = time.monotonic() + within
    while True:
        for zhibu in alive:
            zhibu.check_alive()
        holder = await lease_holder(db, name)
        if holder is not None and holder != dead:
            return holder
        if time.monotonic() > deadline:
            raise TimeoutError(f"nobody took {name} within {within} s")
        await asyncio.sleep(0.1)


async def outbox_states(db: Store) -> dict[str, int]:
    """Outbox rows by state."""
    async with db.transaction(serial=False) as tx:
        return await tx.outbox_counts()


async def count(db: Store, sql: str, *params: object) -> int:
    """A `SELECT COUNT(*) AS n …`."""
    async with db.transaction(serial=False) as tx:
        row = await tx._one(sql, params)
    return int(row["n"]) if row else 0


async def unsent(db: Store) -> bool:
    """Whether every outbox row has been sent."""
    states = await outbox_states(db)
    return states.get("pending", 0) + states.get("inflight", 0) == 0


async def until(predicate: Callable[[], bool], zhibus: list[ZhibuProcess], *,
                within: float) -> None:
    """Wait for predicate() while checking every process is still up."""
    async def check() -> bool:
        return predicate()

    await until_async(check, zhibus, within=within)


async def until_async(predicate: Callable[[], Awaitable[bool]], zhibus: list[ZhibuProcess], *,
                      within: float) -> None:
    """Wait (polling every 0.1 s: the fake serves in this loop meanwhile) for an async
    predicate, while checking that every process is still up."""
    deadline = time.monotonic() + within
    while not await predicate():
        for zhibu in zhibus:
            zhibu.check_alive()
        if time.monotonic() > deadline:
            raise TimeoutError(f"condition not met within {within} s:\n"
                               + "\n".join(z.output() for z in zhibus))
        await asyncio.sleep(0.1)
