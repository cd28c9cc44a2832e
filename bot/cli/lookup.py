"""Finding what a command line names — a member by phone, a branch by name — with a one-line
error when there is none: the helpers every command uses."""

from __future__ import annotations

from bot.cli.errors import CommandError
from bot.core.phone import normalize_phone
from storage import Tx
from storage.models import Branch, Member


def phone_arg(raw: str) -> str:
    """A phone given on the command line, normalised (or a one-line error)."""
    phone = normalize_phone(raw)
    if phone is None:
        raise CommandError(f"手机号无效：{raw}")
    return phone


async def member_by_phone(tx: Tx, phone: str) -> Member:
    """The roster member with that phone (or a one-line error)."""
    member = await tx.find_member_by_phone(phone)
    if member is None:
        raise CommandError(f"名单上没有手机号 {phone}，请先导入名单。")
    return member


async def branch_by_name(tx: Tx, name: str) -> Branch:
    """The branch of that exact name (or a one-line error listing the branches there are)."""
    branch = await tx.find_branch(name)
    if branch is None:
        known = "、".join(b.name for b in await tx.list_branches()) or "（无）"
        raise CommandError(f"没有名为“{name}”的支部。已有：{known}")
    return branch
