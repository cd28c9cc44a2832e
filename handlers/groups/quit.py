"""退出 书法组 / 书法组我不去了 / 我不参加合唱队了: a member leaves a group.

Only the member's own groups are searched first; a group of the branch they are not in gets
a friendly "您不在…里"; no group named, their groups as numbered buttons to pick from.
"""

from __future__ import annotations

from bot.core.messages import Reply
from bot.understanding import Parsed
from handlers.context import Context
from handlers.groups import membership, pick
from handlers.groups.find import match_group
from handlers.groups.said import said_text


async def handle_quit(ctx: Context, parsed: Parsed) -> list[Reply]:
    """Leave the named group; else ask which of the member's groups."""
    me = ctx.me()
    mine = await ctx.tx.member_groups(me.id)
    text = said_text(ctx, parsed)
    group = match_group(mine, text) if text else None
    if group is not None:
        return await membership.leave(ctx, group)
    if me.branch_id is not None and text:
        other = match_group(await ctx.tx.branch_groups(me.branch_id), text)
        if other is not None:
            return [Reply(ctx.t("group.not_in", group=other.name))]
    if not mine:
        return [Reply(ctx.t("group.none_mine"))]
    return [pick.ask(ctx, "quit", ctx.t("group.pick_quit"), mine)]
