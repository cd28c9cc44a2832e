"""The `zhibu` command line (also `python -m bot`)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from datetime import datetime
from importlib import metadata
from pathlib import Path

from bot.cli.activity_commands import add_parser as add_activity_parser
from bot.cli.backup_commands import add_parsers as add_backup_parsers
from bot.cli.errors import CommandError
from bot.cli.group_commands import add_parser as add_group_parser
from bot.cli.material_args import add_parser as add_material_parser
from bot.cli.member_commands import add_parser as add_member_parser
from bot.cli.migrate_command import add_parser as add_migrate_parser
from bot.config import Config, ConfigError, load_config
from bot.core.clock import SystemClock
from bot.logs import configure as configure_logging
from bot.logs import hide
from storage import StoreUnavailable

log = logging.getLogger("zhibu")


def build_parser() -> argparse.ArgumentParser:
    """Every subcommand and option (the public contract in docs/DESIGN)."""
    parser = argparse.ArgumentParser(
        prog="zhibu", description="支部助手 — a chat assistant for a retired cadres' party branch."
    )
    parser.add_argument("--config", metavar="FILE",
                        help="TOML configuration file (default: $ZHIBU_CONFIG, else built-in "
                             "defaults); every key can be overridden by ZHIBU_<SECTION>__<KEY>")
    parser.add_argument("--version", action="version", version=f"zhibu {_version()}")
    parser.add_argument("-v", "--verbose", action="count", default=0,
                        help="-v: zhibu's own progress (INFO); -vv: libraries' debug too. "
                             "Tokens, phones, codes and members' words are always masked")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser("demo", help="try everything locally: sample branch, console channel")
    demo.add_argument("--script", type=Path, metavar="FILE",
                      help="replay the lines of FILE (e.g. examples/first-study-day.txt), "
                           "print the transcript and exit")
    demo.add_argument("--db", type=Path, metavar="FILE",
                      help="demo database (default: zhibu-demo.db; a fresh temporary one "
                           "with --script)")
    demo.add_argument("--start", type=_local_time, metavar="'YYYY-MM-DD HH:MM'",
                      help="demo clock start in the configured time zone (default: 30 minutes "
                           "before the sample branch's next study day)")

    sub.add_parser("run", help="run the channels in the config (Telegram, WeChat), the "
                              "scheduler and the outbox until SIGINT/SIGTERM")

    roster = sub.add_parser("import-roster", help="add or update members from .xlsx or .csv")
    roster.add_argument("file", type=Path, metavar="FILE")
    roster.add_argument("--skip-bad", action="store_true",
                        help="import the good rows even when some rows are bad")
    roster.add_argument("--new-branch", action="store_true",
                        help="create the branches the file names that do not exist yet "
                             "(else such a row is refused with the closest known name)")
    roster.add_argument("--dry-run", action="store_true",
                        help="print what would change, member by member; write nothing")

    study = sub.add_parser("set-study-day", help="set a branch's monthly study day (or, with "
                           "--kind, its rule for another meeting of 三会一课)")
    study.add_argument("branch", metavar="BRANCH")
    study.add_argument("rule", metavar="RULE",
                       help='e.g. "每月10日 09:00", "每月第二个周二 09:00", '
                            '"monthly 2nd tue 09:00"')
    study.add_argument("--place", help="where the branch meets")
    study.add_argument("--kind", default="学习日", metavar="KIND",
                       help="学习日 (default), 支委会 (the branch's officers), 党员大会, 党小组会 "
                            "or 党课")

    care = sub.add_parser("branch-care", help="a branch's visit settings (五必访)")
    care.add_argument("branch", metavar="BRANCH")
    care.add_argument("--visit-due-days", type=int, metavar="N",
                      help="days a secretary has for a visit (default 3)")
    care.add_argument("--holiday-visits", metavar="CRITERIA",
                      help="who gets a visit before 春节/中秋/重阳: comma-separated from "
                           "lives_alone, needs_home_delivery, hospitalised, age80")

    report = sub.add_parser("report", help="a branch's monthly report, or every branch's "
                            "side by side (--all): .xlsx and a PNG chart")
    scope = report.add_mutually_exclusive_group(required=True)
    scope.add_argument("--branch", metavar="NAME", help="one branch, by its full name")
    scope.add_argument("--all", action="store_true",
                       help="every branch, one row each (members, meetings held by kind, "
                            "attendance, 五必访 on time, deliveries waiting; flagged rows)")
    report.add_argument("--month", required=True, type=_month, metavar="YYYY-MM")
    report.add_argument("--out", required=True, type=Path, metavar="FILE.xlsx",
                        help="the workbook; the chart is written beside it as FILE.png")

    outbox = sub.add_parser("outbox", help="pushes by state and the dead ones with reasons")
    outbox_sub = outbox.add_subparsers(dest="outbox_command", metavar="ACTION")
    retry = outbox_sub.add_parser("retry", help="requeue a dead push, or all of them")
    which = retry.add_mutually_exclusive_group(required=True)
    which.add_argument("id", nargs="?", type=int, metavar="ID")
    which.add_argument("--dead", action="store_true", help="requeue every dead push")

    invite = sub.add_parser("invite", help="print a one-time binding code for a member")
    invite.add_argument("phone", metavar="PHONE")
    invite.add_argument("--family", metavar="RELATION",
                        help="the code is for a family member acting for them (e.g. 女儿)")

    menu = sub.add_parser("wechat-menu", help="create the WeChat Official Account's menu")
    menu.add_argument("--dry-run", action="store_true", help="print the menu, upload nothing")
    wecom = sub.add_parser("wecom-bind", help="send a member's alerts to their WeCom userid")
    wecom.add_argument("phone", metavar="PHONE")
    wecom.add_argument("userid", metavar="USERID", help="the userid in WeCom's address book")
    add_material_parser(sub)
    add_backup_parsers(sub)
    add_member_parser(sub)
    add_group_parser(sub)
    add_activity_parser(sub)
    add_migrate_parser(sub)
    return parser


def _month(text: str) -> tuple[int, int]:
    try:
        moment = datetime.strptime(text, "%Y-%m")
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a month (YYYY-MM): {text!r}") from None
    return moment.year, moment.month


def _local_time(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date and time: {text!r}") from None


def _version() -> str:
    """The installed distribution's version (a source tree not installed says so)."""
    try:
        return metadata.version("zhibu")
    except metadata.PackageNotFoundError:
        return "(not installed)"


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit code."""
    args = build_parser().parse_args(argv)
    configure_logging(args.verbose)
    try:
        config = load_config(args.config)
    except ConfigError as err:
        print(f"zhibu: {err}", file=sys.stderr)
        return 2
    hide(config.telegram.token, config.telegram.secret_token, config.wechat.app_secret,
         config.wechat.token, config.wechat.encoding_aes_key, config.wecom.secret)
    from bot.cli import commands  # imported late: `--help` stays fast

    # A command module may name its own function (set_defaults(run_command=…)).
    handler = getattr(args, "run_command", None) or commands.COMMANDS[args.command]
    try:
        code: int = asyncio.run(handler(config, args, SystemClock()))
    except KeyboardInterrupt:
        return 130
    except (CommandError, StoreUnavailable) as err:
        print(f"zhibu: {err}", file=sys.stderr)
        return 2
    return code


__all__ = ["Config", "build_parser", "main"]
