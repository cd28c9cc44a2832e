"""Plain records that storage hands out: no behaviour that touches I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

ROLES = ("member", "secretary", "instructor", "admin")
OFFICER_ROLES = ("secretary", "instructor", "admin")


@dataclass(frozen=True)
class Branch:
    """A party branch (支部)."""

    id: int
    name: str
    study_rule: str | None
    study_place: str | None
    visit_due_days: int
    holiday_criteria: str = "lives_alone,needs_home_delivery,hospitalised,age80"
    remind_days_before: int = 3
    remind_early_at: str = "09:00"
    remind_minutes_before: int = 60
    absentees_after_minutes: int = 180


@dataclass(frozen=True)
class Member:
    """A person on the roster: member, secretary, instructor or admin."""

    id: int
    name: str
    phone: str
    branch_id: int | None
    role: str
    birthday: str | None
    address: str | None
    needs_home_delivery: bool
    lives_alone: bool
    pair_member_id: int | None
    language: str | None
    status: str
    joined_at: datetime | None = None

    @property
    def is_officer(self) -> bool:
        """Secretaries, instructors and admins may use the secretary words."""
        return self.role in OFFICER_ROLES


@dataclass(frozen=True)
class Binding:
    """A chat account (channel, external id) that speaks for a member."""

    channel: str
    external_id: str
    member_id: int
    relation: str | None
    locale: str | None
    last_seen_at: datetime
    unreachable_at: datetime | None = None


@dataclass(frozen=True)
class StudySession:
    """One meeting of a branch: a study day, or another kind of 三会一课."""

    id: int
    branch_id: int
    starts_at: datetime
    place: str | None
    topic: str | None
    kind: str = "study"  # study, committee, general, group, lecture
    one_off: bool = False  # added in chat (开会, 改期), not from a rule
    moved_to: int | None = None  # a study day moved (改期) to this session


@dataclass(frozen=True)
class MeetingRule:
    """A branch's standing rule for a kind of meeting other than the study day."""

    branch_id: int
    kind: str
    rule: str
    place: str | None


@dataclass(frozen=True)
class CheckIn:
    """A member's presence at a study session (possibly recorded by someone else)."""

    session_id: int
    member_id: int
    checked_in_at: datetime
    by_member_id: int | None
    reason: str | None


# The leave reason of a member in hospital on a study day: counted as 请假, never 缺席.
HOSPITAL_LEAVE = "住院"


@dataclass(frozen=True)
class Conversation:
    """Where a multi-step conversation stands."""

    flow: str
    step: str
    data: dict[str, Any] = field(default_factory=dict)
    updated_at: datetime | None = None


@dataclass(frozen=True)
class OutboxRow:
    """A message to push to someone other than the sender."""

    id: int
    idempotency_key: str
    member_id: int
    kind: str
    body: str
    buttons: list[dict[str, str]]
    urgent: bool
    state: str
    attempts: int
    not_before: datetime
    last_error: str | None
    channel: str | None
    ref_key: str | None = None


@dataclass(frozen=True)
class Attendance:
    """Who was expected at a session and what became of each."""

    session: StudySession
    expected: list[Member]
    present: list[tuple[Member, CheckIn]]
    on_leave: list[tuple[Member, str]]
    absent: list[Member]
