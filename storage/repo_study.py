"""Study sessions, check-ins and leave."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from storage.models import (
    HOSPITAL_LEAVE,
    Attendance,
    CheckIn,
    MeetingRule,
    Member,
    StudySession,
)
from storage.repo_base import RepoBase, Row
from storage.timefmt import parse_ts, ts


def _session(row: Row) -> StudySession:
    return StudySession(
        id=row["id"],
        branch_id=row["branch_id"],
        starts_at=parse_ts(row["starts_at"]),
        place=row["place"],
        topic=row["topic"],
        kind=row["kind"],
        one_off=bool(row["one_off"]),
        moved_to=row["moved_to"],
    )


def _checkin(row: Row) -> CheckIn:
    return CheckIn(
        session_id=row["session_id"],
        member_id=row["member_id"],
        checked_in_at=parse_ts(row["checked_in_at"]),
        by_member_id=row["by_member_id"],
        reason=row["reason"],
    )


_IN_CHUNK = 500  # ids bound in one IN (...) list, well under SQLite's variable limit


class StudyRepo(RepoBase):
    """The monthly study day and who came."""

    async def ensure_session(
        self, branch_id: int, starts_at: datetime, place: str | None, kind: str = "study"
    ) -> StudySession:
        """The session of a branch starting at that instant, created on first use.

        Looked up first: every check-in of the day asks for the same session, and a read is
        a third of what the upsert costs (which writes the row again to return it).
        """
        starts = ts(starts_at)
        row = await self._one(
            "SELECT * FROM study_sessions WHERE branch_id = ? AND starts_at = ?",
            (branch_id, starts),
        )
        if row is None:
            row = await self._one(
                "INSERT INTO study_sessions (branch_id, starts_at, place, kind) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (branch_id, starts_at) "
                "DO UPDATE SET branch_id = excluded.branch_id RETURNING *",
                (branch_id, starts, place, kind),
            )
        assert row is not None
        return _session(row)

    async def stored_sessions(self, branch_id: int, start: datetime,
                              end: datetime) -> list[StudySession]:
        """A branch's stored sessions starting in [start, end) that change its calendar:
        one-off meetings and moved study days."""
        rows = await self._all(
            "SELECT * FROM study_sessions WHERE branch_id = ? AND starts_at >= ? "
            "AND starts_at < ? AND (one_off = 1 OR moved_to IS NOT NULL) ORDER BY starts_at",
            (branch_id, ts(start), ts(end)))
        return [_session(r) for r in rows]

    async def add_meeting(self, branch_id: int, kind: str, starts_at: datetime,
                          place: str | None, topic: str | None) -> StudySession | None:
        """A one-off meeting; None when the branch has a meeting at that instant already."""
        row = await self._one(
            "INSERT INTO study_sessions (branch_id, starts_at, place, topic, kind, one_off) "
            "VALUES (?, ?, ?, ?, ?, 1) ON CONFLICT (branch_id, starts_at) DO NOTHING "
            "RETURNING *", (branch_id, ts(starts_at), place, topic, kind))
        return _session(row) if row else None

    async def move_session(self, session_id: int, to_session_id: int) -> None:
        """Mark a ruled session as moved to another (改期)."""
        await self._run("UPDATE study_sessions SET moved_to = ? WHERE id = ?",
                        (to_session_id, session_id))

    async def calendar_rows(self, branch_id: int, start: datetime,
                            end: datetime) -> tuple[list[MeetingRule], list[StudySession]]:
        """meeting_rules and stored_sessions in one statement (every check-in asks)."""
        rows = await self._all(
            "SELECT 'rule' AS what, branch_id, kind, rule, place, NULL AS id, NULL AS starts_at, "
            "NULL AS topic, 0 AS one_off, NULL AS moved_to FROM meeting_rules "
            "WHERE branch_id = :b UNION ALL "
            "SELECT 'session', branch_id, kind, NULL, place, id, starts_at, topic, one_off, "
            "moved_to FROM study_sessions WHERE branch_id = :b AND starts_at >= :s "
            "AND starts_at < :e AND (one_off = 1 OR moved_to IS NOT NULL)",
            {"b": branch_id, "s": ts(start), "e": ts(end)})
        rules = [MeetingRule(r["branch_id"], r["kind"], r["rule"], r["place"])
                 for r in rows if r["what"] == "rule"]
        sessions = sorted((_session(r) for r in rows if r["what"] == "session"),
                          key=lambda x: x.starts_at)
        return sorted(rules, key=lambda x: x.kind), sessions

    async def meeting_rules(self, branch_id: int) -> list[MeetingRule]:
        """A branch's rules for kinds other than the study day."""
        rows = await self._all("SELECT * FROM meeting_rules WHERE branch_id = ? ORDER BY kind",
                               (branch_id,))
        return [MeetingRule(r["branch_id"], r["kind"], r["rule"], r["place"]) for r in rows]

    async def set_meeting_rule(self, branch_id: int, kind: str, rule: str,
                               place: str | None) -> None:
        """Set (or replace) a branch's rule for a kind of meeting."""
        await self._run(
            "INSERT INTO meeting_rules (branch_id, kind, rule, place) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (branch_id, kind) DO UPDATE SET rule = excluded.rule, "
            "place = COALESCE(excluded.place, meeting_rules.place)",
            (branch_id, kind, rule, place))

    async def get_session(self, session_id: int) -> StudySession | None:
        """A session by id."""
        row = await self._one("SELECT * FROM study_sessions WHERE id = ?", (session_id,))
        return _session(row) if row else None

    async def get_checkin(self, session_id: int, member_id: int) -> CheckIn | None:
        """A member's check-in to a session, if any."""
        row = await self._one(
            "SELECT * FROM check_ins WHERE session_id = ? AND member_id = ?",
            (session_id, member_id),
        )
        return _checkin(row) if row else None

    async def add_checkin(
        self,
        session_id: int,
        member_id: int,
        at: datetime,
        channel: str,
        by_member_id: int | None = None,
        reason: str | None = None,
    ) -> bool:
        """Record presence once; False when the member was already checked in."""
        changed = await self._run(
            "INSERT INTO check_ins (session_id, member_id, checked_in_at, by_member_id, reason, "
            "channel) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (session_id, member_id) DO NOTHING",
            (session_id, member_id, ts(at), by_member_id, reason, channel),
        )
        return changed > 0

    async def get_leave(self, session_id: int, member_id: int) -> str | None:
        """The reason a member gave for missing a session, if they asked for leave."""
        row = await self._one(
            "SELECT reason FROM leave_requests WHERE session_id = ? AND member_id = ?",
            (session_id, member_id),
        )
        return str(row["reason"]) if row else None

    async def add_leave(self, session_id: int, member_id: int, reason: str, at: datetime) -> bool:
        """Record leave once; False when there already was one."""
        changed = await self._run(
            "INSERT INTO leave_requests (session_id, member_id, reason, created_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (session_id, member_id) DO NOTHING",
            (session_id, member_id, reason, ts(at)),
        )
        return changed > 0

    async def attendance(self, session: StudySession, expected: list[Member]) -> Attendance:
        """Split the expected members into present, on leave and absent."""
        checkins = {
            r["member_id"]: _checkin(r)
            for r in await self._all(
                "SELECT * FROM check_ins WHERE session_id = ?", (session.id,)
            )
        }
        leaves = {
            r["member_id"]: str(r["reason"])
            for r in await self._all(
                "SELECT member_id, reason FROM leave_requests WHERE session_id = ?", (session.id,)
            )
        }
        for member_id in await self._in_hospital(session, [m.id for m in expected]):
            leaves.setdefault(member_id, HOSPITAL_LEAVE)
        present = [(m, checkins[m.id]) for m in expected if m.id in checkins]
        on_leave = [(m, leaves[m.id]) for m in expected if m.id in leaves and m.id not in checkins]
        absent = [m for m in expected if m.id not in checkins and m.id not in leaves]
        return Attendance(session, expected, present, on_leave, absent)

    async def _in_hospital(self, session: StudySession, member_ids: list[int]) -> set[int]:
        """Members in hospital on a session's day: a stay admitted by then (or reported by the
        day after) and not ended before the session began. They are on leave, not absent."""
        if not member_ids:
            return set()
        day = session.starts_at.date().isoformat()
        found: set[int] = set()
        # by member (the care_events_member index), not a scan of every stay ever reported
        for i in range(0, len(member_ids), _IN_CHUNK):
            chunk = member_ids[i:i + _IN_CHUNK]
            rows = await self._all(
                "SELECT member_id, details FROM care_events "
                f"WHERE member_id IN ({','.join('?' * len(chunk))}) "
                "AND kind = 'hospitalisation' AND created_at <= ? "
                "AND (closed_at IS NULL OR closed_at >= ?)",
                (*chunk, ts(session.starts_at + timedelta(days=1)), ts(session.starts_at)),
            )
            found |= {int(r["member_id"]) for r in rows
                      if str(json.loads(r["details"]).get("admitted_on") or day) <= day}
        return found

    async def member_record(
        self, member_id: int, branch_id: int, start: datetime, end: datetime
    ) -> tuple[list[StudySession], set[int], set[int]]:
        """A member's branch sessions in [start, end) and which they attended or missed on leave."""
        sessions = [
            _session(r)
            for r in await self._all(
                "SELECT * FROM study_sessions WHERE branch_id = ? AND starts_at >= ? "
                "AND starts_at < ? ORDER BY starts_at",
                (branch_id, ts(start), ts(end)),
            )
        ]
        ids = [s.id for s in sessions] or [0]
        marks = ",".join("?" * len(ids))
        present = {
            int(r["session_id"])
            for r in await self._all(
                f"SELECT session_id FROM check_ins WHERE member_id = ? AND session_id IN ({marks})",
                (member_id, *ids),
            )
        }
        leave = {
            int(r["session_id"])
            for r in await self._all(
                "SELECT session_id FROM leave_requests WHERE member_id = ? "
                f"AND session_id IN ({marks})",
                (member_id, *ids),
            )
        }
        leave |= {s.id for s in sessions if await self._in_hospital(s, [member_id])}
        return sessions, present, leave
