"""Many branches' month side by side: the roll-up of `zhibu report --all` and 报表 全部.

One line per branch: members, sessions held, attendance, 五必访 on time, deliveries waiting,
instructors' guidance visits, membership changes; branches that need a look (no session
held, attendance under 60 %, visits overdue) are flagged. Like the branch report, no health
details: only counts.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.documents.rollup import BranchLine, Rollup
from handlers.delivery.common import UNASSIGNED_FLAG_AFTER
from handlers.officers.report_data import change_words, month_bounds, month_sessions
from storage import Tx
from storage.models import Branch

LOW_ATTENDANCE = 0.6  # below this 出勤率 a branch is flagged


async def collect_rollup(tx: Tx, branches: list[Branch], year: int, month: int,
                         tz: ZoneInfo, now: datetime, actor: tuple[str, str]) -> Rollup:
    """The month of each branch (read in one transaction; the reading audited once)."""
    key = f"{year:04d}-{month:02d}"
    start, end = month_bounds(year, month, tz)
    rollup = Rollup(key)
    for branch in sorted(branches, key=lambda b: b.name):
        roll = await tx.branch_roll(branch.id)
        sessions = await month_sessions(tx, branch, roll, year, month, tz)
        visits = await tx.visit_figures(branch.id, start, end, now)
        changes = await tx.membership_changes(branch.id, start, end)
        life = await tx.life_figures(branch.id, key)
        line = BranchLine(
            branch=branch.name,
            members=len(roll.expected_at(min(end - timedelta(microseconds=1), now))),
            sessions=len(sessions),
            held=sum(1 for s in sessions if s.attended),
            expected=sum(s.expected for s in sessions),
            attended=sum(s.attended for s in sessions),
            proxy=sum(len(s.proxy) for s in sessions),
            leave=sum(len(s.leave) + len(s.hospital) for s in sessions),
            made_up=sum(len(s.made_up) for s in sessions),
            absent=sum(len(s.absent) for s in sessions),
            visits_due=visits.due, visits_on_time=visits.on_time, visits_late=visits.late,
            visits_overdue=visits.overdue,
            deliveries_waiting=await tx.deliveries_waiting(branch.id, key,
                                                           now - UNASSIGNED_FLAG_AFTER),
            guidance=len(await tx.guidance_in(branch.id, key)),
            pieces=life.pieces, pieces_taken=life.taken_up, participants=life.participants,
            volunteer_hours=life.volunteer_hours, pairs_contacted=life.pairs_contacted,
            by_kind="、".join(f"{kind}{n}" for kind, n in Counter(
                s.kind for s in sessions if s.attended).items()),
        )
        line.flags = _flags(line)
        rollup.lines.append(line)
        rollup.changes += [[branch.name, c.at.astimezone(tz).strftime("%Y-%m-%d"), c.name,
                            change_words(c, branch.id)] for c in changes]
    await tx.audit("report_all", now, actor=actor,
                   detail={"month": key, "branches": len(branches)})
    return rollup


def _flags(line: BranchLine) -> list[str]:
    """Why a branch needs a look this month (empty: it does not)."""
    flags = []
    if line.sessions and not line.held:
        flags.append("未开展学习日")
    if line.rate is not None and line.rate < LOW_ATTENDANCE:
        flags.append(f"出勤率低于{LOW_ATTENDANCE:.0%}")
    if line.visits_overdue:
        flags.append("走访逾期")
    return flags
