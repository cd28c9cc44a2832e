"""An answer inside an open conversation: a choice, a correction, a cancel, or a new word.

The offered choices are read first (button, number, label, a word that means one); a number
that is not offered repeats the question; at a read-back, 不对，是… corrects the part it
names and 不对 alone asks what to change; a word that starts something else leaves the
conversation only where that cannot be an answer (a free-text question takes the text).
"""

from __future__ import annotations

from typing import Any

from bot.core.messages import Reply
from bot.understanding import Intent, Parsed, parse_whole
from bot.understanding.choices import Picked, pick
from bot.understanding.clean import clean
from bot.understanding.keywords import parse_prefix
from bot.understanding.lexicon import lexicon
from bot.understanding.sentence import understand
from bot.understanding.slots import correction
from handlers.context import Context, Handler
from handlers.dialogue import guess, pause, which
from handlers.flow import Flow, OpenConversation

_ANSWERS = {"确认": "confirm", "取消": "cancel", "跳过": "skip"}
_ANSWER_WORDS = {Intent.CONFIRM, Intent.CANCEL, Intent.SKIP}
# Which words are a flow's own (said again inside it, they are an answer, not a new start).
_OWN: dict[str, frozenset[Intent]] = {
    "leave": frozenset({Intent.LEAVE}),
    # 我的互助对象 names whom a report is about (or who should look in), not a new question
    "report": frozenset({Intent.HOSPITAL, Intent.DISCHARGE, Intent.HARDSHIP, Intent.WORRY,
                         Intent.DEATH, Intent.MY_PAIR, Intent.PAIRS}),
    "delivery": frozenset({Intent.DELIVERY}),
    "proxy": frozenset({Intent.PROXY}),
    "broadcast": frozenset({Intent.BROADCAST}),
    "visit": frozenset({Intent.VISITED}),
    "deliveries": frozenset({Intent.DELIVERIES, Intent.MY_PAIR, Intent.PAIRS}),
    "publish": frozenset({Intent.MATERIAL}),
    "guidance": frozenset({Intent.GUIDANCE}),
    "activity": frozenset({Intent.ACTIVITY}),
    "meeting": frozenset({Intent.MEETING}),
    "reschedule": frozenset({Intent.RESCHEDULE}),
}
# Officers writing a text: only an exact word leaves the question.
_WRITING = frozenset({("broadcast", "text"), ("publish", "content"), ("guidance", "note"),
                      ("meeting", "place"), ("meeting", "topic")})
# Questions whose answer is a number (how many places, how many hours, which day, what
# time): a bare number there is the answer, never a choice out of range (nor 1 = 取消).
_NUMBER_ANSWERS = frozenset({("activity", "limit"), ("activity", "day"), ("activity", "time"),
                             ("hours", "hours"), ("meeting", "day"), ("meeting", "time"),
                             ("reschedule", "day"), ("reschedule", "time")})
_REACHING_OUT = frozenset({Intent.CONTACT, Intent.HELP})
# At these read-backs, whatever else is typed is the text again, rewritten.
_REWRITTEN = frozenset({"broadcast", "guidance"})


async def continue_conversation(ctx: Context, parsed: Parsed, flows: dict[str, Flow[Any]],
                                intents: dict[Intent, Handler]) -> list[Reply] | None:
    """The conversation's next step; None when the message is read as a word instead."""
    conv = ctx.conversation
    assert conv is not None
    if conv.flow in (guess.GuessState.flow, pause.ResumeState.flow, which.WhichState.flow):
        return await _meta(ctx, parsed, conv, flows, intents)
    flow = flows.get(conv.flow)
    if flow is None:
        ctx.end()
        return None
    try:
        state = flow.state.load(conv.state)
    except (TypeError, ValueError):
        ctx.end()
        return None
    if conv.step == "change":
        if parsed.intent in (Intent.CONFIRM, Intent.CANCEL):
            ctx.note("confirm" if parsed.intent is Intent.CONFIRM else "cancel")
            return await _step(ctx, flow, state, conv, parsed) if parsed.intent is (
                Intent.CONFIRM) else cancel(ctx)
        ctx.note("correct")
        return await _correct(ctx, flow, state, ctx.answer().typed)
    if (parsed.number is not None and ctx.message.button is None
            and (conv.flow, conv.step) in _NUMBER_ANSWERS):
        ctx.note("answer")
        return await _step(ctx, flow, state, conv, parsed)
    picked = pick(ctx.message.text or "", ctx.message.button, [(c.value, c.label)
                                                                for c in conv.choices])
    if picked.out_of_range or (not conv.choices and parsed.number is not None):
        ctx.note("repeat")
        return repeat(ctx, conv, "choice.again" if conv.choices else "answer.again")
    if picked.index is not None:
        return await _chosen(ctx, flow, state, conv, picked.index)
    return await _not_a_choice(ctx, flow, state, conv, parsed)


async def _meta(ctx: Context, parsed: Parsed, conv: OpenConversation,
                flows: dict[str, Flow[Any]], intents: dict[Intent, Handler]) -> list[Reply] | None:
    """The questions the dialogue asks itself: a guess (是/不是), a late answer (接着/不用了)
    and which one a word is about (支部 1, 2…)."""
    lead = parse_prefix(ctx.message.text or "") if ctx.message.button is None else None
    if lead is not None and lead.intent is not None and lead.intent not in _ANSWER_WORDS and (
            lead.args):  # 报表 城关… asked which branch for 出勤: a new word, not the answer
        ctx.end()
        return None
    picked = pick(ctx.message.text or "", ctx.message.button,
                  [(c.value, c.label) for c in conv.choices])
    if picked.index is None:
        if parsed.intent is not None and parsed.intent not in _ANSWER_WORDS:
            ctx.end()
            return None
        if parsed.intent in (Intent.CONFIRM, Intent.CANCEL) and not picked.out_of_range:
            picked = Picked(0 if parsed.intent is Intent.CONFIRM else 1)
        else:
            ctx.note("repeat")
            return repeat(ctx, conv, "choice.again")
    assert picked.index is not None
    choice = conv.choices[picked.index]
    ctx.choice = choice.value
    ctx.note("choose", choice=choice.label)
    if conv.flow == guess.GuessState.flow:
        return await guess.answer(ctx, guess.GuessState.load(conv.state), intents)
    if conv.flow == which.WhichState.flow:
        return await which.answer(ctx, which.WhichState.load(conv.state), intents)

    async def go_on(c: Context) -> list[Reply] | None:
        return await continue_conversation(c, understand(c.text), flows, intents)

    return await pause.continue_resume(ctx, pause.ResumeState.load(conv.state), flows, go_on)


async def _chosen(ctx: Context, flow: Flow[Any], state: Any, conv: OpenConversation,
                  index: int) -> list[Reply] | None:
    choice = conv.choices[index]
    ctx.choice = choice.value
    label = _ANSWERS.get(choice.value)
    if label:
        ctx.note(label)
    else:
        ctx.note("choose", choice=choice.label, choice_value=choice.value)
    if choice.value == "取消":
        return cancel(ctx)
    return await _step(ctx, flow, state, conv, understand(choice.value))


async def _not_a_choice(ctx: Context, flow: Flow[Any], state: Any, conv: OpenConversation,
                        parsed: Parsed) -> list[Reply] | None:
    answer = ctx.answer()
    if conv.step == "confirm":
        value = correction(answer)
        if value is not None and not _is_cancel(clean(value).simple):
            if value == "" or flow.correct is None:
                ctx.note("change")
                return _ask_change(ctx, conv)
            ctx.note("correct")
            return await _correct(ctx, flow, state, value)
    if _is_cancel(answer.simple) or (parsed.intent is Intent.CANCEL and conv.step == "confirm"):
        ctx.note("cancel")
        return cancel(ctx)
    if _leaves(ctx, conv, parsed):
        ctx.end()
        return None
    if conv.step == "confirm" and conv.flow in _REWRITTEN and parsed.intent is None and (
            flow.correct is not None and answer.typed):
        ctx.note("correct")
        return await _correct(ctx, flow, state, answer.typed)
    if parsed.intent is None and _is_skip(answer.simple):
        parsed = Parsed(Intent.SKIP, "", None)
    if parsed.intent is Intent.CONFIRM:
        ctx.note("confirm")
    elif parsed.intent is Intent.SKIP:
        ctx.note("skip")
    else:
        ctx.note("answer")
    return await _step(ctx, flow, state, conv, parsed)


def _is_cancel(text: str) -> bool:
    """取消, 算了, 不请了…: the whole conversation is dropped."""
    particles = lexicon().particles
    words = lexicon().cancel
    bare = text.rstrip(particles)
    return bare in {w.rstrip(particles) for w in words} or any(
        len(w) >= 2 and text.startswith(w) for w in words)


def _is_skip(text: str) -> bool:
    """不知道, 记不清了, 不用记了: where a question may be skipped, that is the answer."""
    particles = lexicon().particles
    return text.rstrip(particles) in {w.rstrip(particles) for w in lexicon().skip}


def _leaves(ctx: Context, conv: OpenConversation, parsed: Parsed) -> bool:
    """Whether a message starts something else rather than answering the question."""
    intent = parsed.intent
    if intent is None or intent in _ANSWER_WORDS:
        return False
    if intent in _OWN.get(conv.flow, frozenset()):
        # At a read-back, the word again with new words (代签 孙福海 …) starts afresh.
        again = parse_prefix(ctx.message.text or "")
        return conv.step == "confirm" and again is not None and again.intent is intent and bool(
            again.args)
    whole = parse_whole(ctx.message.text or "")
    if whole is not None and whole.intent is intent:
        return True
    if (conv.flow, conv.step) in _WRITING or not parsed.sure:
        return False
    if intent in _REACHING_OUT:
        return True
    picking = any(c.value not in ("跳过", "取消") for c in conv.choices)
    return picking or conv.step == "confirm"


async def _step(ctx: Context, flow: Flow[Any], state: Any, conv: OpenConversation,
                parsed: Parsed) -> list[Reply] | None:
    replies = await flow.step(ctx, state, parsed)
    if replies is None:
        return repeat(ctx, conv, "answer.again")
    return replies


async def _correct(ctx: Context, flow: Flow[Any], state: Any, value: str) -> list[Reply] | None:
    """不对，是… : the flow puts the value where it belongs and reads back again."""
    conv = ctx.conversation
    assert conv is not None
    if _is_cancel(clean(value).simple):
        ctx.note("cancel")
        return cancel(ctx)
    replies = await flow.correct(ctx, state, clean(value)) if flow.correct else None
    if replies is None:
        ctx.note("change")
        return _ask_change(ctx, conv)
    return replies


def _ask_change(ctx: Context, conv: OpenConversation) -> list[Reply]:
    """不对 alone: what should be different? (The read-back stays as it was.)"""
    ctx.next_conversation = OpenConversation(conv.flow, "change", conv.state, (), conv.prompt)
    return [Reply(ctx.t(f"change.ask.{conv.flow}") if ctx.has_text(f"change.ask.{conv.flow}")
                  else ctx.t("change.ask"))]


def repeat(ctx: Context, conv: OpenConversation, key: str) -> list[Reply] | None:
    """The question again, after a short word on what fits."""
    if conv.prompt is None:
        ctx.end()
        return None
    n = len(conv.choices)
    return [Reply(ctx.t(key, n=n)), conv.prompt.reply()]


def cancel(ctx: Context) -> list[Reply]:
    """Drop the conversation; nothing was recorded."""
    ctx.end()
    return [Reply(ctx.t("cancelled"), show_menu=True)]
