"""活动 [类别] [时间] [名称] [地点] [限N人]: an officer creates an activity; its people are invited.

Whatever one message says is taken (活动 志愿服务 12月12日上午9点 帮社区老人理发 地点社区服务站
限20人); the rest is asked one thing at a time: the kind, the group (兴趣小组), the name, the
day, the time, the place (跳过: said later), the places (跳过: no limit), and for an officer
of several branches which branches. Read back; on 确认 the activity is stored and every
invitee gets an invitation with a 报名 button. A member saying 活动 sees what is on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.core.i18n import format_when
from bot.core.messages import Reply
from bot.understanding import Intent, Parsed, normalize
from bot.understanding.clean import Cleaned
from handlers.activities import details
from handlers.activities.invite import NewActivity, limit_text, publish
from handlers.activities.kinds import KINDS, kind_at_start
from handlers.activities.mine import handle_activities
from handlers.activities.words import number_said, said_after
from handlers.common import is_officer
from handlers.context import Context
from handlers.flow import Choice, Flow, FlowState
from handlers.groups.find import match_group
from handlers.meetings.when import start_of
from handlers.officers.branch_scope import overseen
from storage.models import Branch

_SKIP, _ALL = "跳过", "全部"
MAX_GROUPS = 20
MAX_BRANCHES = 20  # offered one by one (an admin's whole bureau: 全部, or a typed name)
# What each kind's button sends (a word `kind_at_start` reads back).
_KIND_VALUES = {"interest": "兴趣小组", "volunteer": "志愿服务", "visit": "参观",
                "lecture": "讲座", "phone": "学手机", "other": "其他"}


@dataclass
class ActivityState(FlowState):
    """活动: the organiser's branch and what has been said of the activity so far."""

    flow = "activity"
    branch_id: int
    kind: str | None = None
    group_id: int | None = None
    title: str | None = None
    day: str | None = None  # YYYY-MM-DD
    at: str | None = None  # HH:MM
    place: str | None = None
    capacity: int | None = None
    asked_place: bool = False
    asked_limit: bool = False
    branch_ids: list[int] | None = None  # None: not decided yet
    several: bool = False  # the organiser looks after more than one branch
    overseen_ids: list[int] = field(default_factory=list)


async def handle_activity(ctx: Context, parsed: Parsed) -> list[Reply]:
    """An officer: take what the words say and ask for the rest. Anyone else: what is on."""
    if not is_officer(ctx):
        return await handle_activities(ctx, parsed)
    mine = await overseen(ctx)
    if not mine:
        return [Reply(ctx.t("branch.none_overseen"))]
    me = ctx.me()
    home = next((b for b in mine if b.id == me.branch_id), mine[0])
    state = ActivityState(home.id, several=len(mine) > 1, overseen_ids=[b.id for b in mine])
    if not state.several:
        state.branch_ids = [home.id]
    text = parsed.args or said_after(ctx.message.text or "", Intent.ACTIVITY)
    await details.take(ctx, state, text)
    return await _next_question(ctx, state)


async def _next_question(ctx: Context, state: ActivityState) -> list[Reply]:
    """The first thing still missing, else the read-back."""
    cancel = Choice("取消", ctx.t("button.cancel"))
    if state.kind is None:
        choices = [Choice(_KIND_VALUES[k], ctx.t(f"activity.kind.{k}")) for k in KINDS]
        return [ctx.ask("kind", state, ctx.t("activity.ask_kind"), [*choices, cancel])]
    if state.kind == "interest" and state.group_id is None:
        groups = await details.groups_of(ctx, state)
        if not groups:
            state.kind = None
            return [Reply(ctx.t("activity.no_groups")), *await _next_question(ctx, state)]
        choices = [Choice(f"#{g.id}", g.name) for g in groups[:MAX_GROUPS]]
        return [ctx.ask("group", state, ctx.t("activity.ask_group"), [*choices, cancel])]
    if state.title is None:
        return [ctx.ask("title", state, ctx.t("activity.ask_title"), [cancel])]
    if state.day is None:
        return [ctx.ask("day", state, ctx.t("activity.ask_day", title=state.title), [cancel])]
    if state.at is None:
        return [ctx.ask("time", state, ctx.t("activity.ask_time", title=state.title), [cancel])]
    starts = start_of(state, ctx.tz)
    assert starts is not None
    if starts <= ctx.now:
        state.day = state.at = None
        return [ctx.ask("day", state, ctx.t("activity.past"), [cancel])]
    if state.place is None and not state.asked_place:
        state.asked_place = True
        return [ctx.ask("place", state, ctx.t("activity.ask_place"),
                        [Choice(_SKIP, ctx.t("activity.place_later_button")), cancel])]
    if not state.asked_limit:
        state.asked_limit = True
        return [ctx.ask("limit", state, ctx.t("activity.ask_limit"),
                        [Choice(_SKIP, ctx.t("activity.no_limit")), cancel])]
    if state.branch_ids is None:
        return [await _ask_branches(ctx, state, cancel)]
    return [await _readback(ctx, state)]


async def _ask_branches(ctx: Context, state: ActivityState, cancel: Choice) -> Reply:
    """本支部 (an officer's own, if they have one) or each branch they look after, or all."""
    home = ctx.me().branch_id
    mine = [b for b in [await ctx.tx.get_branch(i) for i in state.overseen_ids] if b]
    mine.sort(key=lambda b: b.id != home)
    choices = [Choice(b.name, ctx.t("activity.branch_home", branch=b.name) if b.id == home
                      else b.name) for b in mine[:MAX_BRANCHES]]
    choices.append(Choice(_ALL, ctx.t("activity.branch_all", n=len(state.overseen_ids))))
    return ctx.ask("branches", state, ctx.t("activity.ask_branches"), [*choices, cancel])


async def _readback(ctx: Context, state: ActivityState) -> Reply:
    assert state.kind is not None and state.title is not None
    starts = start_of(state, ctx.tz)
    assert starts is not None
    ctx.note_slots(kind=state.kind, day=state.day or "", time=state.at or "",
                   title=state.title)
    return ctx.readback("confirm", state, ctx.t(
        "activity.readback", kind=ctx.t(f"activity.kind.{state.kind}"), title=state.title,
        when=format_when(ctx.locale, ctx.local(starts)),
        place=state.place or ctx.t("activity.place_later"),
        limit=limit_text(ctx.locale, state.capacity), who=await _who(ctx, state)))


async def _who(ctx: Context, state: ActivityState) -> str:
    """书法组的组员 / 城关离退休干部党支部、东城离退休干部党支部的党员."""
    if state.group_id is not None:
        group = await ctx.tx.get_group(state.group_id)
        return ctx.t("activity.who_group", group=group.name if group else "")
    branches = [await ctx.tx.get_branch(i) for i in state.branch_ids or []]
    return ctx.t("activity.who_branches",
                 branches="、".join(b.name for b in branches if b is not None))


async def continue_activity(ctx: Context, state: ActivityState,
                            parsed: Parsed) -> list[Reply] | None:
    """Each answer in turn; 确认 at the read-back publishes the activity."""
    assert ctx.conversation is not None
    if _again(ctx, parsed):  # 活动 … said again: afresh
        return await handle_activity(ctx, parsed)
    step, typed = ctx.conversation.step, (ctx.message.text or "").strip()
    skipped = ctx.choice == _SKIP or parsed.intent is Intent.SKIP
    if step == "kind":
        kind, rest = kind_at_start(ctx.choice or typed)
        if kind is None:
            return None
        state.kind = kind
        if rest:
            await details.take(ctx, state, rest)
    elif step == "group":
        groups = await details.groups_of(ctx, state)
        number = number_said(ctx.choice or "")
        group = next((g for g in groups if g.id == number), None) or match_group(groups, typed)
        if group is None:
            return None
        details.set_group(ctx, state, group)
    elif step == "title":
        if not await details.take(ctx, state, typed, title_answer=True):
            return None
    elif step in ("day", "time"):
        before = (state.day, state.at)
        await details.take(ctx, state, typed)
        if (state.day, state.at) == before:
            return None
    elif step == "place":
        state.place = None if skipped else (
            details.place_answer(typed) or None)
    elif step == "limit":
        if parsed.number is not None and parsed.number > 0:  # asked for places: 20 is 20人
            state.capacity = parsed.number
        elif not skipped and not details.take_limit(state, typed):
            return None
    elif step == "branches":
        chosen = await _branches(ctx, state, ctx.choice or typed)
        if chosen is None:
            return None
        state.branch_ids = chosen
    elif parsed.intent is Intent.CONFIRM:
        ctx.end()
        return await _publish(ctx, state)
    else:
        return None
    return await _next_question(ctx, state)


def _again(ctx: Context, parsed: Parsed) -> bool:
    """活动 and more words, the word standing apart (not 活动室, an answer)."""
    said = normalize(ctx.message.text or "")
    return parsed.intent is Intent.ACTIVITY and bool(parsed.args) and said.startswith(
        "活动") and said[2:3] in (" ", "，", ",", "：", ":")


async def _branches(ctx: Context, state: ActivityState, said: str) -> list[int] | None:
    """全部 / a branch's name (城关, 本支部) -> the invited branches; the first organises."""
    if said == _ALL:
        return list(state.overseen_ids)
    mine = [b for b in [await ctx.tx.get_branch(i) for i in state.overseen_ids] if b]
    home = ctx.me().branch_id
    named: list[Branch] = [b for b in mine if said == b.name or details.names_branch(said, b)
                           or (b.id == home and "本支部" in said)]
    if named:
        state.branch_id = named[0].id
        return [b.id for b in named]
    if details.means_all(said):
        return list(state.overseen_ids)
    return None


async def correct_activity(ctx: Context, state: ActivityState,
                           value: Cleaned) -> list[Reply] | None:
    """不对，是12月13日 / 改成下午3点 / 地点改成… / 限30人 / 名称改成…: that part again."""
    text = _value(value.typed)
    said = normalize(ctx.message.text or "")
    part = next((p for p, words in _PARTS if any(w in said for w in words)), None)
    if not text:
        return None
    if part == "place":
        state.place, state.asked_place = text[:100], True
    elif part == "title":
        state.title = text[:100]
    elif part == "limit":
        if not details.take_limit(state, text):
            return None
    elif not await details.take(ctx, state, text, overwrite=True):
        return None
    return await _next_question(ctx, state)


def _value(typed: str) -> str:
    """The new value of a correction, without the words that name the part (地点改成…)."""
    text = typed.strip()
    while text:
        head = normalize(text[:4])
        word = next((w for w in _NAMING if head.startswith(w)), None)
        if word is None:
            break
        text = text[len(word):].lstrip("：:，, ")
    return text


_NAMING = ("不对", "地点", "地方", "地址", "名称", "名字", "题目", "名额", "人数", "时间", "日期",
           "改成", "改为", "换成", "应该是", "是", "在")
# A correction that names the part it changes (地点改成… / 名称是…): that part, as said.
_PARTS = (("place", ("地点", "地方", "地址", "在哪")),
          ("title", ("名称", "名字", "题目", "活动名")),
          ("limit", ("名额", "人数", "限")))


async def _publish(ctx: Context, state: ActivityState) -> list[Reply]:
    starts = start_of(state, ctx.tz)
    assert starts is not None and state.kind is not None and state.title is not None
    if starts <= ctx.now:
        return [Reply(ctx.t("activity.past_now"))]
    me = ctx.me()
    done = await publish(ctx.tx, NewActivity(
        branch_id=state.branch_id, kind=state.kind, title=state.title, starts_at=starts,
        place=state.place, capacity=state.capacity, group_id=state.group_id,
        branch_ids=state.branch_ids or [state.branch_id], organiser_id=me.id),
        now=ctx.now, tz=ctx.tz, default_locale=ctx.default_locale)
    await ctx.tx.audit("activity_added", ctx.now, actor_member_id=me.id, actor=ctx.actor,
                       detail={"activity": done.activity.id, "kind": state.kind,
                               "invited": done.told})
    text = ctx.t("activity.ok", title=state.title, n=done.told)
    if done.unbound:
        text += "\n" + ctx.t("broadcast.phone", names="、".join(m.name for m in done.unbound))
    return [Reply(text)]


INTENTS = {Intent.ACTIVITY: handle_activity}
FLOWS = {"activity": Flow(ActivityState, continue_activity, correct_activity)}
