"""One Telegram update in: private messages, button presses and group chatter, answered.

Only this module and its siblings know Telegram: an update becomes an InboundMessage (sender =
the Telegram user id, message id = "chat:update_id", so a redelivered update has one effect and
an update id seen again from another chat is its own message), the router answers, and the
answers go back through the TelegramSender. An update without a usable id is refused. In a
group the bot answers /help and /bindgroup only; anything personal is answered in private,
never in the group.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from telegram import CallbackQuery, Message, Update
from telegram.constants import ChatType
from telegram.error import TelegramError

from bot.channels.telegram.groups import GROUPS, GroupHandler, command_of
from bot.channels.telegram.keys import message_key, update_key
from bot.channels.telegram.menus import OfficerMenus
from bot.channels.telegram.send import CHANNEL, Markup, TelegramSender
from bot.channels.telegram.ui import (
    PAGE_PREFIX,
    Pager,
    PageRef,
    contact_keyboard,
    inline_keyboard,
    main_keyboard,
    paginate,
    pressed_label,
)
from bot.core.clock import Clock
from bot.core.i18n import t
from bot.core.messages import Attachment, InboundMessage, Reply, load_replies
from bot.outbox import SendError
from bot.router import Router
from storage import Store

log = logging.getLogger(__name__)

MAX_DOWNLOAD = 20 * 1024 * 1024  # the Bot API's getFile serves files up to 20 MB


class UpdateHandler:
    """Turns Telegram updates into what the core understands and sends the answers back."""

    def __init__(self, router: Router, sender: TelegramSender, store: Store, clock: Clock,
                 *, locale: str, secret: bytes, notify: Callable[[], None],
                 menus: OfficerMenus | None = None) -> None:
        self.router = router
        self.sender = sender
        self.store = store
        self.clock = clock
        self.locale = locale
        self.notify = notify
        self.menus = menus
        self.menu = main_keyboard(router.available)
        self.contact = contact_keyboard(locale)
        self.pager = Pager(secret, locale)
        self.groups = GroupHandler(router, sender, store, clock, locale=locale)
        self._waiters: dict[int, asyncio.Future[None]] = {}  # id(update): the object itself

    def expect(self, update: Update) -> asyncio.Future[None]:
        """A future resolved once this very update has been handled, its unit of work
        committed (or failed and apologised for): only then is it acknowledged to Telegram,
        by the webhook's 200 or the poller's offset. Keyed by the object, not its id: a
        reused update id from another chat is another update."""
        future = asyncio.get_running_loop().create_future()
        self._waiters[id(update)] = future
        return future

    async def __call__(self, update: Update, context: Any) -> None:
        """PTB's callback for every update: the adapter's boundary."""
        try:
            if update_key(update) is None:
                log.warning("telegram: update without a usable update_id refused")
                return
            await self.dispatch(update)
        except SendError as err:
            log.warning("telegram update %s: answer not delivered: %s", update.update_id,
                        err.reason)
        except Exception:  # boundary: log with the trace, tell the person, keep running
            log.exception("telegram update %s failed", update.update_id)
            await self._apologise(update)
        finally:
            self.notify()  # the router may have queued pushes (after the answer: see _settle)
            waiter = self._waiters.pop(id(update), None)
            if waiter is not None and not waiter.done():
                waiter.set_result(None)

    async def dispatch(self, update: Update) -> None:
        """Route an update by what it carries and where it was sent."""
        if update.callback_query is not None:
            await self._press(update, update.callback_query)
        elif update.my_chat_member is not None:
            await self.groups.membership(update.my_chat_member)
        elif update.message is not None and update.message.from_user is not None:
            if update.message.chat.type == ChatType.PRIVATE:
                await self._private(update, update.message)
            elif update.message.chat.type in GROUPS:
                await self.groups.message(update, update.message)

    # -- private chats -------------------------------------------------------------------------
    async def _private(self, update: Update, message: Message) -> None:
        assert message.from_user is not None
        user_id = message.from_user.id
        text = message.text or message.caption
        command = command_of(text) if text else None
        if command and command[0] == "start":
            async with self.store.transaction() as tx:
                await tx.reachable_again(CHANNEL, str(user_id))
            text = command[1] or "/help"  # /start CODE: a deep link carrying an invite code
        elif command and command[0] == "bindgroup":
            await self.sender.post(message.chat.id, t(self.locale, "telegram.bindgroup_private"),
                                   None)
            return
        attachment = None
        if message.document is not None or message.photo:
            picture = bool(message.photo) or bool(
                message.document and (message.document.mime_type or "").startswith("image/"))
            if not await self.router.takes_file(CHANNEL, str(user_id), picture=picture):
                await self.answer(message.chat.id, update.update_id,
                                  [Reply(t(self.locale, "telegram.file_not_needed"))])
                return
            attachment = await self._download(message)
            if attachment is None:
                await self.answer(message.chat.id, update.update_id,
                                  [Reply(t(self.locale, "telegram.file_too_big"))])
                return
        contact = message.contact
        inbound = self._inbound(update, user_id, text=text,
                                contact_phone=contact.phone_number if contact else None,
                                contact_verified=bool(contact and contact.user_id == user_id),
                                display_name=message.from_user.full_name,
                                attachment=attachment)
        replies = await self.router.handle(inbound)
        await self.answer(message.chat.id, update.update_id, replies)
        if self.menus is not None:
            await self.menus.seen(str(user_id))

    async def _download(self, message: Message) -> Attachment | None:
        """A document or the largest size of a photo, fetched; None when it is too large.

        The handlers decide what a file is for (a visit photo, a study material) and apply
        their own limits; here only the Bot API's own limit applies.
        """
        if message.document is not None:
            doc = message.document
            file_id, size = doc.file_id, doc.file_size
            name, mime = doc.file_name or "file", doc.mime_type or ""
        else:
            photo = message.photo[-1]  # sizes come smallest first
            file_id, size, name, mime = photo.file_id, photo.file_size, "photo.jpg", "image/jpeg"
        if size is not None and size > MAX_DOWNLOAD:
            return None
        remote = await self.sender.bot.get_file(file_id)
        data = bytes(await remote.download_as_bytearray())
        return Attachment(filename=name, mime=mime, data=data)

    def _inbound(self, update: Update, user_id: int, **fields: Any) -> InboundMessage:
        key = update_key(update)
        assert key is not None  # checked in __call__
        return InboundMessage(channel=CHANNEL, sender=str(user_id), message_id=key,
                              received_at=self.clock.now(), **fields)

    async def answer(self, chat_id: int, update_id: int, replies: list[Reply]) -> None:
        """Send the router's replies, in order."""
        for index, reply in enumerate(replies):
            await self._reply(chat_id, update_id, index, reply)

    async def _reply(self, chat_id: int, update_id: int, index: int, reply: Reply) -> None:
        text = reply.text
        if reply.ask_contact:
            text = f"{text}\n{t(self.locale, 'telegram.contact_hint')}"
        pages = paginate(text)
        markup: Markup | None
        if len(pages) > 1:
            text = self.pager.page_text(pages, 0)
            markup = self.pager.markup(chat_id, PageRef(update_id, index, 0), len(pages),
                                       reply.buttons)
        elif reply.buttons:
            markup = inline_keyboard(reply.buttons)
        elif reply.ask_contact:
            markup = self.contact
        else:
            markup = self.menu if reply.show_menu else None
        if text.strip():
            await self.sender.post(chat_id, text, markup)
        for path in reply.files:
            await self.sender.send_file(chat_id, path)

    # -- button presses ------------------------------------------------------------------------
    async def _press(self, update: Update, query: CallbackQuery) -> None:
        data = query.data or ""
        message = query.message
        chat = message.chat if message is not None else None
        if chat is None or chat.type != ChatType.PRIVATE:
            await self._answer_query(query, t(self.locale, "telegram.private_only"))
            return
        if data.startswith(PAGE_PREFIX):
            await self._page(query, chat.id, data)
            return
        inbound = self._inbound(update, query.from_user.id, button=data,
                                display_name=query.from_user.full_name)
        replies = await self.router.handle(inbound)
        if any(reply.stale for reply in replies):
            await self._answer_query(query, t(self.locale, "telegram.stale"))
            return
        await self._answer_query(query, None)
        if isinstance(message, Message):
            await self._settle(message, data)
        await self.answer(chat.id, update.update_id, replies)

    async def _answer_query(self, query: CallbackQuery, text: str | None) -> None:
        try:
            await self.sender.bot.answer_callback_query(query.id, text=text)
        except TelegramError as err:  # too old, or answered already: nothing to undo
            log.info("telegram: callback answer failed: %s", err.message)

    async def _settle(self, message: Message, data: str) -> None:
        """The question is answered: show the choice under it and take the buttons away.

        This goes before the outbox is woken, so that an alert's own "edit" row (someone
        acted on it) lands after it and is what stays.
        """
        label = pressed_label(message.reply_markup, data) or data
        try:
            if message.text is None:
                await self.sender.call(message.chat.id, lambda chat: self.sender.bot
                                       .edit_message_reply_markup(chat, message.message_id),
                                       new_message=False)
                return
            chosen = t(self.locale, "telegram.chosen", label=label)
            await self.sender.rewrite(message.chat.id, message.message_id,
                                      f"{message.text}\n\n{chosen}", None)
        except SendError as err:
            log.info("telegram: could not settle a question: %s", err.reason)

    async def _page(self, query: CallbackQuery, chat_id: int, data: str) -> None:
        ref = self.pager.read(chat_id, data)
        reply = await self._stored_reply(chat_id, ref) if ref else None
        pages = paginate(self._full_text(reply)) if reply else []
        if ref is None or reply is None or ref.page >= len(pages) or query.message is None:
            await self._answer_query(query, t(self.locale, "telegram.page_gone"))
            return
        await self._answer_query(query, None)
        await self.sender.rewrite(chat_id, query.message.message_id,
                                  self.pager.page_text(pages, ref.page),
                                  self.pager.markup(chat_id, ref, len(pages), reply.buttons))

    async def _stored_reply(self, chat_id: int, ref: PageRef) -> Reply | None:
        async with self.store.transaction() as tx:
            stored = await tx.get_processed(CHANNEL, message_key(chat_id, ref.update_id))
        replies = load_replies(stored) if stored else []
        return replies[ref.reply] if ref.reply < len(replies) else None

    def _full_text(self, reply: Reply) -> str:
        hint = f"\n{t(self.locale, 'telegram.contact_hint')}" if reply.ask_contact else ""
        return reply.text + hint

    async def _apologise(self, update: Update) -> None:
        chat = update.effective_chat
        if chat is None or chat.type != ChatType.PRIVATE:
            return
        try:
            await self.sender.post(chat.id, t(self.locale, "error"), None)
        except Exception:  # boundary: the apology itself failed; the trace is logged above
            log.warning("telegram: apology not delivered")

