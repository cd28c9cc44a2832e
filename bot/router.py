"""The router: who is speaking, where their conversation stands, which handler answers."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.core.clock import Clock
from bot.core.i18n import t
from bot.core.messages import InboundMessage, Reply, dump_replies, load_replies
from bot.understanding import written_script
from handlers import FLOWS, INTENT_HANDLERS
from handlers.binding import handle_stranger
from handlers.context import AfterCommit, Context
from handlers.dialogue import respond
from handlers.flow import OpenConversation
from storage import Store, Tx
from storage.repo_members import Speaker

log = logging.getLogger(__name__)

# After half an hour of silence a conversation pauses: a late answer is asked about before it
# is used (never read as a menu number). A paused report is kept a day, then let go.
CONVERSATION_TIMEOUT = timedelta(minutes=30)
CONVERSATION_KEPT = timedelta(hours=24)
# When an account last wrote is written at most once a minute (a member's conversation is a
# few messages in a row, each one a write otherwise). It serves WeChat's 48-hour window for
# pushes; a time up to a minute early only closes that window a minute early.
SEEN_GRANULARITY = timedelta(minutes=1)
Observer = Callable[[InboundMessage, list[tuple[str, dict[str, str]]]], None]


Waiting = tuple[InboundMessage, "asyncio.Future[list[Reply]]"]


class Router:
    """Turns inbound messages into replies; nothing is answered before it is committed.

    Messages that arrive while a transaction is open wait and are then handled together, in
    arrival order, in one transaction (group commit): one BEGIN/COMMIT and one fsync for the
    lot instead of one each. If any of them fails, that transaction is rolled back and each
    message is handled again in a transaction of its own, so one bad message cannot take the
    others with it.
    """

    max_batch = 32

    def __init__(self, store: Store, clock: Clock, tz: ZoneInfo, locale: str,
                 observe: Observer | None = None) -> None:
        self.store = store
        # Told what each message was understood as (the corpus test and the benchmark).
        self.observe = observe
        self.clock = clock
        self.tz = tz
        self.locale = locale
        self.available = frozenset(str(i) for i in INTENT_HANDLERS)
        self._waiting: list[Waiting] = []
        self._drainer: asyncio.Task[None] | None = None
        self._later: set[asyncio.Task[None]] = set()

    async def handle(self, msg: InboundMessage) -> list[Reply]:
        """Answer a message; a redelivered message gets its first answer and no new effect."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[list[Reply]] = loop.create_future()
        self._waiting.append((msg, future))
        if self._drainer is None or self._drainer.done():
            self._drainer = loop.create_task(self._drain())
        return await future

    async def takes_file(self, channel: str, sender: str, *, picture: bool = False) -> bool:
        """Whether a file from this account would be used, so worth fetching: officers
        speaking for themselves publish materials or attach visit photos; a member (or their
        family) may send a picture for 投稿. Strangers, and members' other files, get an
        answer without the file ever being downloaded."""
        async with self.store.transaction() as tx:
            binding = await tx.get_binding(channel, sender)
            if binding is None:
                return False
            member = await tx.get_member(binding.member_id)
        if member is None or member.status != "active":
            return False
        return picture or (member.is_officer and binding.relation is None)

    async def _drain(self) -> None:
        while self._waiting:
            batch = self._waiting[: self.max_batch]
            del self._waiting[: self.max_batch]
            try:
                async with self.store.transaction() as tx:
                    results = [await self._handle_in(tx, msg) for msg, _ in batch]
            except Exception:
                if len(batch) == 1:
                    log.exception("a message could not be handled")
                    _settle(batch[0][1], error=True)
                    continue
                await self._one_by_one(batch)
                continue
            for (_, future), (replies, later) in zip(batch, results, strict=True):
                self._answer(future, replies, later)

    async def _one_by_one(self, batch: list[Waiting]) -> None:
        """After a failed group: each message alone, so only the bad one fails."""
        for msg, future in batch:
            try:
                async with self.store.transaction() as tx:
                    replies, later = await self._handle_in(tx, msg)
            except Exception:
                log.exception("a message could not be handled")
                _settle(future, error=True)
            else:
                self._answer(future, replies, later)

    async def _handle_in(
        self, tx: Tx, msg: InboundMessage
    ) -> tuple[list[Reply], list[AfterCommit]]:
        """One message inside an open transaction: its replies and any after-commit work."""
        speaker = await tx.speaker(msg.channel, msg.sender, msg.message_id)
        if speaker.prior_reply is not None:
            return load_replies(speaker.prior_reply), []
        ctx = await self._context(tx, msg, speaker)
        replies = await self._dispatch(ctx)
        if self.observe is not None:
            self.observe(msg, ctx.heard)
        if ctx.conversation_changed:
            after = ctx.next_conversation
            stored = after.with_prompt(replies[-1]).to_stored() if after and replies else (
                after.to_stored() if after else None)
            await tx.save_conversation(msg.channel, msg.sender, stored, ctx.now)
        await tx.save_processed(msg.channel, msg.message_id, dump_replies(replies), ctx.now)
        return replies, ctx.later

    def _answer(self, future: asyncio.Future[list[Reply]], replies: list[Reply],
                later: list[AfterCommit]) -> None:
        """Hand over a committed message's replies, after its slow work if it has some
        (in a task of its own: the next batch does not wait for a chart to be drawn)."""
        if not later:
            _settle(future, replies)
            return
        task = asyncio.get_running_loop().create_task(self._after(future, replies, later))
        self._later.add(task)
        task.add_done_callback(self._later.discard)

    async def _after(self, future: asyncio.Future[list[Reply]], replies: list[Reply],
                     later: list[AfterCommit]) -> None:
        out = list(replies)
        for work in later:
            try:
                out += await work()
            except Exception:  # boundary: what was committed stands; say the rest failed
                log.exception("after-commit work failed")
                out.append(Reply(t(self.locale, "error.later")))
        _settle(future, out)

    async def _context(self, tx: Tx, msg: InboundMessage, speaker: Speaker) -> Context:
        now = self.clock.now()
        binding, conversation = speaker.binding, speaker.conversation
        ctx = Context(tx=tx, now=now, tz=self.tz, locale=self.locale, default_locale=self.locale,
                      message=msg, member=speaker.member, binding=binding,
                      available=self.available, branch=speaker.branch)
        silent = now - conversation.updated_at if conversation and conversation.updated_at else None
        if conversation and silent is not None and silent < CONVERSATION_TIMEOUT:
            ctx.conversation = OpenConversation.from_stored(conversation)
        elif conversation and silent is not None and silent < CONVERSATION_KEPT:
            ctx.paused = OpenConversation.from_stored(conversation)
        elif conversation:
            ctx.end()
        written = written_script(msg.text or "")
        ctx.locale = self._locale(ctx, written)
        if binding and (now - binding.last_seen_at >= SEEN_GRANULARITY
                        or (written is not None and written != binding.locale)):
            await tx.touch_binding(msg.channel, msg.sender, now, written)
        return ctx

    def _locale(self, ctx: Context, written: str | None) -> str:
        """Traditional writing wins, then the roster language, then how they wrote before."""
        if written == "zh-Hant":
            return written
        if ctx.member and ctx.member.language and ctx.binding and ctx.binding.relation is None:
            return ctx.member.language
        if written == "zh-Hans":
            return written
        if ctx.binding and ctx.binding.locale:
            return ctx.binding.locale
        return self.locale

    async def _dispatch(self, ctx: Context) -> list[Reply]:
        if ctx.member is None:
            return await handle_stranger(ctx)
        if ctx.member.status != "active":
            return [Reply(ctx.t("account.inactive"))]
        return await respond(ctx, INTENT_HANDLERS, FLOWS)


class HandlingFailed(Exception):
    """A message could not be handled (the adapter answers with a friendly line)."""


def _settle(
    future: asyncio.Future[list[Reply]], replies: list[Reply] | None = None, *,
    error: bool = False,
) -> None:
    """Hand a waiting caller its replies (or the failure), unless it stopped waiting."""
    if future.done():
        return
    if error:
        future.set_exception(HandlingFailed("message handling failed"))
    else:
        future.set_result(replies or [])


