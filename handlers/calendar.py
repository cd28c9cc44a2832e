"""A branch's meetings (三会一课): the study-day rule, a rule per other kind, the meetings an
officer added once, and study days moved to another day.

A `Calendar` answers what a single rule answers (the instants in a span, the next one after
an instant), so the scheduler, 签到, 出勤 and the reports read every kind of meeting the way
they read the study day; `kind_at` says which kind an instant is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core.rules import StudyDayRule
from bot.understanding import normalize
from handlers.sessions import _parsed_rule, branch_rule
from storage import Tx
from storage.models import Branch, Member

# The kinds, in the order they are offered, with the words that name them.
KINDS: dict[str, str] = {"study": "学习日", "committee": "支委会", "general": "党员大会",
                         "group": "党小组会", "lecture": "党课"}
_NAMES: dict[str, str] = {
    "学习日": "study", "主题党日": "study", "学习": "study",
    "支委会": "committee", "支部委员会": "committee", "支委": "committee",
    "党员大会": "general", "支部党员大会": "general", "大会": "general",
    "党小组会": "group", "小组会": "group", "党小组": "group",
    "党课": "lecture", "讲党课": "lecture",
    "study": "study", "committee": "committee", "general": "general", "group": "group",
    "lecture": "lecture",
}
_LONGEST_FIRST = tuple(sorted((n for n in _NAMES if len(n) >= 2), key=len, reverse=True))
_FAR = timedelta(days=800)  # no rule leaves more than this between two meetings


def parse_kind(text: str) -> str | None:
    """The kind a word names (党课, 支部委员会, 小组会…), None when it names none."""
    return _NAMES.get(normalize(text).strip())


def kind_in(text: str) -> tuple[str | None, str]:
    """A kind named at the start of some words, and the words after it."""
    first, _, rest = text.strip().partition(" ")
    kind = parse_kind(first)
    if kind is not None:
        return kind, rest.strip()
    said = normalize(text)
    for name in _LONGEST_FIRST:
        if said.startswith(name):
            return _NAMES[name], text.strip()[len(name):].strip()
    return None, text.strip()


def kind_words(kind: str) -> str:
    """学习日 / 支委会 / 党员大会 / 党小组会 / 党课."""
    return KINDS.get(kind, kind)


@dataclass(frozen=True)
class Meeting:
    """One meeting on the calendar: when, which kind, where, about what."""

    starts_at: datetime
    kind: str
    place: str | None
    topic: str | None = None


@dataclass
class Calendar:
    """Every meeting of one branch; empty when it has no rule and added nothing."""

    branch: Branch
    rules: list[tuple[str, StudyDayRule, str | None]] = field(default_factory=list)
    added: list[Meeting] = field(default_factory=list)  # one-off meetings
    moved: set[datetime] = field(default_factory=set)  # ruled instants moved away

    def __bool__(self) -> bool:
        return bool(self.rules or self.added)

    def meetings_between(self, start: datetime, end: datetime, tz: ZoneInfo) -> list[Meeting]:
        """The meetings starting in [start, end), in time order."""
        found = {m.starts_at: m for m in self.added if start <= m.starts_at < end}
        for kind, rule, place in self.rules:
            for at in rule.sessions_between(start, end, tz):
                if at not in self.moved and at not in found:
                    found[at] = Meeting(at, kind, place)
        return [found[at] for at in sorted(found)]

    def sessions_between(self, start: datetime, end: datetime, tz: ZoneInfo) -> list[datetime]:
        """The instants of the meetings in [start, end) (what a rule answers)."""
        return [m.starts_at for m in self.meetings_between(start, end, tz)]

    def next_session(self, after: datetime, tz: ZoneInfo) -> datetime:
        """The first meeting strictly after an instant (what a rule answers)."""
        meeting = self.next_meeting(after, tz)
        if meeting is None:
            raise ValueError("this branch has no meeting ahead")
        return meeting.starts_at

    def next_meeting(self, after: datetime, tz: ZoneInfo) -> Meeting | None:
        """The first meeting strictly after an instant, if any."""
        candidates = [m for m in self.added if m.starts_at > after]
        for kind, rule, place in self.rules:
            at = rule.next_session(after, tz)
            while at in self.moved:
                at = rule.next_session(at, tz)
            candidates.append(Meeting(at, kind, place))
        return min(candidates, key=lambda m: m.starts_at) if candidates else None

    def meeting_at(self, at: datetime, tz: ZoneInfo) -> Meeting | None:
        """The meeting starting at that instant, if there is one."""
        found = self.meetings_between(at, at + timedelta(microseconds=1), tz)
        return found[0] if found else None

    def today(self, now: datetime, tz: ZoneInfo) -> list[Meeting]:
        """The meetings of the local day of `now` (every 签到 asks this: a rule is asked for
        its one meeting of this month, not walked over a span of months)."""
        day = now.astimezone(tz).date()
        found = {m.starts_at: m for m in self.added if m.starts_at.astimezone(tz).date() == day}
        for kind, rule, place in self.rules:
            at = rule.session_in_month(day.year, day.month, tz)
            if at.date() == day and at not in self.moved and at not in found:
                found[at] = Meeting(at, kind, place)
        return [found[at] for at in sorted(found)]


async def calendar_of(tx: Tx, branch: Branch, *, around: datetime | None = None) -> Calendar:
    """A branch's calendar: its rules, and its one-off and moved meetings (within _FAR of
    `around`, or all of them)."""
    calendar = Calendar(branch)
    study = branch_rule(branch)
    if study is not None:
        calendar.rules.append(("study", study, branch.study_place))
    start = around - _FAR if around else datetime(1970, 1, 1, tzinfo=ZoneInfo("UTC"))
    end = around + _FAR if around else datetime(9999, 1, 1, tzinfo=ZoneInfo("UTC"))
    rules, stored_sessions = await tx.calendar_rows(branch.id, start, end)
    for stored in rules:
        rule = _parsed_rule(stored.rule)
        if rule is not None:
            calendar.rules.append((stored.kind, rule, stored.place))
    for session in stored_sessions:
        if session.moved_to is not None:
            calendar.moved.add(session.starts_at)
        elif session.one_off:
            calendar.added.append(Meeting(session.starts_at, session.kind, session.place,
                                          session.topic))
    return calendar


def expected_for(kind: str, belonged: list[Member]) -> list[Member]:
    """应到 of a meeting from who belonged to the branch then: the branch committee (支委会)
    is its officers; every other kind, everyone."""
    if kind == "committee":
        return [m for m in belonged if m.role == "secretary"]
    return belonged
