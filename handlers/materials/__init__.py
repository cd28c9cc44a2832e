"""学习资料: the month's material shown to members and published by officers."""

from handlers.materials.show import FLOWS, INTENTS

__all__ = ["FLOWS", "INTENTS"]
