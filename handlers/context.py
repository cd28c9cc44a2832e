"""What a handler is given: the open transaction, the instant, who is speaking, and how."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.core.i18n import t
from bot.core.messages import Button, InboundMessage, Reply
from bot.understanding import Parsed
from handlers.notify import push
from storage import Tx
from storage.models import Binding, Branch, Conversation, Member

_UNSET: Any = object()
AfterCommit = Callable[[], Awaitable[list[Reply]]]


@dataclass
class Context:
    """One inbound message being handled inside one transaction."""

    tx: Tx
    now: datetime
    tz: ZoneInfo
    locale: str
    default_locale: str
    message: InboundMessage
    member: Member | None = None
    binding: Binding | None = None
    conversation: Conversation | None = None
    available: frozenset[str] = frozenset()
    choice: str | None = None
    branch: Branch | None = None  # the member's home branch, as read with the message
    next_conversation: Any = field(default=_UNSET)
    # Slow work that needs nothing from the transaction (drawing a chart): run by the router
    # after the commit, outside the store's lock; its replies follow the handler's.
    later: list[AfterCommit] = field(default_factory=list)

    @property
    def actor(self) -> tuple[str, str]:
        """The chat account speaking: (channel, external id)."""
        return self.message.channel, self.message.sender

    @property
    def for_family(self) -> bool:
        """True when a family member is speaking for the member."""
        return self.binding is not None and self.binding.relation is not None

    @property
    def conversation_changed(self) -> bool:
        """Whether the handler started, moved or ended a conversation."""
        return self.next_conversation is not _UNSET

    def t(self, key: str, **params: object) -> str:
        """Text in the speaker's language."""
        return t(self.locale, key, **params)

    def local(self, moment: datetime | None = None) -> datetime:
        """An instant (now by default) in the branch's time zone."""
        return (moment or self.now).astimezone(self.tz)

    def me(self) -> Member:
        """The member this account speaks for (handlers of bound accounts only)."""
        assert self.member is not None
        return self.member

    def goto(self, flow: str, step: str, data: dict[str, Any], options: list[str]) -> None:
        """Move a conversation to a step; `options` are what menu numbers 1..n mean there."""
        self.next_conversation = Conversation(flow, step, {**data, "options": options})

    def after_commit(self, work: AfterCommit) -> None:
        """Run `work` once this message's transaction has committed; add its replies."""
        self.later.append(work)

    def end(self) -> None:
        """Close the conversation."""
        self.next_conversation = None

    def confirm_reply(self, text: str) -> Reply:
        """A read-back with the 确认 / 取消 buttons."""
        return Reply(
            text=f"{text}\n{self.t('confirm.question')}",
            buttons=(
                Button(f"1 {self.t('button.confirm')}", "确认"),
                Button(f"2 {self.t('button.cancel')}", "取消"),
            ),
        )

    async def push(
        self,
        recipient: Member,
        key: str,
        idempotency_key: str,
        kind: str,
        *,
        urgent: bool = False,
        **params: object,
    ) -> bool:
        """Queue a message for someone else, in their language, once per key."""
        return await push(
            self.tx, recipient, lambda locale: t(locale, key, **params), key=idempotency_key,
            kind=kind, now=self.now, default_locale=self.default_locale, urgent=urgent,
        )


Handler = Callable[[Context, Parsed], Awaitable[list[Reply]]]
FlowStep = Callable[[Context, Parsed], Awaitable[list[Reply] | None]]
