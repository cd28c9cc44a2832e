"""改期 [支部] [新日期] [时间]: an officer moves the next study day; every member hears once.

The study day ahead (today's if it has not begun) is moved to the day and time said (时间不变
keeps its hour); read back; on 确认 the new meeting is stored, the old one points at it (so
it is neither reminded nor counted), and every member gets one notice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.i18n import format_when
from bot.core.messages import Reply
from bot.understanding import Intent, Parsed
from bot.understanding.clean import Cleaned
from handlers.calendar import Meeting, calendar_of
from handlers.context import Context
from handlers.flow import Choice, Flow, FlowState
from handlers.meetings.add import tell_members
from handlers.meetings.when import start_of, take_when
from handlers.officers.branch_scope import officer_branch
from storage.models import Branch

_SAME_TIME = "时间不变"


@dataclass
class MoveState(FlowState):
    """改期: the branch, the study day moved, and its new day and time once said."""

    flow = "reschedule"
    branch_id: int
    old: str  # the study day's start, ISO
    day: str | None = None
    at: str | None = None


async def handle_reschedule(ctx: Context, parsed: Parsed) -> list[Reply]:
    """Find the study day ahead; take the new day and time said, ask for the rest."""
    scoped = await officer_branch(ctx, parsed.args, action="reschedule", word="改期",
                                  intent=Intent.RESCHEDULE)
    if scoped.branch is None:
        return scoped.refusal
    branch = scoped.branch
    ahead = await _study_day_ahead(ctx, branch)
    if ahead is None:
        return [Reply(ctx.t("rule.none_named", branch=branch.name))]
    state = MoveState(branch.id, ahead.starts_at.isoformat())
    for word in scoped.rest.split():
        _take(ctx, state, word)
    return _next_question(ctx, state, ahead.starts_at)


async def _study_day_ahead(ctx: Context, branch: Branch) -> Meeting | None:
    calendar = await calendar_of(ctx.tx, branch, around=ctx.now)
    moment = ctx.now - timedelta(microseconds=1)
    for _ in range(50):  # the rules' meetings in turn until a study day
        meeting = calendar.next_meeting(moment, ctx.tz)
        if meeting is None or meeting.kind == "study":
            return meeting
        moment = meeting.starts_at
    return None


def _take(ctx: Context, state: MoveState, text: str) -> bool:
    return take_when(state, text, ctx.local().date())


def _new_start(ctx: Context, state: MoveState) -> datetime | None:
    return start_of(state, ctx.tz)


def _next_question(ctx: Context, state: MoveState, old: datetime) -> list[Reply]:
    cancel = Choice("取消", ctx.t("button.cancel"))
    when = format_when(ctx.locale, ctx.local(old))
    if state.day is None:
        return [ctx.ask("day", state, ctx.t("reschedule.ask_day", when=when), [cancel])]
    if state.at is None:
        return [ctx.ask("time", state, ctx.t("reschedule.ask_time"),
                        [Choice(_SAME_TIME, ctx.t("reschedule.same_time")), cancel])]
    new = _new_start(ctx, state)
    assert new is not None
    if new <= ctx.now or new == old:
        state.day = state.at = None
        return [ctx.ask("day", state, ctx.t("reschedule.bad_day", when=when), [cancel])]
    return [ctx.readback("confirm", state, ctx.t(
        "reschedule.readback", old=when, new=format_when(ctx.locale, ctx.local(new))))]


async def continue_reschedule(ctx: Context, state: MoveState,
                              parsed: Parsed) -> list[Reply] | None:
    """The new day, the time (or 时间不变), then 确认."""
    assert ctx.conversation is not None
    old = datetime.fromisoformat(state.old)
    step, typed = ctx.conversation.step, (ctx.message.text or "").strip()
    if step == "time" and ctx.choice == _SAME_TIME:
        state.at = ctx.local(old).strftime("%H:%M")
    elif step in ("day", "time"):
        if not _take(ctx, state, typed):
            return None
    elif parsed.intent is Intent.CONFIRM:
        ctx.end()
        return await _move(ctx, state, old)
    else:
        return None
    return _next_question(ctx, state, old)


async def correct_reschedule(ctx: Context, state: MoveState,
                             value: Cleaned) -> list[Reply] | None:
    """不对，是12月16日 / 改成下午: the new day or time again."""
    before = (state.day, state.at)
    state.day = state.at = None
    if not _take(ctx, state, value.typed):
        state.day, state.at = before
        return None
    state.day, state.at = state.day or before[0], state.at or before[1]
    return _next_question(ctx, state, datetime.fromisoformat(state.old))


async def _move(ctx: Context, state: MoveState, old: datetime) -> list[Reply]:
    branch = await ctx.tx.get_branch(state.branch_id)
    new = _new_start(ctx, state)
    if branch is None or new is None:
        return [Reply(ctx.t("error"))]
    session = await ctx.tx.add_meeting(branch.id, "study", new, branch.study_place, None)
    if session is None:
        return [Reply(ctx.t("meeting.taken", when=format_when(ctx.locale, ctx.local(new))))]
    moved = await ctx.tx.ensure_session(branch.id, old, branch.study_place)
    await ctx.tx.move_session(moved.id, session.id)
    told, unbound = await tell_members(
        ctx, branch, session, "reschedule.push", key=f"reschedule:{moved.id}",
        old=format_when(ctx.locale, ctx.local(old)))
    await ctx.tx.audit("reschedule", ctx.now, actor_member_id=ctx.me().id, actor=ctx.actor,
                       detail={"branch": branch.id, "from": moved.id, "to": session.id,
                               "members": told})
    text = ctx.t("reschedule.ok", n=told)
    if unbound:
        text += "\n" + ctx.t("broadcast.phone", names="、".join(m.name for m in unbound))
    return [Reply(text)]


INTENTS = {Intent.RESCHEDULE: handle_reschedule}
FLOWS = {"reschedule": Flow(MoveState, continue_reschedule, correct_reschedule)}
