"""Care events (五必访) and the visit tasks they create."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage.repo_base import RepoBase, Row
from storage.timefmt import parse_ts, ts

OPEN_STATES = ("open", "taken")


@dataclass(frozen=True)
class CareEvent:
    """Something that happened to a member (hospitalisation, hardship, …)."""

    id: int
    member_id: int
    kind: str
    reported_by: int | None
    reporter_relation: str | None
    details: dict[str, Any]
    created_at: datetime
    closed_at: datetime | None


@dataclass(frozen=True)
class VisitTask:
    """A visit the branch owes a member."""

    id: int
    branch_id: int
    member_id: int
    event_id: int | None
    kind: str
    status: str
    created_at: datetime
    due_at: datetime
    taken_by: int | None
    taken_at: datetime | None
    done_by: int | None
    done_at: datetime | None
    visited_on: str | None
    note: str | None
    escalation_level: int
    photo: str | None = None


def _event(row: Row) -> CareEvent:
    return CareEvent(
        id=row["id"], member_id=row["member_id"], kind=row["kind"],
        reported_by=row["reported_by"], reporter_relation=row["reporter_relation"],
        details=json.loads(row["details"]), created_at=parse_ts(row["created_at"]),
        closed_at=parse_ts(row["closed_at"]) if row["closed_at"] else None,
    )


def _task(row: Row) -> VisitTask:
    return VisitTask(
        id=row["id"], branch_id=row["branch_id"], member_id=row["member_id"],
        event_id=row["event_id"], kind=row["kind"], status=row["status"],
        created_at=parse_ts(row["created_at"]), due_at=parse_ts(row["due_at"]),
        taken_by=row["taken_by"],
        taken_at=parse_ts(row["taken_at"]) if row["taken_at"] else None,
        done_by=row["done_by"],
        done_at=parse_ts(row["done_at"]) if row["done_at"] else None,
        visited_on=row["visited_on"], note=row["note"],
        escalation_level=row["escalation_level"], photo=row["photo"],
    )


class CareRepo(RepoBase):
    """五必访: what happened, and who visited."""

    async def add_care_event(
        self, member_id: int, kind: str, now: datetime, *, reported_by: int | None,
        relation: str | None, details: dict[str, Any],
    ) -> CareEvent:
        """Record an event."""
        row = await self._one(
            "INSERT INTO care_events (member_id, kind, reported_by, reporter_relation, details, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING *",
            (member_id, kind, reported_by, relation, json.dumps(details, ensure_ascii=False),
             ts(now)),
        )
        assert row is not None
        return _event(row)

    async def get_care_event(self, event_id: int) -> CareEvent | None:
        """An event by id."""
        row = await self._one("SELECT * FROM care_events WHERE id = ?", (event_id,))
        return _event(row) if row else None

    async def update_care_details(self, event_id: int, details: dict[str, Any]) -> None:
        """Replace an event's details (a second report of the same stay)."""
        await self._run("UPDATE care_events SET details = ? WHERE id = ?",
                        (json.dumps(details, ensure_ascii=False), event_id))

    async def open_stay(self, member_id: int) -> CareEvent | None:
        """The member's current hospital stay, if one is open."""
        row = await self._one(
            "SELECT * FROM care_events WHERE member_id = ? AND kind = 'hospitalisation' "
            "AND closed_at IS NULL ORDER BY id DESC LIMIT 1",
            (member_id,),
        )
        return _event(row) if row else None

    async def close_care_event(self, event_id: int, now: datetime) -> None:
        """Close an event (a stay ends at discharge)."""
        await self._run("UPDATE care_events SET closed_at = ? WHERE id = ?", (ts(now), event_id))

    async def hospitalised_member_ids(self) -> set[int]:
        """Members with an open hospital stay."""
        rows = await self._all(
            "SELECT DISTINCT member_id FROM care_events WHERE kind = 'hospitalisation' "
            "AND closed_at IS NULL"
        )
        return {int(r["member_id"]) for r in rows}

    async def add_visit_task(
        self, branch_id: int, member_id: int, kind: str, now: datetime, due_at: datetime, *,
        event_id: int | None = None, dedupe_key: str | None = None,
    ) -> VisitTask | None:
        """Create a task; None when a task with the same dedupe key exists already."""
        row = await self._one(
            "INSERT INTO visit_tasks (branch_id, member_id, event_id, kind, dedupe_key, "
            "created_at, due_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (dedupe_key) DO NOTHING RETURNING *",
            (branch_id, member_id, event_id, kind, dedupe_key, ts(now), ts(due_at)),
        )
        return _task(row) if row else None

    async def link_task_event(self, task_id: int, event_id: int) -> None:
        """Attach the event a generated task stands for."""
        await self._run("UPDATE visit_tasks SET event_id = ? WHERE id = ?", (event_id, task_id))

    async def get_task(self, task_id: int) -> VisitTask | None:
        """A task by id."""
        row = await self._one("SELECT * FROM visit_tasks WHERE id = ?", (task_id,))
        return _task(row) if row else None

    async def open_task_for_event(self, event_id: int) -> VisitTask | None:
        """The unfinished task an event created, if any."""
        row = await self._one(
            "SELECT * FROM visit_tasks WHERE event_id = ? AND status IN ('open', 'taken') "
            "ORDER BY id LIMIT 1",
            (event_id,),
        )
        return _task(row) if row else None

    async def take_task(self, task_id: int, member_id: int, now: datetime) -> bool:
        """Take an open task; False when someone took or finished it first."""
        changed = await self._run(
            "UPDATE visit_tasks SET status = 'taken', taken_by = ?, taken_at = ? "
            "WHERE id = ? AND status = 'open'",
            (member_id, ts(now), task_id),
        )
        return changed > 0

    async def finish_task(
        self, task_id: int, member_id: int, now: datetime, visited_on: str, note: str | None,
        photo: str | None = None,
    ) -> bool:
        """Record the visit (a photo's stored path too); False when it was finished already."""
        changed = await self._run(
            "UPDATE visit_tasks SET status = 'done', done_by = ?, done_at = ?, visited_on = ?, "
            "note = ?, photo = ?, taken_by = COALESCE(taken_by, ?) WHERE id = ? "
            "AND status IN ('open', 'taken')",
            (member_id, ts(now), visited_on, note, photo, member_id, task_id),
        )
        return changed > 0

    async def set_escalation(self, task_id: int, level: int) -> bool:
        """Raise a task's escalation level (never lowers it); True when it rose."""
        changed = await self._run(
            "UPDATE visit_tasks SET escalation_level = ? WHERE id = ? AND escalation_level < ?",
            (level, task_id, level),
        )
        return changed > 0

    async def tasks(
        self, branch_ids: list[int] | None, *, unfinished: bool = True
    ) -> list[VisitTask]:
        """Tasks of some branches (all when None), oldest due first."""
        sql = "SELECT * FROM visit_tasks WHERE 1 = 1"
        params: list[Any] = []
        if unfinished:
            sql += " AND status IN ('open', 'taken')"
        if branch_ids is not None:
            sql += f" AND branch_id IN ({','.join('?' * len(branch_ids)) or 'NULL'})"
            params += branch_ids
        return [_task(r) for r in await self._all(sql + " ORDER BY due_at, id", params)]

    async def member_visits(self, member_id: int, limit: int = 5) -> list[VisitTask]:
        """A member's recorded visits, latest first."""
        rows = await self._all(
            "SELECT * FROM visit_tasks WHERE member_id = ? AND status = 'done' "
            "ORDER BY done_at DESC LIMIT ?",
            (member_id, limit),
        )
        return [_task(r) for r in rows]
