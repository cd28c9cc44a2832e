"""Activities, sign-ups, attendance and volunteer hours (issue #17, item 2).

An activity invites the members of its branches (activity_branches), or only a group's
members when group_id is set. Every question the chat asks often — what is open to me, who
is to be reminded tomorrow, what can I check in to now — is one query on an index
(activities_starts, activity_signups_member), so it stays cheap when nothing is due.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.repo_base import RepoBase, Row
from storage.timefmt import parse_ts, ts

KINDS = ("interest", "volunteer", "visit", "lecture", "phone", "other")
STATES = ("signed", "waiting", "cancelled")

_COLS = ("a.id, a.branch_id, a.kind, a.title, a.starts_at, a.place, a.capacity, a.group_id, "
         "a.organiser_id, a.status, a.month, g.name AS group_name")
_FROM = "FROM activities a LEFT JOIN interest_groups g ON g.id = a.group_id "
# Invited: a member of one of its branches, or of its group when it has one.
_INVITED = ("(CASE WHEN a.group_id IS NULL THEN EXISTS (SELECT 1 FROM activity_branches ab "
            "WHERE ab.activity_id = a.id AND ab.branch_id = ?) ELSE EXISTS (SELECT 1 FROM "
            "group_members gm WHERE gm.group_id = a.group_id AND gm.member_id = ?) END)")


@dataclass(frozen=True)
class Activity:
    """One activity: what, when, where, how many places, for whom, organised by whom."""

    id: int
    branch_id: int
    kind: str
    title: str
    starts_at: datetime
    place: str | None
    capacity: int | None
    group_id: int | None
    organiser_id: int | None
    status: str
    month: str
    group_name: str | None = None


@dataclass(frozen=True)
class MyActivity:
    """An activity as one member sees it: their sign-up state (None: not signed up), whether
    they checked in, and how many places are taken."""

    activity: Activity
    state: str | None
    signed: int
    checked_in: bool = False

    @property
    def full(self) -> bool:
        """No place left (the waiting list is offered)."""
        capacity = self.activity.capacity
        return capacity is not None and self.signed >= capacity


@dataclass(frozen=True)
class ActivityCounts:
    """Sign-ups and attendance of one activity (for the organiser and `zhibu activity list`)."""

    activity: Activity
    signed: int
    waiting: int
    present: int


@dataclass(frozen=True)
class Attendee:
    """Someone present at an activity, with the hours recorded (None: not yet)."""

    member_id: int
    name: str
    hours: float | None


def _activity(row: Row) -> Activity:
    return Activity(
        id=int(row["id"]), branch_id=int(row["branch_id"]), kind=str(row["kind"]),
        title=str(row["title"]), starts_at=parse_ts(row["starts_at"]), place=row["place"],
        capacity=row["capacity"], group_id=row["group_id"], organiser_id=row["organiser_id"],
        status=str(row["status"]), month=str(row["month"]), group_name=row["group_name"])


class ActivityRepo(RepoBase):
    """Activities, sign-ups, attendance and hours."""

    # -- activities ----------------------------------------------------------------------
    async def add_activity(
        self, *, branch_id: int, kind: str, title: str, starts_at: datetime,
        place: str | None, capacity: int | None, group_id: int | None,
        organiser_id: int | None, branch_ids: list[int], month: str, now: datetime,
    ) -> Activity:
        """Store an activity and the branches it invites (the organiser's branch when none)."""
        new_id = await self._insert(
            "INSERT INTO activities (branch_id, kind, title, starts_at, place, capacity, "
            "group_id, organiser_id, month, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (branch_id, kind, title, ts(starts_at), place, capacity, group_id, organiser_id,
             month, ts(now)))
        for invited in dict.fromkeys(branch_ids or [branch_id]):
            await self._run(
                "INSERT INTO activity_branches (activity_id, branch_id) VALUES (?, ?)",
                (new_id, invited))
        found = await self.get_activity(new_id)
        assert found is not None
        return found

    async def get_activity(self, activity_id: int) -> Activity | None:
        """An activity by id (whatever its status)."""
        row = await self._one(f"SELECT {_COLS} {_FROM}WHERE a.id = ?", (activity_id,))
        return _activity(row) if row else None

    async def activity_branch_ids(self, activity_id: int) -> list[int]:
        """The branches an activity invites."""
        rows = await self._all(
            "SELECT branch_id FROM activity_branches WHERE activity_id = ? ORDER BY branch_id",
            (activity_id,))
        return [int(r["branch_id"]) for r in rows]

    async def is_invited(self, activity_id: int, member_id: int, branch_id: int | None) -> bool:
        """Whether a member (of that branch) is among an activity's invitees."""
        row = await self._one(
            f"SELECT 1 AS yes FROM activities a WHERE a.id = ? AND {_INVITED}",
            (activity_id, branch_id or 0, member_id))
        return row is not None

    async def activities_for(self, member_id: int, branch_id: int | None,
                             after: datetime) -> list[MyActivity]:
        """Open activities starting after an instant that invite the member (or that they
        signed up for), soonest first, with their sign-up state and places taken."""
        rows = await self._all(
            f"SELECT {_COLS}, s.state, (SELECT COUNT(*) FROM activity_signups c "
            "WHERE c.activity_id = a.id AND c.state = 'signed') AS signed "
            f"{_FROM}LEFT JOIN activity_signups s ON s.activity_id = a.id AND s.member_id = ? "
            f"WHERE a.starts_at > ? AND a.status = 'open' AND (s.state IN ('signed', 'waiting') "
            f"OR {_INVITED}) ORDER BY a.starts_at, a.id",
            (member_id, ts(after), branch_id or 0, member_id))
        return [MyActivity(_activity(r), r["state"], int(r["signed"])) for r in rows]

    async def checkin_activities(self, member_id: int, branch_id: int | None,
                                 start: datetime, end: datetime) -> list[MyActivity]:
        """Open activities starting in [start, end] that invite the member, with whether
        they checked in already: the one extra query of a 签到."""
        rows = await self._all(
            f"SELECT {_COLS}, t.checked_in_at {_FROM}LEFT JOIN activity_attendance t "
            "ON t.activity_id = a.id AND t.member_id = ? "
            f"WHERE a.starts_at >= ? AND a.starts_at <= ? AND a.status = 'open' AND {_INVITED} "
            "ORDER BY a.starts_at, a.id",
            (member_id, ts(start), ts(end), branch_id or 0, member_id))
        return [MyActivity(_activity(r), None, 0, r["checked_in_at"] is not None)
                for r in rows]

    async def started_activities(self, organiser_id: int, branch_ids: list[int] | None,
                                 now: datetime, limit: int = 20) -> list[Activity]:
        """Open activities that have started, latest first: those the officer organised and
        those of the branches they look after (None: every branch)."""
        params: list[object] = [ts(now)]
        if branch_ids is None:
            where = ""
        else:
            marks = ", ".join("?" for _ in branch_ids) or "NULL"
            where = f"AND (a.organiser_id = ? OR a.branch_id IN ({marks})) "
            params += [organiser_id, *branch_ids]
        rows = await self._all(
            f"SELECT {_COLS} {_FROM}WHERE a.starts_at <= ? AND a.status = 'open' {where}"
            "ORDER BY a.starts_at DESC, a.id DESC LIMIT ?", [*params, limit])
        return [_activity(r) for r in rows]

    async def activity_counts(self, branch_id: int | None, after: datetime, *,
                              organiser_id: int | None = None,
                              limit: int = 50) -> list[ActivityCounts]:
        """Open activities starting after an instant (of one branch, organised or invited;
        or one organiser's), soonest first, with sign-ups and attendance."""
        where, params = "", list[object]([ts(after)])
        if branch_id is not None:
            where = ("AND (a.branch_id = ? OR EXISTS (SELECT 1 FROM activity_branches ab "
                     "WHERE ab.activity_id = a.id AND ab.branch_id = ?)) ")
            params += [branch_id, branch_id]
        if organiser_id is not None:
            where += "AND a.organiser_id = ? "
            params.append(organiser_id)
        rows = await self._all(
            f"SELECT {_COLS}, "
            "(SELECT COUNT(*) FROM activity_signups s WHERE s.activity_id = a.id "
            " AND s.state = 'signed') AS signed, "
            "(SELECT COUNT(*) FROM activity_signups s WHERE s.activity_id = a.id "
            " AND s.state = 'waiting') AS waiting, "
            "(SELECT COUNT(*) FROM activity_attendance t WHERE t.activity_id = a.id) AS present "
            f"{_FROM}WHERE a.starts_at > ? AND a.status = 'open' {where}"
            "ORDER BY a.starts_at, a.id LIMIT ?", [*params, limit])
        return [ActivityCounts(_activity(r), int(r["signed"]), int(r["waiting"]),
                               int(r["present"])) for r in rows]

    # -- sign-ups ------------------------------------------------------------------------
    async def signup_state(self, activity_id: int, member_id: int) -> str | None:
        """signed / waiting / cancelled, or None when the member never signed up."""
        row = await self._one(
            "SELECT state FROM activity_signups WHERE activity_id = ? AND member_id = ?",
            (activity_id, member_id))
        return str(row["state"]) if row else None

    async def signed_count(self, activity_id: int) -> int:
        """Places taken."""
        row = await self._one(
            "SELECT COUNT(*) AS n FROM activity_signups WHERE activity_id = ? "
            "AND state = 'signed'", (activity_id,))
        return int(row["n"]) if row else 0

    async def set_signup(self, activity_id: int, member_id: int, state: str,
                         now: datetime) -> bool:
        """Put a member's sign-up in a state; False when it was in that state already (a
        redelivered 确认 changes nothing, and a waiting member keeps their place in line)."""
        changed = await self._run(
            "INSERT INTO activity_signups (activity_id, member_id, state, updated_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (activity_id, member_id) DO UPDATE SET "
            "state = excluded.state, updated_at = excluded.updated_at "
            "WHERE activity_signups.state <> excluded.state",
            (activity_id, member_id, state, ts(now)))
        return changed > 0

    async def first_waiting(self, activity_id: int) -> int | None:
        """The member longest on the waiting list."""
        row = await self._one(
            "SELECT member_id FROM activity_signups WHERE activity_id = ? AND state = 'waiting' "
            "ORDER BY updated_at, member_id LIMIT 1", (activity_id,))
        return int(row["member_id"]) if row else None

    async def reminders_due(self, start: datetime, end: datetime) -> list[tuple[Activity, int]]:
        """(activity, signed member) for every open activity starting in [start, end): one
        query on the starts index, empty and cheap on most ticks."""
        rows = await self._all(
            f"SELECT {_COLS}, s.member_id {_FROM}JOIN activity_signups s "
            "ON s.activity_id = a.id AND s.state = 'signed' "
            "WHERE a.starts_at >= ? AND a.starts_at < ? AND a.status = 'open' "
            "ORDER BY a.starts_at, a.id, s.member_id", (ts(start), ts(end)))
        return [(_activity(r), int(r["member_id"])) for r in rows]

    # -- attendance and hours ------------------------------------------------------------
    async def add_attendance(self, activity_id: int, member_id: int, branch_id: int | None,
                             now: datetime, by_member_id: int | None = None) -> bool:
        """Record someone present (签到, once); False when they were already."""
        changed = await self._run(
            "INSERT INTO activity_attendance (activity_id, member_id, branch_id, checked_in_at, "
            "by_member_id) VALUES (?, ?, ?, ?, ?) ON CONFLICT (activity_id, member_id) "
            "DO NOTHING", (activity_id, member_id, branch_id, ts(now), by_member_id))
        return changed > 0

    async def attendance_at(self, activity_id: int, member_id: int) -> datetime | None:
        """When a member checked in at an activity (None: not present)."""
        row = await self._one(
            "SELECT checked_in_at FROM activity_attendance WHERE activity_id = ? "
            "AND member_id = ?", (activity_id, member_id))
        return parse_ts(row["checked_in_at"]) if row else None

    async def attendees(self, activity_id: int) -> list[Attendee]:
        """Everyone present at an activity, in the order they arrived."""
        rows = await self._all(
            "SELECT t.member_id, m.name, t.hours FROM activity_attendance t "
            "JOIN members m ON m.id = t.member_id WHERE t.activity_id = ? "
            "ORDER BY t.checked_in_at, t.member_id", (activity_id,))
        return [Attendee(int(r["member_id"]), str(r["name"]),
                         float(r["hours"]) if r["hours"] is not None else None) for r in rows]

    async def set_hours(self, activity_id: int, member_id: int, branch_id: int | None,
                        hours: float, now: datetime, by_member_id: int | None) -> None:
        """Record a person's hours at an activity (present from now on if they were not)."""
        await self._run(
            "INSERT INTO activity_attendance (activity_id, member_id, branch_id, checked_in_at, "
            "by_member_id, hours) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (activity_id, member_id) "
            "DO UPDATE SET hours = excluded.hours",
            (activity_id, member_id, branch_id, ts(now), by_member_id, hours))
