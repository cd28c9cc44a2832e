"""稿件: an officer's queue of waiting pieces, one at a time; a member's own pieces.

An officer (of their branch; an instructor or admin names one, or is asked which) sees each
waiting piece with 采用 / 退回 / 下一篇 — advice with 上报 / 答复 / 下一篇 — and the author
is told either way. An admin's queue also holds the advice a secretary sent up. `稿件` from
a member (or `我的投稿` from anyone) lists only the speaker's own pieces and where they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.core.i18n import format_date
from bot.core.messages import Reply
from bot.understanding import Intent, Parsed, normalize
from bot.understanding.clean import without_opening
from handlers.common import is_officer, may_handle
from handlers.context import Context
from handlers.flow import Choice, Flow, FlowState
from handlers.officers.branch_scope import officer_branch
from handlers.submissions.advice import (
    answer_advice,
    answer_readback_text,
    answer_text,
    forward_advice,
)
from handlers.submissions.shared import mentions_health, section_label, short, trimmed
from storage.repo_submissions import ADVICE_OPEN, WAITING, Piece

MAX_NOTE = 200  # characters of a 退回 note
ACCEPT, RETURN, NEXT, FORWARD, ANSWER = "采用", "退回", "下一篇", "上报", "答复"


@dataclass
class ReviewState(FlowState):
    """稿件: the branch, whether forwarded advice is in the queue (admins), the piece shown,
    the ones passed over with 下一篇, and an answer being written."""

    flow = "review"
    branch_id: int
    forwarded: bool = False
    piece: int = 0
    skipped: list[int] = field(default_factory=list)
    answer: str | None = None


async def handle_pieces(ctx: Context, parsed: Parsed) -> list[Reply]:
    """稿件: the queue for officers, the speaker's own pieces for everyone else."""
    if not is_officer(ctx) or "我的" in normalize(ctx.message.text or ""):
        return await _own_pieces(ctx)
    scoped = await officer_branch(ctx, parsed.args, action="pieces", word="稿件",
                                  intent=Intent.PIECES)
    if scoped.branch is None:
        return scoped.refusal
    state = ReviewState(scoped.branch.id, forwarded=ctx.me().role == "admin")
    return await _show_next(ctx, state, [], first=True)


async def _own_pieces(ctx: Context) -> list[Reply]:
    """The speaker's last pieces, newest first, each with where it stands."""
    pieces = await ctx.tx.member_pieces(ctx.me().id)
    if not pieces:
        return [Reply(ctx.t("piece.mine.none"))]
    lines = [ctx.t("piece.mine.title")]
    for i, piece in enumerate(pieces, 1):
        key = f"piece.status.{piece.status}"
        if piece.status in ("returned", "answered") and not piece.review_note:
            key += "_bare"
        status = ctx.t(key, note=piece.review_note or "")
        lines.append(ctx.t("piece.mine.line", n=i, date=format_date(
            ctx.locale, ctx.local(piece.created_at)), section=section_label(ctx, piece.section),
            text=short(piece.body), status=status))
    return [Reply("\n".join(lines))]


def _statuses(state: ReviewState) -> tuple[str, ...]:
    """What waits in this queue: an admin's also holds advice sent up to them."""
    return ADVICE_OPEN if state.forwarded else WAITING


async def _show_next(ctx: Context, state: ReviewState, done: list[str], *,
                     first: bool = False) -> list[Reply]:
    """The next waiting piece with its buttons, or that the queue is empty."""
    waiting = await ctx.tx.waiting_pieces(state.branch_id, _statuses(state))
    left = [p for p in waiting if p.id not in state.skipped]
    if not left:
        ctx.end()
        key = "piece.queue.none" if first else (
            "piece.queue.skipped" if state.skipped else "piece.queue.done")
        return [Reply("\n".join([*done, ctx.t(key)]))]
    piece = left[0]
    state.piece, state.answer = piece.id, None
    card = ctx.t("piece.card", n=len(left), author=piece.author,
                 section=section_label(ctx, piece.section),
                 theme=ctx.t("piece.card_theme", theme=piece.theme) if piece.theme else "",
                 body=piece.body,
                 photo=ctx.t("piece.card_photo") if piece.photo else "",
                 health=ctx.t("piece.card_health") if piece.section != "advice"
                 and mentions_health(piece.body) else "")
    return [ctx.ask("piece", state, "\n".join([*done, card]), _choices(ctx, piece))]


def _choices(ctx: Context, piece: Piece) -> list[Choice]:
    """采用 / 退回 for a piece; 上报 / 答复 for advice (答复 alone once it went up)."""
    if piece.section != "advice":
        actions = [(ACCEPT, "piece.button.accept"), (RETURN, "piece.button.return")]
    elif piece.status == "submitted":
        actions = [(FORWARD, "piece.button.forward"), (ANSWER, "piece.button.answer")]
    else:
        actions = [(ANSWER, "piece.button.answer")]
    return [Choice(value, ctx.t(key)) for value, key in
            [*actions, (NEXT, "piece.button.next")]]


async def continue_review(ctx: Context, state: ReviewState,
                          parsed: Parsed) -> list[Reply] | None:
    """采用 / 退回 (then its note) / 上报 / 答复 (then the answer, read back) / 下一篇."""
    assert ctx.conversation is not None
    step = ctx.conversation.step
    piece = await ctx.tx.get_piece(state.piece)
    if piece is None or piece.status not in _statuses(state) or not await may_handle(
            ctx.tx, ctx.me(), piece.branch_id):
        return await _show_next(ctx, state, [ctx.t("piece.gone")])
    if step == "piece":
        return await _act(ctx, state, piece)
    typed = (ctx.message.text or "").strip()
    if step == "note":
        skipped = parsed.intent is Intent.SKIP or ctx.choice == "跳过"
        note = None if skipped else trimmed(without_opening(typed, "原因是", "因为"))[:MAX_NOTE]
        if not skipped and not note:
            return None
        return await _return(ctx, state, piece, note)
    if step == "answer" or (parsed.intent is None and typed):
        answer = answer_text(typed)
        return _answer_readback(ctx, state, piece, answer) if answer else None
    if parsed.intent is not Intent.CONFIRM or not state.answer:
        return None
    if not await answer_advice(ctx, piece, state.answer):
        return await _show_next(ctx, state, [ctx.t("piece.gone")])
    return await _show_next(ctx, state, [ctx.t("advice.answer_ok", author=piece.author)])


async def _act(ctx: Context, state: ReviewState, piece: Piece) -> list[Reply] | None:
    """What the officer pressed (or typed) at a piece."""
    offered = {c.value for c in _choices(ctx, piece)}
    if ctx.choice not in offered:
        return None
    if ctx.choice == NEXT:
        state.skipped.append(piece.id)
        return await _show_next(ctx, state, [])
    if ctx.choice == ACCEPT:
        return await _accept(ctx, state, piece)
    if ctx.choice == RETURN:
        return [ctx.ask("note", state, ctx.t("piece.ask_note", author=piece.author),
                        [Choice("跳过", ctx.t("button.skip"))])]
    if ctx.choice == FORWARD:
        done = ctx.t("advice.forward_ok") if await forward_advice(ctx, piece) else ctx.t(
            "piece.gone")
        return await _show_next(ctx, state, [done])
    answer = answer_text(ctx.message.text or "")  # 答复 已经安排了: the answer came with it
    if answer and answer != ANSWER:
        return _answer_readback(ctx, state, piece, answer)
    return [ctx.ask("answer", state, ctx.t("advice.ask_answer", author=piece.author,
                                           body=short(piece.body)),
                    [Choice("取消", ctx.t("button.cancel"))])]


def _answer_readback(ctx: Context, state: ReviewState, piece: Piece,
                     answer: str) -> list[Reply]:
    """The answer read back before it goes to the member."""
    state.answer = answer
    return [ctx.readback("confirm", state, answer_readback_text(ctx, piece, answer))]


async def _accept(ctx: Context, state: ReviewState, piece: Piece) -> list[Reply]:
    """采用: the piece goes into its month's digest; the author is told."""
    me = ctx.me()
    if not await ctx.tx.review_piece(piece.id, "accepted", me.id, ctx.now):
        return await _show_next(ctx, state, [ctx.t("piece.gone")])
    await ctx.tx.audit("piece_accept", ctx.now, actor_member_id=me.id, actor=ctx.actor,
                       subject_member_id=piece.member_id, detail={"piece": piece.id})
    author = await ctx.tx.get_member(piece.member_id)
    if author is not None:
        await ctx.push(author, "piece.told.accepted", f"piece:{piece.id}:accepted",
                       "piece_notice", text=short(piece.body))
    return await _show_next(ctx, state, [ctx.t("piece.accept_ok", author=piece.author)])


async def _return(ctx: Context, state: ReviewState, piece: Piece,
                  note: str | None) -> list[Reply]:
    """退回 with a short note (or none); the author is told."""
    me = ctx.me()
    if not await ctx.tx.review_piece(piece.id, "returned", me.id, ctx.now, note=note):
        return await _show_next(ctx, state, [ctx.t("piece.gone")])
    await ctx.tx.audit("piece_return", ctx.now, actor_member_id=me.id, actor=ctx.actor,
                       subject_member_id=piece.member_id, detail={"piece": piece.id})
    author = await ctx.tx.get_member(piece.member_id)
    if author is not None:
        key = "piece.told.returned" if note else "piece.told.returned_bare"
        await ctx.push(author, key, f"piece:{piece.id}:returned", "piece_notice",
                       text=short(piece.body), note=note or "")
    return await _show_next(ctx, state, [ctx.t("piece.return_ok", author=piece.author)])


INTENTS = {Intent.PIECES: handle_pieces}
FLOWS = {"review": Flow(ReviewState, continue_review)}
