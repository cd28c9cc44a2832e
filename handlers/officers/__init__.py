"""The secretary's words: 出勤, 代签, 邀请, 通知, 报表, and which branch an officer means."""

from handlers.officers import broadcast, reports, secretary

INTENTS = {**secretary.INTENTS, **broadcast.INTENTS, **reports.INTENTS}
FLOWS = {**secretary.FLOWS, **broadcast.FLOWS}

__all__ = ["FLOWS", "INTENTS"]
