"""What `zhibu material add | print` do: publish the month's material; write what to print."""

from __future__ import annotations

import argparse
import asyncio
import shutil
from dataclasses import replace
from pathlib import Path

from bot.app import build_app
from bot.cli.lookup import branch_by_name
from bot.config import Config
from bot.core.clock import Clock
from bot.core.i18n import t
from handlers.delivery.common import (
    large_print,
    material_path,
    month_key,
    month_words,
    print_name,
    print_subtitle,
    size_words,
)
from handlers.materials.service import Draft, file_draft, file_mime, publish, text_draft
from storage import Tx


class MaterialError(Exception):
    """A material cannot be published or printed; the message says why in one line."""


async def material(config: Config, args: argparse.Namespace, clock: Clock) -> int:
    """zhibu material add … | zhibu material print …."""
    month = args.month or month_key(clock.now().astimezone(config.timezone))
    app = await build_app(config, clock)
    try:
        async with app.store.transaction() as tx:
            if args.material_command == "add":
                lines = await _add(tx, args, month, config, clock)
            else:
                lines = await _print(tx, args, month, config)
    finally:
        await app.close()
    print("\n".join(lines))
    return 0


async def _add(tx: Tx, args: argparse.Namespace, month: str, config: Config,
               clock: Clock) -> list[str]:
    branch = None if args.all_branches else await branch_by_name(tx, args.branch)
    draft = await _draft(tx, args, month)
    if args.title:
        draft = replace(draft, title=args.title)
    result = await publish(tx, draft, branch_id=branch.id if branch else None, month=month,
                           now=clock.now(), publisher=None, default_locale=config.locale)
    names = "、".join(m.name for m in result.requested) or "无"
    where = branch.name if branch else "全部支部"
    return [f"已发布：{where} {month}《{draft.title}》。", f"送学上门：{names}"]


async def _draft(tx: Tx, args: argparse.Namespace, month: str) -> Draft:
    default = t("zh-Hans", "material.default_title", month=month_words("zh-Hans", month))
    if args.text:
        return text_draft(args.text, default)
    if args.link:
        return Draft("link", args.title or args.link, url=args.link)
    path: Path = args.file
    if not await asyncio.to_thread(path.is_file):
        raise MaterialError(f"找不到文件：{path}")
    size, limit = (await asyncio.to_thread(path.stat)).st_size, int(args.max_mb * 1024 * 1024)
    if size > limit:
        raise MaterialError(f"文件太大（{size_words(size)}），最大{size_words(limit)}，没有保存。"
                            f" (file too large: limit {size_words(limit)})")
    data = await asyncio.to_thread(path.read_bytes)
    mime = file_mime(data)
    folder = await tx.files_dir()
    if mime is None or folder is None:
        raise MaterialError("只能发布PDF、Word（.docx）或图片文件。")
    return await file_draft(folder, data, path.name, mime, args.title or "", default)


async def _print(tx: Tx, args: argparse.Namespace, month: str, config: Config) -> list[str]:
    branch = await branch_by_name(tx, args.branch)
    materials = await tx.materials_for(branch.id, month)
    if not materials:
        raise MaterialError(f"{branch.name}{month}没有学习资料。")
    out: Path = args.out
    await asyncio.to_thread(out.mkdir, parents=True, exist_ok=True)
    lines = []
    for item in materials:
        if item.kind == "text":
            target = out / print_name(item)
            subtitle = print_subtitle(config.locale, item, branch.name)
            await asyncio.to_thread(target.write_bytes, await large_print(item, subtitle))
            lines.append(str(target))
        elif item.kind == "file" and (source := await material_path(tx, item)) is not None:
            target = out / source.name
            await asyncio.to_thread(shutil.copyfile, source, target)
            lines.append(str(target))
        else:
            lines.append(f"《{item.title}》是链接，不用打印：{item.url}")
    return lines
