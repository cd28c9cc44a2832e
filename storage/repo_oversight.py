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


class OversightRepo(RepoBase):
    """Counts for `zhibu report --all` and 报表 全部."""

    async def visit_figures(self, branch_id: int, start: datetime, end: datetime,
                            now: datetime) -> VisitFigures:
        """Tasks of the branch due in [start, end) (cancelled ones left out)."""
        row = await self._one(
            "SELECT COUNT(*) AS due, "
            "COALESCE(SUM(done_at IS NOT NULL AND done_at <= due_at), 0) AS on_time, "
            "COALESCE(SUM(done_at IS NOT NULL AND done_at > due_at), 0) AS late, "
            "COALESCE(SUM(done_at IS NULL AND due_at < ?), 0) AS overdue "
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
