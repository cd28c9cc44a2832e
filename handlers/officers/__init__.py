"""The officers' words: 出勤, 代签, 邀请, 通知, 报表, 指导, and which branch an officer means."""

from typing import Any

from bot.understanding import Intent
from handlers.context import Handler
from handlers.flow import Flow
from handlers.officers import broadcast, guidance, reports, secretary

INTENTS: dict[Intent, Handler] = {**secretary.INTENTS, **broadcast.INTENTS, **reports.INTENTS,
                                  **guidance.INTENTS}
FLOWS: dict[str, Flow[Any]] = {**secretary.FLOWS, **broadcast.FLOWS, **guidance.FLOWS}

__all__ = ["FLOWS", "INTENTS"]
