"""资料 发布 (officers): a text, a file sent with a caption, or a link; read back, then 确认."""

from __future__ import annotations

from typing import Any

from bot.core.messages import Attachment, Button, Reply
from bot.understanding import Intent, Parsed
from handlers.context import Context
from handlers.delivery.common import (
    kind_words,
    month_key,
    month_words,
    parse_month,
    picked,
    size_words,
)
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
    data: dict[str, Any] = {"month": month, "targets": targets}
    if ctx.message.attachment is not None:
        return await _from_file(ctx, data, ctx.message.attachment, rest)
    if rest:
        return await _with_draft(ctx, data, _text(ctx, rest, month))
    ctx.goto("publish", "content", data, options=[])
    return [Reply(ctx.t("material.publish.ask_content", month=month_words(ctx.locale, month)))]


def _text(ctx: Context, text: str, month: str) -> Draft:
    return text_draft(text, ctx.t("material.default_title", month=month_words(ctx.locale, month)))


async def _from_file(
    ctx: Context, data: dict[str, Any], attachment: Attachment, caption: str
) -> list[Reply]:
    """Check size and type before anything is stored; a refusal keeps the question open."""
    ctx.goto("publish", "content", data, options=[])
    size = len(attachment.data)
    if size > MAX_FILE_BYTES:
        return [Reply(ctx.t("material.too_big", size=size_words(size),
                            limit=size_words(MAX_FILE_BYTES)))]
    mime = file_mime(attachment.filename, attachment.mime)
    if mime is None:
        return [Reply(ctx.t("material.bad_type"))]
    folder = await ctx.tx.files_dir()
    if folder is None:
        return [Reply(ctx.t("material.no_store"))]
    draft = await file_draft(folder, attachment.data, attachment.filename, mime, caption)
    return await _with_draft(ctx, data, draft)


async def _with_draft(ctx: Context, data: dict[str, Any], draft: Draft) -> list[Reply]:
    data = {**data, "draft": draft.as_data()}
    targets: dict[str, int | None] = data["targets"]
    if len(targets) == 1:
        return _readback(ctx, {**data, "target": next(iter(targets))})
    labels = list(targets)
    ctx.goto("publish", "target", data, options=labels)
    return [Reply(ctx.t("material.publish.ask_target"), buttons=tuple(
        Button(f"{i} {label}", label) for i, label in enumerate(labels, 1)))]


def _readback(ctx: Context, data: dict[str, Any]) -> list[Reply]:
    draft = Draft.from_data(data["draft"])
    kind = kind_words(ctx.locale, draft.kind, draft.mime)
    if draft.size is not None:
        kind = f"{kind}，{size_words(draft.size)}"
    ctx.goto("publish", "confirm", data, options=["确认", "取消"])
    return [ctx.confirm_reply(ctx.t(
        "material.publish.readback", month=month_words(ctx.locale, data["month"]),
        title=draft.title, kind=kind, target=data["target"]))]


async def continue_publish(ctx: Context, parsed: Parsed) -> list[Reply] | None:
    """The steps of 资料 发布: content, where to (admins), 确认."""
    assert ctx.conversation is not None
    step, data = ctx.conversation.step, dict(ctx.conversation.data)
    text = (ctx.message.text or "").strip()
    if step == "content":
        if ctx.message.attachment is not None:
            return await _from_file(ctx, data, ctx.message.attachment, text)
        if not text:
            return None
        return await _with_draft(ctx, data, _text(ctx, text, str(data["month"])))
    if step == "target":
        target = picked(ctx)
        return _readback(ctx, {**data, "target": target}) if target else None
    if parsed.intent is None:
        return _readback(ctx, data)
    if parsed.intent is not Intent.CONFIRM:
        return None
    ctx.end()
    result = await publish(
        ctx.tx, Draft.from_data(data["draft"]), branch_id=data["targets"][data["target"]],
        month=str(data["month"]), now=ctx.now, publisher=ctx.me(),
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
