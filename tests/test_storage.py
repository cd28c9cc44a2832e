"""Tests for storage/: opening and migrating SQLite files, transactions and the repositories."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, closing
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from storage import MemberData, SqliteStore, StoreUnavailable, Tx
from storage.migrate import latest, migrations
from storage.models import Conversation
from storage.repo_base import TransactionOver
from storage.repo_runtime import claim_query
from storage.timefmt import parse_ts, ts

NOW = datetime(2026, 3, 10, 1, 0, tzinfo=UTC)


@asynccontextmanager
async def opened(path: Path) -> AsyncIterator[SqliteStore]:
    """Open the store at path and always close it again."""
    store = await SqliteStore.open(path)
    try:
        yield store
    finally:
        await store.close()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where the test's database file lives."""
    return tmp_path / "z.db"


@pytest.fixture
async def store(db_path: Path) -> AsyncIterator[SqliteStore]:
    """A freshly migrated store, closed after the test."""
    async with opened(db_path) as store:
        yield store


def file_pragma(path: Path, name: str) -> object:
    """Read a PRAGMA of a closed database file with the standard library."""
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(f"PRAGMA {name}").fetchone()[0]


def table_names(path: Path) -> set[str]:
    """The tables of a database file."""
    with closing(sqlite3.connect(path)) as conn:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    return {row[0] for row in rows}


def member_data(name: str, phone: str, branch_id: int | None) -> MemberData:
    """An ordinary member of a branch."""
    return MemberData(
        name=name, phone=phone, role="member", home_branch_id=branch_id, birthday=None,
        address=None, needs_home_delivery=False, lives_alone=False, language=None,
    )


async def add_member(tx: Tx, name: str = "王秀英", phone: str = "13800000003") -> int:
    """A member of 城关支部 (created if needed); returns the member id."""
    branch, _ = await tx.ensure_branch("城关支部", NOW)
    member_id, outcome = await tx.upsert_member(member_data(name, phone, branch.id), [branch.id],
                                                NOW)
    assert outcome in ("added", "unchanged")
    return member_id


async def add_session(tx: Tx) -> tuple[int, int]:
    """A member and a study session of their branch; returns (session id, member id)."""
    member_id = await add_member(tx)
    branch = await tx.find_branch("城关支部")
    assert branch is not None
    session = await tx.ensure_session(branch.id, NOW, "党员活动室")
    return session.id, member_id


# --- opening and migrating -------------------------------------------------------------------


async def test_a_fresh_file_ends_at_the_latest_schema_version(db_path: Path) -> None:
    async with opened(db_path):
        pass
    assert file_pragma(db_path, "user_version") == latest()
    assert {"branches", "members", "conversations", "outbox"} <= table_names(db_path)


async def test_a_fresh_file_uses_write_ahead_logging(db_path: Path) -> None:
    async with opened(db_path):
        assert (db_path.parent / "z.db-wal").exists()
    assert file_pragma(db_path, "journal_mode") == "wal"


async def test_foreign_keys_are_enforced(store: SqliteStore) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        async with store.transaction() as tx:
            await tx.upsert_member(member_data("无支部", "13800000099", 999), [], NOW)
    async with store.transaction() as tx:
        assert await tx.find_member_by_phone("13800000099") is None


async def test_an_unversioned_file_is_migrated_and_keeps_its_own_tables(db_path: Path) -> None:
    with closing(sqlite3.connect(db_path)) as conn:
        conn.execute("CREATE TABLE notes (body TEXT)")
        conn.execute("INSERT INTO notes VALUES ('旧数据')")
        conn.commit()
    assert file_pragma(db_path, "user_version") == 0

    async with opened(db_path) as store, store.transaction() as tx:
        await tx.ensure_branch("城关支部", NOW)

    assert file_pragma(db_path, "user_version") == latest()
    with closing(sqlite3.connect(db_path)) as conn:
        assert conn.execute("SELECT body FROM notes").fetchall() == [("旧数据",)]
        assert conn.execute("SELECT name FROM branches").fetchall() == [("城关支部",)]


async def test_reopening_a_current_database_changes_nothing_and_keeps_data(
    db_path: Path,
) -> None:
    async with opened(db_path) as store, store.transaction() as tx:
        member_id = await add_member(tx)
    assert file_pragma(db_path, "user_version") == latest()

    async with opened(db_path) as store, store.transaction() as tx:
        member = await tx.get_member(member_id)

    assert member is not None
    assert (member.name, member.phone) == ("王秀英", "13800000003")
    assert file_pragma(db_path, "user_version") == latest()


async def test_a_database_newer_than_this_zhibu_refuses_to_open(db_path: Path) -> None:
    newer = latest() + 1
    with closing(sqlite3.connect(db_path)) as conn:
        conn.execute(f"PRAGMA user_version = {newer}")

    with pytest.raises(StoreUnavailable, match="newer"):
        await SqliteStore.open(db_path)

    assert file_pragma(db_path, "user_version") == newer
    assert "members" not in table_names(db_path)


async def test_a_failing_migration_leaves_the_file_as_it_was(db_path: Path) -> None:
    with closing(sqlite3.connect(db_path)) as conn:
        conn.execute("CREATE TABLE branches (id INTEGER PRIMARY KEY)")  # clashes with 0001
        conn.commit()

    with pytest.raises(StoreUnavailable, match="already exists"):
        await SqliteStore.open(db_path)

    assert file_pragma(db_path, "user_version") == 0
    assert table_names(db_path) == {"branches"}


# --- transactions ----------------------------------------------------------------------------


class Boom(Exception):
    """Raised inside a transaction on purpose."""


async def test_a_transaction_that_raises_rolls_back_everything(db_path: Path) -> None:
    async with opened(db_path) as store:
        with pytest.raises(Boom):
            async with store.transaction() as tx:
                await add_member(tx)
                await tx.ensure_branch("东城支部", NOW)
                raise Boom
        async with store.transaction() as tx:
            assert await tx.list_branches() == []

    async with opened(db_path) as store, store.transaction() as tx:
        assert await tx.list_branches() == []
        assert await tx.find_member_by_phone("13800000003") is None


async def test_a_committed_transaction_survives_closing_and_reopening(db_path: Path) -> None:
    async with opened(db_path) as store, store.transaction() as tx:
        branch, created = await tx.ensure_branch("城关支部", NOW)
        await tx.set_study_rule(branch.id, "每月10日 09:00", "党员活动室")
    assert created

    async with opened(db_path) as store, store.transaction() as tx:
        found = await tx.find_branch("城关支部")
        again, created_again = await tx.ensure_branch("城关支部", NOW)

    assert found is not None
    assert (found.study_rule, found.study_place) == ("每月10日 09:00", "党员活动室")
    assert (again.id, created_again) == (branch.id, False)


# --- study -----------------------------------------------------------------------------------


async def test_checking_in_twice_records_one_check_in(store: SqliteStore) -> None:
    async with store.transaction() as tx:
        session_id, member_id = await add_session(tx)
        first = await tx.add_checkin(session_id, member_id, NOW, "console")
        second = await tx.add_checkin(session_id, member_id, NOW + timedelta(minutes=5), "console")
        checkin = await tx.get_checkin(session_id, member_id)
        session = await tx.get_session(session_id)
        assert session is not None
        attendance = await tx.attendance(session, [m for m in [await tx.get_member(member_id)]
                                                   if m is not None])

    assert (first, second) == (True, False)
    assert checkin is not None and checkin.checked_in_at == NOW
    assert [m.id for m, _ in attendance.present] == [member_id]


async def test_asking_for_leave_twice_records_one_leave(store: SqliteStore) -> None:
    async with store.transaction() as tx:
        session_id, member_id = await add_session(tx)
        first = await tx.add_leave(session_id, member_id, "住院", NOW)
        second = await tx.add_leave(session_id, member_id, "外出", NOW)
        reason = await tx.get_leave(session_id, member_id)

    assert (first, second) == (True, False)
    assert reason == "住院"


# --- runtime: conversations, processed messages, outbox -------------------------------------


async def test_conversation_state_survives_reopening_the_database(db_path: Path) -> None:
    state = Conversation(flow="leave", step="reason", data={"session_id": 7, "备注": "复查"})
    async with opened(db_path) as store, store.transaction() as tx:
        await tx.save_conversation("telegram", "42", state, NOW)

    async with opened(db_path) as store, store.transaction() as tx:
        restored = await tx.get_conversation("telegram", "42")
        other = await tx.get_conversation("wechat", "42")

    assert restored == Conversation(flow="leave", step="reason", data=state.data, updated_at=NOW)
    assert other is None


async def test_saving_no_conversation_forgets_it(store: SqliteStore) -> None:
    async with store.transaction() as tx:
        await tx.save_conversation("console", "me", Conversation("leave", "reason"), NOW)
        await tx.save_conversation("console", "me", None, NOW)
        assert await tx.get_conversation("console", "me") is None


async def test_a_processed_message_remembers_its_reply(store: SqliteStore) -> None:
    async with store.transaction() as tx:
        assert await tx.get_processed("telegram", "m1") is None
        await tx.save_processed("telegram", "m1", "签到成功 ✓", NOW)
    async with store.transaction() as tx:
        assert await tx.get_processed("telegram", "m1") == "签到成功 ✓"
        assert await tx.get_processed("wechat", "m1") is None


async def test_enqueueing_the_same_key_twice_queues_one_push(store: SqliteStore) -> None:
    async with store.transaction() as tx:
        member_id = await add_member(tx)
        first = await tx.enqueue("remind:1:2026-03", member_id, "reminder", "明天学习", NOW)
        second = await tx.enqueue("remind:1:2026-03", member_id, "reminder", "又一遍", NOW)
        rows = await tx.outbox_rows()

    assert (first, second) == (True, False)
    assert [(r.idempotency_key, r.body, r.state) for r in rows] == [
        ("remind:1:2026-03", "明天学习", "pending")
    ]


async def test_claimed_pushes_are_in_flight_until_released(store: SqliteStore) -> None:
    later = NOW + timedelta(hours=1)
    async with store.transaction() as tx:
        member_id = await add_member(tx)
        other_id = await add_member(tx, "张桂兰", "13800000004")
        await tx.enqueue("a", member_id, "reminder", "A", NOW)
        await tx.enqueue("b", other_id, "alert", "B", NOW, urgent=True)
        await tx.enqueue("later", member_id, "reminder", "L", NOW, not_before=later)
        claimed = await tx.claim_due(NOW, limit=10)
        again = await tx.claim_due(NOW, limit=10)
        states = {r.idempotency_key: r.state for r in await tx.outbox_rows()}
        released = await tx.release_inflight()
        reclaimed = await tx.claim_due(NOW, limit=10)

    assert [(r.idempotency_key, r.state, r.attempts) for r in claimed] == [
        ("b", "inflight", 1), ("a", "inflight", 1)  # urgent first, this attempt counted
    ]
    assert again == []
    assert states == {"a": "inflight", "b": "inflight", "later": "pending"}
    assert released == 2
    assert [(r.idempotency_key, r.attempts) for r in reclaimed] == [("b", 2), ("a", 2)]


async def test_a_transaction_object_cannot_be_used_after_its_block(store: SqliteStore) -> None:
    async with store.transaction() as tx:
        await add_member(tx)
    with pytest.raises(TransactionOver):
        await tx.find_branch("城关支部")
    with pytest.raises(RuntimeError):
        async with store.transaction() as failed:
            raise RuntimeError("rolled back")
    with pytest.raises(TransactionOver):
        await failed.find_branch("城关支部")


async def test_a_long_unit_of_work_lets_the_rest_of_the_loop_run(store: SqliteStore) -> None:
    # Statements run on the event loop; 10,000 of them must not starve a webhook or a poll.
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    task = asyncio.create_task(ticker())
    try:
        async with store.transaction() as tx:
            member_id = await add_member(tx)
            before = ticks
            for i in range(10_000):
                await tx.enqueue(f"k{i}", member_id, "reminder", "R", NOW)
            during = ticks - before
    finally:
        task.cancel()
    assert during >= 5


def test_claiming_reads_the_outbox_in_index_order_without_sorting(db_path: Path) -> None:
    # A broadcast leaves thousands of rows pending; sorting them all for every claim of 16
    # was most of the dispatcher's database time before migration 5.
    with closing(sqlite3.connect(db_path)) as conn:
        for _, sql in migrations():
            conn.executescript(sql)
        plans = [conn.execute(f"EXPLAIN QUERY PLAN {claim_query(urgent)}", ("x", 16)).fetchall()
                 for urgent in (False, True)]

    for plan in plans:
        details = " / ".join(str(step[-1]) for step in plan)
        assert "USING INDEX outbox_claim" in details
        assert "USING INDEX outbox_holding" in details  # the per-member hold: one probe
        assert "TEMP B-TREE" not in details


async def test_a_failure_without_a_retry_time_marks_the_push_dead(store: SqliteStore) -> None:
    retry_at = NOW + timedelta(minutes=10)
    async with store.transaction() as tx:
        await tx.enqueue("dead", await add_member(tx), "reminder", "D", NOW)
        await tx.enqueue("retry", await add_member(tx, "张桂兰", "13800000004"), "reminder",
                         "R", NOW)
        for row in await tx.claim_due(NOW, limit=10):
            await tx.mark_failed(row.id, "blocked", None if row.body == "D" else retry_at)
        rows = {r.idempotency_key: r for r in await tx.outbox_rows()}
        due_now = await tx.claim_due(NOW, limit=10)
        due_later = await tx.claim_due(retry_at, limit=10)

    assert (rows["dead"].state, rows["dead"].last_error) == ("dead", "blocked")
    assert (rows["retry"].state, rows["retry"].not_before) == ("pending", retry_at)
    assert due_now == []
    assert [r.idempotency_key for r in due_later] == ["retry"]


# --- invites ---------------------------------------------------------------------------------


async def test_an_invite_code_can_be_taken_once(store: SqliteStore) -> None:
    async with store.transaction() as tx:
        member_id = await add_member(tx)
        await tx.create_invite("hash-1", member_id, "女儿", None, NOW, NOW + timedelta(days=7))
        first = await tx.take_invite("hash-1", NOW + timedelta(hours=1))
        second = await tx.take_invite("hash-1", NOW + timedelta(hours=2))

    assert first == ("ok", member_id, "女儿")
    assert second == ("used", None, None)


async def test_an_expired_invite_code_is_refused(store: SqliteStore) -> None:
    expires = NOW + timedelta(days=7)
    async with store.transaction() as tx:
        member_id = await add_member(tx)
        await tx.create_invite("hash-2", member_id, None, None, NOW, expires)
        outcome = await tx.take_invite("hash-2", expires)
        still_before = await tx.take_invite("hash-2", expires - timedelta(seconds=1))

    assert outcome == ("expired", None, None)
    assert still_before == ("ok", member_id, None)  # the refusal did not use the code up


async def test_an_unknown_invite_code_is_refused(store: SqliteStore) -> None:
    async with store.transaction() as tx:
        assert await tx.take_invite("no-such-hash", NOW) == ("unknown", None, None)


def test_migrations_are_numbered_without_gaps() -> None:
    # A gap would let a database past it skip the missing migration when it is added later.
    from storage.migrate import migrations

    numbers = [number for number, _ in migrations()]
    assert numbers == list(range(1, len(numbers) + 1))


@pytest.mark.parametrize("moment", [
    datetime(2026, 3, 10, 1, 0, tzinfo=UTC),  # a whole second: the microseconds written out
    datetime(2026, 3, 10, 1, 0, 0, 7, tzinfo=UTC),
    datetime(2026, 3, 10, 9, 5, 59, 999999, tzinfo=ZoneInfo("Asia/Shanghai")),
    datetime(2026, 3, 10, 9, 5, tzinfo=timezone(timedelta(hours=-5))),
])
def test_instants_are_written_as_fixed_width_utc_text(moment: datetime) -> None:
    expected = moment.astimezone(UTC).isoformat(timespec="microseconds")
    assert ts(moment) == expected
    assert ts(moment) == expected  # again (the last one is remembered)
    assert len(expected) == len("2026-03-10T01:00:00.000000+00:00")
    assert parse_ts(expected) == moment


def test_a_naive_instant_never_reaches_the_database() -> None:
    with pytest.raises(ValueError, match="naive"):
        ts(datetime(2026, 3, 10, 9, 0))
