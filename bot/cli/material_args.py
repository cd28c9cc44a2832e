"""The arguments of `zhibu material add | print` (kept light: `zhibu --help` stays fast)."""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path
from typing import Any

DEFAULT_MAX_MB = 20.0  # the chat's cap too (storage.files.MAX_FILE_BYTES)


def add_parser(sub: Any) -> None:
    """Add the `material` subcommand group (argparse's subparsers object is untyped)."""
    material = sub.add_parser("material", help="publish the month's study material; print it")
    actions = material.add_subparsers(dest="material_command", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="publish a text, a file (PDF, DOCX, picture) or a link")
    where = add.add_mutually_exclusive_group(required=True)
    where.add_argument("--branch", metavar="NAME", help="the branch it is for")
    where.add_argument("--all-branches", action="store_true", help="for every branch")
    add.add_argument("--month", type=month_arg, metavar="YYYY-MM", help="default: this month")
    what = add.add_mutually_exclusive_group(required=True)
    what.add_argument("file", nargs="?", type=Path, metavar="FILE")
    what.add_argument("--text", help="the text itself (its first line is the title)")
    what.add_argument("--link", metavar="URL")
    add.add_argument("--title", help="the title (default: from the text or the file name)")
    add.add_argument("--max-mb", type=float, default=DEFAULT_MAX_MB, metavar="MB",
                     help="refuse larger files (default 20)")
    out = actions.add_parser("print", help="write the large-print PDF (a document as it is)")
    out.add_argument("--branch", required=True, metavar="NAME")
    out.add_argument("--month", type=month_arg, metavar="YYYY-MM", help="default: this month")
    out.add_argument("--out", type=Path, default=Path("."), metavar="DIR",
                     help="folder to write into (default: the current one)")


def month_arg(text: str) -> str:
    """YYYY-MM, checked."""
    try:
        return datetime.strptime(text.strip(), "%Y-%m").strftime("%Y-%m")
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a month (YYYY-MM): {text!r}") from None
