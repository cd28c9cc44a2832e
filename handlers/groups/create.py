"""新建兴趣小组: an officer names a group the branch does not have yet (加入 书法组).

Read back — "新建兴趣小组“书法组”？" — and created on 确认 in the officer's own branch. The
officer is not made a member (a secretary founding the choir need not sing in it); 取消
creates nothing. 不对，是书法班 at the read-back renames it.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.messages import Reply
from bot.understanding import Intent, Parsed
from bot.understanding.clean import Cleaned
from handlers.context import Context
from handlers.flow import FlowState
from handlers.groups.said import MAX_NAME


@dataclass
class GroupCreateState(FlowState):
    """新建兴趣小组: the branch and the name, until 确认."""

    flow = "group_create"
    branch_id: int
    name: str


def offer(ctx: Context, branch_id: int, name: str) -> Reply:
    """The read-back of a new group."""
    ctx.note_slots(group=name)
    return ctx.readback("confirm", GroupCreateState(branch_id, name),
                        ctx.t("group.create_readback", group=name))


async def continue_create(ctx: Context, state: GroupCreateState,
                          parsed: Parsed) -> list[Reply] | None:
    """确认: the group exists (once, however often 确认 arrives)."""
    if parsed.intent is not Intent.CONFIRM:
        return None
    ctx.end()
    me = ctx.me()
    group = await ctx.tx.ensure_group(state.branch_id, state.name, me.id, ctx.now)
    await ctx.tx.audit("group_create", ctx.now, actor_member_id=me.id, actor=ctx.actor,
                       detail={"group": group.id, "branch": state.branch_id})
    return [Reply(ctx.t("group.created", group=group.name))]


async def correct_create(ctx: Context, state: GroupCreateState,
                         value: Cleaned) -> list[Reply] | None:
    """不对，是书法班: the name, rewritten (a name too long fits nothing here)."""
    name = value.typed.strip("，,。.！!？?“”\"' ")
    if not name or len(name) > MAX_NAME or name.isdigit():
        return None
    return [offer(ctx, state.branch_id, name)]
