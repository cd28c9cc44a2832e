"""Strangers: binding a chat account to a member with a one-time code or a verified phone."""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from datetime import datetime, timedelta

from bot.core.messages import Reply
from bot.core.phone import normalize_phone
from handlers.common import menu_reply
from handlers.context import Context
from storage import Tx
from storage.models import Member

INVITE_TTL = timedelta(days=7)
MAX_FAILED_TRIES_PER_HOUR = 5
_CODE_RE = re.compile(r"(?<!\d)(\d{8})(?!\d)")


def code_hash(code: str) -> str:
    """Codes are stored hashed: a copy of the database does not hand out accounts."""
    return hashlib.sha256(code.encode()).hexdigest()


def format_code(code: str) -> str:
    """8 digits shown in two groups, easy to read aloud: 1234 5678."""
    return f"{code[:4]} {code[4:]}"


async def create_invite(
    tx: Tx, member_id: int, relation: str | None, created_by: int | None, now: datetime
) -> str:
    """Make a one-time binding code for a member (or a family member acting for them)."""
    code = f"{secrets.randbelow(10**8):08d}"
    await tx.create_invite(code_hash(code), member_id, relation, created_by, now, now + INVITE_TTL)
    return code


def find_code(text: str) -> str | None:
    """The 8-digit code in what a stranger typed (spaces, dashes, full-width digits allowed)."""
    compact = re.sub(r"[\s\-–—]", "", unicodedata.normalize("NFKC", text))
    match = _CODE_RE.search(compact)
    return match.group(1) if match else None


async def handle_stranger(ctx: Context) -> list[Reply]:
    """An unbound account: bind by code or verified phone, else explain how."""
    msg = ctx.message
    if msg.contact_phone is not None:
        return await _bind_by_contact(ctx)
    code = find_code(msg.text or "")
    if code is None:
        return [Reply(ctx.t("stranger.greeting"), ask_contact=True)]
    since = ctx.now - timedelta(hours=1)
    if await ctx.tx.count_audit(ctx.actor, "bind_failed", since) >= MAX_FAILED_TRIES_PER_HOUR:
        return [Reply(ctx.t("bind.too_many"))]
    outcome, member_id, relation = await ctx.tx.take_invite(code_hash(code), ctx.now)
    if outcome != "ok" or member_id is None:
        await ctx.tx.audit("bind_failed", ctx.now, actor=ctx.actor, detail={"why": outcome})
        return [Reply(ctx.t(f"bind.{outcome}"))]
    return await _bind(ctx, member_id, relation, "bind_code")


async def _bind_by_contact(ctx: Context) -> list[Reply]:
    """A phone number shared through the platform's own contact button."""
    phone = normalize_phone(ctx.message.contact_phone or "")
    member = await ctx.tx.find_member_by_phone(phone) if phone else None
    if not ctx.message.contact_verified or member is None or member.status != "active":
        await ctx.tx.audit("bind_failed", ctx.now, actor=ctx.actor, detail={"why": "phone"})
        why = ctx.t("bind.phone_unknown" if ctx.message.contact_verified else "bind.not_own")
        return [Reply(why + await _secretaries(ctx, member), ask_contact=True)]
    return await _bind(ctx, member.id, None, "bind_phone")


async def _secretaries(ctx: Context, member: Member | None) -> str:
    """A line naming the secretaries to ask: the phone's branch, else the only branch with any."""
    if member is not None and member.branch_id is not None:
        branch_ids = [member.branch_id]
    else:
        branch_ids = [b.id for b in await ctx.tx.list_branches()]
    found = []
    for branch_id in branch_ids:
        names = [s.name for s in await ctx.tx.officers(branch_id, "secretary")]
        if names:
            found.append(names)
    if len(found) != 1:
        return ""
    return "\n" + ctx.t("bind.secretary_is", names="、".join(found[0]))


async def _bind(ctx: Context, member_id: int, relation: str | None, action: str) -> list[Reply]:
    await ctx.tx.bind(*ctx.actor, member_id, relation, ctx.now)
    await ctx.tx.audit(action, ctx.now, actor=ctx.actor, subject_member_id=member_id,
                       detail={"relation": relation} if relation else None)
    member = await ctx.tx.get_member(member_id)
    assert member is not None
    ctx.member = member
    ctx.binding = await ctx.tx.get_binding(*ctx.actor)
    if relation:
        return [menu_reply(ctx, ctx.t("bind.ok_family", name=member.name, relation=relation))]
    return [menu_reply(ctx, ctx.t("bind.ok", name=member.name))]
