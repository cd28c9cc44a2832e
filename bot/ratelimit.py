"""One send budget per bot: an overall rate with replies first, per-chat spacing, group windows.

Telegram allows about 30 messages a second per bot, one a second into a chat and twenty a
minute into a group; past that it answers 429 with `retry_after`. Every request that puts a
message in a chat first takes a slot here: the chat's own turn (FIFO per chat, spaced, paused
after a 429), then a slot of the overall rate, granted to replies before pushes. Pacing uses the
event loop's monotonic clock: it is about the network, not about the assistant's notion of now.

The limit is the bot's, however many zhibu instances send for it: `Peers` keeps this
instance's lease and counts the live ones on the shared database, and each instance's budget
takes its share (`SendBudget.share`), `rate_limit / instances`. Per-chat spacing needs no
sharing: a chat's updates reach one instance at a time, and its pushes are claimed in order.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
from collections import deque
from dataclasses import dataclass, field
from datetime import timedelta

from bot.core.clock import Clock
from storage import Store
from storage.repo_instances import instance_lease

log = logging.getLogger(__name__)

REPLY = 0  # an answer to someone who is waiting: goes first
PUSH = 1  # an outbox row: alerts, reminders, broadcasts
_PRUNE_EVERY = 1024
# Requests granted together do not arrive together: a platform counting arrivals in a sliding
# second can see a few more than we granted in one. Our own sliding window is this much longer.
WINDOW_MARGIN = 0.02


class Busy(Exception):
    """The chat cannot take a message soon enough; `wait` says in how many seconds it can."""

    def __init__(self, wait: float) -> None:
        super().__init__(f"chat busy for {wait:.1f} s")
        self.wait = wait


@dataclass
class _Chat:
    """Where one chat stands: its queue, its next turn, a pause, its recent group sends."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    next_at: float = 0.0
    paused_until: float = 0.0
    recent: deque[float] = field(default_factory=deque)
    users: int = 0


class SendBudget:
    """Grants send slots: `rate` a second overall, per-chat and per-group limits always hold."""

    def __init__(self, rate: float, *, per_chat: float = 1.0, group_max: int = 20,
                 group_window: float = 60.0) -> None:
        if rate <= 0:
            raise ValueError("rate must be > 0")
        self.rate = rate  # the bot's whole budget; this instance uses `rate / instances`
        self.instances = 1
        self._started: deque[float] = deque()
        self._pace(rate)
        self._unstarted = 0  # granted, its task not yet running
        self.per_chat = per_chat
        self.group_max = group_max
        self.group_window = group_window
        self._chats: dict[str, _Chat] = {}
        self._heap: list[tuple[int, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()
        self._next_slot = 0.0
        self._timer: asyncio.TimerHandle | None = None
        self._acquired = 0

    async def acquire(self, chat: str, *, group: bool = False, priority: int = REPLY,
                      max_wait: float | None = None, new_message: bool = True) -> None:
        """Wait for this chat's turn and an overall slot; Busy if the turn is over max_wait away.

        `new_message=False` (an edit) still honours a pause and the overall rate, but does not
        use up the chat's one-a-second turn.
        """
        state = self._chats.setdefault(chat, _Chat())
        state.users += 1
        try:
            async with state.lock:
                await self._chat_turn(state, group, max_wait, new_message)
                await self._overall(priority)
                if new_message:
                    now = _now()
                    state.next_at = now + self.per_chat
                    if group:
                        state.recent.append(now)
        finally:
            state.users -= 1
            self._acquired += 1
            if self._acquired % _PRUNE_EVERY == 0:
                self._prune()

    def share(self, instances: int) -> None:
        """Use this instance's share of the bot's rate: `rate / instances` from now on."""
        instances = max(1, instances)
        if instances == self.instances:
            return
        self.instances = instances
        self._pace(self.rate / instances)
        if self._timer is not None:  # a slot may open sooner (or later) than armed for
            self._timer.cancel()
            self._timer = None
            self._arm()

    @property
    def current_rate(self) -> float:
        """Requests a second this instance may send now."""
        return 1.0 / self.interval

    def _pace(self, rate: float) -> None:
        self.interval = 1.0 / rate
        # Never more than `rate` requests in any second: spacing alone allows a short catch-up
        # burst after the loop stalled, which is what earns 429s from a platform's counter.
        # The window holds when each granted request really started (its task ran again),
        # not when it was granted: a busy loop delays some starts and not others.
        self._window_n = max(1, int(rate))
        self._window_len = self._window_n / rate + WINDOW_MARGIN
        self._started = deque(self._started, maxlen=self._window_n)

    def pause(self, chat: str, seconds: float) -> None:
        """The platform asked us to leave this chat alone for a while (429 retry_after)."""
        state = self._chats.setdefault(chat, _Chat())
        state.paused_until = max(state.paused_until, _now() + seconds)

    def wait_for(self, chat: str, *, group: bool = False) -> float:
        """Seconds until this chat's next turn (0 when it could go now)."""
        state = self._chats.get(chat)
        return 0.0 if state is None else max(0.0, self._ready_at(state, group, True) - _now())

    async def _chat_turn(self, state: _Chat, group: bool, max_wait: float | None,
                         new_message: bool) -> None:
        while (wait := self._ready_at(state, group, new_message) - _now()) > 0:
            if max_wait is not None and wait > max_wait:
                raise Busy(wait)
            await asyncio.sleep(wait)

    def _ready_at(self, state: _Chat, group: bool, new_message: bool) -> float:
        ready = state.paused_until
        if not new_message:
            return ready
        ready = max(ready, state.next_at)
        if group:
            horizon = _now() - self.group_window
            while state.recent and state.recent[0] <= horizon:
                state.recent.popleft()
            if len(state.recent) >= self.group_max:
                ready = max(ready, state.recent[0] + self.group_window)
        return ready

    async def _overall(self, priority: int) -> None:
        """One slot of the overall rate; waiting slots go by priority, then arrival."""
        now = _now()
        if not self._heap and now >= self._slot_at():
            self._next_slot = now + self.interval
            self._started.append(now)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._heap, (priority, next(self._seq), future))
        self._arm()
        try:
            await future
        finally:
            if future.done() and not future.cancelled():  # granted (even if cancelled since)
                self._unstarted -= 1
                self._started.append(_now())

    def _slot_at(self) -> float:
        """When the next overall slot opens: its turn in the spacing and in the window.

        Granted requests that have not started count as starting now, the latest of all.
        """
        if self._unstarted >= self._window_n:  # a whole window granted, none started yet
            return _now() + self._window_len
        index = len(self._started) - self._window_n + self._unstarted  # the n-th most recent
        if index < 0:
            return self._next_slot
        return max(self._next_slot, self._started[index] + self._window_len)

    def _arm(self) -> None:
        if self._timer is None and self._heap:
            self._timer = asyncio.get_running_loop().call_at(self._slot_at(), self._grant)

    def _grant(self) -> None:
        self._timer = None
        now = _now()
        while self._heap and now >= self._slot_at():
            _, _, future = heapq.heappop(self._heap)
            if not future.done():
                future.set_result(None)
                # From the slot, not from now, so a timer that fires a little late does not
                # slow the rate down; but never closer than half an interval, and never more
                # than `rate` in the window, so a stalled loop does not release a burst.
                self._unstarted += 1
                self._next_slot = max(self._next_slot + self.interval, now + self.interval / 2)
        self._arm()

    def _prune(self) -> None:
        """Forget chats with nothing pending (a long broadcast touches thousands)."""
        now = _now()
        idle = [key for key, s in self._chats.items()
                if s.users == 0 and s.next_at <= now and s.paused_until <= now
                and (not s.recent or s.recent[-1] <= now - self.group_window)]
        for key in idle:
            del self._chats[key]


def _now() -> float:
    return asyncio.get_running_loop().time()


class Peers:
    """This instance among those sharing one database: it renews its own lease every `every`
    seconds and counts the instances whose lease holds (itself always included).

    The lease outlives a few missed renewals (`ttl`), so a slow transaction does not make an
    instance look dead; one that did die stops being counted within `ttl`, and the others'
    budgets grow back. Leases of instances gone for a day are deleted.
    """

    def __init__(self, store: Store, clock: Clock, instance_id: str, *, every: float = 5.0,
                 ttl: timedelta = timedelta(seconds=15)) -> None:
        self.store = store
        self.clock = clock
        self.instance_id = instance_id
        self.every = every
        self.ttl = ttl
        self.count = 1

    async def beat(self) -> int:
        """Renew this instance's lease; how many instances are live now."""
        now = self.clock.now()
        async with self.store.transaction(serial=False) as tx:
            await tx.take_lease(instance_lease(self.instance_id), self.instance_id, now,
                                self.ttl)
            live = await tx.live_instances(now)
            await tx.forget_instances(now - timedelta(days=1))
        self.count = len(set(live) | {self.instance_id})
        return self.count

    async def leave(self) -> None:
        """A clean stop: the others take back this instance's share at their next beat."""
        async with self.store.transaction(serial=False) as tx:
            await tx.drop_lease(instance_lease(self.instance_id), self.instance_id)

    async def keep(self, stop: asyncio.Event, budgets: list[SendBudget]) -> None:
        """Beat until `stop` is set, sharing each budget among the live instances; then
        leave. A failed beat (the database away for a moment) keeps the last count."""
        try:
            while not stop.is_set():
                try:
                    count = await self.beat()
                except Exception:  # boundary: a storage hiccup must not end the heartbeat
                    log.exception("instance heartbeat failed")
                    count = self.count
                for budget in budgets:
                    budget.share(count)
                try:
                    await asyncio.wait_for(stop.wait(), timeout=self.every)
                except TimeoutError:
                    pass
        finally:
            try:
                await self.leave()
            except Exception:  # boundary: the lease then simply expires
                log.warning("could not give up the instance lease", exc_info=True)
