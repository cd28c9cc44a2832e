"""Collecting a branch's month for the report: attendance, visits, deliveries, the trend.

The workbook and chart are drawn from it by bot.documents.report. Hospital, ward and notes
are not collected: the report says which visits were owed and made, not why.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.i18n import t
from bot.documents.report import MonthReport, SessionRow
from handlers.delivery.common import UNASSIGNED_FLAG_AFTER
from handlers.sessions import branch_rule
from storage import SqliteStore, Tx
from storage.models import Branch

DELIVERY_STATUS = {"requested": "待指派", "assigned": "已指派", "delivered": "已送达"}
VISIT_STATUS = {"open": "待接受", "taken": "已接受", "done": "已走访", "cancelled": "已取消"}


async def build_report(
    store: SqliteStore, branch_name: str, year: int, month: int, tz: ZoneInfo, now: datetime,
    actor: tuple[str, str],
) -> MonthReport | None:
    """Collect a branch's month (None when there is no such branch)."""
    async with store.transaction() as tx:
        branch = await tx.find_branch(branch_name)
        if branch is None:
            return None
        return await collect_report(tx, branch, year, month, tz, now, actor)


async def collect_report(
    tx: Tx, branch: Branch, year: int, month: int, tz: ZoneInfo, now: datetime,
    actor: tuple[str, str],
) -> MonthReport:
    """A branch's month, read in an open transaction (and the reading audited)."""
    report = MonthReport(branch.name, f"{year:04d}-{month:02d}")
    report.sessions = await _sessions(tx, branch, year, month, tz)
    report.visits = await _visits(tx, branch, year, month, tz)
    for row in await tx.delivery_report(branch.id, report.month, now - UNASSIGNED_FLAG_AFTER):
        report.deliveries.append([
            row.member_name, DELIVERY_STATUS.get(row.status, row.status),
            row.volunteer_name or "", row.created_at.astimezone(tz).strftime("%Y-%m-%d"),
            row.delivered_at.astimezone(tz).strftime("%Y-%m-%d") if row.delivered_at else "",
            "超过3天未指派" if row.unassigned_overdue else ""])
    for back in range(11, -1, -1):
        y, m = divmod(year * 12 + month - 1 - back, 12)
        rows = await _sessions(tx, branch, y, m + 1, tz)
        # 实到 counts a proxy check-in as the 出勤 sheet and 出勤 in chat do
        report.history.append((f"{y}-{m + 1:02d}", sum(len(r.present) + len(r.proxy) for r in rows),
                               sum(len(r.leave) for r in rows),
                               sum(len(r.absent) for r in rows)))
    await tx.audit("report", now, actor=actor,
                   detail={"branch": branch.id, "month": report.month})
    return report


def _month_bounds(year: int, month: int, tz: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime(year, month, 1, tzinfo=tz)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=tz)
    return start, end


async def _sessions(tx: Tx, branch: Branch, year: int, month: int,
                    tz: ZoneInfo) -> list[SessionRow]:
    rule = branch_rule(branch)
    if rule is None:
        return []
    rows = []
    for start in rule.sessions_between(*_month_bounds(year, month, tz), tz):
        session = await tx.ensure_session(branch.id, start, branch.study_place)
        report = await tx.attendance(session, await tx.branch_members(branch.id))
        rows.append(SessionRow(
            date=start.strftime("%Y-%m-%d %H:%M"), expected=len(report.expected),
            present=[m.name for m, c in report.present if c.by_member_id is None],
            proxy=[m.name for m, c in report.present if c.by_member_id is not None],
            leave=[m.name for m, _ in report.on_leave],
            absent=[m.name for m in report.absent],
        ))
    return rows


async def _visits(tx: Tx, branch: Branch, year: int, month: int, tz: ZoneInfo) -> list[list[str]]:
    start, end = _month_bounds(year, month, tz)
    out = []
    for task in await tx.tasks([branch.id], unfinished=False):
        if not (start <= task.created_at < end or (task.done_at and start <= task.done_at < end)):
            continue
        member = await tx.get_member(task.member_id)
        doer = await tx.get_member(task.done_by) if task.done_by else None
        out.append([member.name if member else "?", t("zh-Hans", f"care.kind.{task.kind}"),
                    task.created_at.astimezone(tz).strftime("%Y-%m-%d"),
                    task.due_at.astimezone(tz).strftime("%Y-%m-%d"),
                    VISIT_STATUS.get(task.status, task.status), task.visited_on or "",
                    doer.name if doer else ""])
    return out
