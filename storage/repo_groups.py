"""Interest groups (书法组, 门球队, 棋类组…) and who is in them.

A group is a standing group of one branch (the seed report's 书法、门球、棋类、合唱、学电脑);
notices and activities addressed to a group reach only its members, so the one question
everyone asks of this module is "who is in it".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.repo_base import RepoBase, Row
from storage.timefmt import ts


@dataclass(frozen=True)
class InterestGroup:
    """One interest group of a branch (its name is unique within the branch)."""

    id: int
    branch_id: int
    name: str


@dataclass(frozen=True)
class GroupSize:
    """A group with how many active members it has (for `zhibu group list`)."""

    group: InterestGroup
    members: int


def _group(row: Row) -> InterestGroup:
    return InterestGroup(id=row["id"], branch_id=row["branch_id"], name=row["name"])


class GroupRepo(RepoBase):
    """Interest groups (书法组, 门球队, 棋类组…) and who is in them."""

    async def ensure_group(
        self, branch_id: int, name: str, by_member_id: int | None, now: datetime
    ) -> InterestGroup:
        """The branch's group of this name, created if it does not exist yet.

        Idempotent so that a redelivered 确认, the CLI run twice, or two officers creating the
        same group at once all end with one group.
        """
        await self._run(
            "INSERT INTO interest_groups (branch_id, name, created_by, created_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (branch_id, name) DO NOTHING",
            (branch_id, name, by_member_id, ts(now)),
        )
        row = await self._one(
            "SELECT id, branch_id, name FROM interest_groups WHERE branch_id = ? AND name = ?",
            (branch_id, name),
        )
        assert row is not None
        return _group(row)

    async def get_group(self, group_id: int) -> InterestGroup | None:
        """A group by id."""
        row = await self._one(
            "SELECT id, branch_id, name FROM interest_groups WHERE id = ?", (group_id,)
        )
        return _group(row) if row else None

    async def branch_groups(self, branch_id: int) -> list[InterestGroup]:
        """The branch's groups, oldest first (the order the numbered choices keep)."""
        rows = await self._all(
            "SELECT id, branch_id, name FROM interest_groups WHERE branch_id = ? ORDER BY id",
            (branch_id,),
        )
        return [_group(r) for r in rows]

    async def group_member_ids(self, group_id: int) -> list[int]:
        """The group's active members (a member who left or died gets no more notices)."""
        rows = await self._all(
            "SELECT g.member_id FROM group_members g JOIN members m ON m.id = g.member_id "
            "WHERE g.group_id = ? AND m.status = 'active' ORDER BY g.joined_at, g.member_id",
            (group_id,),
        )
        return [int(r["member_id"]) for r in rows]

    async def member_groups(self, member_id: int) -> list[InterestGroup]:
        """The groups a member is in, oldest group first."""
        rows = await self._all(
            "SELECT i.id, i.branch_id, i.name FROM interest_groups i "
            "JOIN group_members g ON g.group_id = i.id WHERE g.member_id = ? ORDER BY i.id",
            (member_id,),
        )
        return [_group(r) for r in rows]

    async def join_group(self, group_id: int, member_id: int, now: datetime) -> bool:
        """Put a member in a group; True if newly joined (False: was in it already)."""
        changed = await self._run(
            "INSERT INTO group_members (group_id, member_id, joined_at) VALUES (?, ?, ?) "
            "ON CONFLICT (group_id, member_id) DO NOTHING",
            (group_id, member_id, ts(now)),
        )
        return changed > 0

    async def leave_group(self, group_id: int, member_id: int) -> bool:
        """Take a member out of a group; True if they were in it."""
        changed = await self._run(
            "DELETE FROM group_members WHERE group_id = ? AND member_id = ?",
            (group_id, member_id),
        )
        return changed > 0

    async def group_sizes(self, branch_id: int | None = None) -> list[GroupSize]:
        """Every group (or one branch's) with its count of active members, by branch then age."""
        sql = (
            "SELECT i.id, i.branch_id, i.name, COUNT(m.id) AS n FROM interest_groups i "
            "LEFT JOIN group_members g ON g.group_id = i.id "
            "LEFT JOIN members m ON m.id = g.member_id AND m.status = 'active' "
        )
        params: tuple[int, ...] = ()
        if branch_id is not None:
            sql += "WHERE i.branch_id = ? "
            params = (branch_id,)
        sql += "GROUP BY i.id, i.branch_id, i.name ORDER BY i.branch_id, i.id"
        rows = await self._all(sql, params)
        return [GroupSize(group=_group(r), members=int(r["n"])) for r in rows]
