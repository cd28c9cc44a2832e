"""Every request that puts something in a Telegram chat: paced, retried, its failures sorted.

Replies (someone is waiting) and pushes (outbox rows) share one SendBudget, replies first.
A 429 pauses that chat only: a reply waits and goes again, a push goes back to the outbox with
`retry_after`. Server and network errors are retried with backoff (a push: by the outbox).
"Forbidden" or "chat not found" means the account is gone: the binding is marked unreachable
and the member's secretaries hear of it. A group that became a supergroup keeps its place.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

from telegram import Bot, InlineKeyboardMarkup, InputFile, ReplyKeyboardMarkup
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.warnings import PTBDeprecationWarning, PTBUserWarning

from bot.channels.telegram.ui import MAX_TEXT, buttons_from_rows, inline_keyboard, paginate
from bot.core.clock import Clock
from bot.core.i18n import t
from bot.outbox import SendError
from bot.ratelimit import PUSH, REPLY, Busy, SendBudget
from handlers.notify import push
from storage import Store
from storage.timefmt import ts

log = logging.getLogger(__name__)

CHANNEL = "telegram"
PHOTO_SUFFIXES = (".png", ".jpg", ".jpeg")
BAD_REQUEST = "telegram: bad request: "
Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup
T = TypeVar("T")


class TelegramSender:
    """The outbox's way into Telegram, and the path every reply takes too."""

    channel = CHANNEL

    def __init__(self, bot: Bot, budget: SendBudget, store: Store, clock: Clock, *,
                 locale: str, retries: int = 3, backoff: float = 0.5,
                 push_max_wait: float = 2.0) -> None:
        self.bot = bot
        self.budget = budget
        self.store = store
        self.clock = clock
        self.locale = locale
        self.retries = retries
        self.backoff = backoff
        self.push_max_wait = push_max_wait
        self.on_queued: Callable[[], None] = lambda: None

    # -- the outbox's Sender protocol ----------------------------------------------------------
    async def send(
        self, external_id: str, text: str, buttons: list[dict[str, str]]
    ) -> str | None:
        """Push a text (a private chat, or a branch group by its negative id); its message id."""
        chunks = [c for c in paginate(text, MAX_TEXT) if c] or [" "]
        markup = inline_keyboard(buttons_from_rows(buttons))
        sent: int | None = None
        for i, chunk in enumerate(chunks):
            last = i == len(chunks) - 1
            sent = await self.post(int(external_id), chunk, markup if last else None,
                                   priority=PUSH)
        return None if sent is None else str(sent)

    async def edit(
        self, external_id: str, platform_ref: str, text: str, buttons: list[dict[str, str]]
    ) -> None:
        """Rewrite an alert in place (after someone acted on it); a new message if it can't be."""
        markup = inline_keyboard(buttons_from_rows(buttons))
        chat_id, message_id = int(external_id), int(platform_ref)
        try:
            await self.rewrite(chat_id, message_id, text[:MAX_TEXT], markup, priority=PUSH)
        except SendError as err:
            if not err.reason.startswith("telegram: cannot edit"):
                raise
            await self.send(external_id, text, buttons)

    # -- requests ------------------------------------------------------------------------------
    async def post(self, chat_id: int, text: str, markup: Markup | None, *,
                   priority: int = REPLY) -> int:
        """sendMessage through the budget; the new message's id.

        The raw call, not Bot.send_message: all we need back is the id, and building a
        Message object from the answer was over half the CPU a broadcast spent per row
        (3.5 ms → 2.0 ms measured with bench/broadcast.py).
        """
        params: dict[str, object] = {"chat_id": chat_id, "text": text}
        if markup is not None:
            params["reply_markup"] = markup

        async def request(chat: int) -> int:
            params["chat_id"] = chat
            with warnings.catch_warnings():  # PTB nudges towards send_message; on purpose
                warnings.simplefilter("ignore", PTBUserWarning)
                answer = await self.bot.do_api_request("send_message", api_kwargs=params)
            return int(answer["message_id"])

        return await self.call(chat_id, request, priority=priority)

    async def rewrite(self, chat_id: int, message_id: int, text: str,
                      markup: InlineKeyboardMarkup | None, *, priority: int = REPLY) -> None:
        """editMessageText through the budget; "not modified" counts as done."""
        async def edit(chat: int) -> None:
            await self.bot.edit_message_text(text, chat_id=chat, message_id=message_id,
                                             reply_markup=markup)
        try:
            await self.call(chat_id, edit, priority=priority, new_message=False)
        except SendError as err:
            if "not modified" in err.reason.lower():
                return
            if err.reason.startswith(BAD_REQUEST):
                raise SendError(f"telegram: cannot edit: {err.reason}", permanent=True) from None
            raise

    async def send_file(self, chat_id: int, path: str) -> None:
        """A file as a photo (.png, .jpg) or a document."""
        file = Path(path)
        try:
            data = await asyncio.to_thread(file.read_bytes)
        except OSError:
            log.error("reply file cannot be read: %s", file.name)
            return
        upload = InputFile(data, filename=file.name)
        if file.suffix.lower() in PHOTO_SUFFIXES:
            await self.call(chat_id, lambda chat: self.bot.send_photo(chat, photo=upload))
        else:
            await self.call(chat_id, lambda chat: self.bot.send_document(chat, document=upload))

    async def call(self, chat_id: int, request: Callable[[int], Awaitable[T]], *,
                   priority: int = REPLY, new_message: bool = True) -> T:
        """Run one request for a chat within the budget; whatever fails ends as SendError."""
        tries = 0
        while True:
            await self._turn(chat_id, priority, new_message)
            try:
                return await request(chat_id)
            except RetryAfter as err:
                wait = retry_seconds(err)
                self.budget.pause(str(chat_id), wait)
                log.warning("telegram: 429 for a chat, paused %.0f s", wait)
                tries += 1
                if priority == PUSH or tries > self.retries:
                    raise SendError("telegram: flood control", retry_after=wait) from None
            except ChatMigrated as err:
                chat_id = await self._migrated(chat_id, err.new_chat_id)
            except Forbidden as err:
                raise await self._gone(chat_id, err.message, priority) from None
            except BadRequest as err:
                if "chat not found" in err.message.lower():
                    raise await self._gone(chat_id, err.message, priority) from None
                raise SendError(f"{BAD_REQUEST}{err.message}", permanent=True) from None
            except NetworkError as err:  # 5xx, timeouts, connection errors
                tries += 1
                if priority == PUSH or tries > self.retries:
                    raise SendError(f"telegram: {err.message}") from None
                await asyncio.sleep(self.backoff * 2 ** (tries - 1))
            except TelegramError as err:  # e.g. a revoked token: worth trying later
                raise SendError(f"telegram: {err.message}") from None

    async def _turn(self, chat_id: int, priority: int, new_message: bool) -> None:
        max_wait = self.push_max_wait if priority == PUSH else None
        try:
            await self.budget.acquire(str(chat_id), group=chat_id < 0, priority=priority,
                                      max_wait=max_wait, new_message=new_message)
        except Busy as busy:
            raise SendError("telegram: chat busy", retry_after=busy.wait) from None

    async def _migrated(self, old: int, new: int) -> int:
        async with self.store.transaction() as tx:
            await tx.move_branch_chat(CHANNEL, str(old), str(new))
        log.info("telegram: a branch group moved to a new chat id")
        return new

    async def _gone(self, chat_id: int, why: str, priority: int) -> SendError:
        """The chat cannot be reached: record it, tell whom it concerns, build the error."""
        log.warning("telegram: chat unreachable (%s)", why)
        if chat_id < 0:
            async with self.store.transaction() as tx:
                await tx.drop_branch_chat(CHANNEL, str(chat_id))
            return SendError("telegram: removed from the group", permanent=True)
        reason = t(self.locale, "telegram.why.blocked")
        if priority == PUSH:  # the outbox marks it and tells the secretaries itself
            return SendError(reason, unreachable=True)
        await self.mark_unreachable(str(chat_id))
        return SendError(reason, unreachable=True)

    async def mark_unreachable(self, external_id: str) -> None:
        """Mark an account unreachable and, the first time, tell the member's secretaries."""
        now = self.clock.now()
        async with self.store.transaction() as tx:
            if not await tx.newly_unreachable(CHANNEL, external_id, now):
                return
            binding = await tx.get_binding(CHANNEL, external_id)
            member = await tx.get_member(binding.member_id) if binding else None
            if member is None or member.branch_id is None:
                return
            name = member.name

            def note(locale: str) -> str:
                return t(locale, "telegram.unreachable", name=name)

            for secretary in await tx.officers(member.branch_id, "secretary"):
                if secretary.id != member.id:
                    await push(tx, secretary, note, kind="unreachable_notice", now=now,
                               key=f"telegram:unreachable:{external_id}:{ts(now)}:{secretary.id}",
                               default_locale=self.locale)
        self.on_queued()


def retry_seconds(err: RetryAfter) -> float:
    """RetryAfter.retry_after is an int, or a timedelta under PTB_TIMEDELTA: seconds either way."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value: int | float | timedelta = err.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
