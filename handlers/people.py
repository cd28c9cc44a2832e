"""Finding a member by a name as it was typed or dictated, within the speaker's reach only.

A member or secretary reaches their own branch; an instructor the branches they oversee; an
admin every branch. A name that matches nobody there is never looked for elsewhere, and the
caller never falls back to the speaker: "not found" is its own answer.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.understanding.names import match_name, name_at_start
from handlers.context import Context
from storage import Tx
from storage.models import Member


async def scope_branch_ids(tx: Tx, member: Member) -> list[int] | None:
    """Branches whose tasks an officer sees (None: all of them)."""
    if member.role == "admin":
        return None
    if member.role == "instructor":
        return await tx.overseen_branch_ids(member.id)
    return [member.branch_id] if member.branch_id else []


@dataclass(frozen=True)
class Found:
    """The members a name can mean (one: found; several: ask which; none: not found), and
    what followed a name glued to the rest of a message."""

    members: list[Member]
    rest: str = ""

    @property
    def one(self) -> Member | None:
        return self.members[0] if len(self.members) == 1 else None


async def reachable(ctx: Context) -> list[Member]:
    """The active members whose names the speaker may use."""
    branch_ids = await scope_branch_ids(ctx.tx, ctx.me())
    if branch_ids is None:
        branch_ids = [b.id for b in await ctx.tx.list_branches()]
    members: list[Member] = []
    for branch_id in branch_ids:
        members += await ctx.tx.branch_members(branch_id)
    return members


async def find_member(ctx: Context, said: str, *, exclude: int | None = None) -> Found:
    """Members a said name means: exactly, by sound (王秀音), or one character apart."""
    members = [m for m in await reachable(ctx) if m.id != exclude]
    ids = match_name(said, [(m.id, m.name) for m in members])
    return Found([m for m in members if m.id in ids])


async def find_glued(ctx: Context, text: str, *, exclude: int | None = None) -> Found:
    """A name at the start of what follows it (刘德明腿脚不便 -> 刘德明, 腿脚不便)."""
    first, _, rest = text.strip().partition(" ")
    spaced = await find_member(ctx, first, exclude=exclude) if rest else Found([])
    if spaced.members:
        return Found(spaced.members, rest.strip())
    members = [m for m in await reachable(ctx) if m.id != exclude]
    ids, length = name_at_start(text.strip(), [(m.id, m.name) for m in members])
    rest = text.strip()[length:].lstrip("的，, ").strip()
    return Found([m for m in members if m.id in ids], rest)
