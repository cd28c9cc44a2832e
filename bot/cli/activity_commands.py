"""`zhibu activity add | list`: an activity from the command line, and what is coming up.

`add` takes the same path as 活动 in chat (handlers/activities/invite.py): the activity is
stored and every invitee's invitation with its 报名 button is queued for the outbox.
"""

from __future__ import annotations

import argparse
from datetime import datetime

from bot.app import build_app
from bot.cli.errors import CommandError
from bot.cli.lookup import branch_by_name
from bot.config import Config
from bot.core.clock import Clock
from bot.core.i18n import t
from handlers.activities.invite import NewActivity, publish
from handlers.activities.kinds import KINDS, parse_kind
from handlers.groups.find import group_named
from storage import Tx


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`activity` and its two actions."""
    parser = sub.add_parser("activity", help="add an activity (its members are invited) or "
                                             "list the coming ones")
    parser.set_defaults(run_command=activity)
    actions = parser.add_subparsers(dest="activity_command", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="add an activity and queue its invitations")
    add.add_argument("--branch", required=True, metavar="NAME", help="the organising branch")
    add.add_argument("--kind", required=True, metavar="KIND",
                     help="兴趣小组, 志愿服务, 参观, 讲座, 学手机 or 其他 (or "
                          + ", ".join(KINDS) + ")")
    add.add_argument("--title", required=True, metavar="TITLE")
    add.add_argument("--at", required=True, metavar="'YYYY-MM-DD HH:MM'",
                     help="start, in the configured time zone")
    add.add_argument("--place", metavar="PLACE")
    add.add_argument("--limit", type=int, metavar="N", help="places (default: no limit)")
    add.add_argument("--group", metavar="NAME",
                     help="an interest group of the branch: only its members are invited")
    listing = actions.add_parser("list", help="the coming activities with sign-ups")
    listing.add_argument("--branch", metavar="NAME", help="one branch (default: all)")


async def activity(config: Config, args: argparse.Namespace, clock: Clock) -> int:
    """Run `activity add` or `activity list` in one transaction and print what it did."""
    app = await build_app(config, clock)
    try:
        async with app.store.transaction() as tx:
            if args.activity_command == "add":
                lines = await _add(tx, args, config, clock)
            else:
                lines = await _list(tx, args, config, clock)
    finally:
        await app.close()
    print("\n".join(lines))
    return 0


async def _add(tx: Tx, args: argparse.Namespace, config: Config, clock: Clock) -> list[str]:
    branch = await branch_by_name(tx, args.branch)
    kind = parse_kind(args.kind)
    if kind is None:
        raise CommandError(f"不认识的活动类别：{args.kind}。"
                           "可用：兴趣小组、志愿服务、参观、讲座、学手机、其他")
    try:
        starts = datetime.fromisoformat(args.at).replace(tzinfo=config.timezone)
    except ValueError:
        raise CommandError(f"时间格式不对：{args.at}（例如 \"2026-12-12 09:00\"）") from None
    if starts <= clock.now():
        raise CommandError(f"{args.at} 已经过去了。")
    if args.limit is not None and args.limit <= 0:
        raise CommandError("--limit 要大于 0。")
    title = args.title.strip()
    if not title:
        raise CommandError("--title 不能为空。")
    group_id = None
    if args.group:
        groups = await tx.branch_groups(branch.id)
        group = group_named(groups, args.group)
        if group is None:
            known = "、".join(g.name for g in groups) or "（无）"
            raise CommandError(f"{branch.name}没有“{args.group}”这个兴趣小组。已有：{known}")
        group_id, kind = group.id, "interest"
    done = await publish(tx, NewActivity(
        branch_id=branch.id, kind=kind, title=title[:100], starts_at=starts,
        place=args.place or None, capacity=args.limit, group_id=group_id,
        branch_ids=[branch.id], organiser_id=None),
        now=clock.now(), tz=config.timezone, default_locale=config.locale)
    await tx.audit("activity_added", clock.now(), actor=("cli", "zhibu activity add"),
                   detail={"activity": done.activity.id, "kind": kind, "invited": done.told})
    lines = [f"已发布：#{done.activity.id} {title}（{t('zh-Hans', f'activity.kind.{kind}')}）"
             f"{starts:%Y-%m-%d %H:%M}，已通知 {done.told} 人。"]
    if done.unbound:
        lines.append("没有绑定聊天账号，请电话通知：" + "、".join(m.name for m in done.unbound))
    return lines


async def _list(tx: Tx, args: argparse.Namespace, config: Config, clock: Clock) -> list[str]:
    branch = await branch_by_name(tx, args.branch) if args.branch else None
    rows = await tx.activity_counts(branch.id if branch else None, clock.now())
    if not rows:
        return ["没有即将举行的活动。"]
    lines = []
    for row in rows:
        a = row.activity
        limit = f"/{a.capacity}" if a.capacity else ""
        group = f" [{a.group_name}]" if a.group_name else ""
        lines.append(f"#{a.id} {a.starts_at.astimezone(config.timezone):%Y-%m-%d %H:%M} "
                     f"{t('zh-Hans', f'activity.kind.{a.kind}')} {a.title}{group} "
                     f"地点：{a.place or '另行通知'} 报名 {row.signed}{limit} 候补 {row.waiting}")
    return lines
