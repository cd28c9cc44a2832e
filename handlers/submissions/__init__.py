"""我见证 / 我参与 / 我点赞: 投稿, review, the monthly digest, 点赞, 建言献策 (issue #17)."""

from __future__ import annotations

from typing import Any

from bot.understanding import Intent
from handlers.context import Handler
from handlers.flow import Flow
from handlers.submissions import advice, digest, likes, review, submit, theme

INTENTS: dict[Intent, Handler] = {
    **submit.INTENTS,
    **review.INTENTS,
    **advice.INTENTS,
    **theme.INTENTS,
    **digest.INTENTS,
    **likes.INTENTS,
}
FLOWS: dict[str, Flow[Any]] = {
    **submit.FLOWS,
    **review.FLOWS,
    **advice.FLOWS,
    **theme.FLOWS,
    **digest.FLOWS,
    **likes.FLOWS,
}
