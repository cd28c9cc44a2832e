"""`zhibu backup FILE` and `zhibu restore FILE [--force]`: the database and its files."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from bot.cli.errors import CommandError
from bot.config import Config
from bot.core.clock import Clock
from storage.backup import RestoreRefused, restore, write_backup


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The two subcommands and their options."""
    backup = sub.add_parser("backup", help="write the database and its files to one .tar.gz "
                                           "(safe while zhibu runs)")
    backup.add_argument("file", type=Path, metavar="FILE", help="e.g. zhibu-2026-12-03.tar.gz")
    back = sub.add_parser("restore", help="put a backup in place of the database (stop zhibu "
                                          "first)")
    back.add_argument("file", type=Path, metavar="FILE")
    back.add_argument("--force", action="store_true",
                      help="replace a database that is newer than the backup")


def _database(config: Config) -> Path:
    path = config.database.sqlite_path()
    if path is None or path == ":memory:":
        raise CommandError("backup and restore work on a SQLite file; for PostgreSQL use "
                          "pg_dump / pg_restore")
    return Path(path)


async def backup(config: Config, args: argparse.Namespace, clock: Clock) -> int:
    """Write the backup and say what it holds."""
    database, target = _database(config), Path(args.file)
    if not await asyncio.to_thread(target.parent.is_dir):
        raise CommandError(f"the folder {target.parent} does not exist")
    try:
        info = await asyncio.to_thread(write_backup, database, target, clock.now())
    except FileNotFoundError as err:
        raise CommandError(str(err)) from None
    print(f"已备份：{target}（数据库结构版本 {info.schema}，含 files/）")
    return 0


async def restore_(config: Config, args: argparse.Namespace, clock: Clock) -> int:
    """Put the backup back, or say in one line why not."""
    database = _database(config)
    try:
        info = await asyncio.to_thread(restore, Path(args.file), database, force=args.force)
    except RestoreRefused as err:
        raise CommandError(str(err)) from None
    print(f"已恢复：{database}（来自 {info.taken_at:%Y-%m-%d %H:%M} 的备份，结构版本 "
          f"{info.schema}）")
    return 0
