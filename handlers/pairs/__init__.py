"""互助对子: who my partner is, help recorded in one sentence, the branch's pairs (issue #17)."""

from __future__ import annotations

from typing import Any

from bot.understanding import Intent
from handlers.context import Handler
from handlers.flow import Flow

INTENTS: dict[Intent, Handler] = {}
FLOWS: dict[str, Flow[Any]] = {}
