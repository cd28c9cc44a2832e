"""Conversation state, processed-message log, the outbox and the audit log."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from storage.models import Conversation, OutboxRow
from storage.repo_base import RepoBase, Row
from storage.repo_instances import PREFIX as INSTANCE_PREFIX
from storage.timefmt import parse_ts, ts


def _outbox(row: Row) -> OutboxRow:
    return OutboxRow(
        id=row["id"],
        idempotency_key=row["idempotency_key"],
        member_id=row["member_id"],
        kind=row["kind"],
        body=row["body"],
        buttons=json.loads(row["buttons"]),
        urgent=bool(row["urgent"]),
        state=row["state"],
        attempts=row["attempts"],
        not_before=parse_ts(row["not_before"]),
        last_error=row["last_error"],
        channel=row["channel"],
        ref_key=row["ref_key"],
    )


# How long a claimed row belongs to the instance that claimed it: longer than any send of one
# row takes, retries of a 429 included. After that any instance may claim it again.
LEASE = timedelta(seconds=60)
# pg_advisory_xact_lock key ("claim"): claims run one at a time across instances, beside the
# units of work rather than behind them. Each claim then sees every claim committed before it,
# which is what keeps a member's pushes in order (a row another instance is claiming right now
# is invisible to a concurrent claim, and would not hold the member's next row back).
CLAIM_LOCK = 0x636C61696D


def _locking(engine: str) -> str:
    """What a claim adds on PostgreSQL: lock the rows taken, pass over rows another
    transaction holds (a row being marked sent) instead of waiting for it."""
    return " FOR UPDATE SKIP LOCKED" if engine == "postgresql" else ""


def claim_query(urgent_only: bool, engine: str = "sqlite") -> str:
    """The due rows in the order they are sent (parameters: now, limit).

    It walks the outbox_claim index (no sort however many rows a broadcast left); the hold on
    a member's later rows is one probe of the small outbox_holding index. The text is the
    same on both engines but for PostgreSQL's row locks.
    """
    urgent = "AND urgent = 1 " if urgent_only else ""
    return (
        f"SELECT * FROM outbox WHERE state = 'pending' AND not_before <= ? {urgent}"
        "AND NOT EXISTS (SELECT 1 FROM outbox AS e WHERE e.member_id = outbox.member_id "
        "AND e.id < outbox.id "
        "AND (e.state = 'inflight' OR (e.state = 'pending' AND e.attempts > 0)) "
        f"{urgent.replace('urgent', 'e.urgent')}) "
        "ORDER BY urgent DESC, not_before, id LIMIT ?" + _locking(engine)
    )


class RuntimeRepo(RepoBase):
    """What keeps the assistant honest across retries and restarts."""

    # -- conversations ------------------------------------------------------------------------
    async def get_conversation(self, channel: str, external_id: str) -> Conversation | None:
        """Where a multi-step conversation with this account stands, if one is open."""
        row = await self._one(
            "SELECT * FROM conversations WHERE channel = ? AND external_id = ?",
            (channel, external_id),
        )
        if row is None:
            return None
        return Conversation(
            flow=row["flow"],
            step=row["step"],
            data=json.loads(row["data"]),
            updated_at=parse_ts(row["updated_at"]),
        )

    async def save_conversation(
        self, channel: str, external_id: str, conv: Conversation | None, now: datetime
    ) -> None:
        """Store the conversation's new state, or forget it (None)."""
        if conv is None:
            await self._run(
                "DELETE FROM conversations WHERE channel = ? AND external_id = ?",
                (channel, external_id),
            )
            return
        await self._run(
            "INSERT INTO conversations (channel, external_id, flow, step, data, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (channel, external_id) DO UPDATE SET "
            "flow = excluded.flow, step = excluded.step, data = excluded.data, "
            "updated_at = excluded.updated_at",
            (channel, external_id, conv.flow, conv.step,
             json.dumps(conv.data, ensure_ascii=False), ts(now)),
        )

    # -- processed inbound messages ---------------------------------------------------------
    async def get_processed(self, channel: str, message_id: str) -> str | None:
        """The stored reply to a message handled before (a redelivery), if any."""
        row = await self._one(
            "SELECT reply FROM processed_messages WHERE channel = ? AND message_id = ?",
            (channel, message_id),
        )
        return str(row["reply"]) if row else None

    async def save_processed(
        self, channel: str, message_id: str, reply: str, now: datetime
    ) -> None:
        """Remember that a message was handled, with the reply it got."""
        await self._run(
            "INSERT INTO processed_messages (channel, message_id, reply, created_at) "
            "VALUES (?, ?, ?, ?)",
            (channel, message_id, reply, ts(now)),
        )

    async def forget_processed(self, before: datetime) -> int:
        """Drop the record (and stored reply) of messages handled before `before`."""
        return await self._run(
            "DELETE FROM processed_messages WHERE created_at < ?", (ts(before),)
        )

    # -- outbox -----------------------------------------------------------------------------
    async def enqueue(
        self,
        key: str,
        member_id: int,
        kind: str,
        body: str,
        now: datetime,
        *,
        buttons: list[dict[str, str]] | None = None,
        urgent: bool = False,
        not_before: datetime | None = None,
        ref_key: str | None = None,
    ) -> bool:
        """Queue a push once per idempotency key; False when the key was queued before.

        `ref_key` names a logical message that a later row of kind "edit" may rewrite in place.
        """
        changed = await self._run(
            "INSERT INTO outbox (idempotency_key, member_id, kind, body, buttons, urgent, "
            "not_before, created_at, ref_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (idempotency_key) DO NOTHING",
            (key, member_id, kind, body, json.dumps(buttons or [], ensure_ascii=False),
             int(urgent), ts(not_before or now), ts(now), ref_key),
        )
        return changed > 0

    async def claim_due(
        self, now: datetime, limit: int, *, urgent_only: bool = False,
        claimer: str | None = None, lease: timedelta = LEASE,
    ) -> list[OutboxRow]:
        """Mark up to `limit` due pending rows in flight and return them, urgent then oldest.

        A member's pushes arrive in the order they were queued: a row is left for later while
        an earlier row to the same member is in flight or has been tried before (waiting for
        its retry, or due again and taken first), and a claim takes at most one row per
        member (rows sent side by side could cross on the way). In quiet hours only urgent
        rows go out, so only an urgent row holds another back.

        The rows are `claimer`'s until now + `lease`. A row in flight past its lease was left
        by an instance that died: it goes back in the queue first, keeping its place (and
        holding the member's later rows back, since it has been tried), and is claimed again
        like any other.
        """
        if self.engine == "postgresql":
            await self._run("SELECT pg_advisory_xact_lock(?)", (CLAIM_LOCK,))
        await self._expire_claims(now, claimer)
        rows = await self._all(claim_query(urgent_only, self.engine), (ts(now), limit))
        claimed, members = [], set()
        for r in rows:
            if r["member_id"] not in members:
                members.add(r["member_id"])
                claimed.append(_outbox(r))
        if claimed:
            marks = ",".join("?" * len(claimed))
            await self._run(
                "UPDATE outbox SET state = 'inflight', attempts = attempts + 1, "
                f"claimed_by = ?, claimed_until = ? WHERE id IN ({marks})",
                [claimer, ts(now + lease), *(row.id for row in claimed)],
            )
        # Hand out the rows as now stored: the dispatcher's back-off counts this attempt.
        return [replace(row, state="inflight", attempts=row.attempts + 1) for row in claimed]

    async def _expire_claims(self, now: datetime, claimer: str | None = None) -> int:
        """Rows whose claimer's lease ran out go back in the queue (a few rows at most: only
        rows in flight are looked at, through the outbox_claim index). On PostgreSQL, so do
        rows of another instance whose 'instance:' lease has expired (it was killed: a clean
        stop drops the lease after its rows went out): they need not wait out their own."""
        dead = ""
        params: list[object] = [ts(now)]
        if self.engine == "postgresql" and claimer is not None:
            dead = (" OR (claimed_by IS NOT NULL AND claimed_by <> ? AND EXISTS ("
                    "SELECT 1 FROM leases WHERE leases.name = ? || outbox.claimed_by "
                    "AND leases.expires_at <= ?))")
            params += [claimer, INSTANCE_PREFIX, ts(now)]
        return await self._run(
            "UPDATE outbox SET state = 'pending' WHERE id IN (SELECT id FROM outbox "
            f"WHERE state = 'inflight' AND (claimed_until IS NULL OR claimed_until <= ?{dead})"
            f"{_locking(self.engine)})",
            params,
        )

    async def mark_sent(
        self, row_id: int, channel: str, now: datetime,
        external_id: str | None = None, platform_ref: str | None = None,
    ) -> None:
        """A platform accepted the row (and, for editable messages, gave it this id)."""
        await self._run(
            "UPDATE outbox SET state = 'sent', channel = ?, sent_at = ?, last_error = NULL, "
            "external_id = ?, platform_ref = ? WHERE id = ?",
            (channel, ts(now), external_id, platform_ref, row_id),
        )

    async def ref_recipients(self, ref_key: str) -> list[int]:
        """Everyone a logical message was first sent (or queued) to."""
        rows = await self._all(
            "SELECT DISTINCT member_id FROM outbox WHERE ref_key = ? AND kind != 'edit' "
            "ORDER BY member_id",
            (ref_key,),
        )
        return [int(r["member_id"]) for r in rows]

    async def sent_ref(self, member_id: int, ref_key: str) -> tuple[str, str, str] | None:
        """Where the first message of a logical message went: (channel, account, platform id)."""
        row = await self._one(
            "SELECT channel, external_id, platform_ref FROM outbox WHERE member_id = ? "
            "AND ref_key = ? AND kind != 'edit' AND state = 'sent' AND platform_ref IS NOT NULL "
            "ORDER BY id LIMIT 1",
            (member_id, ref_key),
        )
        if row is None:
            return None
        return str(row["channel"]), str(row["external_id"]), str(row["platform_ref"])

    async def mark_failed(self, row_id: int, error: str, retry_at: datetime | None, *,
                          claimer: str | None = None) -> bool:
        """Sending failed: try again at retry_at, or give up (dead) when it is None.

        With `claimer`, only while the row is still in flight as that instance's claim: once
        its lease ran out the row belongs to whoever claimed it since (False then)."""
        mine = " AND state = 'inflight' AND claimed_by = ?" if claimer is not None else ""
        tail = [claimer] if claimer is not None else []
        if retry_at is None:
            return await self._run(
                f"UPDATE outbox SET state = 'dead', last_error = ? WHERE id = ?{mine}",
                [error, row_id, *tail],
            ) > 0
        return await self._run(
            "UPDATE outbox SET state = 'pending', last_error = ?, not_before = ? "
            f"WHERE id = ?{mine}",
            [error, ts(retry_at), row_id, *tail],
        ) > 0

    async def outbox_counts(self) -> dict[str, int]:
        """How many rows are in each state."""
        rows = await self._all("SELECT state, COUNT(*) AS n FROM outbox GROUP BY state")
        return {str(r["state"]): int(r["n"]) for r in rows}

    async def requeue(self, row_id: int | None, now: datetime) -> int:
        """Put one dead row (or, with None, every dead row) back in the queue."""
        where = "state = 'dead'" + (" AND id = ?" if row_id is not None else "")
        params: list[Any] = [ts(now)] + ([row_id] if row_id is not None else [])
        return await self._run(
            f"UPDATE outbox SET state = 'pending', attempts = 0, not_before = ? WHERE {where}",
            params,
        )

    async def mark_unreachable(self, channel: str, external_id: str, now: datetime) -> None:
        """The platform says this account cannot be reached any more."""
        await self._run(
            "UPDATE bindings SET unreachable_at = ? WHERE channel = ? AND external_id = ?",
            (ts(now), channel, external_id),
        )

    async def release_inflight(self, now: datetime | None = None) -> int:
        """Put rows left in flight by a stopped process back in the queue.

        On SQLite (or without `now`: the caller knows nothing else is sending) that is every
        row in flight: one process sends, and it is starting. On PostgreSQL other instances
        may be sending theirs: only rows whose claimer no longer keeps its `instance:` lease at
        `now` (it died; see storage/repo_instances) go back now; the rest stay theirs until
        their claim's lease runs out.
        """
        if self.engine != "postgresql" or now is None:
            return await self._run(
                "UPDATE outbox SET state = 'pending' WHERE state = 'inflight'")
        return await self._run(
            "UPDATE outbox SET state = 'pending' WHERE id IN (SELECT id FROM outbox "
            "WHERE state = 'inflight' AND (claimed_by IS NULL OR NOT EXISTS (SELECT 1 "
            "FROM leases WHERE leases.name = 'instance:' || outbox.claimed_by "
            f"AND leases.expires_at > ?)){_locking(self.engine)})",
            (ts(now),),
        )

    async def outbox_rows(
        self, member_id: int | None = None, state: str | None = None
    ) -> list[OutboxRow]:
        """Outbox rows (of one recipient, in one state, when given), oldest first."""
        sql = "SELECT * FROM outbox WHERE 1 = 1"
        params: list[Any] = []
        if member_id is not None:
            sql, params = sql + " AND member_id = ?", [*params, member_id]
        if state is not None:
            sql, params = sql + " AND state = ?", [*params, state]
        return [_outbox(r) for r in await self._all(sql + " ORDER BY id", params)]

    # -- scheduled jobs -----------------------------------------------------------------------
    async def claim_job(self, key: str, due_at: datetime, now: datetime, status: str) -> bool:
        """Record that a scheduled occurrence ran (or was skipped); False if it was before."""
        changed = await self._run(
            "INSERT INTO job_runs (key, status, due_at, at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (key) DO NOTHING",
            (key, status, ts(due_at), ts(now)),
        )
        return changed > 0

    async def job_status(self, key: str) -> str | None:
        """'ran', 'skipped', or None for an occurrence never handled."""
        row = await self._one("SELECT status FROM job_runs WHERE key = ?", (key,))
        return str(row["status"]) if row else None

    # -- audit ------------------------------------------------------------------------------
    async def audit(
        self,
        action: str,
        now: datetime,
        *,
        actor_member_id: int | None = None,
        actor: tuple[str, str] | None = None,
        subject_member_id: int | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        """Append to the audit log (who did what to whose record)."""
        channel, external = actor if actor else (None, None)
        await self._run(
            "INSERT INTO audit_log (at, actor_member_id, actor_channel, actor_external_id, action, "
            "subject_member_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (ts(now), actor_member_id, channel, external, action, subject_member_id,
             json.dumps(detail, ensure_ascii=False) if detail else None),
        )

    async def count_audit(self, actor: tuple[str, str], action: str, since: datetime) -> int:
        """How often an account did something since an instant (e.g. failed binding tries)."""
        row = await self._one(
            "SELECT COUNT(*) AS n FROM audit_log WHERE actor_channel = ? AND actor_external_id = ? "
            "AND action = ? AND at >= ?",
            (actor[0], actor[1], action, ts(since)),
        )
        return int(row["n"]) if row else 0

    async def audit_entries(self, action: str | None = None) -> list[dict[str, Any]]:
        """Audit rows (of one action when given), oldest first."""
        sql = "SELECT * FROM audit_log"
        params: tuple[Any, ...] = ()
        if action:
            sql += " WHERE action = ?"
            params = (action,)
        return [dict(r) for r in await self._all(sql + " ORDER BY id", params)]
