"""我的对子 / 我的互助对象是谁 / 对子是谁: who my partner is, how to reach them, when we
last helped each other.

A family member speaking for the member is told the member's partner. No partner: a kind
word that the secretary can arrange one, never a refusal.
"""

from __future__ import annotations

from datetime import date

from bot.core.messages import Reply
from bot.understanding import Parsed
from handlers.care.alerts import day_words
from handlers.context import Context
from handlers.pairs.common import kind_words, partner_of


async def handle_my_pair(ctx: Context, parsed: Parsed) -> list[Reply]:
    """The partner's name and phone, and the last contact between them."""
    me = ctx.me()
    partner = await partner_of(ctx.tx, me)
    if partner is None:
        if ctx.for_family:
            return [Reply(ctx.t("pair.mine.none_family", member=me.name))]
        return [Reply(ctx.t("pair.mine.none"))]
    phone = partner.phone
    lines = [ctx.t("pair.mine.family", member=me.name, name=partner.name, phone=phone)
             if ctx.for_family else ctx.t("pair.mine.partner", name=partner.name, phone=phone)]
    last = await ctx.tx.last_pair_contact(me.id, partner.id)
    if last is None:
        lines.append(ctx.t("pair.mine.never"))
    else:
        day = day_words(ctx.locale, date.fromisoformat(last.contacted_on), ctx.local().date())
        lines.append(ctx.t("pair.mine.last", date=day, kind=kind_words(ctx, last.kind)))
    if not ctx.for_family:
        lines.append(ctx.t("pair.mine.hint", name=partner.name))
    return [Reply("\n".join(lines))]
