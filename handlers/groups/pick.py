"""Which group, from a numbered list: "想加入哪个？1 书法组 2 门球队".

Asked when a member's words name no group of theirs (or more than one). Only a choice joins
or leaves — a button, its number, or its label typed (書法組, 书法) — never a guess from
other words: anything else typed repeats the question.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.messages import Reply
from bot.understanding import Parsed
from handlers.context import Context
from handlers.flow import Choice, FlowState
from handlers.groups import membership
from storage.repo_groups import InterestGroup

MAX_LISTED = 20  # groups as buttons; a branch has a handful


@dataclass
class GroupPickState(FlowState):
    """加入 / 退出 waiting for the member to pick the group."""

    flow = "group_pick"
    action: str  # "join" or "quit"
    branch_id: int | None = None  # whose groups a 加入 chooses from


def ask(ctx: Context, action: str, question: str, groups: Sequence[InterestGroup],
        branch_id: int | None = None) -> Reply:
    """The question with one numbered button per group (and 取消)."""
    choices = [Choice(g.name, g.name) for g in groups[:MAX_LISTED]]
    choices.append(Choice("取消", ctx.t("button.cancel")))
    return ctx.ask("pick", GroupPickState(action, branch_id), question, choices)


async def continue_pick(ctx: Context, state: GroupPickState,
                        parsed: Parsed) -> list[Reply] | None:
    """A chosen group: join or leave it. Anything but a choice: the question again."""
    if ctx.choice is None:
        return None
    me = ctx.me()
    if state.action == "join":
        pool = await ctx.tx.branch_groups(state.branch_id) if state.branch_id else []
    else:
        pool = await ctx.tx.member_groups(me.id)
    group = next((g for g in pool if g.name == ctx.choice), None)
    ctx.end()
    if group is None:  # deleted meanwhile, or the member moved branch
        return [Reply(ctx.t("group.gone"))]
    if state.action == "join":
        return await membership.join(ctx, group)
    return await membership.leave(ctx, group)
