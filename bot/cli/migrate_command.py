"""`zhibu migrate --from URL --to URL`: copy a deployment's database into a new, empty one.

The way from one box's SQLite file to PostgreSQL (docs/deploy.md, "Several boxes"), or back.
The copy itself is storage/copy.py; this is the command: a progress bar per table on stderr,
the verification table on stdout, exit 0 when every table verified, 1 when one did not, 2 when
the copy was refused (a non-empty target, a source from another zhibu version…).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import TextIO

from bot.cli.errors import CommandError
from bot.config import Config
from bot.core.clock import Clock
from storage.copy import CopyRefused, CopyReport, copy_database

_EPILOG = """\
Stop every zhibu using the source first: the copy is the source as it was when the command
started, and what changes there afterwards is not copied. The source is only read. The
target is created and migrated if it does not exist, and refused if it holds any rows.
Rows keep their ids. Afterwards every table is verified: its rows, its key sum (the sum
of its ids; #… is the sum of a 64-bit hash of each key, for the tables without an id) and
a sample of whole rows, read back from the target.

Stored files (materials, photos) are not in the database: copy the files folder to the new
deployment's [database] files folder yourself.

examples:
  zhibu migrate --from sqlite:////var/lib/zhibu/zhibu.db \\
                --to 'postgresql://zhibu@db.internal:5432/zhibu'
  zhibu migrate --from 'postgresql://zhibu@db.internal/zhibu' --to sqlite:///zhibu-copy.db
"""
_WIDTH = 24  # characters of the progress bar


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`migrate` and its two urls; the command runs `migrate` below."""
    parser = sub.add_parser(
        "migrate", help="copy the database into a new, empty one (SQLite → PostgreSQL, or "
                        "back), then verify it table by table",
        description="Copy a zhibu database into a new, empty one and verify the copy.",
        epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--from", dest="source", required=True, metavar="URL",
                        help="the database to copy: sqlite:///FILE or postgresql://… "
                             "(read only; left as it is)")
    parser.add_argument("--to", dest="target", required=True, metavar="URL",
                        help="the new database: postgresql://USER@HOST:PORT/DB[?schema=NAME] "
                             "or sqlite:///FILE (put the password in PGPASSWORD or ~/.pgpass, "
                             "not in the url)")
    parser.set_defaults(run_command=migrate)


class ProgressBar:
    """One line per table on stderr: redrawn in place on a terminal, written once when the
    table is done otherwise (a log stays readable)."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.live = out.isatty()

    def update(self, table: str, done: int, total: int) -> None:
        """The table's rows copied so far."""
        finished = done >= total
        if not self.live and not finished:
            return
        filled = _WIDTH * done // total if total else _WIDTH
        line = f"{table:<20} [{'#' * filled}{'.' * (_WIDTH - filled)}] {done}/{total}"
        self.out.write(("\r" if self.live else "") + line + ("\n" if finished else ""))
        self.out.flush()


def render(report: CopyReport) -> list[str]:
    """The verification table and a last line saying what happened."""
    lines = [f"{'table':<20} {'source':>8} {'target':>8}  {'key sum':<22} sample"]
    for c in report.checks:
        shown = [f"#{k:016x}" if c.hashed else str(k) for k in (c.source_keys, c.target_keys)]
        keys = shown[1] if c.source_keys == c.target_keys else " ≠ ".join(shown)
        mark = "" if c.ok else "  ← DIFFERS"
        lines.append(f"{c.table:<20} {c.source_rows:>8} {c.target_rows:>8}  {keys:<22} "
                     f"{c.sample_equal}/{c.sampled} equal{mark}")
    if report.ok:
        lines.append(f"已迁移：{report.rows} 行，{len(report.checks)} 张表，"
                     f"{report.seconds:.1f} 秒；行数、键和与抽样的行全部一致。"
                     f"\n{report.source} → {report.target}")
    else:
        bad = ", ".join(c.table for c in report.checks if not c.ok)
        lines.append(f"迁移后校验不一致（{bad}）：不要使用目标数据库，删掉它后重试。"
                     f"\nverification FAILED: {report.source} → {report.target}")
    return lines


async def migrate(config: Config, args: argparse.Namespace, clock: Clock) -> int:
    """Copy, show the verification, and say where the stored files are to be copied."""
    bar = ProgressBar(sys.stderr)
    try:
        report = await copy_database(args.source, args.target, progress=bar.update)
    except CopyRefused as err:
        raise CommandError(str(err)) from None
    print("\n".join(render(report)))
    files = await asyncio.to_thread(_files_beside, args.source)
    if files is not None:
        print(f"存储的文件（资料、照片）不在数据库里：把 {files} 复制到新部署 "
              "[database] files 所指的文件夹。")
    return 0 if report.ok else 1


def _files_beside(url: str) -> Path | None:
    """A SQLite database's stored files folder (materials, photos), where there is one."""
    if not url.startswith("sqlite:///"):
        return None
    files = Path(url[len("sqlite:///"):]).absolute().parent / "files"
    return files if files.is_dir() else None
