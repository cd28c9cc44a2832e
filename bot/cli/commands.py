"""What each `zhibu` subcommand does (argument parsing lives in bot.cli)."""

from __future__ import annotations

import argparse
import asyncio
from datetime import datetime
from pathlib import Path

from bot.app import build_app
from bot.cli.backup_commands import backup, restore_
from bot.cli.errors import CommandError
from bot.cli.lookup import member_by_phone, phone_arg
from bot.cli.member_commands import member
from bot.config import Config
from bot.core.clock import Clock
from bot.core.rules import RuleError, parse_rule
from bot.demo import run_demo
from bot.roster.importer import import_roster
from bot.roster.parse import RosterError
from handlers.binding import INVITE_TTL, create_invite, format_code


async def demo(config: Config, args: argparse.Namespace, clock: Clock) -> int:
    """zhibu demo [--script FILE]."""
    start = args.start.replace(tzinfo=config.timezone) if args.start else None
    if args.script is not None and not args.script.is_file():
        raise CommandError(f"script not found: {args.script}")
    return await run_demo(config, clock, script=args.script, db=args.db, start=start)


async def import_roster_(config: Config, args: argparse.Namespace, clock: Clock) -> int:
    """zhibu import-roster FILE [--skip-bad] [--new-branch] [--dry-run]."""
    app = await build_app(config, clock)
    try:
        summary = await import_roster(app.store, args.file, clock.now(), skip_bad=args.skip_bad,
                                      new_branch=args.new_branch, dry_run=args.dry_run)
    except RosterError as err:
        raise CommandError(str(err)) from None
    finally:
        await app.close()
    for error in summary.errors:
        print(error)
    for change in summary.changes:
        print(change)
    if summary.errors and not summary.applied and not summary.dry_run:
        print(f"名单有 {len(summary.errors)} 处错误，未导入任何人。改正后重试，或加 --skip-bad "
              "只导入正确的行。 (nothing imported)")
        return 1
    print(summary.line())
    return 1 if summary.errors else 0


async def set_study_day(config: Config, args: argparse.Namespace, clock: Clock) -> int:
    """zhibu set-study-day BRANCH RULE [--place PLACE] [--kind 党课]."""
    from handlers.calendar import KINDS, kind_words, parse_kind

    kind = parse_kind(args.kind)
    if kind is None:
        raise CommandError(f"不认识的会议类别“{args.kind}”。可用：{'、'.join(KINDS.values())}")
    try:
        rule = parse_rule(args.rule)
    except RuleError as err:
        raise CommandError(str(err)) from None
    app = await build_app(config, clock)
    try:
        async with app.store.transaction() as tx:
            branch = await tx.find_branch(args.branch)
            if branch is None:
                known = [b.name for b in await tx.list_branches()]
                names = "、".join(known) or "（无，请先导入名单）"
                raise CommandError(f"没有名为“{args.branch}”的支部。已有：{names}")
            if kind == "study":
                await tx.set_study_rule(branch.id, rule.describe("zh-Hans"), args.place)
            else:
                await tx.set_meeting_rule(branch.id, kind, rule.describe("zh-Hans"), args.place)
    finally:
        await app.close()
    upcoming = _upcoming(rule, clock.now(), config)
    label = "" if kind == "study" else kind_words(kind)
    print(f"{args.branch}{label}：{rule.describe('zh-Hans')}。接下来：{upcoming}")
    return 0


def _upcoming(rule: object, now: datetime, config: Config) -> str:
    from bot.core.rules import StudyDayRule

    assert isinstance(rule, StudyDayRule)
    starts, moment = [], now
    for _ in range(3):
        moment = rule.next_session(moment, config.timezone)
        starts.append(moment.strftime("%Y-%m-%d %H:%M"))
    return "、".join(starts)


async def invite(config: Config, args: argparse.Namespace, clock: Clock) -> int:
    """zhibu invite PHONE [--family RELATION]."""
    phone = phone_arg(args.phone)
    app = await build_app(config, clock)
    try:
        async with app.store.transaction() as tx:
            member = await member_by_phone(tx, phone)
            code = await create_invite(tx, member.id, args.family, None, clock.now())
            await tx.audit("invite", clock.now(), actor=("cli", "zhibu invite"),
                           subject_member_id=member.id, detail={"family": bool(args.family)})
    finally:
        await app.close()
    who = f"{member.name}的{args.family}" if args.family else member.name
    days = INVITE_TTL.days
    print(f"{who}的绑定码：{format_code(code)}（{days}天内有效，只能用一次）")
    return 0


HOLIDAY_CRITERIA = ("lives_alone", "needs_home_delivery", "hospitalised", "age80")


async def branch_care(config: Config, args: argparse.Namespace, clock: Clock) -> int:
    """zhibu branch-care BRANCH [--visit-due-days N] [--holiday-visits CRITERIA]."""
    criteria = None
    if args.holiday_visits is not None:
        chosen = [c.strip() for c in args.holiday_visits.split(",") if c.strip()]
        unknown = [c for c in chosen if c not in HOLIDAY_CRITERIA]
        if unknown:
            raise CommandError(f"unknown holiday-visit criteria {', '.join(unknown)} "
                               f"(known: {', '.join(HOLIDAY_CRITERIA)})")
        criteria = ",".join(chosen)
    if args.visit_due_days is not None and not 1 <= args.visit_due_days <= 60:
        raise CommandError("--visit-due-days must be between 1 and 60")
    app = await build_app(config, clock)
    try:
        async with app.store.transaction() as tx:
            branch = await tx.find_branch(args.branch)
            if branch is None:
                raise CommandError(f"没有名为“{args.branch}”的支部。")
            await tx.set_care_settings(branch.id, args.visit_due_days, criteria)
            branch = await tx.get_branch(branch.id)
    finally:
        await app.close()
    assert branch is not None
    print(f"{branch.name}：走访期限 {branch.visit_due_days} 天；"
          f"节日走访：{branch.holiday_criteria}")
    return 0


async def outbox(config: Config, args: argparse.Namespace, clock: Clock) -> int:
    """zhibu outbox [retry ID | retry --dead]."""
    app = await build_app(config, clock)
    try:
        async with app.store.transaction() as tx:
            if getattr(args, "outbox_command", None) == "retry":
                count = await tx.requeue(None if args.dead else args.id, clock.now())
                print(f"requeued {count}")
                return 0 if count else 1
            counts = await tx.outbox_counts()
            dead = await tx.outbox_rows(state="dead")
            names = {m: (await tx.get_member(m)) for m in {row.member_id for row in dead}}
    finally:
        await app.close()
    states = ("pending", "inflight", "sent", "dead")
    print("  ".join(f"{state} {counts.get(state, 0)}" for state in states))
    for row in dead:
        member = names[row.member_id]
        print(f"#{row.id} {row.kind} → {member.name if member else row.member_id} "
              f"({row.attempts} tries): {row.last_error}")
    return 0


async def report(config: Config, args: argparse.Namespace, clock: Clock) -> int:
    """zhibu report --branch NAME | --all --month YYYY-MM --out FILE.xlsx (and FILE.png)."""
    from bot.documents.report import write_chart, write_xlsx
    from handlers.officers.report_data import build_report

    year, month = args.month
    out: Path = args.out
    if not await asyncio.to_thread(out.parent.is_dir):  # say so before any work is done
        raise CommandError(f"the folder {out.parent} does not exist (--out {out})")
    if args.all:
        return await _report_all(config, year, month, out, clock)
    app = await build_app(config, clock)
    try:
        built = await build_report(app.store, args.branch, year, month, config.timezone,
                                   clock.now(), ("cli", "zhibu report"))
    finally:
        await app.close()
    if built is None:
        raise CommandError(f"没有名为“{args.branch}”的支部。")
    chart = out.with_suffix(".png")
    await asyncio.to_thread(write_xlsx, built, out)
    await asyncio.to_thread(write_chart, built, chart)
    print(f"{out}\n{chart}")
    return 0


async def _report_all(config: Config, year: int, month: int, out: Path, clock: Clock) -> int:
    """zhibu report --all: every branch's month side by side."""
    from bot.documents.rollup import write_rollup_chart, write_rollup_xlsx
    from handlers.officers.rollup_data import collect_rollup

    app = await build_app(config, clock)
    try:
        async with app.store.transaction() as tx:
            rollup = await collect_rollup(tx, await tx.list_branches(), year, month,
                                          config.timezone, clock.now(), ("cli", "zhibu report"))
    finally:
        await app.close()
    chart = out.with_suffix(".png")
    await asyncio.to_thread(write_rollup_xlsx, rollup, out)
    await asyncio.to_thread(write_rollup_chart, rollup, chart)
    flagged = sum(1 for line in rollup.lines if line.flags)
    print(f"{out}\n{chart}\n{len(rollup.lines)} 个支部，{flagged} 个需关注。")
    return 0


async def wechat_menu(config: Config, args: argparse.Namespace, clock: Clock) -> int:
    """zhibu wechat-menu [--dry-run]."""
    import json

    from bot.channels.wechat.api import WechatApiError
    from bot.channels.wechat.menu import build_menu, create_menu
    from handlers import INTENT_HANDLERS

    if args.dry_run:
        menu = build_menu(config.locale, {str(i) for i in INTENT_HANDLERS})
        print(json.dumps(menu, ensure_ascii=False, indent=2))
        return 0
    try:
        menu = await create_menu(config, clock)
    except ValueError as err:
        raise CommandError(str(err)) from None
    except WechatApiError as err:
        raise CommandError(f"微信拒绝了菜单：{err}") from None
    names = "、".join(b["name"] for b in menu["button"])
    print(f"公众号菜单已创建：{names}")
    return 0


async def wecom_bind(config: Config, args: argparse.Namespace, clock: Clock) -> int:
    """zhibu wecom-bind PHONE USERID."""
    phone = phone_arg(args.phone)
    app = await build_app(config, clock)
    try:
        async with app.store.transaction() as tx:
            member = await member_by_phone(tx, phone)
            await tx.bind("wecom", args.userid, member.id, None, clock.now())
            await tx.audit("bind_wecom", clock.now(), actor=("cli", "zhibu wecom-bind"),
                           subject_member_id=member.id)
    finally:
        await app.close()
    print(f"{member.name}的提醒今后发到企业微信（{args.userid}）。")
    return 0


async def material(config: Config, args: argparse.Namespace, clock: Clock) -> int:
    """zhibu material add … | zhibu material print …."""
    from bot.cli.material_commands import MaterialError
    from bot.cli.material_commands import material as run

    try:
        return await run(config, args, clock)
    except MaterialError as err:
        raise CommandError(str(err)) from None


async def run(config: Config, args: argparse.Namespace, clock: Clock) -> int:
    """zhibu run: the configured channels, the scheduler and the outbox."""
    from bot.run import CannotRun, run_service

    try:
        return await run_service(config, clock)
    except CannotRun as err:
        raise CommandError(str(err)) from None


COMMANDS = {
    "run": run,
    "backup": backup,
    "member": member,
    "restore": restore_,
    "material": material,
    "wechat-menu": wechat_menu,
    "wecom-bind": wecom_bind,
    "branch-care": branch_care,
    "report": report,
    "outbox": outbox,
    "demo": demo,
    "import-roster": import_roster_,
    "set-study-day": set_study_day,
    "invite": invite,
}
