"""A person to ask: the secretary's name and phone, the pair partner, a call back.

书记, 找书记, 书记电话, 我不会弄, or a second 没听明白 in a row: a lost member is never left
with a menu alone. 请书记回电话 tells the secretary (an outbox row, once a day per member).
"""

from __future__ import annotations

from datetime import timedelta

from bot.core.messages import Button, Reply
from bot.understanding import Intent, Parsed
from handlers.context import Context
from storage.models import Member

LOST_WINDOW = timedelta(minutes=10)


async def _secretaries(ctx: Context) -> list[Member]:
    member = ctx.me()
    if member.branch_id is None:
        return []
    return [m for m in await ctx.tx.officers(member.branch_id, "secretary") if m.id != member.id]


async def _partner(ctx: Context) -> Member | None:
    member = ctx.me()
    partner = await ctx.tx.get_member(member.pair_member_id) if member.pair_member_id else None
    return partner if partner is not None and partner.status == "active" else None


async def handle_contact(ctx: Context, parsed: Parsed) -> list[Reply]:
    """书记 / 找书记 / 我不会弄: whom to call, and a button to be called back."""
    lines = []
    for officer in await _secretaries(ctx):
        key = "contact.secretary_phone" if officer.phone else "contact.secretary"
        lines.append(ctx.t(key, name=officer.name, phone=officer.phone or ""))
    if not lines:
        lines.append(ctx.t("contact.no_secretary"))
    partner = await _partner(ctx)
    if partner is not None:
        lines.append(ctx.t("contact.partner", name=partner.name))
    buttons = (Button(ctx.t("contact.button.callback"), "请书记回电话"),) if lines else ()
    return [Reply("\n".join(lines), buttons=buttons)]


async def handle_callback(ctx: Context, parsed: Parsed) -> list[Reply]:
    """请书记回电话: the secretary is asked to phone the member (once a day is enough)."""
    member = ctx.me()
    officers = await _secretaries(ctx)
    if not officers:
        return [Reply(ctx.t("contact.no_secretary"))]
    day = ctx.local().date().isoformat()
    who = member.name if not ctx.for_family or ctx.binding is None else ctx.t(
        "contact.family", name=member.name, relation=ctx.binding.relation or "")
    for officer in officers:
        await ctx.push(officer, "contact.callback_push", f"callback:{member.id}:{day}:{officer.id}",
                       "callback", urgent=False, who=who, phone=member.phone or "")
    await ctx.tx.audit("callback", ctx.now, actor_member_id=member.id, actor=ctx.actor,
                       subject_member_id=member.id)
    return [Reply(ctx.t("contact.callback_ok", names="、".join(o.name for o in officers)))]


async def lost(ctx: Context) -> list[Reply] | None:
    """The second message in a row not understood: the person to ask, not the menu again."""
    if ctx.member is None:
        return None
    since = ctx.now - LOST_WINDOW
    earlier = await ctx.tx.count_audit(ctx.actor, "not_understood", since)
    await ctx.tx.audit("not_understood", ctx.now, actor_member_id=ctx.me().id, actor=ctx.actor)
    if earlier < 1:
        return None
    replies = await handle_contact(ctx, Parsed(Intent.CONTACT, "", None))
    return [Reply(ctx.t("contact.lost")), *replies]


INTENTS = {Intent.CONTACT: handle_contact, Intent.CALLBACK: handle_callback}
