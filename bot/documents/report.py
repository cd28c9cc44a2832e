"""The monthly report of a branch: an .xlsx workbook (openpyxl) and a PNG chart beside it.

openpyxl writes Excel files without an office suite; matplotlib draws the chart with the
Noto Sans CJK font that the mplfonts wheel ships (the same one as the large-print PDF), so
Chinese labels render on any machine. Hospital, ward and notes are not in the report: it
says which visits were owed and made, not why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO


@dataclass(frozen=True)
class SessionRow:
    """One study session's attendance: 应到 as the branch was that day, split five ways (a
    proxy check-in is present, marked 代签; 送学补学 and a hospital stay are not 缺席)."""

    date: str
    expected: int
    present: list[str]
    proxy: list[str]
    leave: list[str]
    absent: list[str]
    hospital: list[str] = field(default_factory=list)  # 请假：住院
    made_up: list[str] = field(default_factory=list)  # missed, material delivered (送学补学)
    kind: str = "学习日"  # or 支委会, 党员大会, 党小组会, 党课

    @property
    def attended(self) -> int:
        """实到: present in person or checked in by the secretary (代签)."""
        return len(self.present) + len(self.proxy)


@dataclass(frozen=True)
class TrendRow:
    """One month of the 趋势 sheet and the chart."""

    month: str
    expected: int
    attended: int
    leave: int
    made_up: int
    absent: int

    @classmethod
    def of(cls, month: str, rows: Sequence[SessionRow]) -> TrendRow:
        """A month's sessions added up (请假 counts hospital stays too)."""
        return cls(month, sum(r.expected for r in rows), sum(r.attended for r in rows),
                   sum(len(r.leave) + len(r.hospital) for r in rows),
                   sum(len(r.made_up) for r in rows), sum(len(r.absent) for r in rows))

    @property
    def rate(self) -> float | None:
        """出勤率: 实到 / 应到 (None for a month without sessions)."""
        return self.attended / self.expected if self.expected else None


@dataclass
class MonthReport:
    """Everything the monthly report shows."""

    branch: str
    month: str
    sessions: list[SessionRow] = field(default_factory=list)
    visits: list[list[str]] = field(default_factory=list)
    deliveries: list[list[str]] = field(default_factory=list)
    history: list[TrendRow] = field(default_factory=list)  # months the branch had members
    changes: list[list[str]] = field(default_factory=list)  # date, name, what (入支部, 转出…)
    guidance: list[list[str]] = field(default_factory=list)  # date, instructor, what was done
    # Branch life (活动 sheet): pieces by column (栏目, 收到, 采用), the month's figures
    # (项目, 数量), and each activity with this branch's people.
    pieces: list[list[object]] = field(default_factory=list)
    life: list[list[object]] = field(default_factory=list)
    activities: list[list[object]] = field(default_factory=list)
    # The same month in a few numbers for 报表's one-line summary (participants, hours,
    # pieces, taken_up, pairs_contacted, praises); empty when nothing happened.
    life_summary: dict[str, float] = field(default_factory=dict)


def chart_series(report: MonthReport) -> tuple[list[str], list[int], list[int], list[int]]:
    """What the chart draws, month by month: labels (26-12), 实到, 请假 (with 送学补学),
    缺席 — the 趋势 sheet's figures; months before the branch had members are not there."""
    return ([h.month[2:] for h in report.history], [h.attended for h in report.history],
            [h.leave + h.made_up for h in report.history], [h.absent for h in report.history])


def write_xlsx(report: MonthReport, path: Path | BinaryIO) -> None:
    """出勤 (per meeting, every kind of 三会一课), 走访 (visits owed and made), 送学 (home
    deliveries), 趋势 (up to 12 months), 人员变动 (who joined, moved, left or died in the
    month), 指导 (instructors' guidance visits), 活动 (submissions by column, activity 人次,
    volunteer hours, pairs in touch, and the month's activities)."""
    from openpyxl import Workbook  # here: `zhibu run` imports this module, rarely writes one

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "出勤"
    _rows(sheet, ["日期", "会议", "应到", "实到", "代签", "请假", "请假：住院", "送学补学",
                  "缺席", "缺席名单"], [
        [r.date, r.kind, r.expected, r.attended, len(r.proxy), len(r.leave), len(r.hospital),
         len(r.made_up), len(r.absent), "、".join(r.absent)] for r in report.sessions])
    _rows(book.create_sheet("走访"),
          ["同志", "类别", "提出", "期限", "状态", "走访日期", "走访人"], report.visits)
    _rows(book.create_sheet("送学"), ["同志", "状态", "送学人", "登记", "送达", "提醒"],
          report.deliveries)
    _rows(book.create_sheet("趋势"), ["月份", "应到", "实到", "请假", "送学补学", "缺席", "出勤率"],
          [[h.month, h.expected, h.attended, h.leave, h.made_up, h.absent,
            f"{h.rate:.0%}" if h.rate is not None else ""] for h in report.history])
    _rows(book.create_sheet("人员变动"), ["日期", "同志", "变动"], report.changes)
    _rows(book.create_sheet("指导"), ["日期", "指导员", "内容"], report.guidance)
    _tables(book.create_sheet("活动"), [
        (["栏目", "收到", "采用"], report.pieces),
        (["项目", "数量"], report.life),
        (["日期", "活动", "类别", "组织支部", "报名", "候补", "参加人次", "时长（小时）"],
         report.activities)])
    book.properties.title = f"{report.branch} {report.month} 月报"
    book.save(path)


def _rows(sheet: object, header: list[str], rows: Sequence[Sequence[object]]) -> None:
    _tables(sheet, [(header, rows)])


def _tables(sheet: object,
            tables: Sequence[tuple[list[str], Sequence[Sequence[object]]]]) -> None:
    """One or more tables down a sheet, each under a bold header, a blank row between."""
    from openpyxl.styles import Font
    from openpyxl.worksheet.worksheet import Worksheet

    assert isinstance(sheet, Worksheet)
    for n, (header, rows) in enumerate(tables):
        if n:
            sheet.append([])
        sheet.append(header)
        for cell in sheet[sheet.max_row]:
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

    from bot.documents.fonts import cjk_font_path

    font = font_manager.FontProperties(fname=str(cjk_font_path()), size=12)
    labels, present, leave, absent = chart_series(report)
    figure = Figure(figsize=(10, 5), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.subplots()
    axes.bar(labels, present, color="#c0392b", label="实到")
    axes.bar(labels, leave, bottom=present, color="#f1c40f", label="请假/送学补学")
    axes.bar(labels, absent, bottom=[p + q for p, q in zip(present, leave, strict=True)],
             color="#95a5a6", label="缺席")
    axes.set_title(f"{report.branch} 学习日出勤（近12个月）", fontproperties=font)
    axes.legend(prop=font)
    figure.tight_layout()
    figure.savefig(path, format="png")
