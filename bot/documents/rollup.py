"""The roll-up of many branches' month: an .xlsx workbook and a chart of attendance side by side.

Rows that need a look are filled light red in the workbook (openpyxl) and listed first in
the chart. Counts only: no names of the ill, no hospitals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

CHARTED = 40  # beyond this many branches the chart shows those with the lowest attendance

HEADER = ["支部", "党员数", "会议", "已开展", "三会一课（已开展）", "应到", "实到", "代签",
          "请假", "送学补学", "缺席", "出勤率", "五必访应访", "按时", "逾期完成", "逾期未访",
          "按时率", "送学待指派(>3天)",
          "指导次数", "稿件收到", "稿件采用", "活动人次", "志愿服务时长", "联系的对子", "需关注"]


@dataclass
class BranchLine:
    """One branch's month."""

    branch: str
    members: int
    sessions: int
    held: int
    expected: int
    attended: int
    proxy: int
    leave: int
    made_up: int
    absent: int
    visits_due: int
    visits_on_time: int
    visits_late: int
    visits_overdue: int
    deliveries_waiting: int
    guidance: int = 0
    pieces: int = 0  # 投稿 received (every column)
    pieces_taken: int = 0  # taken up: accepted, or advice forwarded or answered
    participants: int = 0  # 人次 at activities
    volunteer_hours: float = 0.0
    pairs_contacted: int = 0  # 互助对子 with at least one contact
    by_kind: str = ""  # the meetings held, by kind: 学习日1、党课1
    flags: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float | None:
        """出勤率: 实到 / 应到 over the month's sessions (None: no session)."""
        return self.attended / self.expected if self.expected else None

    @property
    def on_time_rate(self) -> float | None:
        """五必访 on time: tasks made by their date / tasks due (None: none due)."""
        return self.visits_on_time / self.visits_due if self.visits_due else None

    def row(self) -> list[object]:
        """The workbook row, in HEADER's order."""
        return [self.branch, self.members, self.sessions, self.held, self.by_kind, self.expected,
                self.attended, self.proxy, self.leave, self.made_up, self.absent,
                _percent(self.rate), self.visits_due, self.visits_on_time, self.visits_late,
                self.visits_overdue, _percent(self.on_time_rate), self.deliveries_waiting,
                self.guidance, self.pieces, self.pieces_taken, self.participants,
                self.volunteer_hours, self.pairs_contacted, "、".join(self.flags)]


@dataclass
class Rollup:
    """The month of several branches."""

    month: str
    lines: list[BranchLine] = field(default_factory=list)
    changes: list[list[str]] = field(default_factory=list)  # branch, date, name, change


def _percent(value: float | None) -> str:
    return f"{value:.0%}" if value is not None else ""


def write_rollup_xlsx(rollup: Rollup, path: Path | BinaryIO) -> None:
    """支部汇总 (one row per branch, flagged rows filled) and 人员变动 (the month's changes)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "支部汇总"
    sheet.append(HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    flagged = PatternFill("solid", start_color="FADBD8", end_color="FADBD8")
    for line in rollup.lines:
        sheet.append(line.row())
        if line.flags:
            for cell in sheet[sheet.max_row]:
                cell.fill = flagged
    total = _total(rollup)
    sheet.append(total.row())
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "B2"
    sheet.column_dimensions["A"].width = 28
    changes = book.create_sheet("人员变动")
    changes.append(["支部", "日期", "同志", "变动"])
    for row in rollup.changes:
        changes.append(row)
    book.properties.title = f"{rollup.month} 支部汇总"
    book.save(path)


def _total(rollup: Rollup) -> BranchLine:
    """The 合计 row: every count added up, rates over the sums."""
    lines = rollup.lines
    sums = {name: sum(getattr(line, name) for line in lines) for name in (
        "members", "sessions", "held", "expected", "attended", "proxy", "leave", "made_up",
        "absent", "visits_due", "visits_on_time", "visits_late", "visits_overdue",
        "deliveries_waiting", "guidance", "pieces", "pieces_taken", "participants",
        "volunteer_hours", "pairs_contacted")}
    return BranchLine("合计", **sums,
                      flags=[f"{sum(1 for line in lines if line.flags)}个支部需关注"])


def charted(rollup: Rollup) -> list[BranchLine]:
    """The branches the chart draws: all of them, or the CHARTED lowest in attendance."""
    lines = [line for line in rollup.lines if line.rate is not None]
    if len(lines) > CHARTED:
        lines = sorted(lines, key=lambda line: (line.rate or 0, line.branch))[:CHARTED]
    return lines


def write_rollup_chart(rollup: Rollup, path: Path | BinaryIO) -> None:
    """Horizontal bars: each branch's attendance rate, flagged branches in red."""
    from matplotlib import font_manager
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from bot.documents.fonts import cjk_font_path

    font = font_manager.FontProperties(fname=str(cjk_font_path()), size=11)
    lines = charted(rollup)
    figure = Figure(figsize=(10, max(3.0, 0.35 * len(lines) + 1.5)), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.subplots()
    names = [line.branch for line in lines]
    rates = [round((line.rate or 0) * 100) for line in lines]
    colours = ["#c0392b" if line.flags else "#2e86c1" for line in lines]
    axes.barh(names, rates, color=colours)
    axes.set_xlim(0, 100)
    axes.set_yticks(range(len(names)), names, fontproperties=font)
    axes.invert_yaxis()
    title = f"{rollup.month} 各支部学习日出勤率（%）"
    if len(lines) < len(rollup.lines):
        title += f"：出勤率最低的{len(lines)}个支部"
    axes.set_title(title, fontproperties=font)
    figure.tight_layout()
    figure.savefig(path, format="png")
