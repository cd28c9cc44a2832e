"""Figures of a branch's month for the roll-up across branches: counted in SQL, one query
each, so that a bureau's hundreds of branches add up in seconds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.repo_base import RepoBase
from storage.timefmt import ts


@dataclass(frozen=True)
class VisitFigures:
    """五必访 tasks due in a month: how many, made on time, made late, still owed past due."""

    due: int
    on_time: int
    late: int
    overdue: int


@dataclass(frozen=True)
class GuidanceVisit:
    """An instructor's visit to a branch: when, who, what was done."""

    id: int
    branch_id: int
    instructor: str
    visited_on: str
    note: str


class OversightRepo(RepoBase):
    """Counts for `zhibu report --all` and 报表 全部."""

    async def visit_figures(self, branch_id: int, start: datetime, end: datetime,
                            now: datetime) -> VisitFigures:
        """Tasks of the branch due in [start, end) (cancelled ones left out)."""
        row = await self._one(
            "SELECT COUNT(*) AS due, "
            "COALESCE(SUM(CASE WHEN done_at IS NOT NULL AND done_at <= due_at THEN 1 ELSE 0 "
            "END), 0) AS on_time, "
            "COALESCE(SUM(CASE WHEN done_at IS NOT NULL AND done_at > due_at THEN 1 ELSE 0 "
            "END), 0) AS late, "
            "COALESCE(SUM(CASE WHEN done_at IS NULL AND due_at < ? THEN 1 ELSE 0 END), 0) "
            "AS overdue "
            "FROM visit_tasks WHERE branch_id = ? AND due_at >= ? AND due_at < ? "
            "AND status <> 'cancelled'",
            (ts(now), branch_id, ts(start), ts(end)))
        assert row is not None
        return VisitFigures(int(row["due"]), int(row["on_time"]), int(row["late"]),
                            int(row["overdue"]))

    async def deliveries_waiting(self, branch_id: int, month: str, before: datetime) -> int:
        """The month's home deliveries not yet assigned that were asked for before `before`."""
        row = await self._one(
            "SELECT COUNT(*) AS n FROM delivery_requests WHERE branch_id = ? AND month = ? "
            "AND status = 'requested' AND created_at < ?", (branch_id, month, ts(before)))
        return int(row["n"]) if row else 0

    async def add_guidance(self, branch_id: int, instructor_id: int, visited_on: str,
                           note: str, now: datetime) -> int:
        """Record a guidance visit; its id."""
        return await self._insert(
            "INSERT INTO guidance_visits (branch_id, instructor_id, visited_on, note, "
            "created_at) VALUES (?, ?, ?, ?, ?)",
            (branch_id, instructor_id, visited_on, note, ts(now)))

    async def guidance_in(self, branch_id: int, month: str) -> list[GuidanceVisit]:
        """A branch's guidance visits in a month (YYYY-MM), by day."""
        rows = await self._all(
            "SELECT g.id, g.branch_id, m.name, g.visited_on, g.note FROM guidance_visits g "
            "JOIN members m ON m.id = g.instructor_id WHERE g.branch_id = ? "
            "AND g.visited_on >= ? AND g.visited_on < ? ORDER BY g.visited_on, g.id",
            (branch_id, f"{month}-01", f"{month}-32"))
        return [GuidanceVisit(r[0], r[1], r[2], r[3], r[4]) for r in rows]
