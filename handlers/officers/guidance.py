"""指导 [支部] [做了什么]: an instructor records a guidance visit to a branch they oversee.

`指导 城关 参加了学习日，讲了党史` → read back → 确认 → recorded (the branch's local day), and
counted in the branch report (sheet 指导) and the roll-up (指导次数). The note is the
instructor's own words; it is shown to officers only.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.i18n import format_date
from bot.core.messages import Reply
from bot.understanding import Intent, Parsed
from bot.understanding.clean import Cleaned, without_opening
from handlers.context import Context
from handlers.flow import Choice, Flow, FlowState
from handlers.officers.branch_scope import officer_branch

MAX_NOTE = 500  # characters
_OPENING = ("指导了", "指导", "内容是", "改成", "做了")


@dataclass
class GuidanceState(FlowState):
    """指导: which branch, and what was done once said."""

    flow = "guidance"
    branch_id: int
    note: str | None = None


async def handle_guidance(ctx: Context, parsed: Parsed) -> list[Reply]:
    """Ask what was done if it was not said; read it back; record it on 确认."""
    scoped = await officer_branch(ctx, parsed.args, action="guidance", word="指导",
                                  intent=Intent.GUIDANCE, anywhere=True)
    if scoped.branch is None:
        return scoped.refusal
    state = GuidanceState(scoped.branch.id)
    note = _note(without_opening(scoped.rest, *_OPENING)) or _said_after_word(ctx)
    if not note:
        return [_ask_note(ctx, state, scoped.branch.name)]
    return [_readback(ctx, state, scoped.branch.name, note)]


def _note(text: str) -> str:
    return text.lstrip("了，,。：: ").strip()


def _said_after_word(ctx: Context) -> str:
    """A dictated sentence's note: what follows 指导 in it (去城关指导了，讲了党课 -> 讲了党课)."""
    text = ctx.message.text or ""
    at = text.find("指导")
    return _note(text[at + 2:]) if at >= 0 else ""


def _ask_note(ctx: Context, state: GuidanceState, branch: str) -> Reply:
    return ctx.ask("note", state, ctx.t("guidance.ask", branch=branch),
                   [Choice("取消", ctx.t("button.cancel"))])


def _readback(ctx: Context, state: GuidanceState, branch: str, note: str) -> Reply:
    state.note = note[:MAX_NOTE]
    ctx.note_slots(text=state.note)
    return ctx.readback("confirm", state, ctx.t(
        "guidance.readback", branch=branch, date=format_date(ctx.locale, ctx.local()),
        note=state.note))


async def continue_guidance(ctx: Context, state: GuidanceState,
                            parsed: Parsed) -> list[Reply] | None:
    """The note (anything typed at the question or the read-back), then 确认."""
    assert ctx.conversation is not None
    branch = await ctx.tx.get_branch(state.branch_id)
    if branch is None:
        return None
    typed = without_opening(ctx.message.text or "", *_OPENING).strip()
    if ctx.conversation.step == "note" or (parsed.intent is None and typed):
        return [_readback(ctx, state, branch.name, typed)] if typed else None
    if parsed.intent is not Intent.CONFIRM or not state.note:
        return None
    ctx.end()
    me = ctx.me()
    day = ctx.local().date().isoformat()
    visit_id = await ctx.tx.add_guidance(branch.id, me.id, day, state.note, ctx.now)
    await ctx.tx.audit("guidance", ctx.now, actor_member_id=me.id, actor=ctx.actor,
                       detail={"branch": branch.id, "visit": visit_id})
    return [Reply(ctx.t("guidance.ok", branch=branch.name))]


async def correct_guidance(ctx: Context, state: GuidanceState,
                           value: Cleaned) -> list[Reply] | None:
    """不对，是… at the read-back: the note, rewritten."""
    branch = await ctx.tx.get_branch(state.branch_id)
    note = without_opening(value.typed, *_OPENING).strip() if value.typed else ""
    if branch is None or not note:
        return None
    return [_readback(ctx, state, branch.name, note)]


INTENTS = {Intent.GUIDANCE: handle_guidance}
FLOWS = {"guidance": Flow(GuidanceState, continue_guidance, correct_guidance)}
