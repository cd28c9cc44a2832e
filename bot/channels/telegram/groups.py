"""A branch's Telegram group: /help and /bindgroup answered there, nothing personal ever.

A member who types 住院 (or any personal word) in the group is answered in private through
the outbox; someone the bot does not know gets one line asking them to message it privately.
Sentences that merely contain a keyword, and answers like 好的, are chatter and left alone.
"""

from __future__ import annotations

import logging
import re
import unicodedata

from telegram import ChatMemberUpdated, Message, Update
from telegram.constants import ChatMemberStatus, ChatType

from bot.channels.telegram.keys import message_key
from bot.channels.telegram.send import CHANNEL, TelegramSender
from bot.core.clock import Clock
from bot.core.i18n import t
from bot.core.messages import InboundMessage
from bot.router import Router
from bot.understanding import MEMBER_MENU, SECRETARY_MENU, Intent, parse
from handlers.binding import find_code
from storage import Store, Tx
from storage.models import Branch

log = logging.getLogger(__name__)

GROUPS = (ChatType.GROUP, ChatType.SUPERGROUP)
_COMMAND = re.compile(r"^/([A-Za-z0-9_]+)(?:@(\w+))?(?:\s+(.*))?$", re.DOTALL)
_CODE_ONLY = re.compile(r"[\d\s\-–—]{8,12}")
# Only these start something from a group; 好的 / 对 / 不 are what people say to each other.
PERSONAL = frozenset({*MEMBER_MENU, *SECRETARY_MENU, Intent.DISCHARGE, Intent.HARDSHIP,
                      Intent.WORRY, Intent.DEATH})


def command_of(text: str) -> tuple[str, str, str | None] | None:
    """("start", "12345678", "zhibu_bot") for "/start@zhibu_bot 12345678" (no @: None)."""
    match = _COMMAND.match(text.strip())
    if match is None:
        return None
    return match.group(1).lower(), (match.group(3) or "").strip(), match.group(2)


class GroupHandler:
    """What the bot does in group chats, and when it is added to or removed from one."""

    def __init__(self, router: Router, sender: TelegramSender, store: Store, clock: Clock,
                 *, locale: str) -> None:
        self.router = router
        self.sender = sender
        self.store = store
        self.clock = clock
        self.locale = locale

    async def message(self, update: Update, message: Message) -> None:
        """A message in a group the bot is in."""
        assert message.from_user is not None
        text = message.text or message.caption or ""
        command = command_of(text)
        if command and command[2] and command[2].lower() != (self.sender.bot.username or
                                                             "").lower():
            return  # a command for another bot in the same group
        name = command[0] if command else None
        if name == "help":
            await self._line(message, "telegram.group_help")
        elif name == "bindgroup":
            await self._bind_group(message, message.from_user.id)
        elif name == "start" or message.contact is not None or _is_code(text):
            await self._line(message, "telegram.private_only")
        else:
            parsed = parse(text)
            if parsed.intent in PERSONAL and (command or not parsed.args):
                await self._in_private(update, message, message.from_user.id, text)

    async def membership(self, change: ChatMemberUpdated) -> None:
        """The bot was blocked or unblocked in private, or removed from a group."""
        gone = change.new_chat_member.status in (ChatMemberStatus.BANNED, ChatMemberStatus.LEFT)
        if change.chat.type == ChatType.PRIVATE:
            if gone:
                await self.sender.mark_unreachable(str(change.chat.id))
                return
            async with self.store.transaction() as tx:
                await tx.reachable_again(CHANNEL, str(change.chat.id))
        elif change.chat.type in GROUPS and gone:
            async with self.store.transaction() as tx:
                await tx.drop_branch_chat(CHANNEL, str(change.chat.id))

    async def _line(self, message: Message, key: str, **params: object) -> None:
        await self.sender.post(message.chat.id, t(self.locale, key, **params), None)

    async def _in_private(self, update: Update, message: Message, user_id: int,
                          text: str) -> None:
        """Something personal said in a group: the answer goes to the member in private."""
        async with self.store.transaction() as tx:
            binding = await tx.get_binding(CHANNEL, str(user_id))
        if binding is None:
            await self._line(message, "telegram.private_only")
            return
        inbound = InboundMessage(channel=CHANNEL, sender=str(user_id),
                                 message_id=message_key(message.chat.id, update.update_id),
                                 received_at=self.clock.now(), text=text, chat_kind="group")
        replies = await self.router.handle(inbound)
        now = self.clock.now()
        async with self.store.transaction() as tx:
            for index, reply in enumerate(replies):
                buttons = [{"label": b.label, "data": b.data} for b in reply.buttons]
                key = f"telegram:group:{message.chat.id}:{update.update_id}:{index}"
                await tx.enqueue(key, binding.member_id,
                                 "private_reply", reply.text, now, buttons=buttons, urgent=True)

    async def _bind_group(self, message: Message, user_id: int) -> None:
        """/bindgroup from a branch secretary: the branch's broadcasts may be posted here."""
        now = self.clock.now()
        async with self.store.transaction() as tx:
            branch = await _officer_branch(tx, user_id)
            if branch is not None:
                await tx.set_branch_chat(CHANNEL, str(message.chat.id), branch.id,
                                         message.chat.title, now)
                await tx.audit("bind_group", now, actor=(CHANNEL, str(user_id)),
                               detail={"branch": branch.id, "chat": message.chat.id})
        if branch is None:
            await self._line(message, "telegram.bindgroup_denied")
        else:
            await self._line(message, "telegram.bindgroup_ok", branch=branch.name)


async def _officer_branch(tx: Tx, user_id: int) -> Branch | None:
    """The home branch of the officer this account speaks for (not a family member's)."""
    binding = await tx.get_binding(CHANNEL, str(user_id))
    if binding is None or binding.relation is not None:
        return None
    member = await tx.get_member(binding.member_id)
    if member is None or not member.is_officer or member.branch_id is None:
        return None
    return await tx.get_branch(member.branch_id)


def _is_code(text: str) -> bool:
    """A message that is only an invite code (someone trying to bind in the group)."""
    folded = unicodedata.normalize("NFKC", text).strip()
    return bool(_CODE_ONLY.fullmatch(folded)) and find_code(folded) is not None
