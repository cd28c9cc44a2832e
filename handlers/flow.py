"""Multi-step conversations: typed state per flow, the choices offered, the question asked.

A flow's state is a small dataclass (`FlowState`), stored as JSON with the conversation, so a
wrong key is a type error where the flow is written, not a KeyError at a member's third
answer. What the member was last asked (the prompt and its choices) is kept beside it: the
router reads a typed label or a number against those choices, repeats the question when an
answer does not fit, and asks again after a pause.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Self, TypeVar

from bot.core.messages import Button, Reply
from storage.models import Conversation

if TYPE_CHECKING:
    from bot.understanding import Parsed
    from bot.understanding.clean import Cleaned
    from handlers.context import Context


@dataclass
class FlowState:
    """The data one flow keeps between a member's answers; subclasses name their flow."""

    flow: ClassVar[str]

    @classmethod
    def load(cls, data: Mapping[str, Any]) -> Self:
        """The state as stored; a key the class does not have is an error, not ignored."""
        return cls(**data)

    def dump(self) -> dict[str, Any]:
        """The state as JSON-ready data."""
        return asdict(self)


@dataclass(frozen=True)
class Choice:
    """One offered answer: `value` is what the button sends and the step reads, `label` what
    the member sees (and may type instead of pressing)."""

    value: str
    label: str


def choice_buttons(choices: Sequence[Choice]) -> tuple[Button, ...]:
    """Numbered buttons, "1 我自己", each sending its choice's value."""
    return tuple(Button(f"{i} {c.label}", c.value) for i, c in enumerate(choices, 1))


@dataclass(frozen=True)
class Prompt:
    """What the member was last asked, to repeat it word for word."""

    text: str
    buttons: tuple[tuple[str, str], ...] = ()

    def reply(self) -> Reply:
        """The question again, with its buttons."""
        return Reply(self.text, buttons=tuple(Button(label, data) for label, data in self.buttons))

    @classmethod
    def of(cls, reply: Reply) -> Prompt:
        """The prompt a reply asks."""
        return cls(reply.text, tuple((b.label, b.data) for b in reply.buttons))


@dataclass(frozen=True)
class OpenConversation:
    """A conversation as handlers see it: flow, step, typed-state data, choices, prompt."""

    flow: str
    step: str
    state: dict[str, Any] = field(default_factory=dict)
    choices: tuple[Choice, ...] = ()
    prompt: Prompt | None = None

    def to_stored(self) -> Conversation:
        """The generic record the store keeps (one JSON column)."""
        data: dict[str, Any] = {"state": self.state,
                                "choices": [[c.value, c.label] for c in self.choices]}
        if self.prompt is not None:
            data["prompt"] = {"text": self.prompt.text,
                              "buttons": [list(b) for b in self.prompt.buttons]}
        return Conversation(self.flow, self.step, data)

    @classmethod
    def from_stored(cls, conv: Conversation) -> OpenConversation:
        """Read a stored conversation (also one saved before choices had labels)."""
        data = conv.data
        if "state" not in data:  # the shape before typed state: options inside the data
            options = [str(o) for o in data.get("options") or []]
            state = {k: v for k, v in data.items() if k != "options"}
            return cls(conv.flow, conv.step, state, tuple(Choice(o, o) for o in options))
        prompt = data.get("prompt")
        return cls(
            conv.flow, conv.step, dict(data["state"]),
            tuple(Choice(str(v), str(label)) for v, label in data.get("choices") or []),
            Prompt(str(prompt["text"]), tuple((str(a), str(b)) for a, b in prompt["buttons"]))
            if prompt else None,
        )

    def with_prompt(self, reply: Reply) -> OpenConversation:
        """The same conversation, remembering the question just asked."""
        return OpenConversation(self.flow, self.step, self.state, self.choices,
                                Prompt.of(reply))


S = TypeVar("S", bound=FlowState)
StepFn = Callable[["Context", S, "Parsed"], Awaitable[list[Reply] | None]]
CorrectFn = Callable[["Context", S, "Cleaned"], Awaitable[list[Reply] | None]]


@dataclass(frozen=True)
class Flow(Generic[S]):
    """A flow's state type and the function that takes each answer (None: not an answer
    here, so the message is read as a new word)."""

    state: type[S]
    step: StepFn[S]
    # At the read-back, 不对，是头疼 / 改成中医院: put the value where it belongs and read back
    # again (None: the value fits nothing here, so the member is asked what to change).
    correct: CorrectFn[S] | None = None

    async def answer(self, ctx: Context, state: Mapping[str, Any],
                     parsed: Parsed) -> list[Reply] | None:
        """Load the typed state and hand the answer to the step function."""
        return await self.step(ctx, self.state.load(state), parsed)
