"""A guess asked back: "您是要签到吗？ [是] [不是]" — nothing is done from a guess without a yes."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.core.messages import Reply
from bot.understanding import Intent, Parsed, keyword
from handlers.context import Context, Handler
from handlers.flow import Choice, FlowState

_YES, _NO = "是", "不是"


@dataclass
class GuessState(FlowState):
    """What the message seemed to mean, to be done on 是."""

    flow = "guess"
    intent: str
    args: str = ""
    slots: list[list[str]] = field(default_factory=list)


def ask(ctx: Context, parsed: Parsed) -> list[Reply]:
    """One yes/no question before acting on a guess."""
    assert parsed.intent is not None
    state = GuessState(parsed.intent.value, parsed.args, [list(s) for s in parsed.slots])
    choices = [Choice(_YES, ctx.t("guess.yes")), Choice(_NO, ctx.t("guess.no"))]
    word = ctx.t(f"menu.{parsed.intent.value}") if ctx.has_text(
        f"menu.{parsed.intent.value}") else keyword(parsed.intent)
    return [ctx.ask("ask", state, ctx.t("guess.ask", word=word), choices)]


async def answer(ctx: Context, state: GuessState, intents: dict[Intent, Handler]) -> list[Reply]:
    """是: do it, as the word would; 不是: nothing is done."""
    ctx.end()
    if ctx.choice != _YES:
        return [Reply(ctx.t("guess.not_that"), show_menu=True)]
    intent = Intent(state.intent)
    slots = tuple((k, v) for k, v in state.slots)
    return await intents[intent](ctx, Parsed(intent, state.args, None, slots))
