"""Activities: 活动 (an officer creates one, its people are invited), 报名 / 取消报名 with a
waiting list, 我的活动, 签到 at an activity, 时长 (volunteer hours) and the day-before
reminder (issue #17, item 2)."""

from __future__ import annotations

from typing import Any

from bot.understanding import Intent
from handlers.activities import create, hours, mine, signup
from handlers.context import Handler
from handlers.flow import Flow

INTENTS: dict[Intent, Handler] = {
    **create.INTENTS,
    **signup.INTENTS,
    **hours.INTENTS,
    Intent.ACTIVITIES: mine.handle_activities,
}
FLOWS: dict[str, Flow[Any]] = {
    **create.FLOWS,
    **signup.FLOWS,
    **hours.FLOWS,
}
