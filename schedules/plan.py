"""When each scheduled occurrence of a branch falls: pure functions over rules and times."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from storage.models import Branch


class Rule(Protocol):
    """What occurrences are planned from: a study-day rule, or a branch's whole calendar."""

    def sessions_between(self, start: datetime, end: datetime, tz: ZoneInfo) -> list[datetime]:
        """The meetings' instants in [start, end)."""

    def next_session(self, after: datetime, tz: ZoneInfo) -> datetime:
        """The first meeting strictly after `after` (ValueError: none)."""

REMIND_EARLY = "remind_early"
REMIND_DAY = "remind_day"
ABSENTEES = "absentees"
SESSION_KINDS = (REMIND_EARLY, REMIND_DAY, ABSENTEES)


@dataclass(frozen=True)
class Occurrence:
    """One scheduled thing for one session of one branch."""

    kind: str
    branch_id: int
    session_start: datetime
    fire_at: datetime

    @property
    def key(self) -> str:
        """Unique per occurrence: the record that it ran, and the base of its pushes' keys."""
        return f"{self.kind}:{self.branch_id}:{self.session_start.isoformat()}"

    @property
    def job_id(self) -> str:
        """Stable per branch and kind: rescheduling replaces, never adds."""
        return f"branch:{self.branch_id}:{self.kind}"


def fire_time(kind: str, branch: Branch, session_start: datetime, tz: ZoneInfo) -> datetime:
    """When an occurrence of `kind` fires for a session (in the branch's zone)."""
    local = session_start.astimezone(tz)
    if kind == REMIND_EARLY:
        hour, minute = (int(x) for x in branch.remind_early_at.split(":"))
        day = local.date() - timedelta(days=branch.remind_days_before)
        return datetime.combine(day, time(hour, minute), tzinfo=tz)
    if kind == REMIND_DAY:
        return local - timedelta(minutes=branch.remind_minutes_before)
    if kind == ABSENTEES:
        return local + timedelta(minutes=branch.absentees_after_minutes)
    raise ValueError(f"unknown occurrence kind {kind!r}")


def occurrences(
    branch: Branch, rule: Rule, start: datetime, end: datetime, tz: ZoneInfo
) -> list[Occurrence]:
    """Every occurrence of a branch firing in [start, end), in firing order."""
    lead = timedelta(days=branch.remind_days_before + 2)
    lag = timedelta(minutes=branch.absentees_after_minutes + 60)
    found = [
        Occurrence(kind, branch.id, session, fire_time(kind, branch, session, tz))
        for session in rule.sessions_between(start - lag, end + lead, tz)
        for kind in SESSION_KINDS
    ]
    return sorted((o for o in found if start <= o.fire_at < end), key=lambda o: o.fire_at)


def next_occurrence(
    branch: Branch, rule: Rule, kind: str, after: datetime, tz: ZoneInfo
) -> Occurrence:
    """The first occurrence of `kind` firing strictly after an instant."""
    session = rule.next_session(after - timedelta(days=branch.remind_days_before + 2), tz)
    while True:
        fire = fire_time(kind, branch, session, tz)
        if fire > after:
            return Occurrence(kind, branch.id, session, fire)
        session = rule.next_session(session, tz)
