"""What a delivery tells other people: the volunteer's task, the member's notice, the
secretaries' news. Addresses go only to the secretaries and the assigned volunteer."""

from __future__ import annotations

from bot.core.i18n import t
from handlers.context import Context
from handlers.delivery.common import month_words, time_words
from handlers.notify import PushButton, push
from storage import Tx
from storage.models import Member
from storage.repo_delivery import DeliveryRequest


async def material_title(tx: Tx, request: DeliveryRequest) -> str | None:
    """The title of what is brought (the month's first material when none was named)."""
    material = await tx.get_material(request.material_id) if request.material_id else None
    if material is None:
        found = await tx.materials_for(request.branch_id, request.month)
        material = found[0] if found else None
    return material.title if material else None


def task_text(locale: str, request: DeliveryRequest, member: Member, title: str | None) -> str:
    """The volunteer's task: whom, where, when, what."""
    month = month_words(locale, request.month)
    return t(locale, "delivery.task", id=request.id, name=member.name, month=month,
             title=title or t(locale, "material.default_title", month=month),
             address=request.address or member.address or t(locale, "delivery.no_address"),
             changed=t(locale, "delivery.changed_mark") if request.address_changed else "",
             time=time_words(locale, request.preferred_time))


async def tell_assigned(ctx: Context, request: DeliveryRequest, member: Member,
                        volunteer: Member, previous: Member | None) -> None:
    """The volunteer gets the task, the member learns who will come, a replaced one is told."""
    me = ctx.me()
    if volunteer.id != me.id:
        title = await material_title(ctx.tx, request)
        done = PushButton(lambda locale: t(locale, "delivery.button.delivered"),
                          f"已送达 #{request.id}")
        await push(ctx.tx, volunteer, lambda locale: task_text(locale, request, member, title),
                   key=f"delivery:{request.id}:task:{volunteer.id}", kind="delivery_task",
                   now=ctx.now, default_locale=ctx.default_locale, buttons=(done,))
    received = PushButton(lambda locale: t(locale, "delivery.button.received"), "收到")
    if member.id != me.id:
        await push(ctx.tx, member,
                   lambda locale: t(locale, "delivery.assigned_notice", who=volunteer.name,
                                    month=month_words(locale, request.month),
                                    time=time_words(locale, request.preferred_time)),
                   key=f"delivery:{request.id}:assigned:{volunteer.id}", kind="delivery_notice",
                   now=ctx.now, default_locale=ctx.default_locale, buttons=(received,))
    if previous is not None and previous.id not in (volunteer.id, me.id):
        await push(ctx.tx, previous,
                   lambda locale: t(locale, "delivery.reassigned", id=request.id,
                                    name=member.name, who=volunteer.name),
                   key=f"delivery:{request.id}:unassigned:{previous.id}:{volunteer.id}",
                   kind="delivery_notice", now=ctx.now, default_locale=ctx.default_locale)


async def tell_delivered(ctx: Context, request: DeliveryRequest, *, by: Member) -> None:
    """The member, the volunteer and the secretaries hear of it (not the one who said so)."""
    member = await ctx.tx.get_member(request.member_id)
    if member is None:
        return
    month = request.month
    told: set[int] = {by.id}
    if member.id not in told:
        told.add(member.id)
        await push(ctx.tx, member,
                   lambda locale: t(locale, "delivery.delivered_notice", who=by.name,
                                    month=month_words(locale, month)),
                   key=f"delivery:{request.id}:delivered:{member.id}", kind="delivery_notice",
                   now=ctx.now, default_locale=ctx.default_locale)
    others = await ctx.tx.officers(request.branch_id, "secretary")
    volunteer = await ctx.tx.get_member(request.assigned_to) if request.assigned_to else None
    for person in ([volunteer] if volunteer else []) + others:
        if person.id in told:
            continue
        told.add(person.id)
        await push(ctx.tx, person,
                   lambda locale: t(locale, "delivery.delivered_alert", id=request.id,
                                    name=member.name, who=by.name,
                                    month=month_words(locale, month)),
                   key=f"delivery:{request.id}:delivered:{person.id}", kind="delivery_alert",
                   now=ctx.now, default_locale=ctx.default_locale)
