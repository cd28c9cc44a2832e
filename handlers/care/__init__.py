"""五必访: reporting hospital stays, hardship and deaths; visit tasks, alerts and escalation."""

from typing import Any

from bot.understanding import Intent
from handlers.care import report, tasks
from handlers.context import Handler
from handlers.flow import Flow

INTENTS: dict[Intent, Handler] = {**report.INTENTS, **tasks.INTENTS}
FLOWS: dict[str, Flow[Any]] = {**report.FLOWS, **tasks.FLOWS}

__all__ = ["FLOWS", "INTENTS"]
