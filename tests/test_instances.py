"""Several zhibu instances on one database share the work and each message has one effect.

The outbox is claimed row by row with a lease (a dead instance's rows go to another after the
lease, never before; a member's pushes stay in order across instances; on PostgreSQL two
claims at once never take the same row and a claim does not wait behind a unit of work); the
send budget is shared among the live instances; the WeChat access_token is fetched once for
all; the same WeChat MsgId (or Telegram update) on two instances checks in once and both
answer alike. "Instances" here are Apps, stores, dispatchers or token holders of their own
on one database (on PostgreSQL, separate connection pools; on SQLite, separate connections
to one file), in one test process.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from bot.channels.wechat.api import TokenHolder, wechat_token_fetch
from bot.core.clock import FakeClock
from bot.core.messages import InboundMessage, Reply
from bot.outbox import Dispatcher
from bot.ratelimit import Peers, SendBudget
from storage import MemberData, Store, Tx, open_store
from storage.repo_instances import instance_lease
from tests.conftest import (
    STUDY_DAY_MORNING,
    Zhibu,
    count_rows,
    drop,
    engine_url,
    open_zhibu,
)
from tests.fakes.wechatapi import API, MEMBER, FakeWechatApi, open_rig, text_xml

BOTH_ENGINES = True  # the `zhibu` tests run on SQLite and on PostgreSQL
NOW = STUDY_DAY_MORNING
LEASE = timedelta(seconds=60)


@asynccontextmanager
async def two_stores(engine: str, folder: Path) -> AsyncIterator[tuple[Store, Store]]:
    """Two stores on one fresh database, as two instances open it."""
    url = engine_url(engine, folder)
    first = await open_store(url, files=str(folder / "files"))
    second = await open_store(url, files=str(folder / "files"))
    try:
        yield first, second
    finally:
        await second.close()
        await drop(first)
        await first.close()


@asynccontextmanager
async def second_instance(zhibu: Zhibu) -> AsyncIterator[Zhibu]:
    """Another App on the zhibu fixture's database (same file, or same schema)."""
    other = await open_zhibu(zhibu.path, zhibu.clock, fresh=False,
                             url=zhibu.app.config.database.url)
    try:
        yield other
    finally:
        await other.app.close()


async def add_members(tx: Tx, count: int) -> list[int]:
    """Members of one branch, no accounts needed (the claims do not look at them)."""
    branch, _ = await tx.ensure_branch("城关支部", NOW)
    ids = []
    for i in range(count):
        member_id, _ = await tx.upsert_member(
            MemberData(name=f"成员{i}", phone=f"138{i:08d}", role="member",
                       home_branch_id=branch.id, birthday=None, address=None,
                       needs_home_delivery=False, lives_alone=False, language=None),
            [branch.id], NOW)
        ids.append(member_id)
    return ids


async def until(condition: Callable[[], bool], within: float = 10.0) -> None:
    """Return once the condition holds; fail after `within` seconds."""
    for _ in range(int(within / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the condition never held")


async def unsent(store: Store) -> int:
    """Outbox rows pending or in flight."""
    async with store.transaction() as tx:
        counts = await tx.outbox_counts()
    return counts.get("pending", 0) + counts.get("inflight", 0)


# --- the outbox: a lease per claim -----------------------------------------------------------


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
async def test_a_row_claimed_by_a_dead_instance_goes_to_another_after_the_lease_not_before(
    engine: str, tmp_path: Path,
) -> None:
    async with two_stores(engine, tmp_path) as (a, b):
        async with a.transaction() as tx:
            (member,) = await add_members(tx, 1)
            await tx.enqueue("first", member, "notice", "第一条", NOW)
            await tx.enqueue("second", member, "notice", "第二条", NOW)
        async with a.transaction(serial=False) as tx:
            # its heartbeat lease still runs: it is not known to be dead before the row's lease
            await tx.take_lease(instance_lease("dead"), "dead", NOW, LEASE * 2)
            (taken,) = await tx.claim_due(NOW, 16, claimer="dead", lease=LEASE)
        async with b.transaction(serial=False) as tx:
            before = await tx.claim_due(NOW + LEASE - timedelta(seconds=1), 16, claimer="live")
        async with b.transaction(serial=False) as tx:
            after = await tx.claim_due(NOW + LEASE, 16, claimer="live")
        async with a.transaction(serial=False) as tx:  # the dead instance wakes up late
            late = await tx.mark_failed(taken.id, "timed out", NOW + LEASE, claimer="dead")
            rows = await tx.outbox_rows(member)

    assert taken.body == "第一条"
    assert before == []  # neither the claimed row nor the member's next one
    assert [(r.body, r.attempts) for r in after] == [("第一条", 2)]  # in order, tried twice
    assert late is False  # not its row any more
    assert [(r.body, r.state) for r in rows] == [("第一条", "inflight"), ("第二条", "pending")]


async def test_rows_of_an_instance_whose_heartbeat_stopped_are_taken_at_once(
        tmp_path: Path) -> None:
    """PostgreSQL: an instance that no longer keeps its 'instance:' lease has died; its rows
    in flight need not wait out their own (longer) lease."""
    async with two_stores("postgresql", tmp_path) as (a, b):
        async with a.transaction() as tx:
            (member,) = await add_members(tx, 1)
            await tx.enqueue("first", member, "notice", "第一条", NOW)
            await tx.take_lease(instance_lease("dead"), "dead", NOW, timedelta(seconds=15))
        async with a.transaction(serial=False) as tx:
            (taken,) = await tx.claim_due(NOW, 16, claimer="dead", lease=LEASE)
        soon = NOW + timedelta(seconds=10)  # its heartbeat still counts: nothing to take
        async with b.transaction(serial=False) as tx:
            assert await tx.claim_due(soon, 16, claimer="live") == []
        later = NOW + timedelta(seconds=16)  # heartbeat gone, the row's own lease not yet
        async with b.transaction(serial=False) as tx:
            again = await tx.claim_due(later, 16, claimer="live")
    assert later < NOW + LEASE
    assert [(r.id, r.attempts) for r in again] == [(taken.id, 2)]


@dataclass
class Wire:
    """What reaches members through every instance's console sender, in arrival order."""

    log: list[tuple[str, str, str]] = field(default_factory=list)  # (instance, member, text)
    sending: dict[str, int] = field(default_factory=dict)
    most_at_once: int = 0

    def to(self, who: str) -> list[str]:
        """Texts one member received, whoever sent them."""
        return [text for _, member, text in self.log if member == who]


@dataclass
class WireSender:
    """One instance's console sender; `gate`, when set, holds its sends until opened."""

    wire: Wire
    instance: str
    gate: asyncio.Event | None = None
    channel: str = "console"

    async def send(self, external_id: str, text: str, buttons: list[dict[str, str]]) -> str:
        self.wire.sending[external_id] = self.wire.sending.get(external_id, 0) + 1
        self.wire.most_at_once = max(self.wire.most_at_once, self.wire.sending[external_id])
        if self.gate is not None:
            await self.gate.wait()
        for _ in range(3):  # on the wire for a few turns of the loop
            await asyncio.sleep(0)
        self.wire.sending[external_id] -= 1
        self.wire.log.append((self.instance, external_id, text))
        return str(len(self.wire.log))

    async def edit(self, external_id: str, platform_ref: str, text: str,
                   buttons: list[dict[str, str]]) -> None:
        raise AssertionError("no edits here")


MEMBERS = ("王秀英", "张桂兰", "刘德明", "陈淑珍", "孙福海", "周玉蘭", "吴长林", "郑丽华")


async def test_a_members_pushes_stay_in_order_across_two_instances(zhibu: Zhibu) -> None:
    async with second_instance(zhibu) as other:
        first, second = zhibu.app.dispatcher, other.app.dispatcher
        wire, gate = Wire(), asyncio.Event()
        first.senders["console"] = WireSender(wire, "a", gate)
        second.senders["console"] = WireSender(wire, "b")
        async with zhibu.app.store.transaction() as tx:
            members = [(await tx.find_members_by_name(name))[0] for name in MEMBERS]
            for i in range(5):  # a round of pushes to everyone, five times
                for member in members:
                    await tx.enqueue(f"{member.name}{i}", member.id, "notice",
                                     f"{member.name}第{i + 1}条", zhibu.clock.now())

        held = asyncio.create_task(first.run_once())  # each member's first row, held in flight
        await until(lambda: len(wire.sending) == len(MEMBERS))
        meanwhile = await second.run_once()  # nothing: every member has a row in flight
        gate.set()
        await held
        after = await second.run_once()  # the next row of each, now that the first went out
        for _ in range(20):  # the rest with both claiming at once
            await asyncio.gather(second.run_once(limit=100), first.run_once(limit=100))
            if not await unsent(zhibu.app.store):
                break

    assert meanwhile.claimed == 0 and after.claimed >= len(MEMBERS)
    for name in MEMBERS:
        assert wire.to(name) == [f"{name}第{i + 1}条" for i in range(5)]
    assert wire.most_at_once == 1  # never two pushes to one member side by side
    assert len(wire.log) == 5 * len(MEMBERS)  # each row once


async def test_a_dead_instances_row_is_sent_by_another_dispatcher_after_the_lease(
    zhibu: Zhibu,
) -> None:
    async with second_instance(zhibu) as other:
        wire = Wire()
        other.app.dispatcher.senders["console"] = WireSender(wire, "b")
        async with zhibu.app.store.transaction() as tx:
            (member,) = await tx.find_members_by_name("王秀英")
            await tx.enqueue("r1", member.id, "notice", "学习日提醒", zhibu.clock.now())
            await tx.enqueue("r2", member.id, "notice", "学习资料", zhibu.clock.now())
        async with zhibu.app.store.transaction(serial=False) as tx:  # then the instance dies
            await tx.claim_due(zhibu.clock.now(), 16, claimer=zhibu.app.instance_id)

        zhibu.clock.advance(timedelta(seconds=59))
        await other.app.dispatcher.run_once()
        within_lease = list(wire.log)
        zhibu.clock.advance(timedelta(seconds=2))
        await other.app.dispatcher.run_once()
        await other.app.dispatcher.run_once()

    assert within_lease == []
    assert wire.to("王秀英") == ["学习日提醒", "学习资料"]


async def test_at_start_up_postgresql_takes_back_only_the_rows_of_dead_instances(
    tmp_path: Path,
) -> None:
    async with two_stores("postgresql", tmp_path) as (store, _):
        async with store.transaction() as tx:
            alive, dead = await add_members(tx, 2)
            await tx.enqueue("alive", alive, "notice", "A", NOW)
            await tx.enqueue("dead", dead, "notice", "D", NOW)
            await tx.take_lease("instance:alive", "alive", NOW, timedelta(seconds=15))
            await tx.take_lease("instance:dead", "dead", NOW - timedelta(minutes=1),
                                timedelta(seconds=15))
            for claimer in ("alive", "dead"):
                await tx.claim_due(NOW, 1, claimer=claimer)
            released = await tx.release_inflight(NOW)
            states = {r.idempotency_key: r.state for r in await tx.outbox_rows()}

    assert released == 1
    assert states == {"alive": "inflight", "dead": "pending"}


async def test_postgresql_claims_at_once_never_take_the_same_row(tmp_path: Path) -> None:
    async with two_stores("postgresql", tmp_path) as (a, b):
        async with a.transaction() as tx:
            for i, member in enumerate(await add_members(tx, 300)):
                await tx.enqueue(f"k{i}", member, "notice", f"第{i}条", NOW)

        async def claimer(store: Store, name: str) -> list[int]:
            taken: list[int] = []
            while True:
                async with store.transaction(serial=False) as tx:
                    rows = await tx.claim_due(NOW, 16, claimer=name)
                if not rows:
                    return taken
                taken += [row.id for row in rows]

        claims = await asyncio.gather(*(claimer(store, f"{store is a}{i}")
                                        for store in (a, b) for i in range(4)))

    everything = [row_id for taken in claims for row_id in taken]
    assert len(everything) == len(set(everything)) == 300
    assert sum(1 for taken in claims if taken) > 1  # they did share the work


async def test_a_postgresql_claim_waits_for_the_claim_in_progress_and_keeps_the_order(
    tmp_path: Path,
) -> None:
    # The row another instance is claiming right now is invisible to a concurrent claim (its
    # update is not committed, its row is locked and passed over): without waiting for that
    # claim, the member's second push would go out beside the first.
    async with two_stores("postgresql", tmp_path) as (a, b):
        async with a.transaction() as tx:
            (member,) = await add_members(tx, 1)
            await tx.enqueue("first", member, "notice", "第一条", NOW)
            await tx.enqueue("second", member, "notice", "第二条", NOW)

        async def claim_on_b() -> list[str]:
            async with b.transaction(serial=False) as tx:
                return [row.body for row in await tx.claim_due(NOW, 16, claimer="b")]

        async with a.transaction(serial=False) as tx:
            on_a = [row.body for row in await tx.claim_due(NOW, 16, claimer="a")]
            meanwhile = asyncio.create_task(claim_on_b())
            await asyncio.sleep(0.3)
            waited = not meanwhile.done()
        on_b = await meanwhile

    assert on_a == ["第一条"]
    assert waited
    assert on_b == []  # the second waits for the first to be sent


async def test_postgresql_claims_pass_over_locked_rows_and_do_not_queue_behind_work(
    tmp_path: Path,
) -> None:
    async with two_stores("postgresql", tmp_path) as (a, b):
        async with a.transaction() as tx:
            first, second = await add_members(tx, 2)
            await tx.enqueue("locked", first, "notice", "L", NOW)
            await tx.enqueue("free", second, "notice", "F", NOW)
        async with a.transaction() as held:  # a unit of work in progress, holding a row
            await held._one("SELECT id FROM outbox WHERE idempotency_key = 'locked' FOR UPDATE")
            async with b.transaction(serial=False) as tx:
                claimed = await asyncio.wait_for(tx.claim_due(NOW, 16, claimer="b"), 5.0)

    assert [row.body for row in claimed] == ["F"]


# --- the send budget --------------------------------------------------------------------------


async def test_instances_count_each_other_and_forget_one_that_stopped_renewing(
    store: Store,
) -> None:
    clock = FakeClock(NOW)
    ttl = timedelta(seconds=15)
    a, b = Peers(store, clock, "a", ttl=ttl), Peers(store, clock, "b", ttl=ttl)

    counts = [await a.beat(), await b.beat(), await a.beat()]
    clock.advance(ttl)  # b missed its renewals
    alone = await a.beat()
    await b.beat()  # back
    await b.leave()  # a clean stop
    after_leaving = await a.beat()

    assert counts == [1, 2, 2]
    assert alone == 1
    assert after_leaving == 1


async def test_each_instance_takes_its_share_of_the_bots_rate(store: Store) -> None:
    clock = FakeClock(NOW)
    budgets = [SendBudget(30.0), SendBudget(30.0), SendBudget(30.0)]
    stops = [asyncio.Event() for _ in budgets]
    peers = [Peers(store, clock, f"i{n}", every=0.01) for n in range(3)]
    tasks = [asyncio.create_task(p.keep(stop, [budget]))
             for p, stop, budget in zip(peers, stops, budgets, strict=True)]

    async def rates(expected: list[float]) -> list[float]:
        for _ in range(500):
            found = [round(b.current_rate, 6) for b in budgets]
            if found == expected:
                break
            await asyncio.sleep(0.01)
        return found

    together = await rates([10.0] * 3)
    stops[2].set()
    two_left = await rates([15.0, 15.0, 10.0])
    for stop in stops:
        stop.set()
    await asyncio.gather(*tasks)

    assert together == [10.0] * 3  # 30 a second for the bot, 10 each
    assert two_left == [15.0, 15.0, 10.0]  # the stopped one's share went to the others


@dataclass
class BudgetedSender(WireSender):
    """A sender with a send budget of its own, as Telegram's has."""

    budget: SendBudget = field(default_factory=lambda: SendBudget(30.0))


async def test_two_running_apps_share_their_telegram_budget(zhibu: Zhibu) -> None:
    async with second_instance(zhibu) as other:
        apps = (zhibu.app, other.app)
        senders = [BudgetedSender(Wire(), app.instance_id) for app in apps]
        stops = [asyncio.Event() for _ in apps]
        for app, sender in zip(apps, senders, strict=True):
            app.dispatcher.senders["telegram"] = sender
            assert app.dispatcher.peers is not None
            app.dispatcher.peers.every = 0.01
        running = [asyncio.create_task(app.dispatcher.run_forever(stop, idle=0.01))
                   for app, stop in zip(apps, stops, strict=True)]
        await until(lambda: all(s.budget.current_rate == 15.0 for s in senders))
        stops[1].set()  # the second instance stops: the first gets the whole rate back
        await until(lambda: senders[0].budget.current_rate == 30.0)
        stops[0].set()
        await asyncio.gather(*running)

    assert zhibu.app.instance_id != other.app.instance_id


async def test_a_shared_budget_paces_at_its_share() -> None:
    budget = SendBudget(200.0, per_chat=0.0)
    budget.share(4)
    started = time.monotonic()
    for n in range(51):  # 50 a second: the 51st waits for the second second
        await budget.acquire(f"chat{n}")
    elapsed = time.monotonic() - started

    assert budget.current_rate == 50.0
    assert 0.95 <= elapsed < 3.0


# --- the WeChat access_token ------------------------------------------------------------------


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
async def test_two_instances_fetch_the_wechat_token_once_and_share_it(
    engine: str, tmp_path: Path,
) -> None:
    api = FakeWechatApi()
    clock = FakeClock(NOW)
    async with two_stores(engine, tmp_path) as stores, \
            httpx.AsyncClient(transport=api.transport()) as http:
        fetch = wechat_token_fetch(http, API, "wx-app", "secret")
        a, b = (TokenHolder(fetch, clock, store=store, name="wechat:wx-app")
                for store in stores)
        first = await asyncio.gather(a.get(), b.get(), a.get(), b.get())
        clock.advance(timedelta(hours=1, minutes=56))  # within 5 minutes of expiry
        renewed = await asyncio.gather(b.get(), a.get())
        api.expire_tokens()  # WeChat refused it (someone fetched outside zhibu)
        refreshed = await a.refresh(renewed[0])
        adopted = await b.refresh(renewed[0])  # b meets the refusal next: no second fetch

    assert len(set(first)) == 1 and len(set(renewed)) == 1 and first[0] != renewed[0]
    assert refreshed == adopted != renewed[0]
    # a fetch that replaces a token is forced (stable_token would hand the old one back)
    assert [r["force_refresh"] for r in api.token_requests] == [False, True, True]
    assert a.fetches + b.fetches == 3


# --- one message, two instances ---------------------------------------------------------------


async def test_the_same_wechat_msgid_on_two_instances_checks_in_once_and_both_answer_alike(
    zhibu: Zhibu,
) -> None:
    async with second_instance(zhibu) as other, open_rig(zhibu) as one, \
            open_rig(other) as two:
        await one.bind(MEMBER, "王秀英")
        query, body = one.server.sealed(text_xml(MEMBER, "签到", one.msg_id()), one.now)
        answers = await asyncio.gather(
            *(rig.client.post(rig.path, params=query, content=body) for rig in (one, two)))
        check_ins = await one.count("check_ins")

    assert [a.status_code for a in answers] == [200, 200]
    contents = [one.server.open_reply(a.text)["Content"] for a in answers]
    assert contents[0].startswith("王秀英，签到成功！")
    assert contents[1] == contents[0]
    assert check_ins == 1


async def test_the_same_telegram_update_on_two_instances_checks_in_once(zhibu: Zhibu) -> None:
    async with zhibu.app.store.transaction() as tx:
        (member,) = await tx.find_members_by_name("王秀英")
        await tx.bind("telegram", "4242", member.id, None, zhibu.clock.now())
    update = InboundMessage(channel="telegram", sender="4242", message_id="777001",
                            received_at=zhibu.clock.now(), text="签到")
    async with second_instance(zhibu) as other:
        replies: list[list[Reply]] = await asyncio.gather(
            zhibu.app.router.handle(update), other.app.router.handle(update))
        check_ins = await count_rows(zhibu.app.store, "check_ins")

    texts = [[r.text for r in answer] for answer in replies]
    assert texts[0][0].startswith("王秀英，签到成功！")
    assert texts[1] == texts[0]
    assert check_ins == 1


async def test_every_app_has_an_instance_id_its_dispatcher_claims_with(zhibu: Zhibu) -> None:
    dispatcher: Dispatcher = zhibu.app.dispatcher
    assert zhibu.app.instance_id and dispatcher.instance == zhibu.app.instance_id
    assert dispatcher.peers is not None and dispatcher.peers.instance_id == dispatcher.instance
