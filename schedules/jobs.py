"""What the study-day occurrences do: reminders, the absentee list, welfare checks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.i18n import format_date, format_when, t
from handlers.calendar import calendar_of, expected_for, kind_words
from handlers.notify import push, reachable
from handlers.sessions import expected_at
from schedules.plan import ABSENTEES, Occurrence
from storage import Tx
from storage.models import Branch, Member, StudySession


@dataclass(frozen=True)
class StudyJobs:
    """Study-day jobs, each inside the caller's transaction, each push once per key."""

    tz: ZoneInfo
    locale: str

    async def run(self, tx: Tx, occurrence: Occurrence, now: datetime) -> int:
        """Do one occurrence; returns the number of pushes queued."""
        branch = await tx.get_branch(occurrence.branch_id)
        if branch is None:
            return 0
        start = occurrence.session_start
        meeting = (await calendar_of(tx, branch, around=start)).meeting_at(start, self.tz)
        if meeting is None:  # moved (改期) or its rule changed since it was planned
            return 0
        session = await tx.ensure_session(branch.id, start, meeting.place or branch.study_place,
                                          meeting.kind)
        if occurrence.kind == ABSENTEES:
            return await self._absentees(tx, branch, session, occurrence, now)
        return await self._remind(tx, branch, session, occurrence, now)

    async def _remind(self, tx: Tx, branch: Branch, session: StudySession,
                      occurrence: Occurrence, now: datetime) -> int:
        queued = 0
        unreachable: list[str] = []
        start = session.starts_at.astimezone(self.tz)
        for member in expected_for(session.kind, await tx.branch_members(branch.id)):
            if not await reachable(tx, member):
                unreachable.append(member.name)
                continue
            leave = await tx.get_leave(session.id, member.id)
            if leave is not None:
                def render(locale: str) -> str:
                    if session.kind != "study":
                        return t(locale, "remind.meeting_on_leave", kind=kind_words(session.kind),
                                 date=format_date(locale, start))
                    return t(locale, "remind.on_leave", date=format_date(locale, start))
            else:
                def render(locale: str) -> str:
                    topic = t(locale, "remind.topic", topic=session.topic) if session.topic else ""
                    place = session.place or branch.study_place or t(locale, "remind.place_unknown")
                    key = "remind.session" if session.kind == "study" else "remind.meeting"
                    return t(locale, key, when=format_when(locale, start), place=place,
                             topic=topic, kind=kind_words(session.kind))
            queued += await push(tx, member, render, key=f"{occurrence.key}:{member.id}",
                                 kind="reminder", now=now, default_locale=self.locale)
        if unreachable:
            queued += await self._to_secretaries(
                tx, branch, occurrence, now, "remind.phone_list", start, unreachable)
        return queued

    async def _absentees(self, tx: Tx, branch: Branch, session: StudySession,
                         occurrence: Occurrence, now: datetime) -> int:
        belonged = await expected_at(tx, branch.id, session, self.tz)
        report = await tx.attendance(session, expected_for(session.kind, belonged))
        if not report.absent:
            return 0
        start = session.starts_at.astimezone(self.tz)
        queued = await self._to_secretaries(tx, branch, occurrence, now, "remind.absentees",
                                            start, [m.name for m in report.absent])
        for member in report.absent:
            queued += await self._welfare_check(tx, member, occurrence, now)
        return queued

    async def _welfare_check(self, tx: Tx, member: Member, occurrence: Occurrence,
                             now: datetime) -> int:
        """A member who lives alone and missed the study day: their pair partner looks in."""
        if not member.lives_alone or member.pair_member_id is None:
            return 0
        partner = await tx.get_member(member.pair_member_id)
        if partner is None:
            return 0
        return int(await push(tx, partner, lambda locale: t(locale, "remind.welfare",
                                                            name=member.name),
                              key=f"{occurrence.key}:welfare:{member.id}", kind="welfare",
                              now=now, default_locale=self.locale))

    async def _to_secretaries(self, tx: Tx, branch: Branch, occurrence: Occurrence,
                              now: datetime, key: str, start: datetime, names: list[str]) -> int:
        queued = 0
        for secretary in await tx.officers(branch.id, "secretary"):
            queued += await push(
                tx, secretary,
                lambda locale: t(locale, key, date=format_date(locale, start),
                                 names="、".join(names)),
                key=f"{occurrence.key}:{key}:{secretary.id}", kind="secretary_list", now=now,
                default_locale=self.locale)
        return queued
