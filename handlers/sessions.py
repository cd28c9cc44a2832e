"""Finding a branch's study session for an instant: today's, or the next one."""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core.rules import RuleError, StudyDayRule, parse_rule
from handlers.context import Context
from storage import Tx
from storage.models import Branch, Member, StudySession

CHECKIN_OPENS_BEFORE = timedelta(hours=1)


def branch_rule(branch: Branch | None) -> StudyDayRule | None:
    """The branch's study-day rule, or None when none is set (or it no longer parses)."""
    if branch is None or not branch.study_rule:
        return None
    return _parsed_rule(branch.study_rule)


@functools.lru_cache(maxsize=256)
def _parsed_rule(text: str) -> StudyDayRule | None:
    """Rules are stored as text and parsed once per distinct text."""
    try:
        return parse_rule(text)
    except RuleError:
        return None


def today_start(ctx: Context, rule: StudyDayRule) -> datetime | None:
    """When today's session starts, if today (in the branch's zone) is a study day."""
    today = ctx.local().date()
    start = rule.session_in_month(today.year, today.month, ctx.tz)
    return start if start.date() == today else None


def upcoming_start(ctx: Context, rule: StudyDayRule) -> datetime:
    """Today's session if today is a study day, else the next one."""
    return today_start(ctx, rule) or rule.next_session(ctx.now, ctx.tz)


async def session_at(ctx: Context, branch: Branch, start: datetime) -> StudySession:
    """The stored session of a branch starting then (created on first use)."""
    return await ctx.tx.ensure_session(branch.id, start, branch.study_place)


async def expected_at(tx: Tx, branch_id: int, session: StudySession,
                      tz: ZoneInfo) -> list[Member]:
    """应到 of a session: who belonged to its branch when it began (or joined by the end of
    its day); not members entered later, nor those who had left or died."""
    roll = await tx.branch_roll(branch_id)
    return roll.expected_at(session.starts_at, day_end(session.starts_at, tz))


def day_end(at: datetime, tz: ZoneInfo) -> datetime:
    """The last instant of that instant's day in the zone."""
    local = at.astimezone(tz)
    return local.replace(hour=23, minute=59, second=59, microsecond=0)


async def home_branch(ctx: Context) -> Branch | None:
    """The speaker's (or the represented member's) own branch."""
    member = ctx.me()
    if ctx.branch is not None and ctx.branch.id == member.branch_id:
        return ctx.branch
    return await ctx.tx.get_branch(member.branch_id) if member.branch_id else None


async def speaker_branch(ctx: Context) -> Branch | None:
    """The speaker's own branch; an instructor or admin without one: the first they oversee
    (what 资料, 投稿, 简报 and 征文主题 read by default)."""
    me = ctx.me()
    if me.branch_id is not None:
        return await home_branch(ctx)
    overseen = await ctx.tx.overseen_branch_ids(me.id)
    return await ctx.tx.get_branch(overseen[0]) if overseen else None


async def branch_and_rule(ctx: Context) -> tuple[Branch, StudyDayRule] | None:
    """The member's branch and its study-day rule, or None when either is missing."""
    branch = await home_branch(ctx)
    rule = branch_rule(branch)
    return (branch, rule) if branch is not None and rule is not None else None
