"""资料 发布 (officers): a text, a file sent with a caption, or a link; read back, then 确认."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.core.messages import Attachment, Reply
from bot.understanding import Intent, Parsed
from handlers.context import Context
from handlers.delivery.common import (
    kind_words,
    month_key,
    month_words,
    parse_month,
    size_words,
)
from handlers.flow import Choice, FlowState
from handlers.materials.service import Draft, Published, file_draft, file_mime, publish, text_draft
from storage.files import MAX_FILE_BYTES

ALL_BRANCHES = "全部支部"


def _leading_month(ctx: Context, text: str) -> tuple[str, str]:
    """An optional month first (资料 发布 2027-01 …); else the current month."""
    current = month_key(ctx.local())
    first, _, rest = text.strip().partition(" ")
    month = parse_month(first, current, ahead=True) if first else None
    return (month, rest.strip()) if month else (current, text.strip())


async def _targets(ctx: Context) -> dict[str, int | None]:
    """Where the speaker may publish: label -> branch id (None: every branch)."""
    me = ctx.me()
    if me.role == "secretary":
        branch = await ctx.tx.get_branch(me.branch_id) if me.branch_id else None
        return {branch.name: branch.id} if branch else {}
    branches = await ctx.tx.list_branches()
    if me.role == "admin":
        return {ALL_BRANCHES: None, **{b.name: b.id for b in branches}}
    overseen = set(await ctx.tx.overseen_branch_ids(me.id))
    return {b.name: b.id for b in branches if b.id in overseen}


async def start_publish(ctx: Context, args: str) -> list[Reply]:
    """Begin publishing: the content may come with the command or in the next message."""
    targets = await _targets(ctx)
    if not targets:
        return [Reply(ctx.t("material.publish.no_branch"))]
    month, rest = _leading_month(ctx, args)
    state = PublishState(month, targets)
    if ctx.message.attachment is not None:
        return await _from_file(ctx, state, ctx.message.attachment, rest)
    if rest:
        return await _with_draft(ctx, state, _text(ctx, rest, month))
    return [ctx.ask("content", state, ctx.t("material.publish.ask_content",
                                            month=month_words(ctx.locale, month)))]


@dataclass
class PublishState(FlowState):
    """资料 发布: the month, where it may go (name -> branch id; None is every branch), the
    draft once given, and where it goes."""

    flow = "publish"
    month: str
    targets: dict[str, int | None]
    draft: dict[str, Any] | None = None
    target: str | None = None


def _text(ctx: Context, text: str, month: str) -> Draft:
    return text_draft(text, ctx.t("material.default_title", month=month_words(ctx.locale, month)))


async def _from_file(
    ctx: Context, state: PublishState, attachment: Attachment, caption: str
) -> list[Reply]:
    """Check size and type before anything is stored; a refusal keeps the question open."""
    ctx.goto("content", state)
    size = len(attachment.data)
    if size > MAX_FILE_BYTES:
        return [Reply(ctx.t("material.too_big", size=size_words(size),
                            limit=size_words(MAX_FILE_BYTES)))]
    mime = file_mime(attachment.data)
    if mime is None:
        return [Reply(ctx.t("material.bad_type"))]
    folder = await ctx.tx.files_dir()
    if folder is None:
        return [Reply(ctx.t("material.no_store"))]
    default = ctx.t("material.default_title", month=month_words(ctx.locale, state.month))
    draft = await file_draft(folder, attachment.data, attachment.filename, mime, caption, default)
    return await _with_draft(ctx, state, draft)


async def _with_draft(ctx: Context, state: PublishState, draft: Draft) -> list[Reply]:
    state.draft = draft.as_data()
    if len(state.targets) == 1:
        state.target = next(iter(state.targets))
        return _readback(ctx, state)
    choices = [Choice(label, label) for label in state.targets]
    return [ctx.ask("target", state, ctx.t("material.publish.ask_target"), choices)]


def _readback(ctx: Context, state: PublishState) -> list[Reply]:
    assert state.draft is not None
    draft = Draft.from_data(state.draft)
    kind = kind_words(ctx.locale, draft.kind, draft.mime)
    if draft.size is not None:
        kind = f"{kind}，{size_words(draft.size)}"
    return [ctx.readback("confirm", state, ctx.t(
        "material.publish.readback", month=month_words(ctx.locale, state.month),
        title=draft.title, kind=kind, target=state.target))]


async def continue_publish(ctx: Context, state: PublishState,
                           parsed: Parsed) -> list[Reply] | None:
    """The steps of 资料 发布: content, where to (admins), 确认."""
    assert ctx.conversation is not None
    step = ctx.conversation.step
    text = (ctx.message.text or "").strip()
    if step == "content":
        if ctx.message.attachment is not None:
            return await _from_file(ctx, state, ctx.message.attachment, text)
        if not text:
            return None
        return await _with_draft(ctx, state, _text(ctx, text, state.month))
    if step == "target":
        if not ctx.choice:
            return None
        state.target = ctx.choice
        return _readback(ctx, state)
    if parsed.intent is None:
        return _readback(ctx, state)
    if parsed.intent is not Intent.CONFIRM or state.draft is None or state.target is None:
        return None
    ctx.end()
    result = await publish(
        ctx.tx, Draft.from_data(state.draft), branch_id=state.targets[state.target],
        month=state.month, now=ctx.now, publisher=ctx.me(),
        default_locale=ctx.default_locale)
    return [Reply(_published_text(ctx, result))]


def _published_text(ctx: Context, result: Published) -> str:
    material = result.material
    lines = [ctx.t("material.publish.ok", title=material.title,
                   month=month_words(ctx.locale, material.month))]
    if result.requested:
        lines.append(ctx.t("material.publish.requests", n=len(result.requested),
                           names="、".join(m.name for m in result.requested)))
    else:
        lines.append(ctx.t("material.publish.no_requests"))
    return "\n".join(lines)
