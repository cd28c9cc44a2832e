"""加入 书法组 / 我想加入书法组 / 加入書法組: a member joins a group of their own branch.

The group is the one their words name (match_group: 书法, 书法班, 書法組 all find 书法组);
when none or several fit, the branch's groups are offered as numbered buttons. An officer
naming a group the branch does not have is offered to create it (read back first). An
instructor or admin, who has no branch of their own, acts in a branch they oversee (named,
the only one, or asked which: 加入 城关 书法组).
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.messages import Reply
from bot.understanding import Intent, Parsed
from handlers.common import is_officer
from handlers.context import Context
from handlers.groups import create, membership, pick
from handlers.groups.find import SUFFIXES, fold, match_group
from handlers.groups.said import said_name, said_text
from handlers.officers.branch_scope import officer_branch
from storage.repo_groups import InterestGroup

VERBS = ("我要加入", "加入", "入组", "进组", "入队", "进", "参加")
# Words that say "a group" without naming one (进兴趣小组): never a new group's name.
GENERIC = frozenset({*SUFFIXES, "兴趣组", "兴趣队", "兴趣小组", "小组里", "组里", "队里"})


async def handle_join(ctx: Context, parsed: Parsed) -> list[Reply]:
    """Join the named group; else offer the branch's groups (or, to an officer, a new one)."""
    me = ctx.me()
    branch_id = me.branch_id
    if branch_id is None:
        if not is_officer(ctx):
            return [Reply(ctx.t("group.no_branch"))]
        words = parsed.args.strip() or said_name(ctx, parsed, VERBS)
        scoped = await officer_branch(ctx, words, action="group_join", word="加入",
                                      intent=Intent.JOIN_GROUP)
        if scoped.branch is None:
            return scoped.refusal
        branch_id, parsed = scoped.branch.id, Parsed(parsed.intent, scoped.rest, None)
    groups = await ctx.tx.branch_groups(branch_id)
    text = said_text(ctx, parsed)
    group = match_group(groups, text) if text else None
    if group is not None:
        return await membership.join(ctx, group)
    name = said_name(ctx, parsed, VERBS)
    mentioned = _mentioned(groups, text)
    if fold(name) in GENERIC or len(mentioned) > 1:  # 书法组和门球队: no new group
        name = ""
    if name and is_officer(ctx):
        return [create.offer(ctx, branch_id, name)]
    if not groups:
        return [Reply(ctx.t("group.none"))]
    question = (ctx.t("group.pick_join_named", name=name) if name
                else ctx.t("group.pick_join"))
    return [pick.ask(ctx, "join", question, groups, branch_id)]


def _mentioned(groups: Sequence[InterestGroup], text: str) -> list[InterestGroup]:
    """Every group the words mention (书法和门球: two — then nobody means a new group)."""
    return [g for g in groups if match_group([g], text) is not None]
