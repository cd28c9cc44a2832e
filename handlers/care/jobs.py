"""Scheduled care work: escalating tasks nobody acted on, holiday and birthday visits.

Each function is safe to run as often as the scheduler likes: every step is recorded (the
task's escalation level, the tasks' dedupe keys, the pushes' idempotency keys), so a rerun or
a restart neither repeats nor skips one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from lunardate import LunarDate

from bot.core.clock import Clock
from bot.core.i18n import format_date, t
from bot.roster.parse import Birthday, parse_birthday
from handlers.care.alerts import alert_officers
from handlers.notify import push
from storage import Store, Tx
from storage.models import Branch, Member
from storage.repo_care import VisitTask

REALERT_AFTER = timedelta(hours=24)
HOLIDAY_LEAD = timedelta(days=7)
BIRTHDAY_LEAD = timedelta(days=7)
MILESTONE_FROM = 80
# (name, lunar month, lunar day): the festivals the seeds' 重大节日必访 names.
FESTIVALS = (("春节", 1, 1), ("中秋", 8, 15), ("重阳", 9, 9))


@dataclass(frozen=True)
class CareJobs:
    """What the care jobs need: the store, the clock, the zone and the default language."""

    store: Store
    clock: Clock
    tz: ZoneInfo
    locale: str

    async def send_escalations(self) -> int:
        """Re-alert after 24 h untaken, instructors when overdue, admins at twice the time."""
        now = self.clock.now()
        steps = 0
        async with self.store.transaction() as tx:
            for task in await tx.tasks(None):
                steps += await self._escalate(tx, task, now)
        return steps

    async def _escalate(self, tx: Tx, task: VisitTask, now: datetime) -> int:
        steps = 0
        plan = (
            (1, task.status == "open" and now >= task.created_at + REALERT_AFTER,
             "secretary", "care.alert.reminder"),
            (2, now >= task.due_at, "instructor", "care.alert.escalated"),
            (3, now >= task.due_at + (task.due_at - task.created_at), "admin",
             "care.alert.escalated"),
        )
        for level, due, role, prefix in plan:
            if due and task.escalation_level < level and await tx.set_escalation(task.id, level):
                await alert_officers(tx, task, role, stage=f"escalate{level}", now=now, tz=self.tz,
                                     default_locale=self.locale, prefix_key=prefix)
                steps += 1
        return steps

    async def create_holiday_visits(self) -> int:
        """Seven days before 春节, 中秋 and 重阳: a visit for each member of the branch's set."""
        now = self.clock.now()
        today = now.astimezone(self.tz).date()
        created = 0
        for name, day in festival_dates(today.year) + festival_dates(today.year + 1):
            if day - HOLIDAY_LEAD <= today < day:
                created += await self._holiday(name, day, now)
        return created

    async def _holiday(self, festival: str, day: date, now: datetime) -> int:
        created = 0
        due = datetime.combine(day, time(0, 0), tzinfo=self.tz)
        async with self.store.transaction() as tx:
            in_hospital = await tx.hospitalised_member_ids()
            for branch in await tx.list_branches():
                chosen = [m for m in await tx.branch_members(branch.id)
                          if holiday_reasons(branch, m, day, in_hospital)]
                new = []
                for member in chosen:
                    details: dict[str, object] = {"festival": festival, "date": day.isoformat()}
                    if await _task_with_event(tx, branch, member, "holiday", now, due, details,
                                              f"holiday:{day}:{member.id}"):
                        new.append(member)
                created += len(new)
                if new:
                    await self._holiday_digest(tx, branch, festival, day, new, now)
        return created

    async def _holiday_digest(self, tx: Tx, branch: Branch, festival: str, day: date,
                              members: list[Member], now: datetime) -> None:
        names = "、".join(m.name for m in members)
        moment = datetime.combine(day, time(), tzinfo=self.tz)
        for officer in await tx.officers(branch.id, "secretary"):
            await push(tx, officer,
                       lambda locale: t(locale, "care.alert.holiday", festival=festival,
                                        date=format_date(locale, moment), names=names),
                       key=f"holiday:{day}:{branch.id}:{officer.id}", kind="care_alert",
                       now=now, default_locale=self.locale)

    async def create_birthday_visits(self) -> int:
        """A week before an 80th, 85th, 90th … birthday (solar or lunar): a greeting visit."""
        now = self.clock.now()
        today = now.astimezone(self.tz).date()
        created = 0
        async with self.store.transaction() as tx:
            for branch in await tx.list_branches():
                for member in await tx.branch_members(branch.id):
                    created += await self._birthday(tx, branch, member, today, now)
        return created

    async def _birthday(self, tx: Tx, branch: Branch, member: Member, today: date,
                        now: datetime) -> int:
        birthday = _birthday_of(member)
        upcoming = birthday.next_on_or_after(today) if birthday else None
        if birthday is None or upcoming is None or upcoming - today > BIRTHDAY_LEAD:
            return 0
        age = birthday.age_on(upcoming)
        if age is None or age < MILESTONE_FROM or age % 5:
            return 0
        due = datetime.combine(upcoming, time(23, 59), tzinfo=self.tz)
        task = await _task_with_event(tx, branch, member, "birthday", now, due,
                                      {"age": age, "date": upcoming.isoformat()},
                                      f"birthday:{upcoming}:{member.id}")
        if task is None:
            return 0
        await alert_officers(tx, task, "secretary", stage="alert", now=now, tz=self.tz,
                             default_locale=self.locale)
        return 1


async def _task_with_event(
    tx: Tx, branch: Branch, member: Member, kind: str, now: datetime, due: datetime,
    details: dict[str, object], dedupe_key: str,
) -> VisitTask | None:
    """A generated task and its event, once per dedupe key (None when it existed already)."""
    task = await tx.add_visit_task(branch.id, member.id, kind, now, due, dedupe_key=dedupe_key)
    if task is None:
        return None
    event = await tx.add_care_event(member.id, kind, now, reported_by=None, relation=None,
                                    details=details)
    await tx.link_task_event(task.id, event.id)
    return await tx.get_task(task.id)


def festival_dates(year: int) -> list[tuple[str, date]]:
    """The solar dates of 春节, 中秋 and 重阳 in a year (lunardate: no hard-coded dates)."""
    return [(name, LunarDate(year, month, day).to_solar_date()) for name, month, day in FESTIVALS]


def _birthday_of(member: Member) -> Birthday | None:
    try:
        return parse_birthday(member.birthday) if member.birthday else None
    except ValueError:
        return None


def holiday_reasons(branch: Branch, member: Member, day: date, in_hospital: set[int]) -> list[str]:
    """Why a member is in the branch's holiday-visit set (empty: not in it)."""
    criteria = {c.strip() for c in branch.holiday_criteria.split(",")}
    reasons = []
    if "lives_alone" in criteria and member.lives_alone:
        reasons.append("lives_alone")
    if "needs_home_delivery" in criteria and member.needs_home_delivery:
        reasons.append("needs_home_delivery")
    if "hospitalised" in criteria and member.id in in_hospital:
        reasons.append("hospitalised")
    birthday = _birthday_of(member)
    age = birthday.age_on(day) if birthday else None
    if "age80" in criteria and age is not None and age >= MILESTONE_FROM:
        reasons.append("age80")
    return reasons
