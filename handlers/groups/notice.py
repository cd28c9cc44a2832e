"""通知 书法组 …: a notice to one group's members only (used by handlers/officers/broadcast).

The group is read from the notice's *first word* alone and only when that word is a group's
name (书法组, 书法, 書法組): a notice's body is never searched, so "通知 合唱比赛改到周五"
still goes to the whole branch.
"""

from __future__ import annotations

import re

from handlers.context import Context
from handlers.groups.find import group_named
from storage.repo_groups import InterestGroup

_FIRST = re.compile(r"[\s，,：:。]+")


async def notice_group(ctx: Context, branch_id: int,
                       words: str) -> tuple[InterestGroup | None, str]:
    """The branch's group the first word names, and the notice after it (no group: the
    words as they were)."""
    parts = _FIRST.split(words.strip(), maxsplit=1)
    group = group_named(await ctx.tx.branch_groups(branch_id), parts[0]) if parts[0] else None
    if group is None:
        return None, words
    return group, parts[1].strip() if len(parts) > 1 else ""


async def group_readers(ctx: Context, group_id: int) -> set[int]:
    """Who a group notice is for: the group's active members."""
    return set(await ctx.tx.group_member_ids(group_id))
