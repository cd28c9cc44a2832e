"""Which branch an officer's word is about: named in it, or their own, or asked.

`出勤 城关离退休干部党支部`, `出勤 城关` (a part of the name that fits one branch), `出勤 2`
(the second of the branches the officer oversees, as listed) and `出勤` alone all work. A
secretary's own branch needs no name; an instructor or admin who oversees several and names
none is asked which, with a numbered list. A branch the officer does not oversee is refused
without saying anything about it.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.messages import Reply
from bot.understanding import Intent, normalize
from handlers.common import is_officer, may_handle, officer_only
from handlers.context import Context
from handlers.dialogue import which
from handlers.flow import Choice
from storage.models import Branch

MAX_LISTED = 30  # branches offered as numbered buttons; beyond that, typed names
# Words in almost every branch's name: a part made of them alone names no branch.
GENERIC = ("离退休干部党支部", "离退休党支部", "老干部", "离退休", "党支部", "支部", "干部", "党")


@dataclass(frozen=True)
class Scoped:
    """The branch (None when refused or asked), the words after its name, and the reply to
    send instead (a refusal or the question which)."""

    branch: Branch | None
    rest: str
    refusal: list[Reply]


async def overseen(ctx: Context) -> list[Branch]:
    """The branches an officer may act for, by name: a secretary's own, an instructor's
    listed ones, every branch for an admin."""
    me = ctx.me()
    if me.role == "admin":
        return await ctx.tx.list_branches()
    ids = ([me.branch_id] if me.branch_id else []) if me.role == "secretary" else (
        await ctx.tx.overseen_branch_ids(me.id))
    branches = [b for b in [await ctx.tx.get_branch(i) for i in ids] if b is not None]
    return sorted(branches, key=lambda b: b.name)


async def officer_branch(ctx: Context, args: str, *, action: str, word: str,
                         intent: Intent, anywhere: bool = False) -> Scoped:
    """The branch a word is about, if the officer may act for it. Members and family
    accounts are refused as for every secretary word; a refusal for a branch is audited as
    `<action>_denied`; `word` and `intent` are for the question which (answered, the word
    is done again with the chosen name in front of `args`). With `anywhere`, a dictated
    sentence may name the branch before the word too (去城关指导了，讲了党课); a notice's
    text is never searched, so it is not."""
    if not is_officer(ctx):
        return Scoped(None, args, officer_only(ctx))
    mine = await overseen(ctx)
    named = await _named(ctx, args, mine)
    if isinstance(named, list):  # no name, or a part that fits several: ask which
        return Scoped(None, args, _ask_which(ctx, named or mine, args, word, intent))
    branch, rest = named
    if branch is None and anywhere:
        branch = _mentioned(ctx.message.text or "", mine)
    if branch is None:
        if len(mine) == 1:
            return Scoped(mine[0], rest, [])
        if not mine:
            return Scoped(None, rest, [Reply(ctx.t("branch.none_overseen"))])
        return Scoped(None, rest, _ask_which(ctx, mine, rest, word, intent))
    if not await may_handle(ctx.tx, ctx.me(), branch.id):
        await ctx.tx.audit(f"{action}_denied", ctx.now, actor=ctx.actor,
                           detail={"branch": branch.id})
        return Scoped(None, rest, [Reply(ctx.t("branch.not_yours"))])
    return Scoped(branch, rest, [])


def _ask_which(ctx: Context, branches: list[Branch], rest: str, word: str,
               intent: Intent) -> list[Reply]:
    listed = branches[:MAX_LISTED]
    lines = [ctx.t("branch.which_list", word=word)]
    lines += [f"{i}. {b.name}" for i, b in enumerate(listed, 1)]
    if len(branches) > len(listed):
        lines.append(ctx.t("branch.more", n=len(branches) - len(listed), word=word))
    return which.ask(ctx, intent, rest, "\n".join(lines),
                     [Choice(b.name, b.name) for b in listed])


async def _named(ctx: Context, args: str,
                 mine: list[Branch]) -> tuple[Branch | None, str] | list[Branch]:
    """The branch named at the start of the words and the rest; a list when the name fits
    several of the officer's branches (the ones to choose from)."""
    text = args.strip()
    found = await _full_name(ctx, text)
    if found is not None:
        return found
    first, _, rest = text.partition(" ")
    if first.isdigit() and len(mine) > 1 and 1 <= int(first) <= len(mine):
        return mine[int(first) - 1], rest.strip()
    part = normalize(first)
    if len(part) < 2 or not any(ch >= "\u3400" for ch in part):
        return None, text
    ours = [b for b in mine if part in _distinctive(b.name)]
    if len(ours) == 1:
        return ours[0], rest.strip()
    if len(ours) > 1:
        return ours
    others = [b for b in await ctx.tx.list_branches() if part in _distinctive(b.name)]
    if len(others) == 1:  # a branch that is not theirs: refused, not searched further
        return others[0], rest.strip()
    return None, text


def _mentioned(text: str, mine: list[Branch]) -> Branch | None:
    """The one branch of the officer's whose distinctive name appears in a sentence."""
    said = normalize(text)
    found = [b for b in mine
             if any(len(part) >= 2 and part in said for part in _distinctive(b.name).split())]
    return found[0] if len(found) == 1 else None


def _distinctive(name: str) -> str:
    """A branch name without the words every branch has (城关离退休干部党支部 -> 城关)."""
    out = normalize(name)
    for word in GENERIC:
        out = out.replace(word, "\u3000")
    return out


async def _full_name(ctx: Context, text: str) -> tuple[Branch, str] | None:
    """A branch whose whole name starts the words (the longest that fits), and the rest."""
    said = normalize(text)
    for branch in sorted(await ctx.tx.list_branches(), key=lambda b: -len(b.name)):
        name = normalize(branch.name)
        if said.startswith(name):
            # the rest in the characters typed (a notice is sent as written): the shortest
            # head of the words that reads as the name
            for end in range(len(name), len(text) + 1):
                if normalize(text[:end]) == name:
                    return branch, text[end:].strip()
    return None
