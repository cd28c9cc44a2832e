"""报名 and 取消报名: a member takes a place at an activity, or gives it back.

Which activity: the button's `报名 #12`, words that name it (我想报名书法班 -> the 书法组's
activity), the only one open, or a numbered choice. Read back; on 确认 the place is taken —
or, when all places are taken, the member is put on the waiting list after saying yes to it.
Giving a place back hands it to the first on the waiting list, who is told at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.core.i18n import t
from bot.core.messages import Reply
from bot.understanding import Intent, Parsed
from handlers.activities.invite import place_text, when_text
from handlers.activities.words import leftover, matching, number_said
from handlers.context import Context
from handlers.dialogue import which
from handlers.flow import Choice, Flow, FlowState
from handlers.notify import push
from storage.repo_activities import Activity, MyActivity

MAX_CHOICES = 10
_HELD = ("signed", "waiting")


@dataclass
class SignupState(FlowState):
    """报名: which activity, and whether the member is asked about the waiting list."""

    flow = "signup"
    activity_id: int
    waiting: bool = False


@dataclass
class UnsignState(FlowState):
    """取消报名: which activity."""

    flow = "unsign"
    activity_id: int


def _said(ctx: Context, parsed: Parsed) -> str:
    """The words that may name the activity: after the keyword, or the whole sentence."""
    return parsed.args or ctx.message.text or ""


def _number(ctx: Context, parsed: Parsed, listed: list[MyActivity]) -> tuple[bool, int | None]:
    """Whether a number was said, and the activity it means: `#12` (a button, a choice) is
    the activity's own number; a bare `报名 2` is the second of 我的活动's list."""
    raw = f"{parsed.args} {ctx.message.button or ''} {ctx.message.text or ''}"
    if "#" in raw or "＃" in raw:
        return True, number_said(parsed.args or ctx.message.text or "")
    number = number_said(parsed.args) if parsed.args else None
    if number is None:
        return False, None
    return True, listed[number - 1].activity.id if 1 <= number <= len(listed) else None


def _label(ctx: Context, row: MyActivity) -> str:
    full = f"（{ctx.t('activity.mark.full')}）" if row.full and row.state is None else ""
    return f"{when_text(ctx.locale, row.activity, ctx.tz)} {row.activity.title[:16]}{full}"


def _which(ctx: Context, parsed: Parsed, rows: list[MyActivity], intent: Intent,
           listed: list[MyActivity]) -> MyActivity | list[Reply] | None:
    """The one activity meant, the reply to send instead (which one?), or None when a
    number names none of them."""
    said_number, number = _number(ctx, parsed, listed)
    if said_number:
        return next((r for r in rows if r.activity.id == number), None)
    said = _said(ctx, parsed)
    meant = matching([r.activity for r in rows], said)
    if len(meant) == 1:
        return next(r for r in rows if r.activity.id == meant[0].id)
    named = _named(parsed, said, intent)
    pool = [r for r in rows if r.activity in meant] if meant else rows
    if intent is Intent.SIGNUP and not meant:
        pool = [r for r in rows if r.state not in _HELD] or rows
    if len(pool) == 1 and (meant or len(named) < 2):
        return pool[0]
    head = ctx.t("activity.no_match", words=named) + "\n" if not meant and len(named) >= 2 else ""
    question = head + ctx.t("activity.which_signup" if intent is Intent.SIGNUP
                            else "activity.which_unsign")
    choices = [Choice(f"#{r.activity.id}", _label(ctx, r)) for r in pool[:MAX_CHOICES]]
    return which.ask(ctx, intent, "", question, choices)


def _named(parsed: Parsed, said: str, intent: Intent) -> str:
    return parsed.args.strip() if parsed.args else leftover(said, intent)


def _what(ctx: Context, activity: Activity) -> dict[str, str]:
    return {"title": activity.title, "when": when_text(ctx.locale, activity, ctx.tz),
            "place": place_text(ctx.locale, activity)}


async def handle_signup(ctx: Context, parsed: Parsed) -> list[Reply]:
    """Find the activity, then read back (or offer the waiting list when it is full)."""
    me = ctx.me()
    rows = await ctx.tx.activities_for(me.id, me.branch_id, ctx.now)
    found = _which(ctx, parsed, rows, Intent.SIGNUP, rows) if rows else None
    if found is None:
        said_number, number = _number(ctx, parsed, rows)
        if not said_number:
            return [Reply(ctx.t("activity.none_open"))]
        started = await _started(ctx, number) if number is not None else None
        return [Reply(ctx.t(started or "activity.not_found"))]
    if isinstance(found, list):
        return found
    return _offer(ctx, found)


async def _started(ctx: Context, number: int) -> str | None:
    """An invited activity that has begun already: too late to sign up (else None)."""
    activity = await ctx.tx.get_activity(number)
    me = ctx.me()
    if activity is None or activity.starts_at > ctx.now or not await ctx.tx.is_invited(
            activity.id, me.id, me.branch_id):
        return None
    return "activity.too_late"


def _offer(ctx: Context, row: MyActivity) -> list[Reply]:
    what = _what(ctx, row.activity)
    if row.state == "signed":
        return [Reply(ctx.t("activity.already", **what))]
    if row.state == "waiting":
        return [Reply(ctx.t("activity.already_waiting", **what))]
    state = SignupState(row.activity.id, waiting=row.full)
    ctx.note_slots(activity=str(row.activity.id))
    if row.full:
        return [ctx.ask("confirm", state, ctx.t("activity.full_ask", **what), ctx.yes_no())]
    return [ctx.readback("confirm", state, ctx.t("activity.signup_readback", **what))]


async def continue_signup(ctx: Context, state: SignupState,
                          parsed: Parsed) -> list[Reply] | None:
    """确认: the place (or the waiting list); a place taken meanwhile offers the list."""
    if parsed.intent is not Intent.CONFIRM:
        return None
    ctx.end()
    me = ctx.me()
    activity = await ctx.tx.get_activity(state.activity_id)
    if activity is None or activity.status != "open" or activity.starts_at <= ctx.now:
        return [Reply(ctx.t("activity.too_late"))]
    what = _what(ctx, activity)
    held = await ctx.tx.signup_state(activity.id, me.id)
    if held in _HELD:
        return [Reply(ctx.t("activity.already" if held == "signed"
                            else "activity.already_waiting", **what))]
    full = activity.capacity is not None and (
        await ctx.tx.signed_count(activity.id) >= activity.capacity)
    if full and not state.waiting:
        state.waiting = True
        return [ctx.ask("confirm", state, ctx.t("activity.full_now", **what), ctx.yes_no())]
    await ctx.tx.set_signup(activity.id, me.id, "waiting" if full else "signed", ctx.now)
    await ctx.tx.audit("activity_signup", ctx.now, actor_member_id=me.id, actor=ctx.actor,
                       detail={"activity": activity.id, "waiting": full})
    return [Reply(ctx.t("activity.waiting_ok" if full else "activity.signup_ok", **what))]


async def handle_unsign(ctx: Context, parsed: Parsed) -> list[Reply]:
    """Which of my sign-ups; read back."""
    me = ctx.me()
    listed = await ctx.tx.activities_for(me.id, me.branch_id, ctx.now)
    rows = [r for r in listed if r.state in _HELD]
    if not rows:
        return [Reply(ctx.t("activity.none_signed"))]
    found = _which(ctx, parsed, rows, Intent.UNSIGN, listed)
    if found is None:
        return [Reply(ctx.t("activity.not_found"))]
    if isinstance(found, list):
        return found
    state = UnsignState(found.activity.id)
    return [ctx.readback("confirm", state,
                         ctx.t("activity.unsign_readback", **_what(ctx, found.activity)))]


async def continue_unsign(ctx: Context, state: UnsignState,
                          parsed: Parsed) -> list[Reply] | None:
    """确认: the place is given back; the first waiting member gets it and is told."""
    if parsed.intent is not Intent.CONFIRM:
        return None
    ctx.end()
    me = ctx.me()
    activity = await ctx.tx.get_activity(state.activity_id)
    if activity is None:
        return [Reply(ctx.t("activity.not_found"))]
    what = _what(ctx, activity)
    held = await ctx.tx.signup_state(activity.id, me.id)
    if held not in _HELD:
        return [Reply(ctx.t("activity.unsign_ok", **what))]
    await ctx.tx.set_signup(activity.id, me.id, "cancelled", ctx.now)
    await ctx.tx.audit("activity_unsign", ctx.now, actor_member_id=me.id, actor=ctx.actor,
                       detail={"activity": activity.id})
    if held == "signed":
        await promote(ctx, activity)
    return [Reply(ctx.t("activity.unsign_ok", **what))]


async def promote(ctx: Context, activity: Activity) -> None:
    """A place came free: the member longest on the waiting list takes it and is told."""
    if activity.capacity is not None and (
            await ctx.tx.signed_count(activity.id) >= activity.capacity):
        return
    first = await ctx.tx.first_waiting(activity.id)
    member = await ctx.tx.get_member(first) if first is not None else None
    if member is None:
        return
    await ctx.tx.set_signup(activity.id, member.id, "signed", ctx.now)

    def render(locale: str) -> str:
        return t(locale, "activity.promoted", title=activity.title,
                 when=when_text(locale, activity, ctx.tz), place=place_text(locale, activity))

    await push(ctx.tx, member, render,
               key=f"activity:{activity.id}:promoted:{member.id}:{ctx.message.message_id}",
               kind="activity_place", now=ctx.now, default_locale=ctx.default_locale)


INTENTS = {Intent.SIGNUP: handle_signup, Intent.UNSIGN: handle_unsign}
FLOWS: dict[str, Flow[Any]] = {"signup": Flow(SignupState, continue_signup),
         "unsign": Flow(UnsignState, continue_unsign)}
