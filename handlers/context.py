"""What a handler is given: the open transaction, the instant, who is speaking, and how."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.core.i18n import t
from bot.core.messages import InboundMessage, Reply
from bot.understanding import Parsed
from bot.understanding.clean import Cleaned, clean
from handlers.flow import Choice, FlowState, OpenConversation, choice_buttons
from handlers.notify import push
from storage import Tx
from storage.models import Binding, Branch, Member

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
    conversation: OpenConversation | None = None
    available: frozenset[str] = frozenset()
    choice: str | None = None
    branch: Branch | None = None  # the member's home branch, as read with the message
    next_conversation: OpenConversation | None = field(default=_UNSET)
    # A conversation left for more than half an hour (and less than a day): a late answer
    # is asked about before it is used, and never read as a menu number.
    paused: OpenConversation | None = None
    # What the message was understood as (a label and the values taken from it), for the
    # understanding corpus and benchmark; the router hands it to an observer if one is set.
    heard: list[tuple[str, dict[str, str]]] = field(default_factory=list)
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

    @property
    def text(self) -> str:
        """What the member typed (or the button's data), trimmed."""
        return (self.message.text or self.message.button or "").strip()

    def answer(self) -> Cleaned:
        """The message as an answer: without greetings, fillers and noise."""
        return clean(self.message.text or "")

    def note(self, label: str, **slots: str) -> None:
        """Record what the message was understood as (the last label wins, slots add up)."""
        merged = {**(self.heard[-1][1] if self.heard else {}), **slots}
        self.heard.append((label, merged))

    def note_slots(self, **slots: str) -> None:
        """Add values to what was understood, keeping its label."""
        if self.heard:
            self.heard[-1][1].update(slots)
        else:
            self.heard.append(("answer", dict(slots)))

    def has_text(self, key: str) -> bool:
        """Whether the catalogue has a text for a key."""
        try:
            self.t(key)
        except KeyError:
            return False
        return True

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

    def goto(self, step: str, state: FlowState, choices: Sequence[Choice] = ()) -> None:
        """Move the state's flow to a step; `choices` are what 1..n (or their labels) mean."""
        self.next_conversation = OpenConversation(state.flow, step, state.dump(), tuple(choices))

    def ask(self, step: str, state: FlowState, text: str,
            choices: Sequence[Choice] = ()) -> Reply:
        """Move to a step and ask its question, with a numbered button per choice."""
        self.goto(step, state, choices)
        return Reply(text, buttons=choice_buttons(choices))

    def readback(self, step: str, state: FlowState, text: str) -> Reply:
        """Move to a read-back step: the text, then 确认 / 取消."""
        return self.ask(step, state, f"{text}\n{self.t('confirm.question')}", self.yes_no())

    def yes_no(self) -> list[Choice]:
        """The two answers of every read-back."""
        return [Choice("确认", self.t("button.confirm")), Choice("取消", self.t("button.cancel"))]

    def after_commit(self, work: AfterCommit) -> None:
        """Run `work` once this message's transaction has committed; add its replies."""
        self.later.append(work)

    def end(self) -> None:
        """Close the conversation."""
        self.next_conversation = None

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
