"""Branch life in figures, for the bureau: a branch's month of submissions, activities, hours
and mutual-aid contacts, each counted in SQL (one probe per branch on the month indexes)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from storage.repo_base import RepoBase
from storage.timefmt import parse_ts

SECTIONS = ("witness", "join", "praise", "advice")
# A piece counts as taken up when an officer accepted it (advice: forwarded up or answered).
TAKEN_UP = ("accepted", "forwarded", "answered")


@dataclass(frozen=True)
class LifeFigures:
    """What 报表 and the 活动 sheet say of a branch's month beyond its meetings."""

    received: dict[str, int] = field(default_factory=dict)  # by section, pieces submitted
    accepted: dict[str, int] = field(default_factory=dict)  # by section, taken up
    participants: int = 0  # 人次: the branch's members present at activities of the month
    volunteer_hours: float = 0.0  # hours recorded at 志愿服务 activities
    pairs_contacted: int = 0  # pairs with at least one contact in the month
    pairs: int = 0  # pairs among the branch's active members now
    praises: int = 0  # 点赞 given in the branch (taps on pieces and 身边点赞)

    @property
    def pieces(self) -> int:
        """Every piece received in the month."""
        return sum(self.received.values())

    @property
    def taken_up(self) -> int:
        """Every piece taken up in the month."""
        return sum(self.accepted.values())

    @property
    def empty(self) -> bool:
        """Nothing happened beyond the meetings (the one-line summary leaves it out)."""
        return not (self.pieces or self.participants or self.pairs_contacted or self.praises)


@dataclass(frozen=True)
class ActivityLine:
    """One activity of the month as the 活动 sheet lists it, with this branch's people."""

    starts_at: datetime
    title: str
    kind: str
    organiser_branch: str
    signed: int
    waiting: int
    present: int
    hours: float


class LifeFiguresRepo(RepoBase):
    """The month's figures of branch life (issue #17, item 5)."""

    async def life_figures(self, branch_id: int, month: str) -> LifeFigures:
        """Pieces by column, activity 人次 and hours, pairs in touch, 点赞 — for one month."""
        received = dict.fromkeys(SECTIONS, 0)
        accepted = dict.fromkeys(SECTIONS, 0)
        for row in await self._all(
                "SELECT section, status, COUNT(*) AS n FROM submissions "
                "WHERE branch_id = ? AND month = ? GROUP BY section, status", (branch_id, month)):
            received[row["section"]] += int(row["n"])
            if row["status"] in TAKEN_UP:
                accepted[row["section"]] += int(row["n"])
        present = await self._one(
            "SELECT COUNT(*) AS n, COALESCE(SUM(CASE WHEN a.kind = 'volunteer' "
            "THEN t.hours ELSE 0 END), 0) AS hours "
            "FROM activity_attendance t JOIN activities a ON a.id = t.activity_id "
            "WHERE t.branch_id = ? AND a.month = ? AND a.status = 'open'", (branch_id, month))
        contacted = await self._one(
            "SELECT COUNT(*) AS n FROM (SELECT DISTINCT "
            "CASE WHEN member_id < partner_id THEN member_id ELSE partner_id END AS a, "
            "CASE WHEN member_id < partner_id THEN partner_id ELSE member_id END AS b "
            "FROM pair_contacts WHERE branch_id = ? AND month = ?) AS pairs", (branch_id, month))
        pairs = await self._one(
            "SELECT COUNT(*) AS n FROM members m JOIN members p ON p.id = m.pair_member_id "
            "WHERE m.branch_id = ? AND m.status = 'active' AND p.status = 'active' "
            "AND p.pair_member_id = m.id AND m.id < p.id", (branch_id,))
        praises = await self._one(
            "SELECT COUNT(*) AS n FROM likes WHERE branch_id = ? AND month = ?",
            (branch_id, month))
        return LifeFigures(
            received=received, accepted=accepted,
            participants=int(present["n"]) if present else 0,
            volunteer_hours=float(present["hours"]) if present else 0.0,
            pairs_contacted=int(contacted["n"]) if contacted else 0,
            pairs=int(pairs["n"]) if pairs else 0,
            praises=int(praises["n"]) if praises else 0)

    async def activity_lines(self, branch_id: int, month: str) -> list[ActivityLine]:
        """The month's activities the branch organised or was invited to, oldest first, with
        sign-ups and attendance of this branch's members."""
        rows = await self._all(
            "SELECT a.id, a.starts_at, a.title, a.kind, b.name AS organiser_branch, "
            "(SELECT COUNT(*) FROM activity_signups s JOIN members m ON m.id = s.member_id "
            " WHERE s.activity_id = a.id AND s.state = 'signed' AND m.branch_id = ?) AS signed, "
            "(SELECT COUNT(*) FROM activity_signups s JOIN members m ON m.id = s.member_id "
            " WHERE s.activity_id = a.id AND s.state = 'waiting' AND m.branch_id = ?) AS waiting, "
            "(SELECT COUNT(*) FROM activity_attendance t "
            " WHERE t.activity_id = a.id AND t.branch_id = ?) AS present, "
            "(SELECT COALESCE(SUM(t.hours), 0) FROM activity_attendance t "
            " WHERE t.activity_id = a.id AND t.branch_id = ?) AS hours "
            "FROM activities a JOIN branches b ON b.id = a.branch_id "
            "WHERE a.month = ? AND a.status = 'open' AND (a.branch_id = ? OR EXISTS ("
            " SELECT 1 FROM activity_branches ab WHERE ab.activity_id = a.id "
            " AND ab.branch_id = ?)) ORDER BY a.starts_at, a.id",
            (branch_id, branch_id, branch_id, branch_id, month, branch_id, branch_id))
        return [ActivityLine(parse_ts(r["starts_at"]), str(r["title"]), str(r["kind"]),
                             str(r["organiser_branch"]), int(r["signed"]), int(r["waiting"]),
                             int(r["present"]), float(r["hours"])) for r in rows]
