"""getUpdates whose offset passes an update only once it has been handled (committed).

Telegram forgets an update as soon as getUpdates is called with a higher offset. PTB's Updater
asks with the next offset right after queuing a batch, before it is handled: killed mid-burst,
zhibu had confirmed 300 updates of which 108 were recorded, and the rest never came again. Here
the offset is the highest *contiguous* handled update_id + 1: an update still in progress (or
any before it) keeps the offset below it, so after a crash Telegram sends it again, and the
router's dedupe (telegram, chat, update_id) gives it exactly one effect.

Because confirmation is cumulative, newer updates can only be fetched by asking again from the
oldest unfinished one: those come back too and are recognised as already in hand (not parsed
again). Such a poll returns at once, so while updates are in progress the next one waits for
the offset to move (or, when a burst fills the window, for half of it to be free), and for
`gap` at most (an update that takes long). At most `limit` (100) updates are in hand at a
time: an account with more than that in a row delays the others until its line shortens.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Bot, Update
from telegram.error import InvalidToken, TelegramError

log = logging.getLogger(__name__)

Feed = Callable[[Update], Awaitable["asyncio.Future[None]"]]


class CommittedPoller:
    """The getUpdates loop: hands each new update to `feed` (which returns a future resolved
    once the update has been handled) and confirms only what has been handled."""

    def __init__(self, bot: Bot, feed: Feed, *, timeout: int, allowed_updates: list[str],
                 limit: int = 100, gap: float = 0.2, backoff: float = 1.0) -> None:
        self.bot = bot
        self.feed = feed
        self.timeout = timeout
        self.allowed_updates = allowed_updates
        self.limit = limit
        self.gap = gap
        self.backoff = backoff
        self.offset: int | None = None  # the next update_id Telegram should send (none yet)
        self._in_hand: dict[int, asyncio.Future[None]] = {}  # ascending update_id
        self._stopping = asyncio.Event()
        self._room = asyncio.Event()  # set when no more than half of `limit` is in hand
        self._moved = asyncio.Event()  # set when the offset moves
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        """Whether the loop is polling."""
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        """Poll in the background."""
        if self.running:
            return
        self._stopping.clear()
        self._task = asyncio.get_running_loop().create_task(self._run(), name="telegram-poller")

    async def stop(self) -> None:
        """Stop fetching, wait for the updates in hand, then confirm them to Telegram (so
        that the next poller, maybe another instance, does not get them again)."""
        if self._task is None:
            return
        self._stopping.set()
        task, self._task = self._task, None
        task.cancel()  # a long poll in progress: its updates are not confirmed by it
        await asyncio.gather(task, return_exceptions=True)
        if self._in_hand:
            await asyncio.gather(*self._in_hand.values(), return_exceptions=True)
        if self.offset is not None:
            try:  # the update at `offset` itself (if any) stays unconfirmed
                await self._fetch(wait=0, limit=1)
            except TelegramError as err:
                log.warning("telegram: could not confirm the last updates: %s", err.message)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while not self._stopping.is_set():
            asked = loop.time()
            self._moved.clear()
            self._room.clear()
            try:
                raw = await self._fetch(wait=self.timeout, limit=self.limit)
                fresh = await self._take(raw)
            except InvalidToken:
                log.error("telegram: the bot token was refused; polling stopped")
                return
            except TelegramError as err:  # Conflict (another poller), network, 5xx: again
                log.warning("telegram: getUpdates failed (%s); again in %s s", err.message,
                            self.backoff)
                await self._pause(self.backoff)
                continue
            except Exception:  # boundary: the loop must outlive a surprise; nothing confirmed
                log.exception("telegram: polling failed; again in %s s", self.backoff)
                await self._pause(self.backoff)
                continue
            if (self._in_hand and not fresh) or (not raw and not self.timeout):
                # Only updates already in hand came back (at once). Ask again once the offset
                # moves (the next poll long-polls or brings what came meanwhile), or once half
                # of a full window is free (a burst); after `gap` at the latest (one is slow).
                full = isinstance(raw, list) and len(raw) >= self.limit
                signal = self._room if full else self._moved
                await self._pause(asked + self.gap - loop.time(), signal)

    async def _fetch(self, *, wait: int, limit: int) -> Any:
        """getUpdates, raw: each update is parsed on its own, so one malformed update is
        skipped (and confirmed) without failing the batch it came in."""
        data: dict[str, Any] = {"timeout": wait, "limit": limit,
                                "allowed_updates": self.allowed_updates}
        if self.offset is not None:
            data["offset"] = self.offset
        return await self.bot._post("getUpdates", data, read_timeout=wait + 10)

    async def _take(self, raw: Any) -> int:
        """Hand over the updates not already in hand; how many were new."""
        fresh = 0
        for item in raw if isinstance(raw, list) else []:
            update_id = item.get("update_id") if isinstance(item, dict) else None
            if not isinstance(update_id, int) or isinstance(update_id, bool):
                log.warning("telegram: an update without an update_id skipped")
                continue
            if update_id in self._in_hand or (self.offset is not None and update_id < self.offset):
                continue
            try:
                update = Update.de_json(item, self.bot)
            except Exception as err:  # boundary: malformed input, one line, then confirmed
                log.warning("telegram: update %s malformed (%s); skipped", update_id,
                            type(err).__name__)
                update = None
            if update is None:
                done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
                done.set_result(None)
            else:
                done = await self.feed(update)
            fresh += 1
            self._in_hand[update_id] = done
            done.add_done_callback(lambda _: self._advance())
        self._advance()
        return fresh

    def _advance(self) -> None:
        """Move the offset past every handled update at the front of those in hand."""
        for update_id in list(self._in_hand):
            if not self._in_hand[update_id].done():
                break
            del self._in_hand[update_id]
            self.offset = update_id + 1
            self._moved.set()
        if len(self._in_hand) <= self.limit // 2:
            self._room.set()

    async def _pause(self, seconds: float, until: asyncio.Event | None = None) -> None:
        """Wait `seconds`, or less when stopping (or when `until` is set)."""
        if seconds <= 0 or self._stopping.is_set():
            return
        waits = [asyncio.ensure_future(self._stopping.wait())]
        if until is not None:
            waits.append(asyncio.ensure_future(until.wait()))
        try:
            await asyncio.wait(waits, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for wait in waits:
                wait.cancel()

