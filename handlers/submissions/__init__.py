"""我见证 / 我参与 / 我点赞: 投稿, review, the monthly digest, 点赞, 建言献策 (issue #17)."""

from __future__ import annotations

from typing import Any

from bot.understanding import Intent
from handlers.context import Handler
from handlers.flow import Flow

INTENTS: dict[Intent, Handler] = {}
FLOWS: dict[str, Flow[Any]] = {}
