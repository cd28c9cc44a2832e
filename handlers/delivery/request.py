"""送学 and 收到: a member asks for the month's material at home, and confirms it arrived."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.i18n import format_date, t
from bot.core.messages import Reply
from bot.understanding import Intent, Parsed
from bot.understanding.clean import Cleaned
from bot.understanding.slots import address_in, time_of_day
from handlers.context import Context
from handlers.delivery.common import TIMES, month_key, month_words, time_words
from handlers.delivery.notify import tell_delivered
from handlers.flow import Choice, Flow, FlowState
from handlers.notify import push
from handlers.sessions import branch_rule, home_branch, session_at, upcoming_start
from storage.models import Branch, Member
from storage.repo_delivery import DeliveryRequest

_SAME, _CHANGED = "就是这里", "地址变了"
_MIN_ADDRESS = 4  # characters: shorter answers are words, not addresses


def _time_in(text: str) -> str | None:
    """下午三点以后 -> afternoon: a time typed instead of pressed."""
    found = [value for word, value in (("上午", "morning"), ("下午", "afternoon")) if word in text]
    return found[0] if len(found) == 1 else "any" if "都" in text or len(found) == 2 else None


@dataclass
class DeliveryState(FlowState):
    """送学: for which month, to which address, at what time of day."""

    flow = "delivery"
    month: str
    address: str | None = None
    changed: bool = False
    time: str | None = None


async def delivery_month(ctx: Context, branch: Branch) -> str:
    """This month; or the month of the next study day when the member asked leave for it."""
    current = month_key(ctx.local())
    rule = branch_rule(branch)
    if rule is None:
        return current
    start = upcoming_start(ctx, rule)
    later = month_key(ctx.local(start))
    if later == current:
        return current
    session = await session_at(ctx, branch, start)
    on_leave = await ctx.tx.get_leave(session.id, ctx.me().id) is not None
    return later if on_leave else current


async def handle_delivery(ctx: Context, parsed: Parsed) -> list[Reply]:
    """送学: where and when to bring the material; asking again finds the same request."""
    member = ctx.me()
    branch = await home_branch(ctx)
    if branch is None:
        return [Reply(ctx.t("rule.none"))]
    month = await delivery_month(ctx, branch)
    existing = await ctx.tx.delivery_for(member.id, month)
    if existing is not None and existing.status == "delivered":
        when = format_date(ctx.locale, ctx.local(existing.delivered_at or ctx.now))
        return [Reply(ctx.t("delivery.already_delivered", month=month_words(ctx.locale, month),
                            date=when))]
    intro = [ctx.t("delivery.existing", id=existing.id)] if existing else []
    address = (existing.address if existing else None) or member.address
    state = DeliveryState(month, time=parsed.slot("time"))
    said = parsed.slot("address")
    for key in ("time", "address"):
        if parsed.slot(key):
            ctx.note_slots(**{key: parsed.slot(key) or ""})
    if said:
        return [*([Reply(intro[0])] if intro else []), *_new_address(ctx, state, said)]
    return _ask_address(ctx, state, address, intro)


def _ask_address(
    ctx: Context, state: DeliveryState, address: str | None, intro: list[str]
) -> list[Reply]:
    if not address:
        return [ctx.ask("new_address", state,
                        "\n".join([*intro, ctx.t("delivery.ask_new_address")]))]
    state.address = address
    choices = [Choice(_SAME, ctx.t("delivery.opt.same")),
               Choice(_CHANGED, ctx.t("delivery.opt.changed"))]
    return [ctx.ask("address", state,
                    "\n".join([*intro, ctx.t("delivery.ask_address", address=address)]), choices)]


def _new_address(ctx: Context, state: DeliveryState, address: str) -> list[Reply]:
    state.address, state.changed = address, True
    return _ask_time(ctx, state) if state.time is None else _readback(ctx, state)


async def correct_delivery(ctx: Context, state: DeliveryState,
                           value: Cleaned) -> list[Reply] | None:
    """At the read-back: 改成下午 (the time) or 地址不对，是和平街10号 (the address)."""
    when = time_of_day(value)
    if when is not None:
        state.time = when
        ctx.note_slots(time=when)
        return _readback(ctx, state)
    said = address_in(value) or value.typed
    if len(said) < _MIN_ADDRESS:
        return None
    state.address, state.changed = said, True
    ctx.note_slots(address=said)
    return _readback(ctx, state)


def _ask_time(ctx: Context, state: DeliveryState) -> list[Reply]:
    choices = [Choice(word, time_words(ctx.locale, value)) for word, value in TIMES.items()]
    return [ctx.ask("time", state, ctx.t("delivery.ask_time"), choices)]


def _readback(ctx: Context, state: DeliveryState) -> list[Reply]:
    changed = ctx.t("delivery.changed_mark") if state.changed else ""
    return [ctx.readback("confirm", state, ctx.t(
        "delivery.readback", month=month_words(ctx.locale, state.month),
        address=state.address or "", changed=changed, time=time_words(ctx.locale, state.time)))]


async def continue_delivery(ctx: Context, state: DeliveryState,
                            parsed: Parsed) -> list[Reply] | None:
    """The steps of 送学: the address (or a new one), the time, 确认."""
    assert ctx.conversation is not None
    step = ctx.conversation.step
    text, choice = (ctx.message.text or "").strip(), ctx.choice
    answer = ctx.answer()
    if step == "address":
        typed_address = address_in(answer)
        if typed_address is not None:  # 我搬到建设路20号了: the new address, said at once
            ctx.note("choose", choice=ctx.t("delivery.opt.changed"), address=typed_address)
            return _new_address(ctx, state, typed_address)
        if choice == _SAME or parsed.intent is Intent.CONFIRM:
            state.changed = False
            return _ask_time(ctx, state) if state.time is None else _readback(ctx, state)
        if choice == _CHANGED:
            return [ctx.ask("new_address", state, ctx.t("delivery.ask_new_address"))]
        step = "new_address" if parsed.intent is None and len(text) >= _MIN_ADDRESS else step
    if step == "new_address":
        said = address_in(answer) or answer.typed
        if len(said) < _MIN_ADDRESS or (parsed.intent is not None and not parsed.args):
            return None
        ctx.note_slots(address=said)
        return _new_address(ctx, state, said)
    if step == "time":
        when = TIMES.get(choice or "") or _time_in(answer.simple)
        if not when:
            return None
        state.time = when
        return _readback(ctx, state)
    if parsed.intent is None:
        return _readback(ctx, state)
    if parsed.intent is not Intent.CONFIRM:
        return None
    ctx.end()
    return await _record(ctx, state)


async def _record(ctx: Context, state: DeliveryState) -> list[Reply]:
    member = ctx.me()
    branch = await home_branch(ctx)
    assert branch is not None
    month = state.month
    request = await ctx.tx.delivery_for(member.id, month)
    new = request is None
    if request is None:
        materials = await ctx.tx.materials_for(branch.id, month)
        request = await ctx.tx.add_delivery(
            branch.id, member.id, month, "asked", ctx.now,
            material_id=materials[0].id if materials else None, address=state.address)
        assert request is not None
    changed = state.changed
    await ctx.tx.set_delivery_details(request.id, state.address or "", changed,
                                      state.time or "any")
    await ctx.tx.audit("delivery_request", ctx.now, actor_member_id=member.id, actor=ctx.actor,
                       subject_member_id=member.id, detail={"request": request.id, "new": new})
    if new or changed:
        await _tell_secretaries(ctx, branch, request, member, state)
    return [Reply(await _who_comes(ctx, request, state), show_menu=True)]


async def _tell_secretaries(ctx: Context, branch: Branch, request: DeliveryRequest,
                            member: Member, state: DeliveryState) -> None:
    month, address, when = state.month, state.address or "", state.time or "any"
    flag = state.changed
    stage = f"{ctx.message.channel}:{ctx.message.message_id}"
    for officer in await ctx.tx.officers(branch.id, "secretary"):
        await push(ctx.tx, officer,
                   lambda locale: t(locale, "delivery.alert", id=request.id, name=member.name,
                                    month=month_words(locale, month), address=address,
                                    time=time_words(locale, when),
                                    changed=t(locale, "delivery.changed_mark") if flag else ""),
                   key=f"delivery:{request.id}:request:{stage}:{officer.id}",
                   kind="delivery_alert", now=ctx.now, default_locale=ctx.default_locale)


async def _who_comes(ctx: Context, request: DeliveryRequest, state: DeliveryState) -> str:
    month, when = month_words(ctx.locale, state.month), time_words(ctx.locale, state.time)
    volunteer = await ctx.tx.get_member(request.assigned_to) if request.assigned_to else None
    if volunteer is not None and request.status == "assigned":
        return ctx.t("delivery.ok_assigned", month=month, who=volunteer.name, time=when)
    officers = await ctx.tx.officers(request.branch_id, "secretary")
    names = "、".join(o.name for o in officers) or ctx.t("delivery.the_secretary")
    return ctx.t("delivery.ok", month=month, time=when, secretary=names)


async def handle_received(ctx: Context, parsed: Parsed) -> list[Reply]:
    """收到: the member confirms the material arrived (proof of receipt)."""
    member = ctx.me()
    request = next(iter(await ctx.tx.member_open_deliveries(member.id)), None)
    if request is None:
        return [Reply(ctx.t("delivery.received.none"))]
    if not await ctx.tx.mark_delivered(request.id, member.id, "member", ctx.now):
        return [Reply(ctx.t("delivery.done.already"))]
    await ctx.tx.audit("delivery_received", ctx.now, actor_member_id=member.id, actor=ctx.actor,
                       subject_member_id=member.id, detail={"request": request.id})
    await tell_delivered(ctx, request, by=member)
    return [Reply(ctx.t("delivery.received.ok", month=month_words(ctx.locale, request.month)))]


INTENTS = {Intent.DELIVERY: handle_delivery, Intent.RECEIVED: handle_received}
FLOWS = {"delivery": Flow(DeliveryState, continue_delivery, correct_delivery)}
