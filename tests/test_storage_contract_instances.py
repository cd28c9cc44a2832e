"""Storage contract, several instances: leases (LeaseRepo), live instances (InstanceRepo),
shared platform tokens (TokenRepo), outbox claims with a lease (RuntimeRepo) and the
whole-table copy of `zhibu migrate` (CopyRepo) behave the same on SQLite and PostgreSQL.

The constraint that guards an effect here: one holder per lease (one scheduler), whoever
asks at the same moment.
"""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest

from storage import MemberData, Store, Tx
from storage.copy import schema
from storage.repo_copy import Table
from storage.repo_instances import instance_lease
from tests.conftest import count_rows as count

NOW = datetime(2026, 12, 8, 1, 0, tzinfo=UTC)
TTL = timedelta(seconds=30)
SECOND = timedelta(seconds=1)
INTEGRITY = (sqlite3.IntegrityError, asyncpg.IntegrityConstraintViolationError)


def table(name: str) -> Table:
    """A table as `zhibu migrate` copies it."""
    (found,) = [t for t in schema() if t.name == name]
    return found


def row_of(t: Table, **values: Any) -> tuple[Any, ...]:
    """A row of all the table's columns, None where not given."""
    assert set(values) <= set(t.columns)
    return tuple(values.get(column) for column in t.columns)



# -- leases -----------------------------------------------------------------------------------
async def test_a_lease_is_held_renewed_taken_over_and_given_up(store: Store) -> None:
    async with store.transaction() as tx:
        assert await tx.lease_of("scheduler") is None
        assert await tx.lease_holder("scheduler", NOW) is None
        assert await tx.take_lease("scheduler", "a", NOW, TTL) is True
        assert await tx.take_lease("scheduler", "b", NOW + SECOND, TTL) is False
        assert await tx.lease_of("scheduler") == ("a", NOW + TTL)
        assert await tx.take_lease("scheduler", "a", NOW + 10 * SECOND, TTL) is True  # renewal
        assert await tx.lease_of("scheduler") == ("a", NOW + 10 * SECOND + TTL)
        assert await tx.lease_holder("scheduler", NOW + 39 * SECOND) == "a"
        assert await tx.lease_holder("scheduler", NOW + 40 * SECOND) is None  # expired
        assert await tx.take_lease("scheduler", "b", NOW + 40 * SECOND, TTL) is True
        assert await tx.drop_lease("scheduler", "a") is False
        assert await tx.lease_holder("scheduler", NOW + 41 * SECOND) == "b"
        assert await tx.take_lease("poller", "a", NOW, TTL) is True  # leases are separate
        assert await tx.drop_lease("scheduler", "b") is True
        assert await tx.lease_of("scheduler") is None
        assert await tx.lease_of("poller") == ("a", NOW + TTL)


async def test_one_holder_when_instances_take_a_lease_at_once(store: Store) -> None:
    async def take(holder: str) -> bool:
        async with store.transaction(serial=False) as tx:
            return await tx.take_lease("scheduler", holder, NOW, TTL)

    results = await asyncio.gather(*(take(f"i{n}") for n in range(6)))
    assert sorted(results) == [False] * 5 + [True]
    async with store.transaction() as tx:
        found = await tx.lease_of("scheduler")
    assert found is not None and found[0] == f"i{results.index(True)}"
    assert await count(store, "leases") == 1


# -- instances --------------------------------------------------------------------------------
async def test_live_instances_are_those_keeping_their_lease(store: Store) -> None:
    async with store.transaction() as tx:
        for instance, ttl in (("b", TTL), ("a", TTL), ("gone", SECOND)):
            assert await tx.take_lease(instance_lease(instance), instance, NOW, ttl)
        await tx.take_lease("scheduler", "a", NOW, TTL)  # not an instance lease
        assert await tx.live_instances(NOW) == ["a", "b", "gone"]
        assert await tx.live_instances(NOW + 2 * SECOND) == ["a", "b"]
        assert await tx.forget_instances(NOW + 2 * SECOND) == 1
        assert await tx.forget_instances(NOW + 2 * SECOND) == 0
        assert await tx.live_instances(NOW + TTL) == []
        assert await tx.lease_of("scheduler") == ("a", NOW + TTL)
    assert await count(store, "leases") == 3


# -- shared tokens ----------------------------------------------------------------------------
async def test_a_shared_token_is_stored_and_replaced(store: Store) -> None:
    async with store.transaction() as tx:
        assert await tx.shared_token("wechat:wx1") is None
        await tx.store_shared_token("wechat:wx1", "token-1", NOW + timedelta(hours=2))
        await tx.store_shared_token("wecom:corp", "token-c", NOW + timedelta(hours=1))
        await tx.store_shared_token("wechat:wx1", "token-2", NOW + timedelta(hours=3))
        assert await tx.shared_token("wechat:wx1") == ("token-2", NOW + timedelta(hours=3))
        assert await tx.shared_token("wecom:corp") == ("token-c", NOW + timedelta(hours=1))
    assert await count(store, "shared_tokens") == 2


# -- outbox claims with a lease ---------------------------------------------------------------
async def outbox_member(tx: Tx) -> int:
    """A member to push to."""
    branch, _ = await tx.ensure_branch("城关支部", NOW)
    member_id, _ = await tx.upsert_member(
        MemberData(name="王秀英", phone="13800000001", role="member", home_branch_id=branch.id,
                   birthday=None, address=None, needs_home_delivery=False, lives_alone=False,
                   language=None), [branch.id], NOW)
    return member_id


async def test_a_claim_belongs_to_its_claimer_until_its_lease_runs_out(store: Store) -> None:
    async with store.transaction() as tx:
        wang = await outbox_member(tx)
        await tx.enqueue("k1", wang, "notice", "第一条", NOW)
        await tx.enqueue("k2", wang, "notice", "第二条", NOW)
        (mine,) = await tx.claim_due(NOW, 10, claimer="a", lease=TTL)
        assert await tx.claim_due(NOW + 29 * SECOND, 10, claimer="b", lease=TTL) == []
        # a died: after the lease its row is claimed again, ahead of the member's next one
        (again,) = await tx.claim_due(NOW + TTL, 10, claimer="b", lease=TTL)
        assert await tx.mark_failed(mine.id, "late", None, claimer="a") is False
        assert await tx.mark_failed(again.id, "timeout", NOW + TTL + 5 * SECOND,
                                    claimer="b") is True
        row = await tx._one("SELECT state, claimed_by, attempts FROM outbox WHERE id = ?",
                            (again.id,))
    assert (mine.idempotency_key, again.idempotency_key, again.attempts) == ("k1", "k1", 2)
    assert row is not None and (row["state"], row["claimed_by"], row["attempts"]) == (
        "pending", "b", 2)


async def test_starting_up_releases_the_rows_of_instances_that_died(store: Store) -> None:
    async with store.transaction() as tx:
        wang = await outbox_member(tx)
        await tx.enqueue("k1", wang, "notice", "…", NOW)
        await tx.claim_due(NOW, 10, claimer="dead", lease=TTL)
        assert await tx.take_lease(instance_lease("alive"), "alive", NOW, TTL)
        assert await tx.release_inflight(NOW + SECOND) == 1  # its claimer keeps no lease
        (row,) = await tx.claim_due(NOW + SECOND, 10, claimer="alive", lease=TTL)
        released = await tx.release_inflight(NOW + 2 * SECOND)
        state = (await tx.outbox_rows())[0].state
    assert row.idempotency_key == "k1"
    # PostgreSQL leaves a live instance's claim alone; on SQLite one process sends, and it is
    # the one starting: everything in flight goes back
    if store.engine == "postgresql":
        assert (released, state) == (0, "inflight")
    else:
        assert (released, state) == (1, "pending")


# -- whole-table copies -----------------------------------------------------------------------
async def test_a_table_is_copied_in_paged_by_key_read_back_and_checked(store: Store) -> None:
    branches, members = table("branches"), table("members")
    stamp = "2026-12-08T01:00:00.000000+00:00"
    rows = [row_of(branches, id=i, name=f"支部{i}", visit_due_days=3, created_at=stamp,
                   holiday_criteria="age80", remind_days_before=3, remind_early_at="09:00",
                   remind_minutes_before=60, absentees_after_minutes=180) for i in (9, 5, 7)]
    people = [row_of(members, id=i, name=f"党员{i}", phone=f"1380000000{i}", branch_id=5,
                     role="member", needs_home_delivery=0, lives_alone=0, status="active",
                     created_at=stamp, updated_at=stamp) for i in (1, 2)]
    async with store.transaction() as tx:
        assert await tx.copy_count(branches) == 0
        assert await tx.copy_id_sum(branches) == 0
        await tx.copy_put(branches, rows)
        await tx.copy_put(members, people)
        await tx.copy_set(members, "pair_member_id", [((1,), 2), ((2,), 1)])
        await tx.continue_ids(branches)
        first = await tx.copy_page(branches, None, 2)
        rest = await tx.copy_page(branches, branches.key_of(first[-1]), 2)
        keys = await tx.copy_page(branches, None, 10, keys_only=True)
        one = await tx.copy_row(branches, (7,))
        assert await tx.copy_row(branches, (8,)) is None
        paired = await tx.copy_row(members, (1,))
        total, id_sum = await tx.copy_count(branches), await tx.copy_id_sum(branches)
        made, _ = await tx.ensure_branch("新支部", NOW)  # after the copied ids
    assert [r[0] for r in first] == [5, 7] and [r[0] for r in rest] == [9]
    assert keys == [(5,), (7,), (9,)]
    assert one == rows[2] and first[1] == rows[2]
    assert paired is not None and paired[members.columns.index("pair_member_id")] == 2
    assert (total, id_sum) == (3, 21)
    assert made.id == 10


async def test_a_composite_or_text_key_is_paged_in_order(store: Store) -> None:
    tokens, pairs = table("shared_tokens"), table("pair_nudges")
    async with store.transaction() as tx:
        wang = await outbox_member(tx)
        await tx.copy_put(tokens, [row_of(tokens, name=n, token="t", expires_at="x")
                                   for n in ("b", "c", "a")])
        await tx.copy_put(pairs, [row_of(pairs, member_id=wang, partner_id=wang, since=s,
                                         sent_at="x") for s in ("2026-12", "2026-10", "2026-11")])
        names = await tx.copy_page(tokens, ("a",), 10, keys_only=True)
        page = await tx.copy_page(pairs, (wang, wang, "2026-10"), 1, keys_only=True)
        assert await tx.copy_row(tokens, ("c",)) == row_of(tokens, name="c", token="t",
                                                           expires_at="x")
    assert names == [("b",), ("c",)]
    assert page == [(wang, wang, "2026-11")]
    with pytest.raises(INTEGRITY):  # a copy never overwrites: a key is there once
        async with store.transaction() as tx:
            await tx.copy_put(tokens, [row_of(tokens, name="a", token="t", expires_at="x")])
    assert await count(store, "shared_tokens") == 3
