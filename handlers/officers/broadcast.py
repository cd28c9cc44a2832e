"""通知 [支部] 内容: a secretary's notice to every member of the branch, after a read-back."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.i18n import t
from bot.core.messages import Reply
from bot.understanding import Intent, Parsed
from bot.understanding.clean import Cleaned, without_opening
from handlers.context import Context
from handlers.flow import Choice, Flow, FlowState
from handlers.groups.notice import group_readers, notice_group
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
    # 通知 书法组 …: a group named by the first word narrows the notice to its members.
    group, rest = await notice_group(ctx, scoped.branch.id, scoped.rest)
    state = BroadcastState(scoped.branch.id, group.id if group else None)
    if not rest:
        return [_ask_text(ctx, state, ctx.t("group.notice_ask", group=group.name) if group
                          else ctx.t("broadcast.ask", branch=scoped.branch.name))]
    return await _readback(ctx, scoped.branch, state, rest)


@dataclass
class BroadcastState(FlowState):
    """通知: to which branch, and the text once written."""

    flow = "broadcast"
    branch_id: int
    group_id: int | None = None  # an interest group's members only (通知 书法组 …)
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
    return await _send(ctx, branch, state)


async def _readback(ctx: Context, branch: Branch, state: BroadcastState,
                    text: str) -> list[Reply]:
    if len(text) > MAX_NOTICE:
        return [_ask_text(ctx, state, ctx.t("broadcast.too_long", n=len(text),
                                            limit=MAX_NOTICE))]
    readers, unbound = await _readers(ctx, branch, state.group_id)
    key, group = await _texts(ctx, state)
    if not readers:
        ctx.end()
        return [Reply(_with_phone_list(ctx, ctx.t(f"{key}nobody", branch=branch.name,
                                                  group=group), unbound))]
    state.text = text
    ctx.note_slots(text=text)
    return [ctx.readback("confirm", state, ctx.t(f"{key}readback", branch=branch.name,
                                                 group=group, n=len(readers), text=text))]


async def _texts(ctx: Context, state: BroadcastState) -> tuple[str, str]:
    """The texts' key prefix and the group's name (a notice to the branch: no group)."""
    group = await ctx.tx.get_group(state.group_id) if state.group_id else None
    return ("group.notice_", group.name) if group else ("broadcast.", "")


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


async def _send(ctx: Context, branch: Branch, state: BroadcastState) -> list[Reply]:
    """One outbox row per member (keyed by this message, so a redelivery sends nothing)."""
    me = ctx.me()
    text = state.text or ""
    readers, unbound = await _readers(ctx, branch, state.group_id)
    key, group = await _texts(ctx, state)
    ref = f"{ctx.message.channel}:{ctx.message.message_id}"
    sent = 0
    for member in readers:
        sent += await push(ctx.tx, member,
                           lambda locale: t(locale, f"{key}push", branch=branch.name,
                                            group=group, text=text, sender=me.name),
                           key=f"notice:{ref}:{member.id}", kind="notice", now=ctx.now,
                           default_locale=ctx.default_locale)
    await ctx.tx.audit("broadcast", ctx.now, actor_member_id=me.id, actor=ctx.actor,
                       detail={"branch": branch.id, "members": sent, "group": state.group_id})
    return [Reply(_with_phone_list(ctx, ctx.t(f"{key}ok", branch=branch.name, group=group,
                                              n=sent), unbound))]


async def _readers(ctx: Context, branch: Branch,
                   group_id: int | None = None) -> tuple[list[Member], list[Member]]:
    """The branch's active members but the sender (a group's only, when the notice is for
    one): those a chat reaches, and the others."""
    me = ctx.me()
    only = await group_readers(ctx, group_id) if group_id else None
    reached: list[Member] = []
    unbound: list[Member] = []
    for member in await ctx.tx.branch_members(branch.id):
        if member.status == "active" and member.id != me.id and (
                only is None or member.id in only):
            (reached if await reachable(ctx.tx, member) else unbound).append(member)
    return reached, unbound


def _with_phone_list(ctx: Context, text: str, unbound: list[Member]) -> str:
    """The members no chat reaches, to be phoned (the practice before any assistant)."""
    if not unbound:
        return text
    return f"{text}\n{ctx.t('broadcast.phone', names='、'.join(m.name for m in unbound))}"


INTENTS = {Intent.BROADCAST: handle_broadcast}
FLOWS = {"broadcast": Flow(BroadcastState, continue_broadcast, correct_broadcast)}
