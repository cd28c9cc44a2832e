"""`zhibu member leave|move|restore PHONE`: a member who leaves, moves branch or comes back.

The roster file's 状态 column does the same for many at once; these are for one person,
without a spreadsheet. Nobody is deleted: a member who left keeps their history (check-ins,
visits) and simply stops receiving anything and being counted.
"""

from __future__ import annotations

import argparse

from bot.app import build_app
from bot.cli.errors import CommandError
from bot.cli.lookup import member_by_phone, phone_arg
from bot.config import Config
from bot.core.clock import Clock
from bot.roster.importer import STATUS_WORDS, closest_branch
from storage import MemberData, Tx
from storage.models import Member


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`member` and its three actions."""
    parser = sub.add_parser("member", help="one member leaves, moves branch or comes back")
    actions = parser.add_subparsers(dest="member_command", required=True, metavar="ACTION")
    for name, text in (("leave", "mark as left: receives nothing, is not counted"),
                       ("restore", "back on the roll (after leave, or a wrong 去世)")):
        action = actions.add_parser(name, help=text)
        action.add_argument("phone", metavar="PHONE")
    move = actions.add_parser("move", help="move to another branch (members and secretaries)")
    move.add_argument("phone", metavar="PHONE")
    move.add_argument("--branch", required=True, metavar="NAME", help="the new branch")


async def member(config: Config, args: argparse.Namespace, clock: Clock) -> int:
    """Do the action in one transaction and say what it did."""
    phone = phone_arg(args.phone)
    app = await build_app(config, clock)
    try:
        async with app.store.transaction() as tx:
            found = await member_by_phone(tx, phone)
            if args.member_command == "move":
                said = await _move(tx, found, args.branch, clock)
            else:
                status = "inactive" if args.member_command == "leave" else "active"
                await tx.set_status(found.id, status, clock.now())
                said = f"{found.name}：状态 {STATUS_WORDS[found.status]} → {STATUS_WORDS[status]}"
            await tx.audit(f"member_{args.member_command}", clock.now(),
                           actor=("cli", "zhibu member"), subject_member_id=found.id)
    finally:
        await app.close()
    print(said)
    return 0


async def _move(tx: Tx, person: Member, branch_name: str, clock: Clock) -> str:
    if person.role not in ("member", "secretary"):
        raise CommandError(f"{person.name}是指导员或管理员：请在名单的支部列写上所联系的支部。")
    branch = await tx.find_branch(branch_name)
    if branch is None:
        known = [b.name for b in await tx.list_branches()]
        close = closest_branch(branch_name, known)
        hint = f"是“{close}”吗？" if close else "请先导入该支部的名单。"
        raise CommandError(f"没有“{branch_name}”这个支部。{hint}")
    old = await tx.get_branch(person.branch_id) if person.branch_id else None
    await tx.upsert_member(MemberData(
        name=person.name, phone=person.phone, role=person.role, home_branch_id=branch.id,
        birthday=person.birthday, address=person.address,
        needs_home_delivery=person.needs_home_delivery, lives_alone=person.lives_alone,
        language=person.language), [branch.id], clock.now())
    return f"{person.name}：支部 {old.name if old else '（无）'} → {branch.name}"
