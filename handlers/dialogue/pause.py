"""A late answer: the member left a report for more than half an hour, then answered.

"1" forty minutes after 是谁住院了？ is an answer to that question, or a menu number, or a slip:
nobody can tell. It is never read as a menu item: the member is asked whether to go on with
what was started (kept at least a day, per the MIIT 2021 elder-friendly guideline), and the
late answer is used only on 接着登记. A new word (签到, 出勤) is done as asked, and the paused
conversation is let go.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from bot.core.messages import Reply
from bot.understanding import Intent, Parsed
from bot.understanding.choices import pick
from handlers.context import Context
from handlers.flow import Choice, FlowState, OpenConversation

_GO_ON, _STOP = "接着", "不用了"
_ANSWER_WORDS = {Intent.CONFIRM, Intent.CANCEL, Intent.SKIP}


@dataclass
class ResumeState(FlowState):
    """The paused conversation, whole, and the late answer waiting for 接着登记."""

    flow = "resume"
    paused: dict[str, Any] = field(default_factory=dict)
    pending: str = ""


def _stored(conv: OpenConversation) -> dict[str, Any]:
    data = conv.to_stored().data
    return {"flow": conv.flow, "step": conv.step, "data": data}


def restore(state: ResumeState) -> OpenConversation:
    """The conversation as it was when it paused."""
    from storage.models import Conversation

    paused = state.paused
    return OpenConversation.from_stored(Conversation(paused["flow"], paused["step"],
                                                     paused["data"]))


async def after_pause(ctx: Context, parsed: Parsed, flows: dict[str, Any]) -> list[Reply] | None:
    """A message after the pause: a new word goes ahead; a bare answer is asked about."""
    paused = ctx.paused
    assert paused is not None
    if parsed.intent is not None and parsed.intent not in _ANSWER_WORDS and parsed.sure:
        ctx.end()
        return None
    if parsed.intent is Intent.CANCEL:
        ctx.end()
        ctx.note("cancel")
        return [Reply(ctx.t("cancelled"), show_menu=True)]
    if not ctx.text and ctx.message.attachment is None:
        return None
    _note_late_answer(ctx, paused)
    state = ResumeState(_stored(paused), ctx.message.text or ctx.message.button or "")
    what = ctx.t(f"resume.what.{paused.flow}") if ctx.has_text(
        f"resume.what.{paused.flow}") else ctx.t("resume.what")
    choices = [Choice(_GO_ON, ctx.t("resume.go_on", what=what)),
               Choice(_STOP, ctx.t("resume.stop"))]
    return [ctx.ask("ask", state, ctx.t("resume.ask", what=what), choices)]


def _note_late_answer(ctx: Context, paused: OpenConversation) -> None:
    """What the late answer would mean there (for the corpus and the benchmark)."""
    offered = [(c.value, c.label) for c in paused.choices]
    picked = pick(ctx.message.text or "", ctx.message.button, offered)
    if picked.index is not None and paused.choices[picked.index].value not in ("确认", "取消"):
        ctx.note("resume", choice=paused.choices[picked.index].label)
        return
    key = _STEP_SLOTS.get((paused.flow, paused.step))
    value = ctx.answer().typed
    ctx.note("resume", **({key: value} if key and value and picked.index is None else {}))


_STEP_SLOTS = {("report", "hospital"): "hospital", ("report", "ward"): "ward",
               ("leave", "reason"): "reason", ("delivery", "new_address"): "address",
               ("broadcast", "text"): "text"}


async def continue_resume(ctx: Context, state: ResumeState, flows: dict[str, Any],
                          go_on: Any) -> list[Reply]:
    """接着: the paused conversation again, with the late answer as its answer; 不用了: drop it."""
    if ctx.choice == _GO_ON:
        ctx.conversation = restore(state)
        ctx.message = replace(ctx.message, text=state.pending, button=None)
        ctx.choice = None
        replies: list[Reply] | None = await go_on(ctx)
        prompt = restore(state).prompt
        if replies is None:
            return [prompt.reply()] if prompt else []
        return replies
    if ctx.choice == _STOP:
        ctx.end()
        return [Reply(ctx.t("cancelled"), show_menu=True)]
    conv = ctx.conversation
    assert conv is not None
    return [Reply(ctx.t("choice.again", n=2)), *([conv.prompt.reply()] if conv.prompt else [])]
