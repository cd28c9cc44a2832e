"""送学上门: members ask for the month's material at home; secretaries assign and confirm."""

from typing import Any

from bot.understanding import Intent
from handlers.context import Handler
from handlers.delivery import assign, request
from handlers.flow import Flow

INTENTS: dict[Intent, Handler] = {**request.INTENTS, **assign.INTENTS}
FLOWS: dict[str, Flow[Any]] = {**request.FLOWS, **assign.FLOWS}

__all__ = ["FLOWS", "INTENTS"]
