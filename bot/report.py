"""The monthly report of a branch: an .xlsx workbook (openpyxl) and a PNG chart beside it.

openpyxl writes Excel files without an office suite; matplotlib draws the chart with the
Noto Sans CJK font that the mplfonts wheel ships (the same one as the large-print PDF), so
Chinese labels render on any machine. Hospital, ward and notes are not in the report: it
says which visits were owed and made, not why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import BinaryIO
from zoneinfo import ZoneInfo

from bot.i18n import t
from handlers.delivery_common import UNASSIGNED_FLAG_AFTER
from handlers.sessions import branch_rule
from storage import SqliteStore, Tx
from storage.models import Branch

DELIVERY_STATUS = {"requested": "待指派", "assigned": "已指派", "delivered": "已送达"}
VISIT_STATUS = {"open": "待接受", "taken": "已接受", "done": "已走访", "cancelled": "已取消"}


@dataclass(frozen=True)
class SessionRow:
    """One study session's attendance."""

    date: str
    expected: int
    present: list[str]
    proxy: list[str]
    leave: list[str]
    absent: list[str]


@dataclass
class MonthReport:
    """Everything the monthly report shows."""

    branch: str
    month: str
    sessions: list[SessionRow] = field(default_factory=list)
    visits: list[list[str]] = field(default_factory=list)
    deliveries: list[list[str]] = field(default_factory=list)
    history: list[tuple[str, int, int, int]] = field(default_factory=list)


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
        report.history.append((f"{y}-{m + 1:02d}", sum(len(r.present) for r in rows),
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


def write_xlsx(report: MonthReport, path: Path | BinaryIO) -> None:
    """出勤 (per session), 走访 (visits owed and made), 送学 (home deliveries), 趋势 (12 months)."""
    from openpyxl import Workbook  # here: `zhibu run` imports this module, rarely writes one

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "出勤"
    _rows(sheet, ["学习日", "应到", "实到", "代签", "请假", "缺席", "缺席名单"], [
        [r.date, r.expected, len(r.present) + len(r.proxy), len(r.proxy), len(r.leave),
         len(r.absent), "、".join(r.absent)] for r in report.sessions])
    _rows(book.create_sheet("走访"),
          ["同志", "类别", "提出", "期限", "状态", "走访日期", "走访人"], report.visits)
    _rows(book.create_sheet("送学"), ["同志", "状态", "送学人", "登记", "送达", "提醒"],
          report.deliveries)
    _rows(book.create_sheet("趋势"), ["月份", "实到", "请假", "缺席"],
          [list(h) for h in report.history])
    book.properties.title = f"{report.branch} {report.month} 月报"
    book.save(path)


def _rows(sheet: object, header: list[str], rows: Sequence[Sequence[object]]) -> None:
    from openpyxl.styles import Font
    from openpyxl.worksheet.worksheet import Worksheet

    assert isinstance(sheet, Worksheet)
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    for column in sheet.columns:
        width = max(len(str(c.value or "")) for c in column) * 2 + 2
        sheet.column_dimensions[column[0].column_letter].width = min(width, 60)


def write_chart(report: MonthReport, path: Path | BinaryIO) -> None:
    """Stacked bars of 实到 / 请假 / 缺席 over the last twelve months.

    A Figure of its own, not pyplot: the service draws in worker threads, and pyplot's global
    state is not safe to share between them.
    """
    from matplotlib import font_manager
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from bot.fonts import cjk_font_path

    font = font_manager.FontProperties(fname=str(cjk_font_path()), size=12)
    labels = [h[0][2:] for h in report.history]
    present = [h[1] for h in report.history]
    leave = [h[2] for h in report.history]
    absent = [h[3] for h in report.history]
    figure = Figure(figsize=(10, 5), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.subplots()
    axes.bar(labels, present, color="#c0392b", label="实到")
    axes.bar(labels, leave, bottom=present, color="#f1c40f", label="请假")
    axes.bar(labels, absent, bottom=[p + q for p, q in zip(present, leave, strict=True)],
             color="#95a5a6", label="缺席")
    axes.set_title(f"{report.branch} 学习日出勤（近12个月）", fontproperties=font)
    axes.legend(prop=font)
    figure.tight_layout()
    figure.savefig(path, format="png")
