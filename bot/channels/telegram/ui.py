"""What members see on Telegram: the big reply keyboard, inline choices, pages of long lists."""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from bot.core.i18n import t
from bot.core.messages import Button
from bot.understanding import Intent, keyword

log = logging.getLogger(__name__)

MAX_TEXT = 4096  # Telegram's limit for one message
PAGE_CHARS = 3000  # a page an elderly reader can take in; well under MAX_TEXT
MAX_CALLBACK_BYTES = 64
PAGE_PREFIX = "pg:"
# The big keyboard: the member's main actions, shown when the router offers them.
MAIN_ACTIONS = (Intent.CHECKIN, Intent.LEAVE, Intent.DELIVERY, Intent.HOSPITAL, Intent.NEXT,
                Intent.HELP)
# Slash commands registered with Telegram (the router understands them all, and more).
MEMBER_COMMANDS = (Intent.CHECKIN, Intent.LEAVE, Intent.DELIVERY, Intent.HOSPITAL, Intent.NEXT,
                   Intent.MATERIAL, Intent.ME, Intent.HELP)
OFFICER_COMMANDS = (Intent.VISITS, Intent.DELIVERIES, Intent.ATTENDANCE, Intent.PROXY,
                    Intent.BROADCAST, Intent.REPORT, Intent.INVITE)


def main_keyboard(available: Iterable[str]) -> ReplyKeyboardMarkup:
    """The persistent, resized keyboard of main actions, two large buttons a row."""
    offered = set(available)
    labels = [keyword(i) for i in MAIN_ACTIONS if i.value in offered or i is Intent.HELP]
    rows = [labels[i:i + 2] for i in range(0, len(labels), 2)]
    return ReplyKeyboardMarkup(rows, resize_keyboard=True, is_persistent=True)


def contact_keyboard(locale: str) -> ReplyKeyboardMarkup:
    """One big button that shares the member's own phone number (private chats only)."""
    button = KeyboardButton(t(locale, "telegram.contact_button"), request_contact=True)
    return ReplyKeyboardMarkup([[button]], resize_keyboard=True, is_persistent=True,
                               one_time_keyboard=True)


def inline_keyboard(buttons: Sequence[Button],
                    extra_rows: Sequence[Sequence[InlineKeyboardButton]] = ()
                    ) -> InlineKeyboardMarkup | None:
    """One choice a row (easy to hit), after any navigation rows; None when there is none."""
    rows = [list(row) for row in extra_rows]
    for button in buttons:
        if len(button.data.encode()) > MAX_CALLBACK_BYTES:
            log.error("button data over %d bytes left out: %r", MAX_CALLBACK_BYTES, button.label)
            continue
        rows.append([InlineKeyboardButton(button.label, callback_data=button.data)])
    return InlineKeyboardMarkup(rows) if rows else None


def buttons_from_rows(buttons: Sequence[dict[str, str]]) -> tuple[Button, ...]:
    """Outbox rows carry buttons as {"label", "data"} mappings."""
    return tuple(Button(b["label"], b["data"]) for b in buttons)


def commands(locale: str, available: Iterable[str]) -> list[BotCommand]:
    """The member commands for Telegram's menu, described in one language."""
    offered = set(available)
    return [BotCommand(i.value, t(locale, f"telegram.cmd.{i.value}"))
            for i in MEMBER_COMMANDS if i.value in offered or i is Intent.HELP]


def officer_commands(locale: str, available: Iterable[str]) -> list[BotCommand]:
    """A secretary's menu: the member commands, then the secretary words."""
    offered = set(available)
    return commands(locale, offered) + [
        BotCommand(i.value, t(locale, f"telegram.cmd.{i.value}"))
        for i in OFFICER_COMMANDS if i.value in offered]


def group_commands(locale: str) -> list[BotCommand]:
    """What the bot does in a group chat."""
    return [BotCommand("help", t(locale, "telegram.cmd.help")),
            BotCommand("bindgroup", t(locale, "telegram.cmd.bindgroup"))]


def paginate(text: str, limit: int = PAGE_CHARS) -> list[str]:
    """Split text into pages at line ends; a line longer than the room left (a long list of
    names) is broken after a 、 or a space where it can be, else anywhere."""
    pages: list[str] = []
    current = ""
    for line in text.split("\n"):
        while True:
            sep = "\n" if current else ""
            room = limit - len(current) - len(sep)
            if len(line) <= room:
                current += sep + line
                break
            cut = _cut(line, room) if len(line) > limit or not current else 0
            if cut:
                current += sep + line[:cut]
                line = line[cut:]
            pages.append(current)
            current = ""
    pages.append(current)
    return pages


def _cut(line: str, room: int) -> int:
    """Where to break a long line to fit `room` characters (0: not here)."""
    if room <= 0:
        return 0
    at = max(line.rfind("、", 0, room), line.rfind(" ", 0, room)) + 1
    return at or room


def pressed_label(markup: InlineKeyboardMarkup | None, data: str) -> str | None:
    """The label of the button that sent `data`, if the message still shows it."""
    for row in markup.inline_keyboard if markup else ():
        for button in row:
            if button.callback_data == data:
                return button.text
    return None


@dataclass(frozen=True)
class PageRef:
    """Which page of which stored reply a navigation button shows."""

    update_id: int
    reply: int
    page: int


class Pager:
    """Navigation buttons for long replies, signed so a forged press shows nothing."""

    def __init__(self, secret: bytes, locale: str) -> None:
        self.secret = secret
        self.locale = locale

    def page_text(self, pages: Sequence[str], index: int) -> str:
        """A page with its position underneath."""
        footer = t(self.locale, "telegram.page", n=index + 1, total=len(pages))
        return f"{pages[index]}\n\n{footer}"

    def markup(self, chat_id: int, ref: PageRef, total: int,
               buttons: Sequence[Button]) -> InlineKeyboardMarkup | None:
        """◀ / ▶ for the pages around this one, then the reply's own buttons."""
        nav = []
        if ref.page > 0:
            nav.append(self._button(chat_id, ref, ref.page - 1, "telegram.prev"))
        if ref.page + 1 < total:
            nav.append(self._button(chat_id, ref, ref.page + 1, "telegram.next"))
        return inline_keyboard(buttons, [nav] if nav else [])

    def read(self, chat_id: int, data: str) -> PageRef | None:
        """The page a navigation press asks for, or None if the data was not signed by us."""
        parts = data[len(PAGE_PREFIX):].split(":")
        if len(parts) != 4 or not all(p.isdigit() for p in parts[:3]):
            return None
        ref = PageRef(int(parts[0]), int(parts[1]), int(parts[2]))
        if not hmac.compare_digest(parts[3], self._sign(chat_id, ref)):
            return None
        return ref

    def _button(self, chat_id: int, ref: PageRef, page: int, key: str) -> InlineKeyboardButton:
        target = PageRef(ref.update_id, ref.reply, page)
        data = (f"{PAGE_PREFIX}{target.update_id}:{target.reply}:{target.page}:"
                f"{self._sign(chat_id, target)}")
        return InlineKeyboardButton(t(self.locale, key), callback_data=data)

    def _sign(self, chat_id: int, ref: PageRef) -> str:
        message = f"{chat_id}:{ref.update_id}:{ref.reply}:{ref.page}".encode()
        return hmac.new(self.secret, message, hashlib.sha256).hexdigest()[:12]
