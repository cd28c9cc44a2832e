"""Which branch an officer's word is about: one named first in it, or their own."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.messages import Reply
from bot.understanding import normalize
from handlers.care.alerts import may_handle
from handlers.common import is_officer, officer_only
from handlers.context import Context
from handlers.materials.show import reader_branch
from storage.models import Branch


@dataclass(frozen=True)
class Scoped:
    """The branch (None when refused), the words after its name, and the refusal if any."""

    branch: Branch | None
    rest: str
    refusal: list[Reply]


async def officer_branch(ctx: Context, args: str, *, action: str, word: str) -> Scoped:
    """`报表 东城离退休干部党支部 上月` → that branch, if the officer may act for it; without a
    name, their own branch (an instructor or admin: the first one they oversee). Members and
    family accounts are refused as for every secretary word.

    A secretary may act for their branch, an instructor for those they oversee, an admin for
    any; a refusal is audited as `<action>_denied`. `word` is the chat word, for the example
    an officer with no branch of their own is shown.
    """
    if not is_officer(ctx):
        return Scoped(None, args, officer_only(ctx))
    branch, rest = await _named(ctx, args)
    if branch is None:
        branch = await reader_branch(ctx)
        if branch is None:
            example = next(iter(await ctx.tx.list_branches()), None)
            name = example.name if example else "城关支部"
            return Scoped(None, rest, [Reply(ctx.t("branch.which", word=word, example=name))])
        return Scoped(branch, rest, [])
    if not await may_handle(ctx.tx, ctx.me(), branch.id):
        await ctx.tx.audit(f"{action}_denied", ctx.now, actor=ctx.actor,
                           detail={"branch": branch.id})
        return Scoped(None, rest, [Reply(ctx.t("branch.not_yours"))])
    return Scoped(branch, rest, [])


async def _named(ctx: Context, args: str) -> tuple[Branch | None, str]:
    """A branch named at the start of the words (the longest name that fits), and the rest."""
    text = args.strip()
    said = normalize(text)
    for branch in sorted(await ctx.tx.list_branches(), key=lambda b: -len(b.name)):
        name = normalize(branch.name)
        if said.startswith(name):
            # the rest in the characters typed (a notice is sent as written): the shortest
            # head of the words that reads as the name
            for end in range(len(name), len(text) + 1):
                if normalize(text[:end]) == name:
                    return branch, text[end:].strip()
    return None, text
