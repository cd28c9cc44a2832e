"""通知 [支部] 内容: a secretary's notice to every member of the branch, after a read-back."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.i18n import t
from bot.core.messages import Reply
from bot.understanding import Intent, Parsed
from bot.understanding.clean import Cleaned, without_opening
from handlers.context import Context
from handlers.flow import Choice, Flow, FlowState
from handlers.notify import push, reachable
from handlers.officers.branch_scope import officer_branch
from storage.models import Branch, Member

MAX_NOTICE = 1000  # characters: a notice is read on a phone by someone in their eighties


async def handle_broadcast(ctx: Context, parsed: Parsed) -> list[Reply]:
    """通知 [支部名] [内容]: ask for the text if missing, read it back, send on 确认."""
    scoped = await officer_branch(ctx, parsed.args, action="broadcast", word="通知",
                                  intent=Intent.BROADCAST)
    if scoped.branch is None:
        return scoped.refusal
    state = BroadcastState(scoped.branch.id)
    if not scoped.rest:
        return [_ask_text(ctx, state, ctx.t("broadcast.ask", branch=scoped.branch.name))]
    return await _readback(ctx, scoped.branch, state, scoped.rest)


@dataclass
class BroadcastState(FlowState):
    """通知: to which branch, and the text once written."""

    flow = "broadcast"
    branch_id: int
    text: str | None = None


def _ask_text(ctx: Context, state: BroadcastState, question: str) -> Reply:
    return ctx.ask("text", state, question, [Choice("取消", ctx.t("button.cancel"))])


async def continue_broadcast(ctx: Context, state: BroadcastState,
                             parsed: Parsed) -> list[Reply] | None:
    """The steps of 通知: the text, then 确认 (anything else typed replaces the text)."""
    assert ctx.conversation is not None
    branch = await ctx.tx.get_branch(state.branch_id)
    if branch is None:
        return None
    typed = without_opening(ctx.message.text or "", *_OPENING)
    if ctx.conversation.step == "text" or (parsed.intent is None and typed):
        return await _readback(ctx, branch, state, typed) if typed else None
    if parsed.intent is not Intent.CONFIRM:
        return None
    ctx.end()
    return await _send(ctx, branch, state.text or "")


async def _readback(ctx: Context, branch: Branch, state: BroadcastState,
                    text: str) -> list[Reply]:
    if len(text) > MAX_NOTICE:
        return [_ask_text(ctx, state, ctx.t("broadcast.too_long", n=len(text),
                                            limit=MAX_NOTICE))]
    readers, unbound = await _readers(ctx, branch)
    if not readers:
        ctx.end()
        return [Reply(_with_phone_list(ctx, ctx.t("broadcast.nobody", branch=branch.name),
                                       unbound))]
    state.text = text
    ctx.note_slots(text=text)
    return [ctx.readback("confirm", state, ctx.t("broadcast.readback", branch=branch.name,
                                                 n=len(readers), text=text))]


async def correct_broadcast(ctx: Context, state: BroadcastState,
                            value: Cleaned) -> list[Reply] | None:
    """At the read-back, anything else typed is the notice, rewritten."""
    branch = await ctx.tx.get_branch(state.branch_id)
    text = without_opening(value.typed, *_OPENING) if value.typed else ""
    if value.typed and ctx.message.text and value.typed in ctx.message.text:
        text = without_opening(ctx.message.text, *_OPENING)
    if branch is None or not text:
        return None
    return await _readback(ctx, branch, state, text)


_OPENING = ("通知一下", "通知大家", "通知", "发个通知", "内容是", "改成")


async def _send(ctx: Context, branch: Branch, text: str) -> list[Reply]:
    """One outbox row per member (keyed by this message, so a redelivery sends nothing)."""
    me = ctx.me()
    readers, unbound = await _readers(ctx, branch)
    ref = f"{ctx.message.channel}:{ctx.message.message_id}"
    sent = 0
    for member in readers:
        sent += await push(ctx.tx, member,
                           lambda locale: t(locale, "broadcast.push", branch=branch.name,
                                            text=text, sender=me.name),
                           key=f"notice:{ref}:{member.id}", kind="notice", now=ctx.now,
                           default_locale=ctx.default_locale)
    await ctx.tx.audit("broadcast", ctx.now, actor_member_id=me.id, actor=ctx.actor,
                       detail={"branch": branch.id, "members": sent})
    return [Reply(_with_phone_list(ctx, ctx.t("broadcast.ok", branch=branch.name, n=sent),
                                   unbound))]


async def _readers(ctx: Context, branch: Branch) -> tuple[list[Member], list[Member]]:
    """The branch's active members but the sender: those a chat reaches, and the others."""
    me = ctx.me()
    reached: list[Member] = []
    unbound: list[Member] = []
    for member in await ctx.tx.branch_members(branch.id):
        if member.status == "active" and member.id != me.id:
            (reached if await reachable(ctx.tx, member) else unbound).append(member)
    return reached, unbound


def _with_phone_list(ctx: Context, text: str, unbound: list[Member]) -> str:
    """The members no chat reaches, to be phoned (the practice before any assistant)."""
    if not unbound:
        return text
    return f"{text}\n{ctx.t('broadcast.phone', names='、'.join(m.name for m in unbound))}"


INTENTS = {Intent.BROADCAST: handle_broadcast}
FLOWS = {"broadcast": Flow(BroadcastState, continue_broadcast, correct_broadcast)}
