"""When members belonged to a branch: the rows of joining, moving, leaving and dying.

A session's 应到 is the members who belonged to its branch at its start; a report lists the
month's changes so that 应到 can be checked. Each change is written where it happens (the
roster, `zhibu member`, a reported death), so history does not depend on today's roster.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import datetime

from storage.models import Member
from storage.repo_base import RepoBase
from storage.timefmt import parse_ts, ts

IN_BRANCH = frozenset({"joined", "moved", "restored"})
EXPECTED_ROLES = frozenset({"member", "secretary"})  # instructors and admins are not 应到


@dataclass(frozen=True)
class MembershipChange:
    """One change: who, what (joined, moved, left, deceased, restored), where, when."""

    member_id: int
    name: str
    kind: str
    branch_id: int | None
    from_branch_id: int | None
    at: datetime


@dataclass
class BranchRoll:
    """Everyone who ever belonged to a branch, and when they did."""

    branch_id: int
    members: dict[int, Member] = field(default_factory=dict)
    # per member: the instants of their changes (sorted) and whether they were in this
    # branch from each one on
    _times: dict[int, list[datetime]] = field(default_factory=dict)
    _inside: dict[int, list[bool]] = field(default_factory=dict)

    def add(self, member_id: int, at: datetime, kind: str, branch_id: int | None) -> None:
        """A change of that member's, in time order."""
        self._times.setdefault(member_id, []).append(at)
        self._inside.setdefault(member_id, []).append(kind in IN_BRANCH
                                                       and branch_id == self.branch_id)

    def belonged_at(self, member_id: int, at: datetime) -> bool:
        """Whether the member was in this branch (and alive, not gone) at that instant."""
        times = self._times.get(member_id)
        if not times:
            return False
        i = bisect_right(times, at)
        return i > 0 and self._inside[member_id][i - 1]

    def expected_at(self, at: datetime, until: datetime | None = None) -> list[Member]:
        """应到 of a session: members and secretaries who belonged at its start (or, with
        `until`, joined by then: someone entered on the morning of a study day can still
        come), by id."""
        return [m for mid, m in sorted(self.members.items())
                if m.role in EXPECTED_ROLES and (self.belonged_at(mid, at) or (
                    until is not None and self.belonged_at(mid, until)))]

    def first_member_at(self) -> datetime | None:
        """When the branch first had a member (None: it never had one)."""
        starts = [t for mid, times in self._times.items()
                  for t, inside in zip(times, self._inside[mid], strict=True) if inside]
        return min(starts) if starts else None


class MembershipRepo(RepoBase):
    """Membership rows: written with each change, read as a branch's roll."""

    async def record_membership(self, member_id: int, kind: str, branch_id: int | None,
                                at: datetime, *, from_branch_id: int | None = None) -> None:
        """Note one change of membership."""
        await self._run(
            "INSERT INTO membership_events (member_id, kind, branch_id, from_branch_id, at) "
            "VALUES (?, ?, ?, ?, ?)", (member_id, kind, branch_id, from_branch_id, ts(at)))

    async def branch_roll(self, branch_id: int) -> BranchRoll:
        """Every member who ever belonged to the branch, with all their changes (two queries,
        however many sessions are then asked about)."""
        from storage.repo_members import member_from_row

        ever = ("SELECT member_id FROM membership_events WHERE branch_id = ? "
                "UNION SELECT member_id FROM membership_events WHERE from_branch_id = ?")
        roll = BranchRoll(branch_id)
        for row in await self._all(f"SELECT * FROM members WHERE id IN ({ever})",
                                   (branch_id, branch_id)):
            roll.members[row["id"]] = member_from_row(row)
        for row in await self._all(
                "SELECT member_id, kind, branch_id, at FROM membership_events "
                f"WHERE member_id IN ({ever}) ORDER BY member_id, at, id",
                (branch_id, branch_id)):
            roll.add(row["member_id"], parse_ts(row["at"]), row["kind"], row["branch_id"])
        return roll

    async def membership_changes(self, branch_id: int, start: datetime,
                                 end: datetime) -> list[MembershipChange]:
        """A branch's changes in [start, end): who came (joined, moved in, came back) and who
        went (moved out, left, died), in time order."""
        rows = await self._all(
            "SELECT e.member_id, m.name, e.kind, e.branch_id, e.from_branch_id, e.at "
            "FROM membership_events e JOIN members m ON m.id = e.member_id "
            "WHERE (e.branch_id = ? OR e.from_branch_id = ?) AND e.at >= ? AND e.at < ? "
            "ORDER BY e.at, e.id", (branch_id, branch_id, ts(start), ts(end)))
        return [MembershipChange(r["member_id"], r["name"], r["kind"], r["branch_id"],
                                 r["from_branch_id"], parse_ts(r["at"])) for r in rows]
