"""Menu, help and the answers that fit every situation."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.messages import Reply
from bot.understanding import MEMBER_MENU, SECRETARY_MENU, Intent, Parsed, keyword
from handlers.context import Context
from storage import Tx
from storage.models import Member


def menu_lines(ctx: Context) -> list[str]:
    """The numbered menu for the speaker (secretaries see their words too).

    Only words that work are listed; numbers stay fixed as features land (1 is always 签到).
    """
    lines = [ctx.t("menu.title")]
    entries = list(enumerate(MEMBER_MENU, start=1))
    if ctx.member is not None and ctx.member.is_officer and not ctx.for_family:
        entries += list(enumerate(SECRETARY_MENU, start=len(MEMBER_MENU) + 1))
    for number, intent in entries:
        if intent in ctx.available:
            lines.append(f"{number} {_label(ctx, intent)}")
    lines.append(f"0 {_label(ctx, Intent.HELP)}")
    return lines


def _label(ctx: Context, intent: Intent) -> str:
    key = f"menu.{intent.value}"
    try:
        return ctx.t(key)
    except KeyError:
        return keyword(intent)


def menu_reply(ctx: Context, *first: str) -> Reply:
    """A reply that ends with the numbered menu (and shows the big buttons)."""
    return Reply(text="\n".join([*first, *menu_lines(ctx)]), show_menu=True)


async def handle_help(ctx: Context, parsed: Parsed) -> list[Reply]:
    """帮助 / ? / 怎么用: the four things members do most, in large words, and that a sentence
    works too (officers get the whole menu: their words are more)."""
    if is_officer(ctx):
        return await handle_menu(ctx, parsed)
    return [Reply(ctx.t("help.short"), show_menu=True)]


async def handle_menu(ctx: Context, parsed: Parsed) -> list[Reply]:
    """菜单 / 0: everything I can do, numbered."""
    return [menu_reply(ctx, ctx.t("help.intro"))]


def not_understood(ctx: Context) -> list[Reply]:
    """Anything not understood gets the short numbered menu, never an error."""
    return [menu_reply(ctx, ctx.t("not_understood"))]


def officer_only(ctx: Context) -> list[Reply]:
    """A member tried a secretary's word."""
    return [Reply(text=ctx.t("officer_only"))]


def is_officer(ctx: Context) -> bool:
    """True when the speaker is a secretary, instructor or admin speaking for themself."""
    return ctx.member is not None and ctx.member.is_officer and not ctx.for_family


INTENTS = {Intent.HELP: handle_help, Intent.MENU: handle_menu}


_NUMBER = re.compile(r"\d+")
_ID_DIGITS = 18  # SQLite integers end at 2**63 - 1 (19 digits); no record has an id this long


@dataclass(frozen=True)
class RecordNumber:
    """A record's number as a member typed it (接受 3, 已送达 #12, 送学单 ５)."""

    value: int  # 0 when no record can have it (more digits than an id has)
    shown: str  # for the answer: as typed, at most a dozen characters


def number_in(text: str) -> RecordNumber | None:
    """The first number in the text, safe to look up; None when there is none."""
    match = _NUMBER.search(text)
    if match is None:
        return None
    digits = match.group()
    value = int(digits) if len(digits) <= _ID_DIGITS else 0
    return RecordNumber(value, str(value) if value else digits[:12] + "…")


async def may_handle(tx: Tx, member: Member, branch_id: int) -> bool:
    """Whether an officer may act on a branch: its secretaries, the instructors overseeing
    it, and admins (alerts, deliveries, submissions and the branch an officer names)."""
    if member.status != "active":
        return False
    if member.role == "admin":
        return True
    if member.role == "secretary":
        return member.branch_id == branch_id
    if member.role == "instructor":
        return branch_id in await tx.overseen_branch_ids(member.id)
    return False
