"""开会 [支部] [党课] [12月20日] [9点]: an officer adds one meeting; every member hears once.

Asked step by step for what was not said: which kind, which day, what time, where (跳过: the
branch's usual place), about what (跳过: no topic); read back; on 确认 the meeting is stored,
every member it is for (the committee: the branch's officers) gets one notice, and the
scheduler reminds them on the day like any study day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core.i18n import format_when, t
from bot.core.messages import Reply
from bot.understanding import Intent, Parsed
from bot.understanding.clean import Cleaned, without_opening
from handlers.calendar import KINDS, calendar_of, expected_for, kind_in, kind_words
from handlers.context import Context
from handlers.flow import Choice, Flow, FlowState
from handlers.meetings.when import start_of, take_when
from handlers.notify import push, reachable
from handlers.officers.branch_scope import officer_branch
from storage.models import Branch, Member, StudySession

_SKIP = "跳过"


@dataclass
class MeetingState(FlowState):
    """开会: the branch, and what has been said of the meeting so far."""

    flow = "meeting"
    branch_id: int
    kind: str | None = None
    day: str | None = None  # YYYY-MM-DD
    at: str | None = None  # HH:MM
    place: str | None = None
    topic: str | None = None
    asked_place: bool = False
    asked_topic: bool = False


async def handle_meeting(ctx: Context, parsed: Parsed) -> list[Reply]:
    """Take what the words say, ask for the rest."""
    scoped = await officer_branch(ctx, parsed.args, action="meeting", word="开会",
                                  intent=Intent.MEETING)
    if scoped.branch is None:
        return scoped.refusal
    state = MeetingState(scoped.branch.id)
    kind, rest = kind_in(scoped.rest)
    state.kind = kind
    for word in rest.split():
        _take_when(ctx, state, word)
    return await _next_question(ctx, state, scoped.branch)


def _take_when(ctx: Context, state: MeetingState, text: str) -> bool:
    """A day or a time in the words; True when one was taken."""
    return take_when(state, text, ctx.local().date())


def _starts(ctx: Context, state: MeetingState) -> datetime | None:
    return start_of(state, ctx.tz)


async def _next_question(ctx: Context, state: MeetingState, branch: Branch) -> list[Reply]:
    cancel = Choice("取消", ctx.t("button.cancel"))
    if state.kind is None:
        choices = [Choice(name, name) for key, name in KINDS.items() if key != "study"]
        choices.append(Choice(KINDS["study"], KINDS["study"]))
        return [ctx.ask("kind", state, ctx.t("meeting.ask_kind", branch=branch.name), choices)]
    kind = kind_words(state.kind)
    if state.day is None:
        return [ctx.ask("day", state, ctx.t("meeting.ask_day", kind=kind), [cancel])]
    if state.at is None:
        return [ctx.ask("time", state, ctx.t("meeting.ask_time", kind=kind), [cancel])]
    starts = _starts(ctx, state)
    assert starts is not None
    if starts <= ctx.now:
        state.day = state.at = None
        return [ctx.ask("day", state, ctx.t("meeting.past", kind=kind), [cancel])]
    if not state.asked_place:
        state.asked_place = True
        usual = branch.study_place or ctx.t("remind.place_unknown")
        return [ctx.ask("place", state, ctx.t("meeting.ask_place", kind=kind, usual=usual),
                        [Choice(_SKIP, ctx.t("meeting.usual_place")), cancel])]
    if not state.asked_topic:
        state.asked_topic = True
        return [ctx.ask("topic", state, ctx.t("meeting.ask_topic", kind=kind),
                        [Choice(_SKIP, ctx.t("button.skip")), cancel])]
    return [_readback(ctx, state, branch, starts)]


def _readback(ctx: Context, state: MeetingState, branch: Branch, starts: datetime) -> Reply:
    assert state.kind is not None
    place = state.place or branch.study_place or ctx.t("remind.place_unknown")
    topic = ctx.t("remind.topic", topic=state.topic) if state.topic else ""
    ctx.note_slots(kind=kind_words(state.kind), day=state.day or "", time=state.at or "")
    return ctx.readback("confirm", state, ctx.t(
        "meeting.readback", branch=branch.name, kind=kind_words(state.kind),
        when=format_when(ctx.locale, ctx.local(starts)), place=place, topic=topic))


async def continue_meeting(ctx: Context, state: MeetingState,
                           parsed: Parsed) -> list[Reply] | None:
    """Each answer in turn; 确认 at the read-back adds the meeting and tells everyone."""
    assert ctx.conversation is not None
    branch = await ctx.tx.get_branch(state.branch_id)
    if branch is None:
        return None
    step, typed = ctx.conversation.step, (ctx.message.text or "").strip()
    if step == "kind":
        state.kind = kind_in(ctx.choice or typed)[0]
        if state.kind is None:
            return None
    elif step in ("day", "time"):
        if not _take_when(ctx, state, typed):
            return None  # not a day or time: the question is asked again
    elif step == "place":
        state.place = None if ctx.choice == _SKIP or parsed.intent is Intent.SKIP else (
            without_opening(typed, "在", "地点是", "地点") or None)
    elif step == "topic":
        state.topic = None if ctx.choice == _SKIP or parsed.intent is Intent.SKIP else (
            without_opening(typed, "主题是", "主题", "讲") or None)
    elif parsed.intent is Intent.CONFIRM:
        ctx.end()
        return await _add(ctx, state, branch)
    else:
        return None
    return await _next_question(ctx, state, branch)


async def correct_meeting(ctx: Context, state: MeetingState,
                          value: Cleaned) -> list[Reply] | None:
    """不对，是12月21日 / 改成下午3点 / 改成党课: that part again, then the read-back."""
    branch = await ctx.tx.get_branch(state.branch_id)
    if branch is None or not value.typed:
        return None
    kind, _ = kind_in(value.typed)
    before = (state.day, state.at)
    state.day = state.at = None
    taken = _take_when(ctx, state, value.typed)
    state.day, state.at = (state.day or before[0], state.at or before[1])
    if kind is not None:
        state.kind = kind
    elif not taken:
        return None
    return await _next_question(ctx, state, branch)


async def _add(ctx: Context, state: MeetingState, branch: Branch) -> list[Reply]:
    starts = _starts(ctx, state)
    assert starts is not None and state.kind is not None
    place = state.place or branch.study_place
    session = await ctx.tx.add_meeting(branch.id, state.kind, starts, place, state.topic)
    if session is None:
        return [Reply(ctx.t("meeting.taken", when=format_when(ctx.locale, ctx.local(starts))))]
    told, unbound = await tell_members(ctx, branch, session, "meeting.push",
                                       key=f"meeting:{session.id}")
    await ctx.tx.audit("meeting_added", ctx.now, actor_member_id=ctx.me().id, actor=ctx.actor,
                       detail={"branch": branch.id, "session": session.id,
                               "kind": state.kind, "members": told})
    text = ctx.t("meeting.ok", kind=kind_words(state.kind), n=told)
    if unbound:
        text += "\n" + ctx.t("broadcast.phone", names="、".join(m.name for m in unbound))
    return [Reply(text)]


async def tell_members(ctx: Context, branch: Branch, session: StudySession, text_key: str,
                       *, key: str, **extra: str) -> tuple[int, list[Member]]:
    """One notice to each member the meeting is for (keyed, so never twice); those no chat
    reaches are returned to be phoned."""
    calendar = await calendar_of(ctx.tx, branch, around=session.starts_at)
    meeting = calendar.meeting_at(session.starts_at, ctx.tz)
    kind = meeting.kind if meeting else session.kind
    when = ctx.local(session.starts_at)
    place = session.place or branch.study_place
    told = 0
    unbound: list[Member] = []
    me = ctx.me()
    for member in expected_for(kind, await ctx.tx.branch_members(branch.id)):
        if member.id == me.id:
            continue
        if not await reachable(ctx.tx, member):
            unbound.append(member)
            continue

        def render(locale: str, member: Member = member) -> str:
            topic = t(locale, "remind.topic", topic=session.topic) if session.topic else ""
            return t(locale, text_key, branch=branch.name, kind=kind_words(kind),
                     when=format_when(locale, when), topic=topic,
                     place=place or t(locale, "remind.place_unknown"), **extra)

        told += await push(ctx.tx, member, render, key=f"{key}:{member.id}", kind="notice",
                           now=ctx.now, default_locale=ctx.default_locale)
    return told, unbound


INTENTS = {Intent.MEETING: handle_meeting}
FLOWS = {"meeting": Flow(MeetingState, continue_meeting, correct_meeting)}
