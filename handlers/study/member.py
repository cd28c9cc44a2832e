"""签到, 请假, 学习日 and 我的: the member's side of the monthly study day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core.i18n import format_date, format_when, hhmm
from bot.core.messages import Button, Reply
from bot.understanding import Intent, Parsed
from bot.understanding.clean import Cleaned
from bot.understanding.slots import leave_reason, trim_leading
from handlers.context import Context
from handlers.delivery.common import made_up_sessions
from handlers.flow import Choice, Flow, FlowState
from handlers.sessions import (
    CHECKIN_OPENS_BEFORE,
    branch_and_rule,
    branch_rule,
    home_branch,
    session_at,
    today_start,
    upcoming_start,
)


def _hm(ctx: Context, moment: datetime) -> str:
    return hhmm(ctx.local(moment))


async def handle_checkin(ctx: Context, parsed: Parsed) -> list[Reply]:
    """签到: check in to today's session, once."""
    found = await branch_and_rule(ctx)
    if found is None:
        return [Reply(ctx.t("rule.none"))]
    branch, rule = found
    start = today_start(ctx, rule)
    if start is None:
        nxt = rule.next_session(ctx.now, ctx.tz)
        return [Reply(f"{ctx.t('checkin.not_today')}{_next_text(ctx, nxt, branch.study_place)}")]
    if ctx.now < start - CHECKIN_OPENS_BEFORE:
        return [Reply(ctx.t("checkin.too_early", time=_hm(ctx, start),
                            open=_hm(ctx, start - CHECKIN_OPENS_BEFORE)))]
    member = ctx.me()
    session = await session_at(ctx, branch, start)
    if not await ctx.tx.add_checkin(session.id, member.id, ctx.now, ctx.message.channel):
        existing = await ctx.tx.get_checkin(session.id, member.id)
        at = existing.checked_in_at if existing else ctx.now
        return [Reply(ctx.t("checkin.already", time=_hm(ctx, at)))]
    key = "checkin.ok_family" if ctx.for_family else "checkin.ok"
    return [Reply(ctx.t(key, name=member.name, date=format_date(ctx.locale, ctx.local(start)),
                        time=_hm(ctx, ctx.now)))]


def _next_text(ctx: Context, start: datetime, place: str | None) -> str:
    when = format_when(ctx.locale, ctx.local(start))
    if place:
        return ctx.t("study.next_place", when=when, place=place)
    return ctx.t("study.next", when=when)


async def handle_next(ctx: Context, parsed: Parsed) -> list[Reply]:
    """学习日: when (and where) the next study day is."""
    found = await branch_and_rule(ctx)
    if found is None:
        return [Reply(ctx.t("rule.none"))]
    branch, rule = found
    start = today_start(ctx, rule)
    if start is not None and ctx.now <= start:
        return [Reply(ctx.t("study.today", when=format_when(ctx.locale, ctx.local(start))))]
    return [Reply(_next_text(ctx, rule.next_session(ctx.now, ctx.tz), branch.study_place))]


async def handle_leave(ctx: Context, parsed: Parsed) -> list[Reply]:
    """请假 [原因]: ask for leave from today's or the next session, with a read-back."""
    found = await branch_and_rule(ctx)
    if found is None:
        return [Reply(ctx.t("rule.none"))]
    branch, rule = found
    member = ctx.me()
    session = await session_at(ctx, branch, upcoming_start(ctx, rule))
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
    return _leave_readback(ctx, state, reason, date)


async def correct_leave(ctx: Context, state: LeaveState, value: Cleaned) -> list[Reply] | None:
    """不对，是头疼: a new reason, read back again."""
    session = await ctx.tx.get_session(state.session_id)
    reason = leave_reason(value) or value.typed
    if session is None or not reason:
        return None
    ctx.note_slots(reason=reason)
    date = format_date(ctx.locale, ctx.local(session.starts_at))
    return _leave_readback(ctx, state, reason, date)


@dataclass
class LeaveState(FlowState):
    """请假: which session, and the reason once given."""

    flow = "leave"
    session_id: int
    reason: str | None = None


def _leave_readback(ctx: Context, state: LeaveState, reason: str, date: str) -> list[Reply]:
    state.reason = reason
    return [ctx.readback("confirm", state, ctx.t("leave.readback", date=date, reason=reason))]


async def continue_leave(ctx: Context, state: LeaveState, parsed: Parsed) -> list[Reply] | None:
    """The steps of 请假: the reason, then 确认."""
    assert ctx.conversation is not None
    session = await ctx.tx.get_session(state.session_id)
    if session is None:
        return None
    date = format_date(ctx.locale, ctx.local(session.starts_at))
    if ctx.conversation.step == "reason":
        if parsed.intent is Intent.SKIP or ctx.choice == "跳过":
            return _leave_readback(ctx, state, ctx.t("leave.no_reason"), date)
        answer = ctx.answer()
        reason = leave_reason(answer) or answer.typed
        ctx.note_slots(reason=reason)
        return _leave_readback(ctx, state, reason, date) if reason else None
    if parsed.intent is None:
        return _leave_readback(ctx, state, state.reason or "", date)
    if parsed.intent is not Intent.CONFIRM:
        return None
    ctx.end()
    member = ctx.me()
    if not await ctx.tx.add_leave(session.id, member.id, state.reason or "", ctx.now):
        already = await ctx.tx.get_leave(session.id, member.id)
        return [Reply(ctx.t("leave.already", date=date, reason=already))]
    return [Reply(f"{ctx.t('leave.ok', date=date)}\n{ctx.t('delivery.offer')}",
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
    return [Reply("\n".join(lines))]


INTENTS = {
    Intent.CHECKIN: handle_checkin,
    Intent.LEAVE: handle_leave,
    Intent.NEXT: handle_next,
    Intent.ME: handle_me,
}
FLOWS = {"leave": Flow(LeaveState, continue_leave, correct_leave)}
