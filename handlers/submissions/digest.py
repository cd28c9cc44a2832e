"""简报: an officer previews this month's digest and sends it; a member reads the latest one.

An officer's `简报` (发简报, 简报 城关…) shows the digest exactly as members will get it, with
发送 / 取消; 发送 pushes it once to every active member of the branch. A member's `简报` is
the branch's latest sent digest, with today's 点赞 counts and a button per item.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.i18n import format_date
from bot.core.messages import Button, Reply
from bot.understanding import Intent, Parsed, normalize
from handlers.common import is_officer
from handlers.context import Context
from handlers.delivery.common import month_key, month_words
from handlers.flow import Choice, Flow, FlowState
from handlers.officers.branch_scope import officer_branch
from handlers.sessions import speaker_branch
from handlers.submissions.bulletin import (
    MAX_LIKE_BUTTONS,
    digest_text,
    like_data,
    send_digest,
)
from storage.models import Branch

SEND = "发送"
_SEND_WORDS = ("发送", "发出去", "发出", "发")


@dataclass
class DigestState(FlowState):
    """简报: the branch and month previewed, waiting for 发送."""

    flow = "digest"
    branch_id: int
    month: str


async def handle_digest(ctx: Context, parsed: Parsed) -> list[Reply]:
    """The preview for officers (with 发送), the latest sent digest for everyone else."""
    if not is_officer(ctx) or "我的" in normalize(ctx.message.text or ""):
        return await _latest(ctx)
    scoped = await officer_branch(ctx, _without_send(parsed.args), action="digest",
                                  word="简报", intent=Intent.DIGEST)
    if scoped.branch is None:
        return scoped.refusal
    return await _preview(ctx, scoped.branch, month_key(ctx.local()))


def _without_send(args: str) -> str:
    """简报 发送 城关 → 城关: the officer's send word is the button, not a branch name."""
    words = args.split()
    return " ".join(w for w in words if normalize(w) not in _SEND_WORDS)


async def _text(ctx: Context, branch: Branch, month: str) -> str | None:
    """The month's digest in the speaker's language (None: nothing to show yet)."""
    pieces = await ctx.tx.accepted_pieces(branch.id, month)
    praises = await ctx.tx.praises_in(branch.id, month)
    if not pieces and not praises:
        return None
    return digest_text(ctx.locale, branch.name, month, pieces, praises)


async def _preview(ctx: Context, branch: Branch, month: str) -> list[Reply]:
    """This month's digest as it would go out, or when it went out."""
    text = await _text(ctx, branch, month)
    sent_at = await ctx.tx.digest_sent_at(branch.id, month)
    words = month_words(ctx.locale, month)
    if sent_at is not None:
        head = ctx.t("digest.sent_already", month=words,
                     date=format_date(ctx.locale, ctx.local(sent_at)))
        return [Reply(f"{head}\n{text}" if text else head)]
    if text is None:
        return [Reply(ctx.t("digest.empty", month=words))]
    members = len(await ctx.tx.branch_members(branch.id))
    question = ctx.t("digest.preview_question", n=members)
    return [ctx.ask("confirm", DigestState(branch.id, month), f"{text}\n\n{question}",
                    [Choice(SEND, ctx.t("digest.button.send")),
                     Choice("取消", ctx.t("button.cancel"))])]


async def continue_digest(ctx: Context, state: DigestState,
                          parsed: Parsed) -> list[Reply] | None:
    """发送 (or 确认) sends it once; a second 发送 says it went already."""
    if ctx.choice != SEND and parsed.intent is not Intent.CONFIRM:
        return None
    ctx.end()
    branch = await ctx.tx.get_branch(state.branch_id)
    if branch is None:
        return None
    sent = await send_digest(ctx.tx, branch, state.month, by_member_id=ctx.me().id,
                             now=ctx.now, default_locale=ctx.default_locale)
    words = month_words(ctx.locale, state.month)
    if sent is None:
        return [Reply(ctx.t("digest.already", month=words))]
    await ctx.tx.audit("digest_send", ctx.now, actor_member_id=ctx.me().id, actor=ctx.actor,
                       detail={"branch": branch.id, "month": state.month, "members": sent})
    return [Reply(ctx.t("digest.sent", month=words, n=sent))]


async def _latest(ctx: Context) -> list[Reply]:
    """The branch's latest sent digest, with a 点赞 button per item."""
    branch = await speaker_branch(ctx)
    month = await ctx.tx.latest_digest_month(branch.id) if branch else None
    if branch is None or month is None:
        return [Reply(ctx.t("digest.none_yet"))]
    pieces = await ctx.tx.accepted_pieces(branch.id, month)
    praises = await ctx.tx.praises_in(branch.id, month)
    text = digest_text(ctx.locale, branch.name, month, pieces, praises)
    buttons = tuple(Button(ctx.t("digest.button.like", n=n), like_data(piece))
                    for n, piece in enumerate(pieces[:MAX_LIKE_BUTTONS], 1))
    return [Reply(text, buttons=buttons)]


INTENTS = {Intent.DIGEST: handle_digest}
FLOWS = {"digest": Flow(DigestState, continue_digest)}
