"""建言献策: the secretary's 上报 to the admins, and 答复 — the answer reaches the member.

`答复 12 已经安排装空调` (or 答复 from the 稿件 queue): an officer of the advice's branch, or
an admin for any branch, writes the answer; it is read back and, on 确认, pushed to the
member. A number that is not advice in the officer's reach reads exactly like one that does
not exist. 上报 sends the text and the branch to every admin — never the author's health,
family or anything else of theirs.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.messages import Reply
from bot.understanding import Intent, Parsed
from bot.understanding.clean import Cleaned, without_opening
from handlers.common import is_officer, may_handle, officer_only
from handlers.context import Context
from handlers.flow import Choice, Flow, FlowState
from handlers.submissions.shared import after_number, short, trimmed
from storage.repo_submissions import ADVICE_OPEN, Piece

MAX_ANSWER = 500  # characters
_OPENING = ("答复建议", "回复建议", "答复", "回复", "内容是", "改成")


async def advice_in_reach(ctx: Context, piece_id: int) -> Piece | None:
    """The advice of that number if the speaker may answer it (None reads as not found)."""
    piece = await ctx.tx.get_piece(piece_id) if piece_id else None
    if piece is None or piece.section != "advice":
        return None
    if not is_officer(ctx) or not await may_handle(ctx.tx, ctx.me(), piece.branch_id):
        await ctx.tx.audit("advice_denied", ctx.now, actor_member_id=ctx.me().id,
                           actor=ctx.actor, detail={"piece": piece.id})
        return None
    return piece


async def forward_advice(ctx: Context, piece: Piece) -> bool:
    """上报: the advice goes up to every admin (its text and branch only); the member is
    told it went up. False when it was no longer waiting."""
    me = ctx.me()
    if not await ctx.tx.review_piece(piece.id, "forwarded", me.id, ctx.now, was=("submitted",)):
        return False
    branch = await ctx.tx.get_branch(piece.branch_id)
    for admin in await ctx.tx.officers(piece.branch_id, "admin"):
        if admin.id != me.id:
            await ctx.push(admin, "advice.to_admin", f"advice:{piece.id}:up:{admin.id}",
                           "piece_notice", branch=branch.name if branch else "",
                           id=piece.id, body=piece.body)
    author = await ctx.tx.get_member(piece.member_id)
    if author is not None:
        await ctx.push(author, "advice.told.forwarded", f"advice:{piece.id}:up", "piece_notice",
                       body=short(piece.body))
    await ctx.tx.audit("advice_forward", ctx.now, actor_member_id=me.id, actor=ctx.actor,
                       subject_member_id=piece.member_id, detail={"piece": piece.id})
    return True


async def answer_advice(ctx: Context, piece: Piece, answer: str) -> bool:
    """答复: record the answer and push it to the member; False when answered already."""
    me = ctx.me()
    if not await ctx.tx.review_piece(piece.id, "answered", me.id, ctx.now, note=answer,
                                     was=ADVICE_OPEN):
        return False
    author = await ctx.tx.get_member(piece.member_id)
    if author is not None:
        await ctx.push(author, "advice.told.answered", f"advice:{piece.id}:answered",
                       "piece_notice", body=short(piece.body), answer=answer)
    await ctx.tx.audit("advice_answer", ctx.now, actor_member_id=me.id, actor=ctx.actor,
                       subject_member_id=piece.member_id, detail={"piece": piece.id})
    return True


def answer_text(typed: str) -> str:
    """An answer as typed, without 答复 or fillers before it, at most MAX_ANSWER long."""
    return trimmed(without_opening(typed, *_OPENING))[:MAX_ANSWER]


def answer_readback_text(ctx: Context, piece: Piece, answer: str) -> str:
    """What an officer confirms before an answer goes out."""
    return ctx.t("advice.readback", author=piece.author, body=short(piece.body), answer=answer)


@dataclass
class AnswerState(FlowState):
    """答复 N: which advice, and the answer once said."""

    flow = "advice_answer"
    piece: int
    answer: str | None = None


async def handle_answer(ctx: Context, parsed: Parsed) -> list[Reply]:
    """答复 12 已经安排装空调: read the answer back; on 确认 it goes to the member."""
    if not is_officer(ctx):
        return officer_only(ctx)
    number, shown, rest = after_number(parsed.args or ctx.message.text or "")
    if number is None:
        return [Reply(ctx.t("advice.usage"))]
    piece = await advice_in_reach(ctx, number)
    if piece is None:
        return [Reply(ctx.t("advice.unknown", id=shown))]
    if piece.status not in ADVICE_OPEN:
        return [Reply(ctx.t("advice.already", id=piece.id))]
    state = AnswerState(piece.id)
    answer = answer_text(rest)
    if not answer:
        return [ctx.ask("text", state, ctx.t("advice.ask_answer", author=piece.author,
                                             body=short(piece.body)),
                        [Choice("取消", ctx.t("button.cancel"))])]
    state.answer = answer
    return [ctx.readback("confirm", state, answer_readback_text(ctx, piece, answer))]


async def continue_answer(ctx: Context, state: AnswerState,
                          parsed: Parsed) -> list[Reply] | None:
    """The answer (typed at the question, or again at the read-back), then 确认."""
    assert ctx.conversation is not None
    piece = await ctx.tx.get_piece(state.piece)
    if piece is None:
        ctx.end()
        return [Reply(ctx.t("advice.unknown", id=state.piece))]
    typed = answer_text(ctx.message.text or "")
    if ctx.conversation.step == "text" or (parsed.intent is None and typed):
        if not typed:
            return None
        state.answer = typed
        return [ctx.readback("confirm", state, answer_readback_text(ctx, piece, typed))]
    if parsed.intent is not Intent.CONFIRM or not state.answer:
        return None
    ctx.end()
    if not await answer_advice(ctx, piece, state.answer):
        return [Reply(ctx.t("advice.already", id=piece.id))]
    return [Reply(ctx.t("advice.answer_ok", author=piece.author))]


async def correct_answer(ctx: Context, state: AnswerState,
                         value: Cleaned) -> list[Reply] | None:
    """不对，是… at the read-back: the answer, rewritten."""
    piece = await ctx.tx.get_piece(state.piece)
    answer = answer_text(value.typed)
    if piece is None or not answer:
        return None
    state.answer = answer
    return [ctx.readback("confirm", state, answer_readback_text(ctx, piece, answer))]


INTENTS = {Intent.ANSWER: handle_answer}
FLOWS = {"advice_answer": Flow(AnswerState, continue_answer, correct_answer)}
