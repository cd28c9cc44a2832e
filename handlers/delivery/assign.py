"""送学单 and 已送达: officers assign deliveries; the volunteer (or an officer) records them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.core.i18n import t
from bot.core.messages import Button, Reply
from bot.understanding import Intent, Parsed
from handlers.common import is_officer, may_handle, number_in, officer_only
from handlers.context import Context
from handlers.delivery.common import (
    is_overdue,
    month_words,
    print_copy,
    print_subtitle,
    time_words,
)
from handlers.delivery.notify import material_title, task_text, tell_assigned, tell_delivered
from handlers.flow import Choice, Flow, FlowState
from handlers.people import scope_branch_ids
from storage.models import Member
from storage.repo_delivery import DeliveryRequest, Material

_LIST_BUTTONS = 5
_SELF, _PARTNER, _OTHER = "我自己", "互助对象", "其他"


async def handle_deliveries(ctx: Context, parsed: Parsed) -> list[Reply]:
    """送学单 [编号]: open deliveries, oldest first, with addresses; 送学单 3 assigns #3."""
    if not is_officer(ctx):
        return officer_only(ctx)
    number = number_in(parsed.args)
    if number is not None:
        return await _start_assign(ctx, number.value)
    requests = await ctx.tx.open_deliveries(await scope_branch_ids(ctx.tx, ctx.me()))
    await ctx.tx.audit("delivery_list", ctx.now, actor_member_id=ctx.me().id, actor=ctx.actor,
                       detail={"count": len(requests)})
    if not requests:
        return [Reply(ctx.t("delivery.list.none"))]
    lines = [ctx.t("delivery.list.title")]
    lines += [await _line(ctx, request) for request in requests]
    lines.append(ctx.t("delivery.list.hint"))
    buttons = tuple(Button(ctx.t("delivery.button.assign", id=r.id), f"送学单 #{r.id}")
                    for r in requests if r.status == "requested")[:_LIST_BUTTONS]
    if buttons:
        ctx.goto("pick", AssignState(), [Choice(b.data, b.label) for b in buttons])
    copies = await _to_print(ctx, requests)
    if copies:  # drawn after the commit, so nobody else waits for a PDF
        folder, locale = await ctx.tx.files_dir(), ctx.locale
        ctx.after_commit(lambda: _print_copies(folder, copies, locale))
    return [Reply("\n".join(lines), buttons=buttons)]


async def _line(ctx: Context, request: DeliveryRequest) -> str:
    member = await ctx.tx.get_member(request.member_id)
    volunteer = await ctx.tx.get_member(request.assigned_to) if request.assigned_to else None
    status = (ctx.t("delivery.status.assigned", who=volunteer.name) if volunteer
              else ctx.t("delivery.status.requested"))
    return ctx.t(
        "delivery.list.line", id=request.id, name=member.name if member else "?",
        month=month_words(ctx.locale, request.month),
        address=request.address or ctx.t("delivery.no_address"),
        changed=ctx.t("delivery.changed_mark") if request.address_changed else "",
        time=time_words(ctx.locale, request.preferred_time), status=status,
        flag=ctx.t("delivery.list.overdue") if is_overdue(request, ctx.now) else "")


async def _to_print(ctx: Context,
                    requests: list[DeliveryRequest]) -> list[tuple[Material, str]]:
    """The listed deliveries' materials, each with its large-print subtitle."""
    copies: list[tuple[Material, str]] = []
    for branch_id, month in dict.fromkeys((r.branch_id, r.month) for r in requests):
        branch = await ctx.tx.get_branch(branch_id)
        for material in await ctx.tx.materials_for(branch_id, month):
            subtitle = print_subtitle(ctx.locale, material, branch.name if branch else None)
            copies.append((material, subtitle))
    return copies


async def _print_copies(folder: Path | None, copies: list[tuple[Material, str]],
                        locale: str) -> list[Reply]:
    """What to print for the listed deliveries: large-print texts and the documents."""
    paths: list[Path] = []
    for material, subtitle in copies:
        path = await print_copy(folder, material, subtitle)
        if path is not None and path not in paths:
            paths.append(path)
    if not paths:
        return []
    return [Reply(t(locale, "delivery.list.print"), files=tuple(str(p) for p in paths))]


async def _partner(ctx: Context, member: Member) -> Member | None:
    partner = await ctx.tx.get_member(member.pair_member_id) if member.pair_member_id else None
    return partner if partner and partner.status == "active" else None


async def _allowed(ctx: Context, request_id: int) -> tuple[DeliveryRequest | None, Reply]:
    """The request, if the officer may act on it (else the reason, and the attempt audited)."""
    request = await ctx.tx.get_delivery(request_id) if request_id else None
    # "No such request" and "not yours" read the same, so numbers cannot be probed.
    unknown = Reply(ctx.t("delivery.unknown", id=request_id or "?"))
    if request is None:
        return None, unknown
    if not is_officer(ctx) or not await may_handle(ctx.tx, ctx.me(), request.branch_id):
        await ctx.tx.audit("delivery_denied", ctx.now, actor_member_id=ctx.me().id,
                           actor=ctx.actor, subject_member_id=request.member_id,
                           detail={"request": request.id})
        return None, unknown
    if request.status == "delivered":
        return None, Reply(ctx.t("delivery.done.already"))
    return request, Reply("")


async def _start_assign(ctx: Context, request_id: int) -> list[Reply]:
    request, refusal = await _allowed(ctx, request_id)
    if request is None:
        return [refusal]
    member = await ctx.tx.get_member(request.member_id)
    assert member is not None
    partner = await _partner(ctx, member)
    choices = [Choice(_SELF, ctx.t("delivery.opt.self"))]
    if partner is not None:
        choices.append(Choice(_PARTNER, ctx.t("delivery.opt.partner", name=partner.name)))
    choices.append(Choice(_OTHER, ctx.t("delivery.opt.other")))
    return [ctx.ask("whom", AssignState(request.id), ctx.t(
        "delivery.assign.whom", id=request.id, name=member.name,
        address=request.address or ctx.t("delivery.no_address")), choices)]


@dataclass
class AssignState(FlowState):
    """送学单: which request (once picked), and who brings it."""

    flow = "deliveries"
    request: int | None = None
    volunteer: int | None = None


async def continue_deliveries(ctx: Context, state: AssignState,
                              parsed: Parsed) -> list[Reply] | None:
    """The steps of 送学单: pick a request, to whom, 确认."""
    assert ctx.conversation is not None
    step = ctx.conversation.step
    text = (ctx.message.text or "").strip()
    if step == "pick":
        said = ctx.choice or (text if text.startswith("指派") else "")
        number = number_in(said)
        return await _start_assign(ctx, number.value) if number else None
    request = await ctx.tx.get_delivery(state.request) if state.request else None
    member = await ctx.tx.get_member(request.member_id) if request else None
    if request is None or member is None:
        return None
    if step in ("whom", "name"):
        return await _step_whom(ctx, state, member, step, text)
    if parsed.intent is None:
        return await _readback(ctx, state)
    if parsed.intent is not Intent.CONFIRM:
        return None
    ctx.end()
    return await _assign(ctx, state)


async def _step_whom(ctx: Context, state: AssignState, member: Member, step: str,
                     text: str) -> list[Reply] | None:
    volunteer: Member | None = None
    choice = ctx.choice if step == "whom" else None
    if choice == _SELF:
        volunteer = ctx.me()
    elif choice == _PARTNER:
        volunteer = await _partner(ctx, member)
    elif choice == _OTHER:
        return [ctx.ask("name", state, ctx.t("delivery.assign.ask_name"))]
    elif text:
        volunteer = await _by_name(ctx, member, text)
        if volunteer is None:
            return [ctx.ask("name", state, ctx.t("delivery.assign.name_not_found", name=text))]
    if volunteer is None:
        return None
    state.volunteer = volunteer.id
    return await _readback(ctx, state)


async def _by_name(ctx: Context, member: Member, name: str) -> Member | None:
    """An active member of the same branch (not the member themself) with that name."""
    found = [m for m in await ctx.tx.find_members_by_name(name.strip(), member.branch_id)
             if m.status == "active" and m.id != member.id]
    return found[0] if len(found) == 1 else None


async def _readback(ctx: Context, state: AssignState) -> list[Reply]:
    request = await ctx.tx.get_delivery(state.request) if state.request else None
    volunteer = await ctx.tx.get_member(state.volunteer) if state.volunteer else None
    member = await ctx.tx.get_member(request.member_id) if request else None
    assert request is not None and volunteer is not None and member is not None
    return [ctx.readback("confirm", state, ctx.t(
        "delivery.assign.readback", id=request.id, name=member.name, who=volunteer.name,
        address=request.address or ctx.t("delivery.no_address"),
        time=time_words(ctx.locale, request.preferred_time)))]


async def _assign(ctx: Context, state: AssignState) -> list[Reply]:
    request, refusal = await _allowed(ctx, state.request or 0)
    volunteer = await ctx.tx.get_member(state.volunteer) if state.volunteer else None
    if request is None or volunteer is None:
        return [refusal]
    member = await ctx.tx.get_member(request.member_id)
    assert member is not None
    previous = await ctx.tx.get_member(request.assigned_to) if request.assigned_to else None
    if not await ctx.tx.assign_delivery(request.id, volunteer.id, ctx.me().id, ctx.now):
        return [Reply(ctx.t("delivery.done.already"))]
    assigned = await ctx.tx.get_delivery(request.id)
    assert assigned is not None
    await ctx.tx.audit("delivery_assign", ctx.now, actor_member_id=ctx.me().id, actor=ctx.actor,
                       subject_member_id=member.id,
                       detail={"request": request.id, "volunteer": volunteer.id})
    await tell_assigned(ctx, assigned, member, volunteer, previous)
    if volunteer.id == ctx.me().id:
        title = await material_title(ctx.tx, assigned)
        return [Reply(task_text(ctx.locale, assigned, member, title))]
    return [Reply(ctx.t("delivery.assign.ok", id=request.id, who=volunteer.name))]


async def handle_delivered(ctx: Context, parsed: Parsed) -> list[Reply]:
    """已送达 [编号]: the assigned volunteer (or an officer of the branch) records delivery."""
    me = ctx.me()
    number = number_in(parsed.args)
    if number is None:
        mine = await ctx.tx.volunteer_deliveries(me.id)
        if len(mine) != 1:
            return [_which(ctx, mine)]
        request: DeliveryRequest | None = mine[0]
    else:
        request = await ctx.tx.get_delivery(number.value) if number.value else None
    # "No such request" and "not yours" read the same, so numbers cannot be probed.
    unknown = Reply(ctx.t("delivery.done.unknown", id=number.shown if number else "?"))
    if request is None:
        return [unknown]
    proof = "volunteer" if request.assigned_to == me.id else None
    if proof is None and is_officer(ctx) and await may_handle(ctx.tx, me, request.branch_id):
        proof = "officer"
    if proof is None:
        await ctx.tx.audit("delivery_denied", ctx.now, actor_member_id=me.id, actor=ctx.actor,
                           subject_member_id=request.member_id, detail={"request": request.id})
        return [unknown]
    if not await ctx.tx.mark_delivered(request.id, me.id, proof, ctx.now):
        return [Reply(ctx.t("delivery.done.already"))]
    await ctx.tx.audit("delivery_done", ctx.now, actor_member_id=me.id, actor=ctx.actor,
                       subject_member_id=request.member_id,
                       detail={"request": request.id, "proof": proof})
    await tell_delivered(ctx, request, by=me)
    member = await ctx.tx.get_member(request.member_id)
    return [Reply(ctx.t("delivery.done.ok", name=member.name if member else "?",
                        month=month_words(ctx.locale, request.month)))]


def _which(ctx: Context, mine: list[DeliveryRequest]) -> Reply:
    """Several (or no) deliveries of one's own: say which."""
    if not mine:
        return Reply(ctx.t("delivery.done.none"))
    return Reply(ctx.t("delivery.done.which"), buttons=tuple(
        Button(ctx.t("delivery.button.delivered_id", id=r.id), f"已送达 #{r.id}")
        for r in mine[:_LIST_BUTTONS]))


INTENTS = {Intent.DELIVERIES: handle_deliveries, Intent.DELIVERED: handle_delivered}
FLOWS = {"deliveries": Flow(AssignState, continue_deliveries)}
