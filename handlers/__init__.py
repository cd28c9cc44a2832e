"""Feature handlers, one module per feature, assembled here into one registry."""

from __future__ import annotations

from bot.text import Intent
from handlers import (
    broadcast,
    care,
    care_tasks,
    common,
    delivery,
    delivery_assign,
    materials,
    reports,
    secretary,
    study,
)
from handlers.context import FlowStep, Handler

INTENT_HANDLERS: dict[Intent, Handler] = {
    **broadcast.INTENTS,
    **common.INTENTS,
    **study.INTENTS,
    **secretary.INTENTS,
    **care.INTENTS,
    **care_tasks.INTENTS,
    **materials.INTENTS,
    **reports.INTENTS,
    **delivery.INTENTS,
    **delivery_assign.INTENTS,
}

FLOWS: dict[str, FlowStep] = {
    **broadcast.FLOWS,
    **study.FLOWS,
    **secretary.FLOWS,
    **care.FLOWS,
    **care_tasks.FLOWS,
    **materials.FLOWS,
    **delivery.FLOWS,
    **delivery_assign.FLOWS,
}
