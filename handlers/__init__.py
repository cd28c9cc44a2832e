"""Feature handlers, one package per feature, assembled here into one registry."""

from __future__ import annotations

from typing import Any

from bot.understanding import Intent
from handlers import (
    activities,
    care,
    common,
    delivery,
    dialogue,
    groups,
    materials,
    meetings,
    officers,
    pairs,
    study,
    submissions,
)
from handlers.context import Handler
from handlers.flow import Flow

INTENT_HANDLERS: dict[Intent, Handler] = {
    **common.INTENTS,
    **dialogue.INTENTS,
    **study.INTENTS,
    **officers.INTENTS,
    **care.INTENTS,
    **materials.INTENTS,
    **delivery.INTENTS,
    **meetings.INTENTS,
    **pairs.INTENTS,
    **groups.INTENTS,
    **activities.INTENTS,
    **submissions.INTENTS,
}

FLOWS: dict[str, Flow[Any]] = {
    **study.FLOWS,
    **officers.FLOWS,
    **care.FLOWS,
    **materials.FLOWS,
    **delivery.FLOWS,
    **meetings.FLOWS,
    **pairs.FLOWS,
    **groups.FLOWS,
    **activities.FLOWS,
    **submissions.FLOWS,
}
