"""三会一课 in chat: 开会 (an officer adds a meeting) and 改期 (moves the next study day)."""

from typing import Any

from bot.understanding import Intent
from handlers.context import Handler
from handlers.flow import Flow
from handlers.meetings import add, move

INTENTS: dict[Intent, Handler] = {**add.INTENTS, **move.INTENTS}
FLOWS: dict[str, Flow[Any]] = {**add.FLOWS, **move.FLOWS}

__all__ = ["FLOWS", "INTENTS"]
