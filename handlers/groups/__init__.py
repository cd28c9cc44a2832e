"""Interest groups: 加入 书法组, 退出 书法组, notices to a group only (issue #17)."""

from __future__ import annotations

from typing import Any

from bot.understanding import Intent
from handlers.context import Handler
from handlers.flow import Flow
from handlers.groups.create import GroupCreateState, continue_create, correct_create
from handlers.groups.join import handle_join
from handlers.groups.pick import GroupPickState, continue_pick
from handlers.groups.quit import handle_quit

INTENTS: dict[Intent, Handler] = {
    Intent.JOIN_GROUP: handle_join,
    Intent.QUIT_GROUP: handle_quit,
}
FLOWS: dict[str, Flow[Any]] = {
    "group_pick": Flow(GroupPickState, continue_pick),
    "group_create": Flow(GroupCreateState, continue_create, correct_create),
}
