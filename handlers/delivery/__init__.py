"""送学上门: members ask for the month's material at home; secretaries assign and confirm."""

from handlers.delivery import assign, request

INTENTS = {**request.INTENTS, **assign.INTENTS}
FLOWS = {**request.FLOWS, **assign.FLOWS}

__all__ = ["FLOWS", "INTENTS"]
