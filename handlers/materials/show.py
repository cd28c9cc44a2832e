"""资料: the month's study material for a member (or an earlier month's); officers also publish
with it (资料 发布 …, or a file sent with 资料 as its caption)."""

from __future__ import annotations

import asyncio

from bot.core.messages import Reply
from bot.understanding import Intent, Parsed, normalize
from handlers.common import is_officer, officer_only
from handlers.context import Context
from handlers.delivery.common import (
    kind_words,
    material_path,
    month_key,
    month_words,
    parse_month,
    size_words,
)
from handlers.flow import Flow
from handlers.materials.publish import PublishState, continue_publish, start_publish
from handlers.sessions import speaker_branch
from storage.repo_delivery import Material

_PUBLISH = "发布"


async def handle_material(ctx: Context, parsed: Parsed) -> list[Reply]:
    """资料 [上月 | 2026-10]: the material of a month, one reply per item."""
    args = parsed.args.strip()
    publishing = normalize(args).startswith(_PUBLISH)
    if publishing or ctx.message.attachment is not None:
        if not is_officer(ctx):
            return officer_only(ctx)
        return await start_publish(ctx, args[len(_PUBLISH):] if publishing else args)
    branch = await speaker_branch(ctx)
    if branch is None:
        return [Reply(ctx.t("rule.none"))]
    current = month_key(ctx.local())
    month = parse_month(args, current)
    if month is None:
        return [Reply(ctx.t("material.bad_month", text=args))]
    materials = await ctx.tx.materials_for(branch.id, month)
    if not materials:
        key = "material.none_current" if month == current else "material.none"
        return [Reply(ctx.t(key, month=month_words(ctx.locale, month)))]
    return [await material_reply(ctx, material) for material in materials]


async def material_reply(ctx: Context, material: Material) -> Reply:
    """A text inline, a file as a document, a link with its title."""
    month = month_words(ctx.locale, material.month)
    if material.kind == "text":
        return Reply(ctx.t("material.text", month=month, title=material.title,
                           body=material.body or ""))
    if material.kind == "link":
        return Reply(ctx.t("material.link", month=month, title=material.title,
                           url=material.url or ""))
    path = await material_path(ctx.tx, material)
    if path is None or not await asyncio.to_thread(path.is_file):
        return Reply(ctx.t("material.file_missing", month=month, title=material.title))
    return Reply(ctx.t("material.file", month=month, title=material.title,
                       kind=kind_words(ctx.locale, material.kind, material.mime),
                       size=size_words(material.size or 0)), files=(str(path),))


INTENTS = {Intent.MATERIAL: handle_material}
FLOWS = {"publish": Flow(PublishState, continue_publish)}
