"""签到 at an activity: from an hour before it starts to four hours after, for its invitees.

handlers/study/member.py's 签到 asks `open_for` once (one indexed query, empty on an
ordinary study day) and hands over when an activity is what the member means: named
(签到 书法), the only thing open, or chosen when a meeting is open too ("您要签哪一个？").
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from bot.core.i18n import format_date, hhmm
from bot.core.messages import Reply
from bot.understanding import Intent
from handlers.activities.words import matching, number_said
from handlers.calendar import kind_words
from handlers.context import Context
from handlers.dialogue import which
from handlers.flow import Choice
from storage.models import StudySession
from storage.repo_activities import MyActivity

OPENS_BEFORE = timedelta(minutes=60)
OPEN_AFTER = timedelta(hours=4)


async def open_for(ctx: Context) -> list[MyActivity]:
    """The activities the speaker may check in to now (with whether they did)."""
    me = ctx.me()
    return await ctx.tx.checkin_activities(me.id, me.branch_id, ctx.now - OPEN_AFTER,
                                           ctx.now + OPENS_BEFORE)


def named(rows: Sequence[MyActivity], args: str) -> MyActivity | None:
    """The open activity the words after 签到 name (签到 书法 / the choice's #12)."""
    if not args.strip():
        return None
    number = number_said(args)
    if number is not None:
        return next((r for r in rows if r.activity.id == number), None)
    meant = matching([r.activity for r in rows], args)
    return next((r for r in rows if r.activity.id == meant[0].id), None) if len(
        meant) == 1 else None


def _choice(ctx: Context, row: MyActivity) -> Choice:
    return Choice(f"#{row.activity.id}",
                  f"{row.activity.title[:12]} {hhmm(ctx.local(row.activity.starts_at))}")


async def check_in(ctx: Context, row: MyActivity) -> list[Reply]:
    """Record the member present (once), with their branch at the time."""
    me = ctx.me()
    activity = row.activity
    if not await ctx.tx.add_attendance(activity.id, me.id, me.branch_id, ctx.now):
        at = await ctx.tx.attendance_at(activity.id, me.id) or ctx.now
        return [Reply(ctx.t("activity.checkin_already", title=activity.title,
                            time=hhmm(ctx.local(at))))]
    return [Reply(ctx.t("activity.checkin_ok", name=me.name, title=activity.title,
                        date=format_date(ctx.locale, ctx.local(activity.starts_at)),
                        time=hhmm(ctx.local())))]


async def check_in_any(ctx: Context, rows: Sequence[MyActivity], args: str) -> list[Reply]:
    """Only activities are open: the named one, the one not checked in to, or ask which."""
    chosen = named(rows, args)
    if chosen is not None:
        return await check_in(ctx, chosen)
    pending = [r for r in rows if not r.checked_in]
    if len(pending) > 1:
        return which.ask(ctx, Intent.CHECKIN, "", ctx.t("activity.checkin_which"),
                         [_choice(ctx, r) for r in pending])
    return await check_in(ctx, pending[0] if pending else rows[-1])


async def beside_meetings(ctx: Context, rows: Sequence[MyActivity],
                          sessions: Sequence[StudySession]) -> list[Reply] | None:
    """A meeting and an activity are both open: ask which (None: every activity is
    checked in to, so 签到 is the meeting's as before)."""
    pending = [r for r in rows if not r.checked_in]
    if not pending:
        return None
    me = ctx.me()
    waiting = [s for s in sessions if await ctx.tx.get_checkin(s.id, me.id) is None]
    if not waiting:
        return await check_in_any(ctx, pending, "")
    choices = [Choice(kind_words(s.kind), f"{kind_words(s.kind)} {hhmm(ctx.local(s.starts_at))}")
               for s in waiting]
    choices += [_choice(ctx, r) for r in pending]
    return which.ask(ctx, Intent.CHECKIN, "", ctx.t("activity.checkin_which"), choices)
