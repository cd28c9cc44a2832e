"""Storage contract, runtime: conversations, processed messages, the outbox, scheduled job runs
and the audit log (RuntimeRepo) behave the same on SQLite and PostgreSQL.

Three constraints guard effects here: one processed message per channel and id (a redelivery
gets the stored reply, never a second effect), one outbox row per idempotency key (a reminder
queued twice is sent once), one job run per occurrence (a job fired twice runs once).
"""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from storage import MemberData, Store, Tx
from storage.models import Conversation

NOW = datetime(2026, 12, 8, 1, 0, tzinfo=UTC)
INTEGRITY = (sqlite3.IntegrityError, asyncpg.IntegrityConstraintViolationError)


async def person(tx: Tx, name: str, phone: str) -> int:
    """Add someone to the roster of the one branch; their id."""
    branch, _ = await tx.ensure_branch("城关支部", NOW)
    member_id, _ = await tx.upsert_member(
        MemberData(name=name, phone=phone, role="member", home_branch_id=branch.id,
                   birthday=None, address=None, needs_home_delivery=False,
                   lives_alone=False, language=None), [branch.id], NOW)
    return member_id


async def members(store: Store, count: int) -> list[int]:
    """Members 0..count-1, committed."""
    async with store.transaction() as tx:
        return [await person(tx, f"党员{i}", f"138000000{i:02d}") for i in range(count)]


async def rows(store: Store, table: str) -> int:
    """Rows in a table, read in a unit of work of its own."""
    async with store.transaction() as tx:
        row = await tx._one(f"SELECT COUNT(*) AS n FROM {table}")
    assert row is not None
    return int(row["n"])


# -- conversations ----------------------------------------------------------------------------
async def test_a_conversation_is_saved_replaced_and_forgotten(store: Store) -> None:
    async with store.transaction() as tx:
        assert await tx.get_conversation("console", "王秀英") is None
        await tx.save_conversation("console", "王秀英",
                                   Conversation("leave", "reason", {"理由": "看病"}), NOW)
        first = await tx.get_conversation("console", "王秀英")
        later = NOW + timedelta(minutes=3)
        await tx.save_conversation("console", "王秀英",
                                   Conversation("leave", "confirm", {"n": [1, 2]}), later)
        second = await tx.get_conversation("console", "王秀英")
        assert await tx.get_conversation("telegram", "王秀英") is None
    assert first == Conversation("leave", "reason", {"理由": "看病"}, NOW)
    assert second == Conversation("leave", "confirm", {"n": [1, 2]}, later)
    assert await rows(store, "conversations") == 1
    async with store.transaction() as tx:
        await tx.save_conversation("console", "王秀英", None, later)
        await tx.save_conversation("console", "nobody", None, later)  # nothing to forget
        assert await tx.get_conversation("console", "王秀英") is None
    assert await rows(store, "conversations") == 0


# -- processed messages -----------------------------------------------------------------------
async def test_a_processed_message_keeps_its_reply(store: Store) -> None:
    async with store.transaction() as tx:
        assert await tx.get_processed("wechat", "m-1") is None
        await tx.save_processed("wechat", "m-1", "签到成功 ✅", NOW)
        await tx.save_processed("telegram", "m-1", "另一个渠道", NOW)
        assert await tx.get_processed("wechat", "m-1") == "签到成功 ✅"
        assert await tx.get_processed("telegram", "m-1") == "另一个渠道"


async def test_one_processed_message_per_channel_and_id(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.save_processed("wechat", "m-1", "签到成功", NOW)
    with pytest.raises(INTEGRITY):
        async with store.transaction() as tx:
            await tx.save_processed("wechat", "m-1", "第二次", NOW)
    async with store.transaction() as tx:
        assert await tx.get_processed("wechat", "m-1") == "签到成功"
    assert await rows(store, "processed_messages") == 1


async def test_the_same_message_handled_at_once_twice_has_one_effect(store: Store) -> None:
    """Two units of work that read, decide and write (as the router does) for one message id
    at the same moment: one records the reply, the other finds it."""
    wang, = await members(store, 1)

    async def handle(reply: str) -> str:
        async with store.transaction() as tx:
            prior = await tx.get_processed("wechat", "msg-42")
            if prior is not None:
                return prior
            branch = await tx.find_branch("城关支部")
            assert branch is not None
            session = await tx.ensure_session(branch.id, NOW, None)
            await tx.add_checkin(session.id, wang, NOW, "wechat")
            await tx.save_processed("wechat", "msg-42", reply, NOW)
            return reply

    replies = await asyncio.gather(handle("first"), handle("second"), handle("third"))
    assert len(set(replies)) == 1
    assert await rows(store, "check_ins") == 1
    assert await rows(store, "processed_messages") == 1


async def test_old_processed_messages_are_forgotten(store: Store) -> None:
    async with store.transaction() as tx:
        for hours in (0, 1, 2, 3):
            await tx.save_processed("wechat", f"m-{hours}", "ok", NOW + timedelta(hours=hours))
        assert await tx.forget_processed(NOW + timedelta(hours=2)) == 2
        assert await tx.forget_processed(NOW + timedelta(hours=2)) == 0
        assert await tx.get_processed("wechat", "m-1") is None
        assert await tx.get_processed("wechat", "m-2") == "ok"


# -- the outbox -------------------------------------------------------------------------------
async def test_one_outbox_row_per_idempotency_key(store: Store) -> None:
    wang, zhang = await members(store, 2)
    async with store.transaction() as tx:
        buttons = [{"text": "收到", "data": "ack:1"}]
        assert await tx.enqueue("remind:1:wang", wang, "reminder", "明天学习", NOW,
                                buttons=buttons, ref_key="remind:1") is True
        assert await tx.enqueue("remind:1:wang", wang, "reminder", "又一次", NOW) is False
        assert await tx.enqueue("remind:1:wang", zhang, "reminder", "给别人", NOW) is False
        (row,) = await tx.outbox_rows()
    assert (row.idempotency_key, row.member_id, row.kind, row.body, row.buttons) == (
        "remind:1:wang", wang, "reminder", "明天学习", buttons)
    assert (row.urgent, row.state, row.attempts, row.not_before, row.last_error,
            row.channel, row.ref_key) == (False, "pending", 0, NOW, None, None, "remind:1")
    with pytest.raises(INTEGRITY):
        async with store.transaction() as tx:
            await tx._run(
                "INSERT INTO outbox (idempotency_key, member_id, kind, body, not_before, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?)",
                ("remind:1:wang", wang, "reminder", "x", "x", "x"))
    assert await rows(store, "outbox") == 1


async def test_concurrent_enqueues_of_one_key_queue_one_push(store: Store) -> None:
    wang, = await members(store, 1)

    async def enqueue(body: str) -> bool:
        async with store.transaction() as tx:
            return await tx.enqueue("study:2026-12:wang", wang, "reminder", body, NOW)

    results = await asyncio.gather(*(enqueue(f"#{i}") for i in range(6)))
    assert sorted(results) == [False] * 5 + [True]
    assert await rows(store, "outbox") == 1


async def test_claiming_takes_due_rows_urgent_first_one_per_member(store: Store) -> None:
    a, b, c, d = await members(store, 4)
    async with store.transaction() as tx:
        await tx.enqueue("a1", a, "notice", "a1", NOW - timedelta(minutes=3))
        await tx.enqueue("a2", a, "notice", "a2", NOW - timedelta(minutes=2))
        await tx.enqueue("b1", b, "notice", "b1", NOW - timedelta(minutes=1))
        await tx.enqueue("c1", c, "alert", "c1", NOW, urgent=True)
        await tx.enqueue("d1", d, "notice", "d1", NOW, not_before=NOW + timedelta(hours=1))
        claimed = await tx.claim_due(NOW, 10)
        stored = {r.idempotency_key: r for r in await tx.outbox_rows(state="inflight")}
        assert await tx.claim_due(NOW, 10) == []  # a2 waits for a1; d1 is not due
        counts = await tx.outbox_counts()
    assert [r.idempotency_key for r in claimed] == ["c1", "a1", "b1"]
    assert all(r.state == "inflight" and r.attempts == 1 for r in claimed)
    assert {k: (r.state, r.attempts) for k, r in stored.items()} == {
        "c1": ("inflight", 1), "a1": ("inflight", 1), "b1": ("inflight", 1)}
    assert counts == {"inflight": 3, "pending": 2}


async def test_claiming_respects_the_limit_and_quiet_hours(store: Store) -> None:
    a, b, c = await members(store, 3)
    async with store.transaction() as tx:
        await tx.enqueue("a1", a, "notice", "a1", NOW - timedelta(minutes=2))
        await tx.enqueue("b1", b, "alert", "b1", NOW - timedelta(minutes=1), urgent=True)
        await tx.enqueue("c1", c, "notice", "c1", NOW)
        assert [r.idempotency_key for r in await tx.claim_due(NOW, 1)] == ["b1"]
        assert await tx.claim_due(NOW, 5, urgent_only=True) == []
        assert [r.idempotency_key for r in await tx.claim_due(NOW, 1)] == ["a1"]


async def test_a_sent_row_remembers_where_it_went(store: Store) -> None:
    a, b = await members(store, 2)
    async with store.transaction() as tx:
        await tx.enqueue("alert:a", a, "alert", "求助", NOW, ref_key="alert:7")
        await tx.enqueue("alert:b", b, "alert", "求助", NOW, ref_key="alert:7")
        await tx.enqueue("edit:a", a, "edit", "已由张书记接受", NOW, ref_key="alert:7")
        first, second = await tx.claim_due(NOW, 10)
        await tx.mark_sent(first.id, "telegram", NOW, "1001", "555")
        await tx.mark_sent(second.id, "wechat", NOW)  # no platform id: cannot be edited
        assert await tx.ref_recipients("alert:7") == sorted([a, b])
        assert await tx.ref_recipients("alert:8") == []
        assert await tx.sent_ref(a, "alert:7") == ("telegram", "1001", "555")
        assert await tx.sent_ref(b, "alert:7") is None
        (sent,) = [r for r in await tx.outbox_rows(member_id=a) if r.kind == "alert"]
    assert (sent.state, sent.channel, sent.last_error) == ("sent", "telegram", None)


async def test_a_failed_row_is_retried_later_or_dies(store: Store) -> None:
    a, b = await members(store, 2)
    retry_at = NOW + timedelta(minutes=5)
    async with store.transaction() as tx:
        await tx.enqueue("a1", a, "notice", "a1", NOW)
        await tx.enqueue("a2", a, "notice", "a2", NOW)
        await tx.enqueue("b1", b, "notice", "b1", NOW)
        (a1, b1) = await tx.claim_due(NOW, 10)
        await tx.mark_failed(a1.id, "timeout", retry_at)
        await tx.mark_failed(b1.id, "blocked", None)
        # a1 waits for its retry, and holds a2 back until it has gone
        assert await tx.claim_due(NOW + timedelta(minutes=1), 10) == []
        (again,) = await tx.claim_due(retry_at, 10)
        dead = await tx.outbox_rows(state="dead")
        counts = await tx.outbox_counts()
    assert (again.idempotency_key, again.attempts, again.last_error, again.not_before) == (
        "a1", 2, "timeout", retry_at)
    assert [(r.idempotency_key, r.last_error) for r in dead] == [("b1", "blocked")]
    assert counts == {"dead": 1, "inflight": 1, "pending": 1}


async def test_dead_rows_are_requeued_and_inflight_rows_released(store: Store) -> None:
    a, b, c = await members(store, 3)
    later = NOW + timedelta(hours=1)
    async with store.transaction() as tx:
        for key, member in (("a1", a), ("b1", b), ("c1", c)):
            await tx.enqueue(key, member, "notice", key, NOW)
        ra, rb, rc = await tx.claim_due(NOW, 10)
        await tx.mark_failed(ra.id, "x", None)
        await tx.mark_failed(rb.id, "y", None)
        assert await tx.requeue(ra.id, later) == 1
        assert await tx.requeue(ra.id, later) == 0  # no longer dead
        assert await tx.requeue(None, later) == 1
        assert await tx.release_inflight() == 1  # c1, left in flight by a stopped process
        assert await tx.release_inflight() == 0
        pending = await tx.outbox_rows(state="pending")
        assert await tx.outbox_rows(member_id=b, state="sent") == []
    assert {(r.idempotency_key, r.attempts, r.not_before) for r in pending} == {
        ("a1", 0, later), ("b1", 0, later), ("c1", 1, NOW)}
    assert rc.idempotency_key == "c1"


async def test_an_unreachable_account_is_marked(store: Store) -> None:
    a, = await members(store, 1)
    async with store.transaction() as tx:
        await tx.bind("telegram", "1001", a, None, NOW)
        await tx.mark_unreachable("telegram", "1001", NOW + timedelta(hours=1))
        found = await tx.get_binding("telegram", "1001")
    assert found is not None and found.unreachable_at == NOW + timedelta(hours=1)


# -- scheduled jobs ---------------------------------------------------------------------------
async def test_a_job_occurrence_runs_once(store: Store) -> None:
    key = "remind_early:3:2026-12-08T01:00:00"
    async with store.transaction() as tx:
        assert await tx.job_status(key) is None
        assert await tx.claim_job(key, NOW, NOW, "ran") is True
        assert await tx.claim_job(key, NOW, NOW, "skipped") is False
        assert await tx.claim_job("absentees:3", NOW, NOW, "skipped") is True
        assert await tx.job_status(key) == "ran"
        assert await tx.job_status("absentees:3") == "skipped"
    with pytest.raises(INTEGRITY):
        async with store.transaction() as tx:
            await tx._run("INSERT INTO job_runs (key, status, due_at, at) VALUES (?, ?, ?, ?)",
                          (key, "ran", "x", "x"))
    assert await rows(store, "job_runs") == 2


async def test_concurrent_claims_of_one_job_run_it_once(store: Store) -> None:
    async def claim() -> bool:
        async with store.transaction() as tx:
            return await tx.claim_job("digest:2026-11", NOW, NOW, "ran")

    assert sorted(await asyncio.gather(*(claim() for _ in range(5)))) == [False] * 4 + [True]


# -- audit ------------------------------------------------------------------------------------
async def test_the_audit_log_is_appended_counted_and_read(store: Store) -> None:
    a, b = await members(store, 2)
    async with store.transaction() as tx:
        await tx.audit("bind_failed", NOW - timedelta(hours=2), actor=("wechat", "o-1"))
        await tx.audit("bind_failed", NOW, actor=("wechat", "o-1"), detail={"code": "错"})
        await tx.audit("bind_failed", NOW, actor=("wechat", "o-2"))
        await tx.audit("proxy_checkin", NOW, actor_member_id=a, subject_member_id=b,
                       detail={"原因": "不会用手机"})
        assert await tx.count_audit(("wechat", "o-1"), "bind_failed",
                                    NOW - timedelta(hours=1)) == 1
        assert await tx.count_audit(("wechat", "o-1"), "bind_failed",
                                    NOW - timedelta(hours=3)) == 2
        assert await tx.count_audit(("wechat", "o-1"), "other", NOW - timedelta(days=1)) == 0
        every = await tx.audit_entries()
        proxies = await tx.audit_entries("proxy_checkin")
    assert [e["action"] for e in every] == ["bind_failed"] * 3 + ["proxy_checkin"]
    assert [e["id"] for e in every] == sorted(e["id"] for e in every)
    (proxy,) = proxies
    assert (proxy["actor_member_id"], proxy["subject_member_id"], proxy["actor_channel"]) == (
        a, b, None)
    assert proxy["detail"] == '{"原因": "不会用手机"}'
    assert every[0]["detail"] is None and every[1]["actor_external_id"] == "o-1"
