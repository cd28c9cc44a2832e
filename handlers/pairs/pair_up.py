"""结对 孙福海 吴长林 / 让孙福海和吴长林结成对子: an officer pairs two members.

Both must be within the officer's reach (handlers.people): a name out of reach reads exactly
like a name nobody has. The read-back says who is released — 孙福海原来的对子王秀英将解除 —
because a pair is one-to-one; on 确认 both pointers are set, the former partners' pointers
back are cleared (as the roster import does), the pairing is recorded, audited, and both
members are told whom to call. A released former partner is told too, gently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.messages import Reply
from bot.understanding import Intent, Parsed, parse_whole
from bot.understanding.clean import Cleaned
from handlers.common import is_officer, officer_only
from handlers.context import Context
from handlers.flow import Flow, FlowState
from handlers.pairs.names import Named, names_in
from handlers.people import find_member
from storage.models import Member
from storage.timefmt import ts

_SPLIT = re.compile(r"[\s,，、和跟与同及]+")


@dataclass
class PairUpState(FlowState):
    """结对: the two members to pair."""

    flow = "pair_up"
    a: int
    b: int


async def handle_pair_up(ctx: Context, parsed: Parsed) -> list[Reply]:
    """Find the two members, then read back who pairs with whom and who is released."""
    if not is_officer(ctx):
        return officer_only(ctx)
    said = parsed.args or ctx.message.text or ""
    if not parsed.args and parse_whole(said) is not None:  # 结对 alone
        return [Reply(ctx.t("pair.up.usage"))]
    chosen = await _two(ctx, said, typed=bool(parsed.args))
    if isinstance(chosen, Reply):
        return [chosen]
    return [await _readback(ctx, *chosen)]


async def _two(ctx: Context, text: str, *, typed: bool) -> tuple[Member, Member] | Reply:
    """The two members named, or what to say instead (not found, which one, the same)."""
    names = [n for n in await names_in(ctx, text) if n.members]
    if len(names) < 2 and typed:  # 结对 孙福海 钱多多: say which name is not there
        for chunk in (c for c in _SPLIT.split(text) if c):
            if not (await find_member(ctx, chunk)).members:
                return Reply(ctx.t("pair.up.not_found", name=chunk[:12]))
    if not names:
        return Reply(ctx.t("pair.up.none_found"))
    if len(names) < 2:
        return Reply(ctx.t("pair.up.one_found", name=names[0].members[0].name))
    first, second = _pick(names[0], names[1])
    if first is None or second is None:
        unsure = names[0] if first is None else names[1]
        return Reply(ctx.t("pair.up.ambiguous", name=unsure.said))
    if first.id == second.id:
        return Reply(ctx.t("pair.up.same", name=first.name))
    if first.pair_member_id == second.id and second.pair_member_id == first.id:
        return Reply(ctx.t("pair.up.already", a=first.name, b=second.name))
    return first, second


def _pick(one: Named, other: Named) -> tuple[Member | None, Member | None]:
    """Each name's member; a name several people share is taken in the other's branch."""
    def choose(named: Named, beside: Named) -> Member | None:
        if len(named.members) == 1:
            return named.members[0]
        if len(beside.members) == 1:
            same = [m for m in named.members if m.branch_id == beside.members[0].branch_id]
            return same[0] if len(same) == 1 else None
        return None
    return choose(one, other), choose(other, one)


async def _readback(ctx: Context, a: Member, b: Member) -> Reply:
    lines = [ctx.t("pair.up.readback", a=a.name, b=b.name)]
    for member, other in ((a, b), (b, a)):
        former = await _former(ctx, member, other)
        if former is not None:
            lines.append(ctx.t("pair.up.release", who=member.name, former=former.name))
    return ctx.readback("confirm", PairUpState(a.id, b.id), "".join(lines))


async def _former(ctx: Context, member: Member, new: Member) -> Member | None:
    """The partner a member has now, when it is not the new one."""
    if member.pair_member_id is None or member.pair_member_id == new.id:
        return None
    return await ctx.tx.get_member(member.pair_member_id)


async def continue_pair_up(ctx: Context, state: PairUpState,
                           parsed: Parsed) -> list[Reply] | None:
    """确认 at the read-back pairs them."""
    if parsed.intent is not Intent.CONFIRM:
        return None
    ctx.end()
    a, b = await ctx.tx.get_member(state.a), await ctx.tx.get_member(state.b)
    if a is None or b is None or a.status != "active" or b.status != "active":
        return [Reply(ctx.t("pair.up.gone"))]
    released = [f for f in (await _former(ctx, a, b), await _former(ctx, b, a)) if f]
    for member, partner in ((a, b), (b, a)):
        await ctx.tx.set_pair(member.id, partner.id)
    for former in released:
        if former.pair_member_id in (a.id, b.id):
            await ctx.tx.set_pair(former.id, None)
    me = ctx.me()
    await ctx.tx.record_pairing(a.id, b.id, ctx.now, me.id)
    await ctx.tx.audit("pair_up", ctx.now, actor_member_id=me.id, actor=ctx.actor,
                       subject_member_id=a.id,
                       detail={"members": [a.id, b.id], "released": [f.id for f in released]})
    at = ts(ctx.now)
    for member, partner in ((a, b), (b, a)):
        await ctx.push(member, "pair.up.push", f"pair-up:{member.id}:{partner.id}:{at}",
                       "pair", name=partner.name, phone=partner.phone)
    for former in released:
        left = a if former.pair_member_id == a.id else b
        await ctx.push(former, "pair.up.released_push", f"pair-release:{former.id}:{at}",
                       "pair", name=left.name)
    return [Reply(ctx.t("pair.up.ok", a=a.name, b=b.name), show_menu=True)]


async def correct_pair_up(ctx: Context, state: PairUpState,
                          value: Cleaned) -> list[Reply] | None:
    """不对，是孙福海和郑丽华: the two names again."""
    chosen = await _two(ctx, value.typed, typed=False)
    if isinstance(chosen, Reply):
        return None
    return [await _readback(ctx, *chosen)]


FLOW = Flow(PairUpState, continue_pair_up, correct_pair_up)
