"""签到, 请假, 学习日 and 我的: the member's side of the monthly study day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core.i18n import format_date, format_when, hhmm
from bot.core.messages import Button, Reply
from bot.understanding import Intent, Parsed
from bot.understanding.clean import Cleaned
from bot.understanding.slots import leave_reason, trim_leading
from handlers.activities import checkin as activity_checkin
from handlers.calendar import Calendar, Meeting, calendar_of, kind_in, kind_words
from handlers.context import Context
from handlers.delivery.common import made_up_sessions
from handlers.dialogue import which
from handlers.flow import Choice, Flow, FlowState
from handlers.pairs.common import partner_line
from handlers.sessions import (
    CHECKIN_OPENS_BEFORE,
    branch_rule,
    home_branch,
    session_at,
)
from storage.models import Member


def _hm(ctx: Context, moment: datetime) -> str:
    return hhmm(ctx.local(moment))


def said(ctx: Context, key: str, kind: str, **values: str) -> str:
    """A study-day text, or its meeting twin naming the kind (今天的党课09:00开始…)."""
    if kind == "study":
        return ctx.t(key, **values)
    return ctx.t(f"{key}_meeting", kind=kind_words(kind), **values)


def _may_attend(member: Member, meeting: Meeting) -> bool:
    """The branch committee (支委会) is its officers' meeting; every other kind is everyone's."""
    return meeting.kind != "committee" or member.role == "secretary"


async def handle_checkin(ctx: Context, parsed: Parsed) -> list[Reply]:
    """签到 [党课…]: check in to today's meeting, once; when two are open, ask which."""
    branch = await home_branch(ctx)
    calendar = await calendar_of(ctx.tx, branch, around=ctx.now) if branch else None
    wanted, _ = kind_in(parsed.args)
    # an activity open now (#17): named, or the only thing open, is checked in to there
    activities = [] if wanted else await activity_checkin.open_for(ctx)
    if activities and (branch is None or not calendar
                       or activity_checkin.named(activities, parsed.args)):
        return await activity_checkin.check_in_any(ctx, activities, parsed.args)
    if branch is None or not calendar:
        return [Reply(ctx.t("rule.none"))]
    member = ctx.me()
    today = [m for m in calendar.today(ctx.now, ctx.tz)
             if _may_attend(member, m) and wanted in (None, m.kind)]
    opened = [m for m in today if ctx.now >= m.starts_at - CHECKIN_OPENS_BEFORE]
    if activities and not opened:
        return await activity_checkin.check_in_any(ctx, activities, "")
    if not today:
        nxt = calendar.next_meeting(ctx.now, ctx.tz)
        kinds = {kind for kind, _, _ in calendar.rules} | {m.kind for m in calendar.added}
        head = said(ctx, "checkin.not_today", "study" if kinds == {"study"} else "meeting")
        return [Reply(head + (_next_text(ctx, nxt) if nxt else ""))]
    if not opened:
        first = today[0]
        return [Reply(said(ctx, "checkin.too_early", first.kind, time=_hm(ctx, first.starts_at),
                           open=_hm(ctx, first.starts_at - CHECKIN_OPENS_BEFORE)))]
    sessions = [await ctx.tx.ensure_session(branch.id, m.starts_at, m.place, m.kind)
                for m in opened]
    if activities and (asked := await activity_checkin.beside_meetings(ctx, activities,
                                                                       sessions)):
        return asked
    waiting = sessions if len(sessions) == 1 else [  # one open: its INSERT tells
        s for s in sessions if await ctx.tx.get_checkin(s.id, member.id) is None]
    if len(waiting) > 1:
        choices = [Choice(kind_words(s.kind), f"{kind_words(s.kind)} {_hm(ctx, s.starts_at)}")
                   for s in waiting]
        return which.ask(ctx, Intent.CHECKIN, "", ctx.t("checkin.which"), choices)
    session = waiting[0] if waiting else sessions[-1]
    if not await ctx.tx.add_checkin(session.id, member.id, ctx.now, ctx.message.channel):
        existing = await ctx.tx.get_checkin(session.id, member.id)
        at = existing.checked_in_at if existing else ctx.now
        return [Reply(ctx.t("checkin.already", time=_hm(ctx, at)))]
    key = "checkin.ok_family" if ctx.for_family else "checkin.ok"
    return [Reply(said(ctx, key, session.kind, name=member.name,
                       date=format_date(ctx.locale, ctx.local(session.starts_at)),
                       time=_hm(ctx, ctx.now)))]


def _upcoming(ctx: Context, calendar: Calendar, member: Member,
              kind: str | None) -> Meeting | None:
    """Today's meeting (the first the member has not checked in to), else the next one."""
    fits = [m for m in calendar.today(ctx.now, ctx.tz)
            if _may_attend(member, m) and kind in (None, m.kind)]
    if fits:
        return fits[0] if len(fits) == 1 or ctx.now < fits[0].starts_at else fits[-1]
    moment = ctx.now
    while (nxt := calendar.next_meeting(moment, ctx.tz)) is not None:
        if _may_attend(member, nxt) and kind in (None, nxt.kind):
            return nxt
        moment = nxt.starts_at
    return None


def _next_text(ctx: Context, meeting: Meeting) -> str:
    when = format_when(ctx.locale, ctx.local(meeting.starts_at))
    if meeting.place:
        return said(ctx, "study.next_place", meeting.kind, when=when, place=meeting.place)
    return said(ctx, "study.next", meeting.kind, when=when)


async def handle_next(ctx: Context, parsed: Parsed) -> list[Reply]:
    """学习日: when (and where) the next meeting is, and which kind."""
    branch = await home_branch(ctx)
    calendar = await calendar_of(ctx.tx, branch, around=ctx.now) if branch else None
    if branch is None or not calendar:
        return [Reply(ctx.t("rule.none"))]
    member = ctx.me()
    ahead = [m for m in calendar.today(ctx.now, ctx.tz)
             if ctx.now <= m.starts_at and _may_attend(member, m)]
    if ahead:
        return [Reply(said(ctx, "study.today", ahead[0].kind,
                           when=format_when(ctx.locale, ctx.local(ahead[0].starts_at))))]
    moment = ctx.now
    while (nxt := calendar.next_meeting(moment, ctx.tz)) is not None:
        if _may_attend(member, nxt):
            return [Reply(_next_text(ctx, nxt))]
        moment = nxt.starts_at
    return [Reply(ctx.t("rule.none"))]


async def handle_leave(ctx: Context, parsed: Parsed) -> list[Reply]:
    """请假 [党课] [原因]: ask for leave from today's or the next meeting (of that kind), with
    a read-back."""
    branch = await home_branch(ctx)
    calendar = await calendar_of(ctx.tx, branch, around=ctx.now) if branch else None
    if branch is None or not calendar:
        return [Reply(ctx.t("rule.none"))]
    member = ctx.me()
    wanted, rest = kind_in(parsed.args)
    if wanted is not None:
        parsed = Parsed(parsed.intent, rest, parsed.number, parsed.slots, parsed.sure)
    meeting = _upcoming(ctx, calendar, member, wanted)
    if meeting is None:
        return [Reply(ctx.t("rule.none"))]
    session = await ctx.tx.ensure_session(branch.id, meeting.starts_at, meeting.place,
                                          meeting.kind)
    date = format_date(ctx.locale, ctx.local(session.starts_at))
    if await ctx.tx.get_checkin(session.id, member.id):
        return [Reply(ctx.t("leave.checked_in", date=date))]
    reason = await ctx.tx.get_leave(session.id, member.id)
    if reason is not None:
        return [Reply(ctx.t("leave.already", date=date, reason=reason))]
    state = LeaveState(session.id)
    reason = trim_leading(parsed.args) if parsed.args else parsed.slot("reason")
    if not reason:
        skip = [Choice("跳过", ctx.t("button.skip"))]
        return [ctx.ask("reason", state, ctx.t("leave.ask_reason"), skip)]
    ctx.note_slots(reason=reason)
    return _leave_readback(ctx, state, reason, date, session.kind)


async def correct_leave(ctx: Context, state: LeaveState, value: Cleaned) -> list[Reply] | None:
    """不对，是头疼: a new reason, read back again."""
    session = await ctx.tx.get_session(state.session_id)
    reason = leave_reason(value) or value.typed
    if session is None or not reason:
        return None
    ctx.note_slots(reason=reason)
    date = format_date(ctx.locale, ctx.local(session.starts_at))
    return _leave_readback(ctx, state, reason, date, session.kind)


@dataclass
class LeaveState(FlowState):
    """请假: which session, and the reason once given."""

    flow = "leave"
    session_id: int
    reason: str | None = None


def _leave_readback(ctx: Context, state: LeaveState, reason: str, date: str,
                    kind: str) -> list[Reply]:
    state.reason = reason
    return [ctx.readback("confirm", state, said(ctx, "leave.readback", kind, date=date,
                                                reason=reason))]


async def continue_leave(ctx: Context, state: LeaveState, parsed: Parsed) -> list[Reply] | None:
    """The steps of 请假: the reason, then 确认."""
    assert ctx.conversation is not None
    session = await ctx.tx.get_session(state.session_id)
    if session is None:
        return None
    date = format_date(ctx.locale, ctx.local(session.starts_at))
    if ctx.conversation.step == "reason":
        if parsed.intent is Intent.SKIP or ctx.choice == "跳过":
            return _leave_readback(ctx, state, ctx.t("leave.no_reason"), date, session.kind)
        answer = ctx.answer()
        reason = leave_reason(answer) or answer.typed
        ctx.note_slots(reason=reason)
        return _leave_readback(ctx, state, reason, date, session.kind) if reason else None
    if parsed.intent is None:
        return _leave_readback(ctx, state, state.reason or "", date, session.kind)
    if parsed.intent is not Intent.CONFIRM:
        return None
    ctx.end()
    member = ctx.me()
    if not await ctx.tx.add_leave(session.id, member.id, state.reason or "", ctx.now):
        already = await ctx.tx.get_leave(session.id, member.id)
        return [Reply(ctx.t("leave.already", date=date, reason=already))]
    return [Reply(f"{said(ctx, 'leave.ok', session.kind, date=date)}\n{ctx.t('delivery.offer')}",
                  buttons=(Button(ctx.t("delivery.button.offer"), "送学"),))]


async def handle_me(ctx: Context, parsed: Parsed) -> list[Reply]:
    """我的: this year's attendance so far."""
    member = ctx.me()
    branch = await home_branch(ctx)
    if branch is None:
        return [Reply(ctx.t("rule.none"))]
    local_now = ctx.local()
    year_start = local_now.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    if member.joined_at and member.joined_at > year_start:
        year_start = ctx.local(member.joined_at).replace(hour=0, minute=0, second=0,
                                                         microsecond=0)
    rule = branch_rule(branch)
    for start in rule.sessions_between(year_start, ctx.now, ctx.tz) if rule else []:
        await session_at(ctx, branch, start)
    sessions, present, leave = await ctx.tx.member_record(
        member.id, branch.id, year_start, ctx.now
    )
    made_up = await made_up_sessions(ctx.tx, member.id, sessions, present, ctx.tz)
    on_leave = len(leave - present - made_up)
    absent = len(sessions) - len(present) - len(made_up) - on_leave
    text = ctx.t("me.summary", name=member.name, year=local_now.year, total=len(sessions),
                 present=len(present), leave=on_leave, absent=absent)
    lines = [text, ctx.t("me.branch", branch=branch.name)]
    if made_up:
        lines.insert(1, ctx.t("delivery.me", n=len(made_up)))
    visits = await ctx.tx.member_visits(member.id)
    if visits:
        lines.append(ctx.t("care.me.visits", visits="、".join(
            [format_date(ctx.locale, ctx.local(v.done_at or ctx.now)) for v in visits])))
    pair = await partner_line(ctx)
    if pair:
        lines.append(pair)
    return [Reply("\n".join(lines))]


INTENTS = {
    Intent.CHECKIN: handle_checkin,
    Intent.LEAVE: handle_leave,
    Intent.NEXT: handle_next,
    Intent.ME: handle_me,
}
FLOWS = {"leave": Flow(LeaveState, continue_leave, correct_leave)}
