"""Officers see their words in Telegram's command menu too: a menu scoped to their chat.

The bot-wide menu lists the member commands; a secretary, instructor or admin gets, in their
own private chat, the member commands followed by 待访, 送学单, 出勤, 代签, 通知, 报表, 邀请. Set
for every bound officer at start-up (in the background), and for a chat the first time it
writes while bound (an officer who has just bound with their code, or been made secretary by
a new roster).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from telegram import Bot, BotCommandScopeChat
from telegram.error import TelegramError

from bot.channels.telegram.send import CHANNEL
from bot.channels.telegram.ui import officer_commands
from storage import Store

log = logging.getLogger(__name__)


class OfficerMenus:
    """Sets the per-chat command menus of officers, once per chat and process."""

    def __init__(self, bot: Bot, store: Store, available: Iterable[str], locale: str) -> None:
        self.bot = bot
        self.store = store
        self.available = frozenset(available)
        self.locale = locale if locale.startswith("zh") else "zh-Hans"
        self._settled: set[str] = set()  # bound chats looked at since start

    async def set_all(self) -> int:
        """At start-up: every bound officer's chat; the number of menus set."""
        async with self.store.transaction() as tx:
            officers = await tx.officer_accounts(CHANNEL)
        done = 0
        for account, language in officers:
            if await self._set(account, language):
                self._settled.add(account)
                done += 1
        return done

    async def seen(self, account: str) -> None:
        """After a private message: the first time a bound chat writes, settle its menu."""
        if account in self._settled:
            return
        async with self.store.transaction() as tx:
            binding = await tx.get_binding(CHANNEL, account)
            member = await tx.get_member(binding.member_id) if binding else None
        if binding is None or member is None:
            return  # a stranger (perhaps about to bind): look again at their next message
        officer = member.is_officer and member.status == "active" and binding.relation is None
        if not officer or await self._set(account, member.language or binding.locale):
            self._settled.add(account)

    async def _set(self, account: str, language: str | None) -> bool:
        locale = language if language in ("zh-Hans", "zh-Hant", "en") else self.locale
        try:
            await self.bot.set_my_commands(officer_commands(locale, self.available),
                                           scope=BotCommandScopeChat(int(account)))
        except (TelegramError, ValueError) as err:  # a menu is a convenience: log, go on
            log.warning("telegram: could not set an officer's command menu: %s", err)
            return False
        return True
