"""五必访: reporting hospital stays, hardship and deaths; visit tasks, alerts and escalation."""

from handlers.care import report, tasks

INTENTS = {**report.INTENTS, **tasks.INTENTS}
FLOWS = {**report.FLOWS, **tasks.FLOWS}

__all__ = ["FLOWS", "INTENTS"]
