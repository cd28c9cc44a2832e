"""Collecting a branch's month for the report: attendance, visits, deliveries, the trend.

The workbook and chart are drawn from it by bot.documents.report. Hospital, ward and notes
are not collected: the report says which visits were owed and made, not why.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.i18n import t
from bot.documents.report import MonthReport, SessionRow, TrendRow
from handlers.calendar import Calendar, calendar_of, expected_for, kind_words
from handlers.delivery.common import UNASSIGNED_FLAG_AFTER, without_made_up
from handlers.sessions import day_end
from storage import Store, Tx
from storage.models import HOSPITAL_LEAVE, Branch
from storage.repo_membership import BranchRoll, MembershipChange

DELIVERY_STATUS = {"requested": "待指派", "assigned": "已指派", "delivered": "已送达"}
VISIT_STATUS = {"open": "待接受", "taken": "已接受", "done": "已走访", "cancelled": "已取消"}
CHANGE_WORDS = {"joined": "入支部", "left": "离开", "deceased": "去世", "restored": "恢复"}
SECTION_WORDS = {"witness": "我见证", "join": "我参与", "praise": "我点赞", "advice": "建言献策"}


async def build_report(
    store: Store, branch_name: str, year: int, month: int, tz: ZoneInfo, now: datetime,
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
    roll = await tx.branch_roll(branch.id)
    report.sessions = await month_sessions(tx, branch, roll, year, month, tz)
    report.visits = await _visits(tx, branch, year, month, tz)
    for row in await tx.delivery_report(branch.id, report.month, now - UNASSIGNED_FLAG_AFTER):
        report.deliveries.append([
            row.member_name, DELIVERY_STATUS.get(row.status, row.status),
            row.volunteer_name or "", row.created_at.astimezone(tz).strftime("%Y-%m-%d"),
            row.delivered_at.astimezone(tz).strftime("%Y-%m-%d") if row.delivered_at else "",
            "超过3天未指派" if row.unassigned_overdue else ""])
    first = roll.first_member_at()
    for back in range(11, -1, -1):
        y, m = divmod(year * 12 + month - 1 - back, 12)
        if first is None or month_bounds(y, m + 1, tz)[1] <= first:
            continue  # the branch had no members yet: no month of 0 % drawn
        rows = await month_sessions(tx, branch, roll, y, m + 1, tz)
        report.history.append(TrendRow.of(f"{y}-{m + 1:02d}", rows))
    report.changes = [
        [c.at.astimezone(tz).strftime("%Y-%m-%d"), c.name, change_words(c, branch.id)]
        for c in await tx.membership_changes(branch.id, *month_bounds(year, month, tz))]
    report.guidance = [[g.visited_on, g.instructor, g.note]
                       for g in await tx.guidance_in(branch.id, report.month)]
    await _branch_life(tx, branch, report, tz)
    await tx.audit("report", now, actor=actor,
                   detail={"branch": branch.id, "month": report.month})
    return report


async def _branch_life(tx: Tx, branch: Branch, report: MonthReport, tz: ZoneInfo) -> None:
    """The 活动 sheet: submissions by column, the month's figures, each activity."""
    figures = await tx.life_figures(branch.id, report.month)
    report.pieces = [[SECTION_WORDS[s], figures.received[s], figures.accepted[s]]
                     for s in SECTION_WORDS]
    report.pieces.append(["合计", figures.pieces, figures.taken_up])
    report.life = [["活动参与人次", figures.participants],
                   ["志愿服务时长（小时）", figures.volunteer_hours],
                   ["有联系的互助对子", figures.pairs_contacted],
                   ["互助对子", figures.pairs],
                   ["点赞", figures.praises]]
    if not figures.empty:
        report.life_summary = {
            "participants": figures.participants, "hours": figures.volunteer_hours,
            "pieces": figures.pieces, "taken_up": figures.taken_up,
            "pairs_contacted": figures.pairs_contacted, "praises": figures.praises}
    report.activities = [
        [a.starts_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"), a.title,
         t("zh-Hans", f"activity.kind.{a.kind}"), a.organiser_branch, a.signed, a.waiting,
         a.present, a.hours]
        for a in await tx.activity_lines(branch.id, report.month)]


def month_bounds(year: int, month: int, tz: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime(year, month, 1, tzinfo=tz)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=tz)
    return start, end


async def month_sessions(tx: Tx, branch: Branch, roll: BranchRoll, year: int, month: int,
                         tz: ZoneInfo, calendar: Calendar | None = None) -> list[SessionRow]:
    """Each meeting of the month (every kind of 三会一课): 应到 as the branch was then (the
    committee: its officers), and what became of each."""
    start, end = month_bounds(year, month, tz)
    calendar = calendar or await calendar_of(tx, branch, around=start)
    rows = []
    made_up = await tx.made_up_member_ids(branch.id, f"{year:04d}-{month:02d}")
    for meeting in calendar.meetings_between(start, end, tz):
        expected = expected_for(meeting.kind,
                                roll.expected_at(meeting.starts_at,
                                                 day_end(meeting.starts_at, tz)))
        if not expected:
            continue  # nobody belonged to the branch yet (or any more)
        session = await tx.ensure_session(branch.id, meeting.starts_at, meeting.place,
                                          meeting.kind)
        attendance = await tx.attendance(session, expected)
        # 送学补学 makes up a missed study day (its month's material), not another meeting
        report, caught_up = without_made_up(attendance, made_up if meeting.kind == "study"
                                            else set())
        rows.append(SessionRow(
            date=meeting.starts_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
            expected=len(report.expected),
            present=[m.name for m, c in report.present if c.by_member_id is None],
            proxy=[m.name for m, c in report.present if c.by_member_id is not None],
            leave=[m.name for m, why in report.on_leave if why != HOSPITAL_LEAVE],
            hospital=[m.name for m, why in report.on_leave if why == HOSPITAL_LEAVE],
            made_up=[m.name for m in caught_up],
            absent=[m.name for m in report.absent],
            kind=kind_words(meeting.kind),
        ))
    return rows


def change_words(change: MembershipChange, branch_id: int) -> str:
    """入支部 / 转入 / 转出 / 离开 / 去世 / 恢复, from this branch's side."""
    if change.kind == "moved":
        return "转入" if change.branch_id == branch_id else "转出"
    return CHANGE_WORDS.get(change.kind, change.kind)


async def _visits(tx: Tx, branch: Branch, year: int, month: int, tz: ZoneInfo) -> list[list[str]]:
    start, end = month_bounds(year, month, tz)
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
