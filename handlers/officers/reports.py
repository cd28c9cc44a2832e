"""报表 [支部] [月份]: the monthly report in chat — the same workbook and chart as `zhibu report`.

The month is read inside the message's transaction (quick queries, audited); the workbook and
the chart are drawn after the commit, in a worker thread, so the other members' messages do
not wait for matplotlib. The first reply says the report is being made; the files follow.
"""

from __future__ import annotations

import asyncio
import functools
import io
import tempfile
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.core.clock import Clock
from bot.core.i18n import t
from bot.core.messages import Reply
from bot.documents.report import MonthReport, SessionRow, write_chart, write_xlsx
from bot.documents.rollup import Rollup, write_rollup_chart, write_rollup_xlsx
from bot.understanding import Intent, Parsed, normalize
from handlers.common import is_officer
from handlers.context import Context
from handlers.delivery.common import month_key, month_words, parse_month, shift_month
from handlers.notify import PushButton, push
from handlers.officers.branch_scope import officer_branch, overseen
from handlers.officers.report_data import DELIVERY_STATUS, VISIT_STATUS, collect_report
from handlers.officers.rollup_data import collect_rollup
from handlers.sessions import branch_rule
from storage import Store
from storage.files import replace_file, safe_name
from storage.models import Branch

MONTHLY_REPORT_DAYS = 7  # the summary of last month goes out on the first of these days
ROLLUP_WORDS = frozenset({"全部", "所有", "所有支部", "全部支部", "我的支部", "各支部"})


async def handle_report(ctx: Context, parsed: Parsed) -> list[Reply]:
    """报表 [支部名] [本月 | 上月 | 2026-10]: an officer's branch month, as xlsx and chart;
    报表 全部 (an admin: every branch) / 报表 我的支部 (an instructor: theirs) side by side."""
    args = parsed.args
    first, _, after = args.strip().partition(" ")
    if normalize(first) in ROLLUP_WORDS and is_officer(ctx):
        if ctx.me().role != "secretary":
            return await _rollup(ctx, after.strip())
        args = after  # a secretary's whole scope is their branch
    scoped = await officer_branch(ctx, args, action="report", word="报表",
                                  intent=Intent.REPORT, anywhere=True)
    if scoped.branch is None:
        return scoped.refusal
    branch, rest = scoped.branch, scoped.rest
    if rest:
        month = parse_month(rest, month_key(ctx.local()))
        if month is None:
            return [Reply(ctx.t("report.bad_month", text=rest))]
    else:
        month = _latest_study_month(ctx, branch)
    year, mon = (int(x) for x in month.split("-"))
    report = await collect_report(ctx.tx, branch, year, mon, ctx.tz, ctx.now, ctx.actor)
    folder = await ctx.tx.files_dir()
    locale, wechat = ctx.locale, ctx.message.channel == "wechat"
    ctx.after_commit(lambda: _render(report, folder, locale, wechat=wechat))
    return [Reply(ctx.t("report.making", branch=branch.name,
                        month=month_words(ctx.locale, month)))]


async def _rollup(ctx: Context, rest: str) -> list[Reply]:
    """The month of every branch the officer oversees, one row each, drawn after the commit."""
    month = parse_month(rest, month_key(ctx.local())) if rest else shift_month(
        month_key(ctx.local()), -1)
    if month is None:
        return [Reply(ctx.t("report.bad_month", text=rest))]
    branches = await overseen(ctx)
    if not branches:
        return [Reply(ctx.t("branch.none_overseen"))]
    year, mon = (int(x) for x in month.split("-"))
    rollup = await collect_rollup(ctx.tx, branches, year, mon, ctx.tz, ctx.now, ctx.actor)
    folder = await ctx.tx.files_dir()
    locale, wechat = ctx.locale, ctx.message.channel == "wechat"
    ctx.after_commit(lambda: _render_rollup(rollup, folder, locale, wechat=wechat))
    return [Reply(ctx.t("report.making_all", n=len(branches),
                        month=month_words(ctx.locale, month)))]


async def _render_rollup(rollup: Rollup, folder: Path | None, locale: str, *,
                         wechat: bool) -> list[Reply]:
    where = folder / "reports" if folder is not None else Path(tempfile.gettempdir())
    stem = safe_name(f"支部汇总-{rollup.month}", "支部汇总")
    xlsx, png = where / f"{stem}.xlsx", where / f"{stem}.png"
    workbook, chart = await asyncio.to_thread(_draw_rollup, rollup)
    await replace_file(xlsx, workbook)
    await replace_file(png, chart)
    flagged = [line.branch for line in rollup.lines if line.flags]
    text = t(locale, "report.ready_all", month=month_words(locale, rollup.month),
             n=len(rollup.lines), flagged=len(flagged),
             names=("：" + "、".join(flagged[:10]) + ("…" if len(flagged) > 10 else ""))
             if flagged else "")
    if wechat:
        return [Reply(f"{text}\n{t(locale, 'report.wechat_excel')}", files=(str(png),))]
    return [Reply(text, files=(str(xlsx), str(png)))]


def _draw_rollup(rollup: Rollup) -> tuple[bytes, bytes]:
    workbook, chart = io.BytesIO(), io.BytesIO()
    write_rollup_xlsx(rollup, workbook)
    write_rollup_chart(rollup, chart)
    return workbook.getvalue(), chart.getvalue()


def _latest_study_month(ctx: Context, branch: Branch) -> str:
    """The month of the branch's latest study day up to now (this month when it has none)."""
    rule = branch_rule(branch)
    past = rule.sessions_between(ctx.now - timedelta(days=400), ctx.now, ctx.tz) if rule else []
    return month_key(ctx.local(past[-1]) if past else ctx.local())


async def _render(report: MonthReport, folder: Path | None, locale: str, *,
                  wechat: bool) -> list[Reply]:
    """Write the workbook and the chart; the summary with the files (WeChat: the chart)."""
    where = folder / "reports" if folder is not None else Path(tempfile.gettempdir())
    stem = safe_name(f"{report.branch}-{report.month}-报表", "报表")
    xlsx, png = where / f"{stem}.xlsx", where / f"{stem}.png"
    workbook, chart = await asyncio.to_thread(_draw, report)
    await replace_file(xlsx, workbook)  # two officers asking at once never read half a file
    await replace_file(png, chart)
    text = summary(report, locale)
    if wechat:  # an Official Account cannot send a spreadsheet; the chart is a picture
        return [Reply(f"{text}\n{t(locale, 'report.wechat_excel')}", files=(str(png),))]
    return [Reply(text, files=(str(xlsx), str(png)))]


def summary(report: MonthReport, locale: str) -> str:
    """One line of the month: study days, attendance, visits, deliveries (no health details),
    and branch life when there was any: activity 人次 and hours, pieces, pairs in touch."""
    sessions = report.sessions
    life = report.life_summary
    return _meetings_line(report, locale, sessions) + (
        t(locale, "report.life", participants=life["participants"],
          hours=f"{life['hours']:g}", pieces=life["pieces"], taken_up=life["taken_up"],
          pairs=life["pairs_contacted"], praises=life["praises"]) if life else "")


def _meetings_line(report: MonthReport, locale: str, sessions: list[SessionRow]) -> str:
    return t(locale, "report.ready", branch=report.branch,
             month=month_words(locale, report.month), sessions=len(sessions),
             present=sum(s.attended for s in sessions),
             proxy=sum(len(s.proxy) for s in sessions),
             leave=sum(len(s.leave) + len(s.hospital) for s in sessions),
             hospital=sum(len(s.hospital) for s in sessions),
             made_up=sum(len(s.made_up) for s in sessions),
             absent=sum(len(s.absent) for s in sessions),
             visits=len(report.visits),
             visited=sum(1 for v in report.visits if v[4] == VISIT_STATUS["done"]),
             deliveries=len(report.deliveries),
             delivered=sum(1 for d in report.deliveries
                           if d[1] == DELIVERY_STATUS["delivered"]))


class ReportJobs:
    """Early each month: every branch's secretaries get last month's summary, once."""

    def __init__(self, store: Store, clock: Clock, tz: ZoneInfo, locale: str) -> None:
        self.store = store
        self.clock = clock
        self.tz = tz
        self.locale = locale

    async def send_monthly_reports(self) -> int:
        """From the 1st to the 7th (so a service that was down on the 1st still sends): last
        month's summary to each branch's secretaries, with a button for the files."""
        now = self.clock.now()
        today = now.astimezone(self.tz).date()
        if today.day > MONTHLY_REPORT_DAYS:
            return 0
        month = shift_month(month_key(today), -1)
        year, mon = (int(x) for x in month.split("-"))
        queued = 0
        async with self.store.transaction() as tx:
            for branch in await tx.list_branches():
                secretaries = await tx.officers(branch.id, "secretary")
                if not secretaries or not await tx.claim_job(
                        f"monthly_report:{branch.id}:{month}", now, now, "ran"):
                    continue
                report = await collect_report(tx, branch, year, mon, self.tz, now,
                                              ("system", "monthly report"))
                button = PushButton(lambda locale: t(locale, "report.button"), f"报表 {month}")
                render = functools.partial(summary, report)
                for secretary in secretaries:
                    queued += await push(
                        tx, secretary, render,
                        key=f"monthly_report:{branch.id}:{month}:{secretary.id}",
                        kind="monthly_report", now=now, default_locale=self.locale,
                        buttons=(button,))
        return queued


def _draw(report: MonthReport) -> tuple[bytes, bytes]:
    """The workbook and the chart, as bytes (CPU work: run in a worker thread)."""
    workbook, chart = io.BytesIO(), io.BytesIO()
    write_xlsx(report, workbook)
    write_chart(report, chart)
    return workbook.getvalue(), chart.getvalue()


INTENTS = {Intent.REPORT: handle_report}
