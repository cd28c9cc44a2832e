"""The outbox dispatcher: hands queued pushes to the channel that reaches each recipient.

A row is marked sent only after the platform accepted it. Rows are claimed (state
'inflight') and sent concurrently, never more than `max_in_flight` at a time: a sliding window,
refilled as soon as half of it has finished, so that a slow row (a chat's turn, a retry) does
not hold up the rows behind it and the sender's pace is never left waiting for a claim. The
channel's sender paces them (per chat, per group, overall). If the process dies, rows still in
flight are put back at the next start (`resume`), so nothing is lost; a row whose request
reached the platform just before the crash may be sent twice — at most `max_in_flight` rows.

Several instances may send from one PostgreSQL database. A claim makes the rows this
instance's (`instance`) for `lease` seconds; a row still in flight after that was left by an
instance that died and is claimed again by another, in the same per-member order. Claims and
marks lock only their own rows (`transaction(serial=False)`): they do not queue behind the
handlers' units of work. While it runs, the dispatcher also keeps this instance's lease
(`Peers`), and the send budgets of its senders take their share of the bot's rate.

Each row costs few trips to the database (a broadcast's pace depends on it: one connection
serves every transaction): its recipient is read in the claim's transaction, and the rows
accepted while one "sent" mark is being written are marked together in the next (a row keeps
its place in the window until its mark is committed).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.config import QuietHours
from bot.core.clock import Clock
from bot.core.i18n import t
from bot.ratelimit import Peers, SendBudget
from handlers.notify import push
from storage import Store, Tx
from storage.models import Binding, Member, OutboxRow

log = logging.getLogger(__name__)
DEAD_NOTICE = "dead_notice"


class SendError(Exception):
    """A push failed; `permanent` means trying again cannot help (blocked, no such user)."""

    def __init__(self, reason: str, *, permanent: bool = False,
                 retry_after: float | None = None, unreachable: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent or unreachable
        self.retry_after = retry_after
        self.unreachable = unreachable


class Sender(Protocol):
    """One channel's way of pushing a text to an account."""

    channel: str

    async def send(
        self, external_id: str, text: str, buttons: list[dict[str, str]]
    ) -> str | None:
        """Deliver, returning the platform's id for the message if it has one; or SendError."""

    async def edit(
        self, external_id: str, platform_ref: str, text: str, buttons: list[dict[str, str]]
    ) -> None:
        """Rewrite a message sent before (e.g. an alert after someone acted on it)."""


@dataclass
class DispatchResult:
    """How one pass went."""

    claimed: int = 0
    sent: int = 0
    retried: int = 0
    dead: int = 0


class Dispatcher:
    """Claims due rows, sends each through the recipient's channel, records the outcome."""

    def __init__(self, store: Store, clock: Clock, senders: dict[str, Sender],
                 *, max_attempts: int = 5, base_delay: float = 5.0, max_in_flight: int = 16,
                 quiet: QuietHours | None = None, tz: ZoneInfo | None = None,
                 locale: str = "zh-Hans", instance: str | None = None, lease: float = 60.0,
                 peers: Peers | None = None) -> None:
        self.store = store
        self.clock = clock
        self.senders = senders
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.max_in_flight = max_in_flight
        self.quiet = quiet
        self.tz = tz
        self.locale = locale
        self.instance = instance or new_instance_id()
        self.lease = timedelta(seconds=lease)  # longer than one row's send, retries included
        self.peers = peers
        self._wake = asyncio.Event()
        self._stop: asyncio.Event | None = None
        self._marks = _SentMarks(store)

    def notify(self) -> None:
        """Something was queued: look now rather than at the next idle tick."""
        self._wake.set()

    async def resume(self) -> int:
        """At start-up: rows left in flight by a stopped process go back in the queue (on
        PostgreSQL only those of instances no longer alive; see release_inflight)."""
        async with self.store.transaction() as tx:
            return await tx.release_inflight(self.clock.now())

    def quiet_now(self) -> bool:
        """Inside quiet hours nothing but urgent alerts goes out."""
        if self.quiet is None or self.tz is None:
            return False
        return self.quiet.contains(self.clock.now().astimezone(self.tz).time())

    async def run_once(self, limit: int | None = None) -> DispatchResult:
        """Send what is due now: at most `limit` rows (default `max_in_flight`), never more
        than `max_in_flight` in flight. Claims again once half the window is free; after a
        claim that came back short (nothing more due), only once the window is empty. Once
        `run_forever` is told to stop, claims nothing more and finishes the rows in flight."""
        result = DispatchResult()
        budget = limit if limit is not None else self.max_in_flight
        refill = max(1, self.max_in_flight // 2)
        running: set[asyncio.Task[None]] = set()
        short = False
        failure: BaseException | None = None
        try:
            while True:
                room = min(budget, self.max_in_flight - len(running))
                wanted = not running or (not short and room >= min(refill, budget))
                if room > 0 and wanted and failure is None and not self._stopping():
                    async with self.store.transaction(serial=False) as tx:
                        rows = await tx.claim_due(self.clock.now(), room,
                                                  urgent_only=self.quiet_now(),
                                                  claimer=self.instance, lease=self.lease)
                        recipients = [(await tx.get_member(row.member_id),
                                       await tx.bindings_for(row.member_id)) for row in rows]
                    short = len(rows) < room
                    budget -= len(rows)
                    result.claimed += len(rows)
                    running.update(asyncio.create_task(self._deliver(row, member, bindings,
                                                                     result))
                                   for row, (member, bindings) in zip(rows, recipients,
                                                                      strict=True))
                if not running:
                    break
                done, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    if failure is None and not task.cancelled() and task.exception():
                        failure = task.exception()  # claim no more; let the others finish
        except asyncio.CancelledError:
            for task in running:
                task.cancel()
            await asyncio.gather(*running, return_exceptions=True)
            raise
        except Exception:  # e.g. the claim failed: the rows in flight still record how they went
            await asyncio.gather(*running, return_exceptions=True)
            raise
        if failure is not None:
            raise failure
        return result

    def _stopping(self) -> bool:
        return self._stop is not None and self._stop.is_set()

    async def run_forever(self, stop: asyncio.Event, idle: float = 1.0) -> None:
        """Keep sending until `stop` is set; sleep `idle` seconds (or until notified) when idle.

        Passes are long (a broadcast flows through the window without draining it every few
        rows); setting `stop` ends the pass in progress after the rows in flight."""
        self._stop = stop
        heartbeat = None
        if self.peers is not None:
            heartbeat = asyncio.create_task(self.peers.keep(stop, self.budgets()))
        try:
            while not stop.is_set():
                self._wake.clear()  # before the pass: a notify during it is not lost
                try:
                    result = await self.run_once(limit=self.max_in_flight * 64)
                except Exception:  # boundary: a storage hiccup must not end the loop
                    log.exception("outbox pass failed")
                    result = DispatchResult()
                if result.claimed == 0:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), timeout=idle)
        finally:
            if heartbeat is not None:
                if not stop.is_set():  # cancelled rather than stopped
                    heartbeat.cancel()
                await asyncio.gather(heartbeat, return_exceptions=True)

    def budgets(self) -> list[SendBudget]:
        """The send budgets of the senders (Telegram's) that the instances share."""
        found = [getattr(sender, "budget", None) for sender in self.senders.values()]
        return [b for b in found if isinstance(b, SendBudget)]

    async def _deliver(self, row: OutboxRow, member: Member | None, bindings: list[Binding],
                       result: DispatchResult) -> None:
        """Send one claimed row to its recipient (as read when it was claimed)."""
        if member is None or member.status != "active":
            await self._fail(row, "recipient no longer active", None, permanent=True,
                             result=result, notify=False)
            return
        target = _pick(bindings, self.senders)
        if target is None:
            await self._fail(row, "no reachable chat account", None, permanent=True,
                             result=result)
            return
        try:
            ref = await self._send(row, target)
        except SendError as err:
            await self._fail(row, err.reason, target, permanent=err.permanent, result=result,
                             retry_after=err.retry_after, unreachable=err.unreachable)
            return
        except Exception:  # boundary: a sender bug must not lose the row
            log.exception("outbox row %s: unexpected send failure", row.id)
            await self._fail(row, "internal error", target, permanent=False, result=result)
            return
        await self._marks.record(_Sent(row.id, target.channel, self.clock.now(),
                                       target.external_id, ref))
        result.sent += 1

    async def _send(self, row: OutboxRow, target: Binding) -> str | None:
        """Send a row, or for an "edit" row rewrite the message it refers to where we can."""
        sender = self.senders[target.channel]
        if row.kind == "edit" and row.ref_key:
            async with self.store.transaction(serial=False) as tx:
                earlier = await tx.sent_ref(row.member_id, row.ref_key)
            if earlier and earlier[0] in self.senders:
                channel, external_id, platform_ref = earlier
                await self.senders[channel].edit(external_id, platform_ref, row.body, row.buttons)
                return platform_ref
        return await sender.send(target.external_id, row.body, row.buttons)

    async def _fail(self, row: OutboxRow, reason: str, target: Binding | None, *,
                    permanent: bool, result: DispatchResult, retry_after: float | None = None,
                    unreachable: bool = False, notify: bool = True) -> None:
        give_up = permanent or row.attempts >= self.max_attempts
        retry_at = None
        if not give_up:
            delay = retry_after if retry_after is not None else (
                self.base_delay * 2 ** (row.attempts - 1) * random.uniform(1.0, 1.25))
            retry_at = self.clock.now() + timedelta(seconds=delay)
        # Single-row writes and a push queued once per key: safe beside the units of work.
        async with self.store.transaction(serial=False) as tx:
            if not await tx.mark_failed(row.id, reason, retry_at, claimer=self.instance):
                log.warning("outbox row %s: claimed again by another instance after its lease "
                            "ran out; leaving it to them", row.id)
                return
            if unreachable and target is not None:
                await tx.mark_unreachable(target.channel, target.external_id, self.clock.now())
            if give_up and notify and row.kind not in (DEAD_NOTICE, "edit"):
                await self._tell_secretaries(tx, row, reason)
        if give_up:
            result.dead += 1
            log.warning("outbox row %s (%s) is dead: %s", row.id, row.kind, reason)
        else:
            result.retried += 1

    async def _tell_secretaries(self, tx: Tx, row: OutboxRow, reason: str) -> None:
        """A push that could not be delivered: the member's secretaries phone them instead."""
        member = await tx.get_member(row.member_id)
        if member is None or member.branch_id is None:
            return
        for secretary in await tx.officers(member.branch_id, "secretary"):
            if secretary.id == member.id:
                continue
            await push(tx, secretary,
                       lambda locale: t(locale, "outbox.dead_notice", name=member.name,
                                        reason=reason),
                       key=f"dead:{row.id}:{secretary.id}", kind=DEAD_NOTICE,
                       now=self.clock.now(), default_locale=self.locale)


@dataclass
class _Sent:
    """A row the platform accepted, to be marked sent."""

    row_id: int
    channel: str
    at: datetime
    external_id: str
    ref: str | None
    written: bool = False


class _SentMarks:
    """Marks rows sent in groups: whoever gets to write takes every mark waiting (one
    transaction, one fsync, for all the rows accepted meanwhile); the others find theirs done.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self._waiting: list[_Sent] = []
        self._lock = asyncio.Lock()

    async def record(self, mark: _Sent) -> None:
        """Return once this row's mark is committed (by this call or another)."""
        self._waiting.append(mark)
        async with self._lock:
            if mark.written:
                return
            batch, self._waiting = self._waiting, []
            try:
                async with self.store.transaction(serial=False) as tx:
                    for sent in batch:
                        await tx.mark_sent(sent.row_id, sent.channel, sent.at, sent.external_id,
                                           sent.ref)
            except BaseException:
                self._waiting[:0] = batch  # not written: the next writer tries them again
                raise
            for sent in batch:
                sent.written = True


def new_instance_id() -> str:
    """A name for this zhibu instance, new at every start (its claims and leases carry it)."""
    return uuid.uuid4().hex[:12]


def _pick(bindings: list[Binding], senders: dict[str, Sender]) -> Binding | None:
    """The member's own most recent account on a channel we run, else a family member's."""
    return next((b for b in bindings if b.channel in senders and b.unreachable_at is None), None)
