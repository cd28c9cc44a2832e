"""Interest groups: 加入 书法组, 退出 书法组, notices to a group only (issue #17)."""

from __future__ import annotations

from typing import Any

from bot.understanding import Intent
from handlers.context import Handler
from handlers.flow import Flow

INTENTS: dict[Intent, Handler] = {}
FLOWS: dict[str, Flow[Any]] = {}
