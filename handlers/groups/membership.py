"""Putting a member into a group and taking them out: the one place both happen.

Joining needs no read-back: it records nothing sensitive, and 退出 undoes it at once. Both
are audited (who, which group) so a secretary can answer "who put me in the choir?".
"""

from __future__ import annotations

from bot.core.messages import Reply
from handlers.context import Context
from storage.repo_groups import InterestGroup


async def join(ctx: Context, group: InterestGroup) -> list[Reply]:
    """Put the speaker's member in the group (or say they are in it already)."""
    me = ctx.me()
    ctx.note_slots(group=group.name)
    if not await ctx.tx.join_group(group.id, me.id, ctx.now):
        return [Reply(ctx.t("group.already", group=group.name))]
    await ctx.tx.audit("group_join", ctx.now, actor_member_id=me.id, actor=ctx.actor,
                       detail={"group": group.id})
    return [Reply(ctx.t("group.joined", group=group.name))]


async def leave(ctx: Context, group: InterestGroup) -> list[Reply]:
    """Take the speaker's member out of the group (or say they were not in it)."""
    me = ctx.me()
    ctx.note_slots(group=group.name)
    if not await ctx.tx.leave_group(group.id, me.id):
        return [Reply(ctx.t("group.not_in", group=group.name))]
    await ctx.tx.audit("group_quit", ctx.now, actor_member_id=me.id, actor=ctx.actor,
                       detail={"group": group.id})
    return [Reply(ctx.t("group.left", group=group.name))]
