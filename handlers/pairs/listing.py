"""对子 / 对子名单 / 对子情况: an officer's list of a branch's pairs, the silent ones first.

One line a pair, however many: the two names (支委–党员 pairs marked), the last contact and
this month's count. A pair that has gone 30 days without a contact is marked and listed
first, the longest silence at the top, so the list says at once whom to ring. A member (or a
family member) saying 对子 is told their own partner instead. No note is shown here: what a
member wrote about a visit may touch on health.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.core.messages import Reply
from bot.understanding import Intent, Parsed
from handlers.common import is_officer
from handlers.context import Context
from handlers.officers.branch_scope import officer_branch
from handlers.pairs.common import is_silent, short_date, silent_since
from handlers.pairs.mine import handle_my_pair
from storage.models import Member


@dataclass(frozen=True)
class _Line:
    """One pair as listed, and what it sorts by."""

    silent: bool
    since: date
    text: str


async def handle_pairs(ctx: Context, parsed: Parsed) -> list[Reply]:
    """The branch's pairs (an instructor or admin may name the branch); a member's own."""
    if not is_officer(ctx):
        return await handle_my_pair(ctx, parsed)
    scoped = await officer_branch(ctx, parsed.args, action="pairs", word="对子",
                                  intent=Intent.PAIRS, anywhere=True)
    if scoped.branch is None:
        return scoped.refusal
    branch = scoped.branch
    await ctx.tx.ensure_pairings()
    pairs = await ctx.tx.branch_pairs(branch.id)
    await ctx.tx.audit("pairs_list", ctx.now, actor_member_id=ctx.me().id, actor=ctx.actor,
                       detail={"branch": branch.id, "count": len(pairs)})
    if not pairs:
        return [Reply(ctx.t("pair.list.none", branch=branch.name))]
    lines = []
    for a_id, b_id in pairs:
        a, b = await ctx.tx.get_member(a_id), await ctx.tx.get_member(b_id)
        if a is not None and b is not None:
            lines.append(await _line(ctx, a, b))
    lines.sort(key=lambda line: (not line.silent, line.since))
    text = [ctx.t("pair.list.title", branch=branch.name, n=len(lines))]
    text += [line.text for line in lines]
    if any(line.silent for line in lines):
        text.append(ctx.t("pair.list.silent_note"))
    return [Reply("\n".join(text))]


async def _line(ctx: Context, a: Member, b: Member) -> _Line:
    """王秀英 — 张桂兰：上次12月1日，本月2次 (an officer's side first)."""
    if b.is_officer and not a.is_officer:
        a, b = b, a
    today = ctx.local().date()
    figures = await ctx.tx.pair_figures(a.id, b.id, today.strftime("%Y-%m"))
    since = await silent_since(ctx.tx, a.id, b.id, ctx.tz)
    silent = is_silent(since, today)
    last = (ctx.t("pair.list.last", n=figures.this_month,
                  date=short_date(ctx.locale, date.fromisoformat(figures.last_on)))
            if figures.last_on else ctx.t("pair.list.never"))
    text = ctx.t("pair.list.line", mark=ctx.t("pair.list.mark") if silent else "",
                 a=a.name, b=b.name, last=last,
                 committee=ctx.t("pair.list.committee") if a.is_officer else "")
    return _Line(silent, since or today, text)
