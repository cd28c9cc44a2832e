"""Storage contract, members: branches, the roster, chat bindings, invite codes and the rows of
membership (MemberRepo, MembershipRepo) behave the same on SQLite and PostgreSQL.

Every test runs once per engine through the `store` fixture (tests/conftest.py): an empty,
migrated database of its own (a PostgreSQL schema that is dropped afterwards).
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from storage import MemberData, Store, Tx
from storage.models import Conversation
from tests.conftest import count_rows as count

NOW = datetime(2026, 12, 8, 1, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=2)
# What each engine raises when a statement breaks a constraint.
INTEGRITY = (sqlite3.IntegrityError, asyncpg.IntegrityConstraintViolationError)


def data(name: str, phone: str, branch_id: int | None, role: str = "member",
         **extra: object) -> MemberData:
    """A roster row with the optional fields empty unless given."""
    fields: dict[str, object] = {
        "birthday": None, "address": None, "needs_home_delivery": False,
        "lives_alone": False, "language": None, **extra}
    return MemberData(name=name, phone=phone, role=role, home_branch_id=branch_id,
                      **fields)  # type: ignore[arg-type]


async def person(tx: Tx, name: str, phone: str, branch_id: int | None,
                 role: str = "member", overseen: list[int] | None = None) -> int:
    """Add someone to the roster; their id."""
    member_id, how = await tx.upsert_member(
        data(name, phone, branch_id, role),
        overseen if overseen is not None else ([branch_id] if branch_id else []), NOW)
    assert how == "added"
    return member_id



# -- branches ---------------------------------------------------------------------------------
async def test_a_branch_is_created_once_and_found_by_name_and_id(store: Store) -> None:
    async with store.transaction() as tx:
        made, created = await tx.ensure_branch("城关支部", NOW)
        again, created_again = await tx.ensure_branch("城关支部", NOW)
        other, _ = await tx.ensure_branch("东街支部", NOW)
        assert (created, created_again) == (True, False)
        assert again == made and made.id != other.id
        assert await tx.find_branch("城关支部") == made
        assert await tx.find_branch("城关") is None
        assert await tx.get_branch(made.id) == made
        assert await tx.get_branch(made.id + other.id + 100) is None
        assert [b.name for b in await tx.list_branches()] == sorted(["城关支部", "东街支部"])
    # the defaults every branch starts with
    assert (made.study_rule, made.study_place, made.visit_due_days) == (None, None, 3)
    assert made.holiday_criteria == "lives_alone,needs_home_delivery,hospitalised,age80"
    assert (made.remind_days_before, made.remind_early_at, made.remind_minutes_before,
            made.absentees_after_minutes) == (3, "09:00", 60, 180)


async def test_a_branch_name_is_unique(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.ensure_branch("城关支部", NOW)
    with pytest.raises(INTEGRITY):
        async with store.transaction() as tx:
            await tx._insert("INSERT INTO branches (name, created_at) VALUES (?, ?)",
                             ("城关支部", "2026-12-08T01:00:00.000000+00:00"))
    assert await count(store, "branches") == 1


async def test_study_rule_and_care_settings_keep_what_is_not_given(store: Store) -> None:
    async with store.transaction() as tx:
        branch, _ = await tx.ensure_branch("城关支部", NOW)
        await tx.set_study_rule(branch.id, "每月第二个星期二 09:00", "活动室")
        await tx.set_study_rule(branch.id, "每月第三个星期二 09:00")
        await tx.set_care_settings(branch.id, 5, None)
        await tx.set_care_settings(branch.id, None, "lives_alone")
        found = await tx.get_branch(branch.id)
    assert found is not None
    assert (found.study_rule, found.study_place) == ("每月第三个星期二 09:00", "活动室")
    assert (found.visit_due_days, found.holiday_criteria) == (5, "lives_alone")


# -- the roster -------------------------------------------------------------------------------
async def test_upsert_adds_then_updates_then_leaves_a_member_unchanged(store: Store) -> None:
    async with store.transaction() as tx:
        branch, _ = await tx.ensure_branch("城关支部", NOW)
        wang = data("王秀英", "13800000001", branch.id, birthday="1946-03-02",
                    address="城关路1号", lives_alone=True, language="zh-Hant")
        member_id, added = await tx.upsert_member(wang, [branch.id], NOW)
        same_id, unchanged = await tx.upsert_member(wang, [branch.id], LATER)
        moved = data("王秀英", "13800000001", branch.id, birthday="1946-03-02",
                     address="城关路2号", lives_alone=True, language="zh-Hant")
        again_id, updated = await tx.upsert_member(moved, [branch.id], LATER)
        member = await tx.get_member(member_id)
        by_phone = await tx.find_member_by_phone("13800000001")
        assert await tx.find_member_by_phone("13800000009") is None
        assert await tx.get_member(member_id + 1000) is None
        assert await tx.all_phones() == frozenset({"13800000001"})
    assert (added, unchanged, updated) == ("added", "unchanged", "updated")
    assert member_id == same_id == again_id
    assert member is not None and by_phone == member
    assert (member.name, member.phone, member.branch_id, member.role) == (
        "王秀英", "13800000001", branch.id, "member")
    assert (member.birthday, member.address, member.language) == (
        "1946-03-02", "城关路2号", "zh-Hant")
    assert (member.lives_alone, member.needs_home_delivery) == (True, False)
    assert (member.status, member.pair_member_id, member.joined_at) == ("active", None, NOW)
    assert not member.is_officer


async def test_a_phone_belongs_to_one_member(store: Store) -> None:
    async with store.transaction() as tx:
        branch, _ = await tx.ensure_branch("城关支部", NOW)
        await person(tx, "王秀英", "13800000001", branch.id)
    with pytest.raises(INTEGRITY):
        async with store.transaction() as tx:
            await tx._insert(
                "INSERT INTO members (name, phone, role, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?)", ("别人", "13800000001", "member", "x", "x"))
    assert await count(store, "members") == 1


async def test_members_are_found_by_name_in_a_branch_or_anywhere(store: Store) -> None:
    async with store.transaction() as tx:
        east, _ = await tx.ensure_branch("东街支部", NOW)
        west, _ = await tx.ensure_branch("西街支部", NOW)
        first = await person(tx, "张桂兰", "13800000001", east.id)
        second = await person(tx, "张桂兰", "13800000002", west.id)
        await person(tx, "刘德明", "13800000003", east.id)
        anywhere = await tx.find_members_by_name("张桂兰")
        in_west = await tx.find_members_by_name("张桂兰", west.id)
        nobody = await tx.find_members_by_name("张")
    assert [m.id for m in anywhere] == [first, second]
    assert [m.id for m in in_west] == [second]
    assert nobody == []


async def test_branch_members_are_its_active_members_and_secretaries(store: Store) -> None:
    async with store.transaction() as tx:
        branch, _ = await tx.ensure_branch("城关支部", NOW)
        other, _ = await tx.ensure_branch("东街支部", NOW)
        secretary = await person(tx, "李建国", "13800000001", branch.id, "secretary")
        member = await person(tx, "王秀英", "13800000002", branch.id)
        gone = await person(tx, "孙福海", "13800000003", branch.id)
        await person(tx, "赵志刚", "13800000004", branch.id, "instructor")
        await person(tx, "陈淑珍", "13800000005", other.id)
        await tx.set_status(gone, "deceased", LATER)
        active = await tx.branch_members(branch.id)
        everyone = await tx.branch_members(branch.id, active_only=False)
    assert [m.id for m in active] == [secretary, member]
    assert [m.id for m in everyone] == [secretary, member, gone]
    assert everyone[2].status == "deceased"


async def test_officers_of_a_branch_include_those_listed_for_it(store: Store) -> None:
    async with store.transaction() as tx:
        east, _ = await tx.ensure_branch("东街支部", NOW)
        west, _ = await tx.ensure_branch("西街支部", NOW)
        secretary = await person(tx, "李建国", "13800000001", east.id, "secretary")
        instructor = await person(tx, "赵志刚", "13800000002", None, "instructor",
                                  overseen=[east.id, west.id])
        admin = await person(tx, "钱主任", "13800000003", None, "admin", overseen=[])
        retired = await person(tx, "周老师", "13800000004", None, "instructor",
                               overseen=[west.id])
        await tx.set_status(retired, "inactive", NOW)
        assert [m.id for m in await tx.officers(east.id, "secretary")] == [secretary]
        assert [m.id for m in await tx.officers(west.id, "secretary")] == []
        assert [m.id for m in await tx.officers(west.id, "instructor")] == [instructor]
        assert [m.id for m in await tx.officers(west.id, "admin")] == [admin]
        assert await tx.overseen_branch_ids(instructor) == sorted([east.id, west.id])
        assert await tx.overseen_branch_ids(admin) == []
        # a changed list of overseen branches alone is an update
        again = data("赵志刚", "13800000002", None, "instructor")
        assert await tx.upsert_member(again, [west.id], LATER) == (instructor, "updated")
        assert await tx.overseen_branch_ids(instructor) == [west.id]
        officer = await tx.get_member(instructor)
    assert officer is not None and officer.is_officer


async def test_a_pair_is_set_once_and_cleared(store: Store) -> None:
    async with store.transaction() as tx:
        branch, _ = await tx.ensure_branch("城关支部", NOW)
        a = await person(tx, "王秀英", "13800000001", branch.id)
        b = await person(tx, "张桂兰", "13800000002", branch.id)
        assert await tx.set_pair(a, b) is True
        assert await tx.set_pair(a, b) is False
        paired = await tx.get_member(a)
        assert await tx.set_pair(a, None) is True
        assert await tx.set_pair(a, None) is False
        cleared = await tx.get_member(a)
    assert paired is not None and paired.pair_member_id == b
    assert cleared is not None and cleared.pair_member_id is None


# -- membership -------------------------------------------------------------------------------
async def test_status_changes_are_rows_of_membership(store: Store) -> None:
    async with store.transaction() as tx:
        branch, _ = await tx.ensure_branch("城关支部", NOW)
        wang = await person(tx, "王秀英", "13800000001", branch.id)
        await tx.set_status(wang, "inactive", NOW + timedelta(days=1))
        await tx.set_status(wang, "inactive", NOW + timedelta(days=2))  # no change, no row
        await tx.set_status(wang, "active", NOW + timedelta(days=3))
        await tx.set_status(wang, "deceased", NOW + timedelta(days=4))
        changes = await tx.membership_changes(branch.id, NOW, NOW + timedelta(days=30))
        later = await tx.membership_changes(branch.id, NOW + timedelta(days=2),
                                            NOW + timedelta(days=4))
        member = await tx.get_member(wang)
    assert [(c.kind, c.at - NOW) for c in changes] == [
        ("joined", timedelta(0)), ("left", timedelta(days=1)),
        ("restored", timedelta(days=3)), ("deceased", timedelta(days=4))]
    assert {(c.member_id, c.name, c.branch_id) for c in changes} == {(wang, "王秀英", branch.id)}
    assert [c.kind for c in later] == ["restored"]  # [start, end)
    assert member is not None and member.status == "deceased"


async def test_a_branch_roll_knows_who_belonged_when(store: Store) -> None:
    async with store.transaction() as tx:
        east, _ = await tx.ensure_branch("东街支部", NOW)
        west, _ = await tx.ensure_branch("西街支部", NOW)
        wang = await person(tx, "王秀英", "13800000001", east.id)
        zhao = await person(tx, "赵志刚", "13800000002", east.id, "instructor")
        moved_at = NOW + timedelta(days=10)
        await tx.upsert_member(data("王秀英", "13800000001", west.id), [west.id], moved_at)
        await tx.record_membership(zhao, "left", east.id, NOW + timedelta(days=1))
        east_roll = await tx.branch_roll(east.id)
        west_roll = await tx.branch_roll(west.id)
        east_changes = await tx.membership_changes(east.id, NOW, NOW + timedelta(days=30))
        west_changes = await tx.membership_changes(west.id, NOW, NOW + timedelta(days=30))
    before, after = NOW + timedelta(days=5), NOW + timedelta(days=11)
    assert east_roll.belonged_at(wang, before) and not east_roll.belonged_at(wang, after)
    assert west_roll.belonged_at(wang, after) and not west_roll.belonged_at(wang, before)
    assert not east_roll.belonged_at(wang, NOW - timedelta(seconds=1))
    assert [m.id for m in east_roll.expected_at(before)] == [wang]  # instructors are not 应到
    assert east_roll.expected_at(after) == []
    assert [m.id for m in west_roll.expected_at(before, until=after)] == [wang]
    assert east_roll.first_member_at() == NOW
    assert west_roll.first_member_at() == moved_at
    assert sorted(east_roll.members) == sorted([wang, zhao])
    assert [(c.kind, c.from_branch_id) for c in east_changes] == [
        ("joined", None), ("joined", None), ("left", None), ("moved", east.id)]
    assert [(c.kind, c.branch_id, c.from_branch_id) for c in west_changes] == [
        ("moved", west.id, east.id)]


# -- bindings ---------------------------------------------------------------------------------
async def test_bindings_attach_accounts_to_members_own_account_first(store: Store) -> None:
    async with store.transaction() as tx:
        branch, _ = await tx.ensure_branch("城关支部", NOW)
        liu = await person(tx, "刘德明", "13800000001", branch.id)
        await tx.bind("telegram", "1001", liu, None, NOW)
        await tx.bind("wechat", "o-daughter", liu, "女儿", NOW + timedelta(hours=1))
        await tx.bind("console", "son", liu, "儿子", NOW + timedelta(hours=2))
        own = await tx.get_binding("telegram", "1001")
        assert await tx.get_binding("telegram", "9999") is None
        assert await tx.get_binding("wechat", "1001") is None
        order = [(b.channel, b.relation) for b in await tx.bindings_for(liu)]
    assert order == [("telegram", None), ("console", "儿子"), ("wechat", "女儿")]
    assert own is not None
    assert (own.member_id, own.relation, own.locale, own.last_seen_at, own.unreachable_at) == (
        liu, None, None, NOW, None)


async def test_binding_an_account_again_replaces_its_binding(store: Store) -> None:
    async with store.transaction() as tx:
        branch, _ = await tx.ensure_branch("城关支部", NOW)
        liu = await person(tx, "刘德明", "13800000001", branch.id)
        wang = await person(tx, "王秀英", "13800000002", branch.id)
        await tx.bind("wechat", "o-1", liu, "女儿", NOW)
        await tx.bind("wechat", "o-1", wang, None, LATER)
        found = await tx.get_binding("wechat", "o-1")
        assert await tx.bindings_for(liu) == []
    assert found is not None and (found.member_id, found.relation, found.last_seen_at) == (
        wang, None, LATER)
    assert await count(store, "bindings") == 1


async def test_touching_a_binding_notes_when_and_in_which_script(store: Store) -> None:
    async with store.transaction() as tx:
        branch, _ = await tx.ensure_branch("城关支部", NOW)
        liu = await person(tx, "刘德明", "13800000001", branch.id)
        await tx.bind("telegram", "1001", liu, None, NOW)
        await tx.touch_binding("telegram", "1001", LATER, "zh-Hant")
        await tx.touch_binding("telegram", "1001", LATER + timedelta(minutes=1), None)
        await tx.touch_binding("telegram", "nobody", LATER, "zh-Hans")  # changes nothing
        found = await tx.get_binding("telegram", "1001")
    assert found is not None
    assert (found.last_seen_at, found.locale) == (LATER + timedelta(minutes=1), "zh-Hant")
    assert await count(store, "bindings") == 1


async def test_the_speaker_query_reads_who_wrote_in_one_go(store: Store) -> None:
    async with store.transaction() as tx:
        branch, _ = await tx.ensure_branch("城关支部", NOW)
        await tx.set_study_rule(branch.id, "每月第二个星期二 09:00", "活动室")
        liu = await person(tx, "刘德明", "13800000001", branch.id)
        await tx.bind("console", "刘德明", liu, None, NOW)
        conv = Conversation("leave", "reason", {"session": 7, "说明": "住院"})
        await tx.save_conversation("console", "刘德明", conv, NOW)
        await tx.save_processed("console", "m-1", "已签到", NOW)
        known = await tx.speaker("console", "刘德明", "m-1")
        fresh = await tx.speaker("console", "刘德明", "m-2")
        stranger = await tx.speaker("console", "陌生人", "m-1")
        binding = await tx.get_binding("console", "刘德明")
        member = await tx.get_member(liu)
        home = await tx.get_branch(branch.id)
    assert known.prior_reply == "已签到" and fresh.prior_reply is None
    assert known.binding == binding and known.member == member and known.branch == home
    assert known.conversation == Conversation("leave", "reason", {"session": 7, "说明": "住院"},
                                              NOW)
    assert stranger.prior_reply == "已签到"  # the message id is the channel's, not the account's
    assert (stranger.binding, stranger.member, stranger.branch, stranger.conversation) == (
        None, None, None, None)


# -- invite codes -----------------------------------------------------------------------------
async def test_an_invite_code_is_taken_once_and_expires(store: Store) -> None:
    async with store.transaction() as tx:
        branch, _ = await tx.ensure_branch("城关支部", NOW)
        liu = await person(tx, "刘德明", "13800000001", branch.id)
        sec = await person(tx, "李建国", "13800000002", branch.id, "secretary")
        await tx.create_invite("hash-1", liu, "女儿", sec, NOW, NOW + timedelta(days=1))
        await tx.create_invite("hash-2", liu, None, None, NOW, NOW + timedelta(hours=1))
        assert await tx.take_invite("hash-1", LATER) == ("ok", liu, "女儿")
        assert await tx.take_invite("hash-1", LATER) == ("used", None, None)
        assert await tx.take_invite("hash-2", LATER) == ("expired", None, None)
        assert await tx.take_invite("hash-3", LATER) == ("unknown", None, None)
    with pytest.raises(INTEGRITY):
        async with store.transaction() as tx:
            await tx.create_invite("hash-1", liu, None, None, NOW, LATER)
    assert await count(store, "invite_codes") == 2
