"""Leases and the election built on them, on both engines, with a clock that moves when told.

Two `Elected` loops on one store stand for two instances; a "role" is a list that records when
it was started and stopped. The steps are driven one by one: nothing sleeps.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.config import ConfigError, load_config
from bot.core.clock import FakeClock
from schedules.election import AFTER_EXPIRY, Elected, instance_name
from storage import Store, open_store
from tests.conftest import ENGINES, STUDY_DAY_MORNING, drop, engine_url

LEASE = timedelta(seconds=30)
RENEW = timedelta(seconds=10)


async def take(store: Store, holder: str, now: datetime, name: str = "scheduler") -> bool:
    async with store.transaction(serial=False) as tx:
        return await tx.take_lease(name, holder, now, LEASE)


async def holder_of(store: Store, now: datetime, name: str = "scheduler") -> str | None:
    async with store.transaction() as tx:
        return await tx.lease_holder(name, now)


async def test_a_lease_is_renewed_by_its_holder_and_taken_by_another_only_once_expired(
    store: Store,
) -> None:
    t0 = STUDY_DAY_MORNING
    assert await holder_of(store, t0) is None
    assert await take(store, "a", t0)
    assert await holder_of(store, t0) == "a"
    assert not await take(store, "b", t0 + timedelta(seconds=1))
    assert await take(store, "a", t0 + RENEW)  # renewed: now until t0 + 40 s
    assert not await take(store, "b", t0 + LEASE)  # the first lease's end no longer counts
    assert not await take(store, "b", t0 + RENEW + LEASE - timedelta(microseconds=1))
    assert await holder_of(store, t0 + RENEW + LEASE) is None  # expired: nobody holds it
    assert await take(store, "b", t0 + RENEW + LEASE)
    assert await holder_of(store, t0 + RENEW + LEASE) == "b"
    assert not await take(store, "a", t0 + RENEW + LEASE)  # the old holder cannot renew now
    async with store.transaction() as tx:
        assert await tx.lease_of("scheduler") == ("b", t0 + RENEW + 2 * LEASE)


async def test_leases_are_separate_and_only_their_holder_gives_one_up(store: Store) -> None:
    t0 = STUDY_DAY_MORNING
    assert await take(store, "a", t0, "scheduler")
    assert await take(store, "b", t0, "telegram-poller")
    async with store.transaction() as tx:
        assert not await tx.drop_lease("scheduler", "b")
        assert await tx.drop_lease("scheduler", "a")
        assert await tx.lease_of("scheduler") is None
    assert await take(store, "b", t0, "scheduler")  # given up: taken at once, not after 30 s
    assert await holder_of(store, t0, "telegram-poller") == "b"


class Role:
    """A role that records its life: ("start", instance) and ("stop", instance)."""

    def __init__(self, events: list[tuple[str, str]], name: str,
                 fail_start: bool = False) -> None:
        self.events = events
        self.name = name
        self.fail_start = fail_start

    async def start(self) -> None:
        self.events.append(("start", self.name))
        if self.fail_start:
            raise RuntimeError("cannot start")

    async def stop(self) -> None:
        self.events.append(("stop", self.name))


def elected(store: Store, clock: FakeClock, name: str, events: list[tuple[str, str]],
            **role: bool) -> Elected:
    played = Role(events, name, **role)
    return Elected(store, clock, "scheduler", name, played.start, played.stop, lease=LEASE,
                   renew=RENEW)


async def test_the_role_moves_with_the_lease(store: Store) -> None:
    clock = FakeClock(STUDY_DAY_MORNING)
    events: list[tuple[str, str]] = []
    a, b = elected(store, clock, "a", events), elected(store, clock, "b", events)

    assert await a.step() == RENEW
    assert await b.step() == RENEW  # a standby looks again at the next round
    assert (a.playing, b.playing, events) == (True, False, [("start", "a")])

    clock.advance(RENEW)
    assert await a.step() == RENEW  # renewed until t0 + 40 s; still playing, not restarted
    clock.advance(RENEW + RENEW / 2)
    assert await b.step() == RENEW  # 15 s left: look again in a round
    assert events == [("start", "a")]

    clock.advance(RENEW)  # a missed its renewal (it died); 5 s left: b wakes as it ends
    assert await b.step() == timedelta(seconds=5) + AFTER_EXPIRY
    assert not b.playing
    clock.advance(timedelta(seconds=5))
    await b.step()
    assert b.playing and events == [("start", "a"), ("start", "b")]

    await a.step()  # a comes back (it was paused, not dead): it finds it lost and stops
    assert not a.playing and events[-1] == ("stop", "a")
    assert await holder_of(store, clock.now()) == "b"

    await b.resign()  # a clean stop gives the lease up: a takes it at its very next step
    await a.step()
    assert events[-2:] == [("stop", "b"), ("start", "a")] and a.playing


async def test_a_role_that_cannot_start_gives_the_lease_up(store: Store) -> None:
    clock = FakeClock(STUDY_DAY_MORNING)
    events: list[tuple[str, str]] = []
    broken = elected(store, clock, "broken", events, fail_start=True)
    sound = elected(store, clock, "sound", events)
    await broken.step()
    assert not broken.playing
    assert events == [("start", "broken"), ("stop", "broken")]
    await sound.step()  # at once: the lease was given up, not left to run out
    assert sound.playing and await holder_of(store, clock.now()) == "sound"


async def test_a_long_start_keeps_its_lease_meanwhile(store: Store) -> None:
    clock = FakeClock(STUDY_DAY_MORNING)
    events: list[tuple[str, str]] = []
    began, gate = asyncio.Event(), asyncio.Event()
    role = Role(events, "a")

    async def slow_start() -> None:  # a catch-up queuing a broadcast to thousands
        await role.start()
        began.set()
        await gate.wait()

    a = Elected(store, clock, "scheduler", "a", slow_start, role.stop, lease=LEASE,
                renew=timedelta(milliseconds=5))  # renews every 5 ms of real time
    stepping = asyncio.create_task(a.step())
    await asyncio.wait_for(began.wait(), 5)
    clock.advance(LEASE)  # the lease taken at the start would have run out by now
    async with asyncio.timeout(5):
        while True:  # until a renewal made while starting has pushed its end on
            async with store.transaction() as tx:
                found = await tx.lease_of("scheduler")
            if found is not None and found[1] > clock.now():
                break
            await asyncio.sleep(0.005)
    b = elected(store, clock, "b", events)
    await b.step()
    assert not b.playing  # busy starting is not dead
    gate.set()
    assert await stepping == timedelta(milliseconds=5)
    assert a.playing and events == [("start", "a")]


@pytest.mark.parametrize("engine", ENGINES)
async def test_a_holder_that_loses_its_database_stops_before_its_lease_runs_out(
    engine: str, tmp_path: Path,
) -> None:
    url = engine_url(engine, tmp_path)
    keeper = await open_store(url, files=str(tmp_path / "files"))
    lost = await open_store(url, files=str(tmp_path / "files"))
    try:
        clock = FakeClock(STUDY_DAY_MORNING)
        events: list[tuple[str, str]] = []
        a = elected(lost, clock, "a", events)
        await a.step()
        await lost.close()  # the connection is gone (a network cut, a database restart)

        clock.advance(RENEW)  # the lease has 20 s left: keep playing, try again in 10
        assert await a.step() == RENEW
        assert a.playing
        clock.advance(RENEW)  # 10 s left: gone before the next try, so stop now
        await a.step()
        assert not a.playing and events == [("start", "a"), ("stop", "a")]

        clock.advance(RENEW)  # it has run out: another instance takes over
        b = elected(keeper, clock, "b", events)
        await b.step()
        assert b.playing
    finally:
        await drop(keeper)
        await keeper.close()


async def test_the_loop_steps_until_told_to_stop_then_resigns(store: Store) -> None:
    clock = FakeClock(STUDY_DAY_MORNING)
    events: list[tuple[str, str]] = []
    started, stop = asyncio.Event(), asyncio.Event()
    role = Role(events, "a")

    async def start() -> None:
        await role.start()
        started.set()

    a = Elected(store, clock, "scheduler", "a", start, role.stop, lease=LEASE, renew=RENEW)
    running = asyncio.create_task(a.run(stop))
    await asyncio.wait_for(started.wait(), 5)  # the first step runs at once
    stop.set()  # it was waiting 10 s for the next round: it ends now
    await asyncio.wait_for(running, 5)
    assert events == [("start", "a"), ("stop", "a")]
    assert await holder_of(store, clock.now()) is None


def test_a_sqlite_instance_keeps_its_name_across_restarts_a_postgresql_one_does_not() -> None:
    # one process uses a SQLite file: after a crash it renews its own lease at once
    assert instance_name("sqlite", "3f2a") == instance_name("sqlite", "9c1e")
    # several share a PostgreSQL database: each start is an instance of its own
    assert instance_name("postgresql", "3f2a") == "3f2a"


def test_the_lease_length_is_configured_in_run(tmp_path: Path) -> None:
    assert load_config(None, {}).run.lease_seconds == 20.0
    path = tmp_path / "zhibu.toml"
    path.write_text("[run]\nlease_seconds = 3\n", encoding="utf-8")
    assert load_config(path, {}).run.lease_seconds == 3.0
    assert load_config(path, {"ZHIBU_RUN__LEASE_SECONDS": "7.5"}).run.lease_seconds == 7.5
    path.write_text("[run]\nlease_seconds = 0\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"run\.lease_seconds"):
        load_config(path, {})
