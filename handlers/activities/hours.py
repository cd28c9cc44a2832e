"""时长 2小时 / 时长 孙福海 3小时 / 每人两个半小时: the organiser records volunteer hours.

The activity is the latest that has started among those the officer organised (else of the
branches they look after), unless the words name one (#12, or its title). Without names,
everyone present gets the hours; with names, those people (recorded present if they had not
checked in). Read back; on 确认 the hours are stored (a second record replaces the first).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.core.i18n import format_date
from bot.core.messages import Reply
from bot.understanding import Intent, Parsed, normalize
from bot.understanding.clean import Cleaned
from handlers.activities.words import hours_in, number_said, said_after, tokens
from handlers.context import Context
from handlers.flow import Choice, Flow, FlowState
from handlers.groups.find import stem
from handlers.people import find_member, scope_branch_ids
from storage.models import Member
from storage.repo_activities import Activity

MAX_HOURS = 24.0
_EVERYONE = ("每人", "每个人", "每位", "大家", "所有人", "全体", "全部", "都", "各", "人人")
_AND = re.compile("和|跟|还有|与")
_SMALL = ("给", "为", "帮", "记", "算", "时长", "服务", "志愿", "的", "了", "和", "跟", "还有")


@dataclass
class HoursState(FlowState):
    """时长: which activity, how many hours, for whom (empty: everyone present)."""

    flow = "hours"
    activity_id: int
    hours: float | None = None
    member_ids: list[int] = field(default_factory=list)


def hours_words(hours: float) -> str:
    """2 / 2.5: hours as a number is written."""
    return f"{hours:g}"


def _text(ctx: Context, parsed: Parsed) -> str:
    """The words after 时长, or a dictated sentence's (每人两个半小时: all of it)."""
    if parsed.args:
        return parsed.args
    message = ctx.message.text or ""
    return said_after(message, Intent.HOURS) or (message if hours_in(message) else "")


def _named_activity(activities: list[Activity], text: str) -> tuple[Activity | None, str]:
    """An activity the words name (#12, its title, its group), and the words without it."""
    number = number_said(text) if "#" in text or "＃" in text else None
    if number is not None:
        found = next((a for a in activities if a.id == number), None)
        return found, text.replace(f"#{number}", " ").replace(f"＃{number}", " ")
    said = normalize(text)
    for activity in activities:
        for name in (activity.title, stem(activity.group_name or "")):
            key = normalize(name)
            if len(key) >= 2 and key in said:
                return activity, said.replace(key, " ")
    return None, text


async def _people(ctx: Context, words: str) -> tuple[list[Member], str | None]:
    """The members named (none: everyone present) and a name not found, if one is."""
    people: list[Member] = []
    for token in tokens(words):
        name = _bare(token)
        if not name:
            continue
        found = await find_member(ctx, name)
        parts = [found.one] if found.one else [
            (await find_member(ctx, part)).one for part in _AND.split(name) if _bare(part)]
        if not parts or None in parts:
            return [], name
        people += [m for m in parts if m is not None and m not in people]
    return people, None


def _bare(word: str) -> str:
    """A name without the small words around it (给孙福海记 -> 孙福海, 大家 -> '')."""
    edges = (*_EVERYONE, *_SMALL)
    changed = True
    while word and changed:
        changed = False
        for edge in edges:
            if normalize(word).startswith(edge):
                word, changed = word[len(edge):], True
            if word and normalize(word).endswith(edge):
                word, changed = word[:-len(edge)], True
    return word.strip()


async def handle_hours(ctx: Context, parsed: Parsed) -> list[Reply]:
    """Find the activity, the hours and the people; read back (or ask the hours)."""
    me = ctx.me()
    branch_ids = await scope_branch_ids(ctx.tx, me)
    started = await ctx.tx.started_activities(me.id, branch_ids, ctx.now)
    if not started:
        return [Reply(ctx.t("activity.hours_none"))]
    text = _text(ctx, parsed)
    activity, text = _named_activity(started, text)
    if activity is None:
        activity = next((a for a in started if a.organiser_id == me.id), started[0])
    taken = hours_in(text)
    hours, rest = (taken[0], taken[1]) if taken else (None, text)
    people, missing = await _people(ctx, rest)
    if missing is not None:
        return [Reply(ctx.t("activity.hours_who", name=missing))]
    state = HoursState(activity.id, hours, [m.id for m in people])
    if hours is None:
        return [_ask_hours(ctx, state, activity)]
    return await _readback(ctx, state, activity)


def _ask_hours(ctx: Context, state: HoursState, activity: Activity) -> Reply:
    return ctx.ask("hours", state, ctx.t("activity.hours_ask", title=activity.title),
                   [Choice("取消", ctx.t("button.cancel"))])


async def _readback(ctx: Context, state: HoursState, activity: Activity) -> list[Reply]:
    assert state.hours is not None
    if not 0 < state.hours <= MAX_HOURS:
        return [Reply(ctx.t("activity.hours_bad"))]
    if state.member_ids:
        found = [await ctx.tx.get_member(i) for i in state.member_ids]
        names = [m.name for m in found if m is not None]
    else:
        present = await ctx.tx.attendees(activity.id)
        if not present:
            return [Reply(ctx.t("activity.hours_nobody", title=activity.title))]
        names = [p.name for p in present]
    ctx.note_slots(hours=hours_words(state.hours))
    return [ctx.readback("confirm", state, ctx.t(
        "activity.hours_readback", title=activity.title,
        date=format_date(ctx.locale, ctx.local(activity.starts_at)),
        names="、".join(names), n=len(names), hours=hours_words(state.hours)))]


async def continue_hours(ctx: Context, state: HoursState, parsed: Parsed) -> list[Reply] | None:
    """The hours when asked; 确认 records them."""
    assert ctx.conversation is not None
    activity = await ctx.tx.get_activity(state.activity_id)
    if activity is None:
        ctx.end()
        return [Reply(ctx.t("activity.not_found"))]
    if ctx.conversation.step == "hours":
        taken = hours_in(ctx.message.text or "")
        if taken is None and parsed.number is not None and 0 < parsed.number <= 24:
            taken = (float(parsed.number), "")  # asked for hours: a bare 2 is two hours
        if taken is None:
            return None
        state.hours = taken[0]
        return await _readback(ctx, state, activity)
    if parsed.intent is not Intent.CONFIRM or state.hours is None:
        return None
    ctx.end()
    me = ctx.me()
    ids = state.member_ids or [p.member_id for p in await ctx.tx.attendees(activity.id)]
    for member_id in ids:
        member = await ctx.tx.get_member(member_id)
        await ctx.tx.set_hours(activity.id, member_id, member.branch_id if member else None,
                               state.hours, ctx.now, me.id)
    await ctx.tx.audit("activity_hours", ctx.now, actor_member_id=me.id, actor=ctx.actor,
                       detail={"activity": activity.id, "people": len(ids),
                               "hours": state.hours})
    return [Reply(ctx.t("activity.hours_ok", title=activity.title, n=len(ids),
                        hours=hours_words(state.hours)))]


async def correct_hours(ctx: Context, state: HoursState, value: Cleaned) -> list[Reply] | None:
    """不对，是3小时: the hours again, then the read-back."""
    activity = await ctx.tx.get_activity(state.activity_id)
    taken = hours_in(value.typed)
    if activity is None or taken is None:
        return None
    state.hours = taken[0]
    return await _readback(ctx, state, activity)


INTENTS = {Intent.HOURS: handle_hours}
FLOWS = {"hours": Flow(HoursState, continue_hours, correct_hours)}
