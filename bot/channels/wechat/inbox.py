"""Verified callbacks to answers: one effect and one reply per message, inside WeChat's 5 s."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

from bot.channels.wechat.menu import word_for
from bot.channels.wechat.render import image_files, render_replies, split_bytes
from bot.channels.wechat.sender import CHANNEL, WechatSender
from bot.channels.wechat.xml import WechatInbound
from bot.core.clock import Clock
from bot.core.i18n import t
from bot.core.messages import InboundMessage
from bot.router import Router
from storage import Store

log = logging.getLogger(__name__)

BUDGET = 2.5  # seconds of work before answering "正在生成…" (WeChat gives up at 5)
RETAIN = 60.0  # seconds an answer is kept for WeChat's retries (they come within ~15 s)
SWEEP_GAP = 0.1  # at most this late with "正在生成…" when deadlines come thick and fast
_SUBSCRIBE = frozenset({"subscribe", "subscribe_scan"})


@dataclass
class Outcome:
    """What a callback produced: text parts (the first is the passive reply) and pictures."""

    parts: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)


class WechatInbox:
    """Answers each callback once; a retry awaits or repeats the first answer."""

    def __init__(self, router: Router, store: Store, clock: Clock, sender: WechatSender,
                 *, locale: str, budget: float = BUDGET, retain: float = RETAIN) -> None:
        self.router = router
        self.store = store
        self.clock = clock
        self.sender = sender
        self.locale = locale
        self.budget = budget
        self.retain = retain
        self._answers: dict[str, asyncio.Future[str | None]] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        # Deadlines and expiries in arrival order (budget and retain are fixed, so they are
        # sorted too), swept by one timer: two timers a message filled the loop's heap with
        # thousands under load, and keeping it in order was a tenth of the loop's work.
        self._deadlines: deque[tuple[float, asyncio.Future[str | None]]] = deque()
        self._expiries: deque[tuple[float, str, asyncio.Future[str | None]]] = deque()
        self._sweep: asyncio.TimerHandle | None = None

    async def answer(self, msg: WechatInbound) -> str | None:
        """The passive reply text for a callback (None: answer "success")."""
        key = msg.dedupe_key
        loop = asyncio.get_running_loop()
        now = loop.time()
        self._forget_expired(now)
        answer = self._answers.get(key)
        if answer is None:
            answer = loop.create_future()
            self._answers[key] = answer
            self._deadlines.append((now + self.budget, answer))
            if self._sweep is None:
                self._sweep = loop.call_at(self._deadlines[0][0], self._sweep_due)
            self._spawn(self._first(msg, key, answer))
        return await asyncio.shield(answer)

    async def drain(self) -> None:
        """Wait for the pushes still being sent (slow results, long replies)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self, grace: float = 5.0) -> None:
        """Let running work finish for a moment, then cancel what is left."""
        if self._sweep is not None:
            self._sweep.cancel()
            self._sweep = None
        if self._tasks:
            _, pending = await asyncio.wait(list(self._tasks), timeout=grace)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

    def _spawn(self, work: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _first(self, msg: WechatInbound, key: str,
                     answer: asyncio.Future[str | None]) -> None:
        """Decide the first delivery's answer within the budget; push what follows."""
        try:
            outcome = await self._work(msg)
        except Exception:  # boundary: the member gets a friendly line, the log the trace
            log.exception("wechat message %s failed", key)
            self._answers.pop(key, None)
            if answer.done():  # "正在生成…" went out: say that it failed after all
                await self._push(msg.openid, [t(self.locale, "error")], [])
            else:
                answer.set_result(t(self.locale, "error"))
            return
        rest = outcome.parts
        if not answer.done():
            answer.set_result(rest[0] if rest else None)
            rest = rest[1:]
        self._expiries.append((asyncio.get_running_loop().time() + self.retain, key, answer))
        if rest or outcome.images:
            await self._push(msg.openid, rest, outcome.images)

    def _working(self, answer: asyncio.Future[str | None]) -> None:
        """The budget is spent: answer "正在生成…" now, push the result when it is ready."""
        if not answer.done():
            answer.set_result(t(self.locale, "wechat.working"))

    def _sweep_due(self) -> None:
        """Answer "正在生成…" for every callback past its budget; wait for the next deadline."""
        self._sweep = None
        loop = asyncio.get_running_loop()
        now = loop.time()
        while self._deadlines and (self._deadlines[0][0] <= now or self._deadlines[0][1].done()):
            self._working(self._deadlines.popleft()[1])
        if self._deadlines:
            self._sweep = loop.call_at(max(self._deadlines[0][0], now + SWEEP_GAP),
                                       self._sweep_due)

    def _forget_expired(self, now: float) -> None:
        """Drop answers kept longer than `retain` (WeChat has stopped retrying them)."""
        while self._expiries and self._expiries[0][0] <= now:
            _, key, answer = self._expiries.popleft()
            if self._answers.get(key) is answer:
                del self._answers[key]

    async def _push(self, openid: str, parts: list[str], images: list[str]) -> None:
        """The rest of a long reply, or a slow result, as customer-service messages."""
        try:
            for part in parts:
                await self.sender.custom_text(openid, part)
            for image in images:
                await self.sender.custom_image(openid, image)
        except Exception:  # boundary: the reply was recorded; only its delivery failed
            log.exception("wechat: could not push the rest of a reply")

    async def _work(self, msg: WechatInbound) -> Outcome:
        """What a callback means, as if the member had typed it."""
        if msg.kind == "text":
            return await self._route(msg, msg.content)
        if msg.kind == "voice" and msg.recognition.strip():
            return await self._route(msg, msg.recognition)
        if msg.kind == "event":
            return await self._event(msg)
        locale = await self._seen(msg.openid)
        key = "wechat.not_heard" if msg.kind == "voice" else "wechat.text_only"
        return Outcome([t(locale, key)])

    async def _event(self, msg: WechatInbound) -> Outcome:
        if msg.event in _SUBSCRIBE:
            return await self._subscribe(msg)
        if msg.event == "unsubscribe":
            async with self.store.transaction() as tx:
                await tx.set_unreachable(CHANNEL, msg.openid, self.clock.now())
            return Outcome()
        if msg.event == "click":
            word = word_for(msg.event_key)
            if word is not None:
                return await self._route(msg, word)
            return Outcome([t(await self._seen(msg.openid), "wechat.text_only")])
        return Outcome()

    async def _subscribe(self, msg: WechatInbound) -> Outcome:
        """A new follower hears how to bind; a bound one coming back gets the menu."""
        async with self.store.transaction() as tx:
            bound = await tx.get_binding(CHANNEL, msg.openid)
            if bound is not None:
                await tx.set_unreachable(CHANNEL, msg.openid, None)
        if bound is None:
            return Outcome([t(self.locale, "wechat.welcome")])
        return await self._route(msg, "帮助")

    async def _route(self, msg: WechatInbound, text: str) -> Outcome:
        """Through the router, exactly as every channel: one transaction, deduplicated."""
        inbound = InboundMessage(channel=CHANNEL, sender=msg.openid, message_id=msg.dedupe_key,
                                 received_at=self.clock.now(), text=text)
        replies = await self.router.handle(inbound)
        parts = [p for p in split_bytes(render_replies(replies, self.locale)) if p]
        return Outcome(parts, image_files(replies))

    async def _seen(self, openid: str) -> str:
        """Note that a bound follower wrote (their 48 h window); the language to answer in."""
        async with self.store.transaction() as tx:
            binding = await tx.get_binding(CHANNEL, openid)
            if binding is None:
                return self.locale
            await tx.touch_binding(CHANNEL, openid, self.clock.now(), None)
        return binding.locale or self.locale
