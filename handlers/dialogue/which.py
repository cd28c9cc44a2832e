"""A word that needs one more thing first: "您要看哪个支部？1 城关… 2 东城…".

The question remembers the word and what followed it; the member's choice (a button, its
number, or its label typed) is put in front of those words and the word is done as if it had
been said whole: `出勤` → 2 → `出勤 东城离退休干部党支部`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.messages import Reply
from bot.understanding import Intent, Parsed
from handlers.context import Context, Handler
from handlers.flow import Choice, FlowState


@dataclass
class WhichState(FlowState):
    """The word waiting for its missing part, and the words that came with it."""

    flow = "which"
    intent: str
    args: str = ""


def ask(ctx: Context, intent: Intent, args: str, question: str,
        choices: Sequence[Choice]) -> list[Reply]:
    """Ask which one; the choice values are what goes in front of `args`."""
    return [ctx.ask("ask", WhichState(intent.value, args), question, choices)]


async def answer(ctx: Context, state: WhichState, intents: dict[Intent, Handler]) -> list[Reply]:
    """The word again, with the chosen part in front of its words."""
    ctx.end()
    intent = Intent(state.intent)
    args = f"{ctx.choice} {state.args}".strip()
    return await intents[intent](ctx, Parsed(intent, args, None))
