"""`zhibu group add --branch BRANCH NAME` and `zhibu group list [--branch BRANCH]`.

The branch's standing interest groups (书法组, 门球队, 合唱队…) set up from the office, the
way the roster is: a secretary may also create one in chat (加入 书法组 → 新建？ → 确认).
Adding a group that exists already is not an error: the command can be run again safely.
"""

from __future__ import annotations

import argparse

from bot.app import build_app
from bot.cli.errors import CommandError
from bot.config import Config
from bot.core.clock import Clock
from bot.roster.importer import closest_branch
from handlers.groups.said import MAX_NAME
from storage import Tx
from storage.models import Branch


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`group` and its two actions; the command runs `group` below."""
    parser = sub.add_parser("group", help="a branch's interest groups (书法组, 门球队…)")
    actions = parser.add_subparsers(dest="group_command", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="create an interest group in a branch (members join "
                                         "it in chat: 加入 书法组)")
    add.add_argument("--branch", required=True, metavar="BRANCH", help="the branch's full name")
    add.add_argument("name", metavar="NAME", help=f"e.g. 书法组 (at most {MAX_NAME} characters)")
    listing = actions.add_parser("list", help="the interest groups and how many members each has")
    listing.add_argument("--branch", metavar="BRANCH", help="one branch only (default: all)")
    parser.set_defaults(run_command=group)


async def group(config: Config, args: argparse.Namespace, clock: Clock) -> int:
    """Do the action in one transaction and print what it did (or the groups)."""
    app = await build_app(config, clock)
    try:
        async with app.store.transaction() as tx:
            if args.group_command == "add":
                lines = [await _add(tx, args.branch, args.name, clock)]
            else:
                lines = await _list(tx, args.branch)
    finally:
        await app.close()
    print("\n".join(lines))
    return 0


async def _branch(tx: Tx, name: str) -> Branch:
    """The branch by its full name (or a one-line error with the closest known name)."""
    branch = await tx.find_branch(name.strip())
    if branch is None:
        close = closest_branch(name, [b.name for b in await tx.list_branches()])
        hint = f"是“{close}”吗？" if close else "请先导入该支部的名单。"
        raise CommandError(f"没有“{name}”这个支部。{hint}")
    return branch


async def _add(tx: Tx, branch_name: str, raw: str, clock: Clock) -> str:
    name = raw.strip()
    if not name or len(name) > MAX_NAME:
        raise CommandError(f"小组名称要有1到{MAX_NAME}个字：{raw!r}")
    branch = await _branch(tx, branch_name)
    existed = {g.name for g in await tx.branch_groups(branch.id)}
    made = await tx.ensure_group(branch.id, name, None, clock.now())
    if made.name in existed:
        return f"{branch.name}已经有“{made.name}”了。"
    await tx.audit("group_create", clock.now(), actor=("cli", "zhibu group"),
                   detail={"group": made.id, "branch": branch.id})
    return f"已新建兴趣小组：{branch.name} {made.name}"


async def _list(tx: Tx, branch_name: str | None) -> list[str]:
    branch = await _branch(tx, branch_name) if branch_name else None
    sizes = await tx.group_sizes(branch.id if branch else None)
    if not sizes:
        return [f"{branch.name}还没有兴趣小组。" if branch else "还没有兴趣小组。"]
    names = {b.id: b.name for b in await tx.list_branches()}
    return [f"{names.get(s.group.branch_id, '?')}  {s.group.name}  {s.members}人" for s in sizes]
