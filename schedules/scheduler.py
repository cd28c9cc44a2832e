"""APScheduler inside `zhibu run`: jobs derived from the database, caught up after downtime.

No persistent job store: jobs are planned from the branches' rules at start-up and whenever
a rule changes (one job id per branch and kind, replaced on change). What a job did is
recorded in job_runs inside the same transaction as its pushes, so a job that fires twice,
or fires again after a restart, does nothing the second time.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.core.clock import Clock
from handlers.activities.jobs import ActivityJobs
from handlers.calendar import Calendar, calendar_of
from handlers.care.jobs import CareJobs
from handlers.delivery.jobs import DeliveryJobs
from handlers.officers.reports import ReportJobs
from handlers.pairs.jobs import PairJobs
from handlers.submissions.jobs import SubmissionJobs
from schedules.jobs import StudyJobs
from schedules.plan import SESSION_KINDS, Occurrence, next_occurrence, occurrences
from storage import Store
from storage.models import Branch

log = logging.getLogger(__name__)

DEFAULT_GRACE = timedelta(hours=6)
LOOKBACK = timedelta(days=7)  # how far back a restart looks for missed occurrences
ESCALATION_EVERY = timedelta(minutes=10)
DAILY_AT = (8, 0)  # holiday and birthday visits; the month's material; last month's report
# Each handled message is kept with its reply, so a redelivery gets the same answer and no
# second effect. Telegram redelivers within a day and WeChat within seconds; the replies can
# hold a hospital read-back or a binding code, so they are not kept longer than needed.
REPLIES_KEPT = timedelta(days=30)
Periodic = Callable[[], Awaitable[int]]


class Settings(Protocol):
    """The configuration the jobs read."""

    @property
    def timezone(self) -> ZoneInfo: ...

    @property
    def locale(self) -> str: ...


class Runtime(Protocol):
    """What the scheduler needs of the running service (bot.app.App has it): the shell
    hands it in, so schedules/ does not import the shell."""

    @property
    def config(self) -> Settings: ...

    @property
    def store(self) -> Store: ...

    @property
    def clock(self) -> Clock: ...


@dataclass
class Scheduler:
    """Plans, fires and catches up the study-day occurrences and the periodic care jobs."""

    app: Runtime
    grace: timedelta = DEFAULT_GRACE
    extra_daily: dict[str, Periodic] = field(default_factory=dict)
    _aps: AsyncIOScheduler | None = None

    @property
    def study(self) -> StudyJobs:
        """The study-day jobs."""
        return StudyJobs(self.app.config.timezone, self.app.config.locale)

    @property
    def care(self) -> CareJobs:
        """The care jobs (escalation, holidays, birthdays)."""
        cfg = self.app.config
        return CareJobs(self.app.store, self.app.clock, cfg.timezone, cfg.locale)

    @property
    def materials(self) -> DeliveryJobs:
        """The study-day material broadcast."""
        cfg = self.app.config
        return DeliveryJobs(self.app.store, self.app.clock, cfg.timezone, cfg.locale)

    @property
    def reports(self) -> ReportJobs:
        """Last month's summary to the secretaries, early each month."""
        cfg = self.app.config
        return ReportJobs(self.app.store, self.app.clock, cfg.timezone, cfg.locale)

    @property
    def branch_life(self) -> tuple[ActivityJobs, PairJobs, SubmissionJobs]:
        """Activities' day-before reminders, silent pairs' nudges, the monthly digest."""
        cfg = self.app.config
        args = (self.app.store, self.app.clock, cfg.timezone, cfg.locale)
        return ActivityJobs(*args), PairJobs(*args), SubmissionJobs(*args)

    async def start(self) -> None:
        """Catch up, then arm every job (needs the running event loop)."""
        self._aps = AsyncIOScheduler(timezone=self.app.config.timezone)
        self._aps.start()
        await self.catch_up()
        await self.sync()
        await self._periodic("daily")  # idempotent: covers a day whose 08:00 run was missed
        self._aps.add_job(self._periodic, IntervalTrigger(seconds=ESCALATION_EVERY.seconds),
                          args=["escalations"], id="care:escalations", replace_existing=True,
                          coalesce=True, misfire_grace_time=int(self.grace.total_seconds()))
        self._aps.add_job(self._periodic, CronTrigger(hour=DAILY_AT[0], minute=DAILY_AT[1],
                                                      timezone=self.app.config.timezone),
                          args=["daily"], id="care:daily", replace_existing=True, coalesce=True,
                          misfire_grace_time=int(self.grace.total_seconds()))

    async def stop(self) -> None:
        """Stop firing (running jobs finish their transaction)."""
        if self._aps is not None and self._aps.running:
            self._aps.shutdown(wait=False)

    def job_ids(self) -> list[str]:
        """The ids of the armed jobs (deterministic)."""
        return sorted(job.id for job in self._aps.get_jobs()) if self._aps else []

    async def sync(self) -> None:
        """Arm the next occurrence of each kind for each branch with a rule (replace on change)."""
        now = self.app.clock.now()
        for branch, calendar in await self._calendars(now):
            for kind in SESSION_KINDS:
                job_id = f"branch:{branch.id}:{kind}"
                try:
                    occurrence = next_occurrence(branch, calendar, kind, now,
                                                 self.app.config.timezone)
                except ValueError:  # no meeting ahead (no rule, one-offs all past)
                    self._remove(job_id)
                    continue
                self._arm(occurrence)

    async def _calendars(self, now: datetime) -> list[tuple[Branch, Calendar]]:
        """Every branch with its meetings (rules of each kind, one-offs, moved days)."""
        async with self.app.store.transaction() as tx:
            return [(branch, await calendar_of(tx, branch, around=now))
                    for branch in await tx.list_branches()]

    def _arm(self, occurrence: Occurrence) -> None:
        if self._aps is None:
            return
        self._aps.add_job(self._fire, DateTrigger(run_date=occurrence.fire_at),
                          args=[occurrence], id=occurrence.job_id, replace_existing=True,
                          misfire_grace_time=int(self.grace.total_seconds()))

    def _remove(self, job_id: str) -> None:
        if self._aps is not None and self._aps.get_job(job_id):
            self._aps.remove_job(job_id)

    async def _fire(self, occurrence: Occurrence) -> None:
        """An occurrence is due: run it (once), then arm the next one of its kind."""
        try:
            await self.run(occurrence)
        except Exception:  # boundary: a failed job is logged and retried by the next catch-up
            log.exception("job %s failed", occurrence.key)
        await self.sync()

    async def run(self, occurrence: Occurrence) -> bool:
        """Run an occurrence unless it ran (or was skipped) before; True if it ran now."""
        now = self.app.clock.now()
        async with self.app.store.transaction() as tx:
            if not await tx.claim_job(occurrence.key, occurrence.fire_at, now, "ran"):
                return False
            queued = await self.study.run(tx, occurrence, now)
        log.info("ran %s (%d pushes queued)", occurrence.key, queued)
        return True

    async def catch_up(self) -> tuple[int, int]:
        """After downtime: run what fell due within the grace period, record the rest skipped."""
        now = self.app.clock.now()
        ran = skipped = 0
        for branch, calendar in await self._calendars(now):
            if not calendar:
                continue
            due = occurrences(branch, calendar, now - LOOKBACK, now + timedelta(microseconds=1),
                              self.app.config.timezone)
            for occurrence in due:
                if now - occurrence.fire_at <= self.grace:
                    ran += await self.run(occurrence)
                elif await self._skip(occurrence, now):
                    skipped += 1
        return ran, skipped

    async def _skip(self, occurrence: Occurrence, now: datetime) -> bool:
        async with self.app.store.transaction() as tx:
            fresh = await tx.claim_job(occurrence.key, occurrence.fire_at, now, "skipped")
        if fresh:
            late = now - occurrence.fire_at
            log.warning("skipped %s: due %s ago, beyond the %s grace period",
                        occurrence.key, late, self.grace)
        return fresh

    async def forget_old_replies(self) -> int:
        """Drop handled-message records older than REPLIES_KEPT (the daily run does this)."""
        before = self.app.clock.now() - REPLIES_KEPT
        async with self.app.store.transaction() as tx:
            dropped = await tx.forget_processed(before)
        if dropped:
            log.info("forgot %d handled messages older than %s", dropped, REPLIES_KEPT)
        return dropped

    async def _periodic(self, which: str) -> None:
        try:
            if which == "escalations":
                await self.care.send_escalations()
                # an activity's day-before reminder (the outbox holds it through quiet hours)
                await self.branch_life[0].remind_day_before()
                # meetings added in chat (开会, 改期) and rules set from the command line while
                # running are armed within ten minutes; catch_up runs what fell due meanwhile
                await self.catch_up()
                await self.sync()
                return
            await self.care.create_holiday_visits()
            await self.care.create_birthday_visits()
            await self.materials.send_study_day_materials()
            await self.reports.send_monthly_reports()
            _, pairs, digests = self.branch_life
            await pairs.nudge_silent_pairs()
            await digests.send_monthly_digests()
            await self.forget_old_replies()
            for name, job in self.extra_daily.items():
                log.info("daily job %s: %d", name, await job())
        except Exception:  # boundary: logged; the next run retries (every step is idempotent)
            log.exception("periodic job %s failed", which)
