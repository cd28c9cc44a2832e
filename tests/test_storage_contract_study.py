"""Storage contract, study: sessions, the calendar's rules and one-off meetings, check-ins,
leave and attendance (StudyRepo) behave the same on SQLite and PostgreSQL.

The constraint that guards the study day's one effect is here: one check-in per member and
session, however often (and however concurrently) it is asked for.
"""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from storage import MemberData, Store, Tx
from storage.models import HOSPITAL_LEAVE, MeetingRule
from storage.timefmt import ts
from tests.conftest import count_rows as count

NOW = datetime(2026, 12, 8, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai, a study day
INTEGRITY = (sqlite3.IntegrityError, asyncpg.IntegrityConstraintViolationError)


async def person(tx: Tx, name: str, phone: str, branch_id: int, role: str = "member") -> int:
    """Add someone to the roster of a branch; their id."""
    member_id, _ = await tx.upsert_member(
        MemberData(name=name, phone=phone, role=role, home_branch_id=branch_id,
                   birthday=None, address=None, needs_home_delivery=False,
                   lives_alone=False, language=None), [branch_id], NOW)
    return member_id



async def branch_with(store: Store, *names: str) -> tuple[int, list[int]]:
    """A branch and members of it (phones 138000000NN), committed."""
    async with store.transaction() as tx:
        branch, _ = await tx.ensure_branch("城关支部", NOW - timedelta(days=400))
        ids = [await person(tx, name, f"138000000{i:02d}", branch.id)
               for i, name in enumerate(names)]
    return branch.id, ids


# -- sessions ---------------------------------------------------------------------------------
async def test_a_session_is_created_on_first_use_and_found_again(store: Store) -> None:
    branch, _ = await branch_with(store)
    async with store.transaction() as tx:
        first = await tx.ensure_session(branch, NOW, "活动室")
        again = await tx.ensure_session(branch, NOW, "别处")
        lecture = await tx.ensure_session(branch, NOW + timedelta(days=1), None, "lecture")
        assert await tx.get_session(first.id) == first
        assert await tx.get_session(first.id + lecture.id + 100) is None
    assert again == first
    assert (first.branch_id, first.starts_at, first.place, first.topic) == (
        branch, NOW, "活动室", None)
    assert (first.kind, first.one_off, first.moved_to) == ("study", False, None)
    assert (lecture.kind, lecture.place) == ("lecture", None)
    assert await count(store, "study_sessions") == 2


async def test_two_meetings_of_a_branch_cannot_start_at_the_same_instant(store: Store) -> None:
    branch, _ = await branch_with(store)
    async with store.transaction() as tx:
        study = await tx.ensure_session(branch, NOW, "活动室")
        assert await tx.add_meeting(branch, "committee", NOW, "会议室", "换届") is None
    with pytest.raises(INTEGRITY):
        async with store.transaction() as tx:
            await tx._run("INSERT INTO study_sessions (branch_id, starts_at) VALUES (?, ?)",
                          (branch, ts(study.starts_at)))
    assert await count(store, "study_sessions") == 1


async def test_one_off_meetings_and_moved_days_make_the_calendar(store: Store) -> None:
    branch, _ = await branch_with(store)
    month_start, month_end = datetime(2026, 11, 30, 16, tzinfo=UTC), datetime(
        2026, 12, 31, 16, tzinfo=UTC)
    async with store.transaction() as tx:
        ruled = await tx.ensure_session(branch, NOW, "活动室")
        committee = await tx.add_meeting(branch, "committee", NOW + timedelta(days=2),
                                         "会议室", "年终总结")
        moved_to = await tx.add_meeting(branch, "study", NOW + timedelta(days=7), "礼堂", None)
        outside = await tx.add_meeting(branch, "general", month_end + timedelta(days=1),
                                       None, None)
        assert committee is not None and moved_to is not None and outside is not None
        await tx.move_session(ruled.id, moved_to.id)
        await tx.set_meeting_rule(branch, "committee", "每月第一个星期一 09:00", "会议室")
        await tx.set_meeting_rule(branch, "lecture", "每季度末 14:00", None)
        await tx.set_meeting_rule(branch, "committee", "每月第一个星期三 09:00", None)
        stored = await tx.stored_sessions(branch, month_start, month_end)
        rules, sessions = await tx.calendar_rows(branch, month_start, month_end)
        meeting_rules = await tx.meeting_rules(branch)
        moved = await tx.get_session(ruled.id)
    assert (committee.kind, committee.one_off, committee.topic, committee.place) == (
        "committee", True, "年终总结", "会议室")
    assert moved is not None and moved.moved_to == moved_to.id
    # the moved study day and both one-offs of the month, in time order; not next month's
    assert [s.id for s in stored] == [ruled.id, committee.id, moved_to.id]
    assert sessions == stored
    assert meeting_rules == [
        MeetingRule(branch, "committee", "每月第一个星期三 09:00", "会议室"),  # place kept
        MeetingRule(branch, "lecture", "每季度末 14:00", None)]
    assert rules == meeting_rules


async def test_a_calendar_without_rules_or_meetings_is_empty(store: Store) -> None:
    branch, _ = await branch_with(store)
    async with store.transaction() as tx:
        await tx.ensure_session(branch, NOW, None)  # a ruled session changes no calendar
        assert await tx.calendar_rows(branch, NOW - timedelta(days=1),
                                      NOW + timedelta(days=1)) == ([], [])
        assert await tx.stored_sessions(branch, NOW - timedelta(days=1),
                                        NOW + timedelta(days=1)) == []
        assert await tx.meeting_rules(branch) == []


# -- check-ins and leave ----------------------------------------------------------------------
async def test_a_member_checks_in_once_per_session(store: Store) -> None:
    branch, (wang, li) = await branch_with(store, "王秀英", "李建国")
    async with store.transaction() as tx:
        session = await tx.ensure_session(branch, NOW, "活动室")
        assert await tx.get_checkin(session.id, wang) is None
        first = await tx.add_checkin(session.id, wang, NOW, "telegram")
        second = await tx.add_checkin(session.id, wang, NOW + timedelta(minutes=5), "wechat",
                                      by_member_id=li, reason="代签")
        checkin = await tx.get_checkin(session.id, wang)
        proxy = await tx.add_checkin(session.id, li, NOW, "console", by_member_id=wang,
                                     reason="手机没电")
        by_proxy = await tx.get_checkin(session.id, li)
    assert (first, second, proxy) == (True, False, True)
    assert checkin is not None
    assert (checkin.session_id, checkin.member_id, checkin.checked_in_at,
            checkin.by_member_id, checkin.reason) == (session.id, wang, NOW, None, None)
    assert by_proxy is not None and (by_proxy.by_member_id, by_proxy.reason) == (wang, "手机没电")
    assert await count(store, "check_ins") == 2


async def test_a_second_check_in_row_breaks_the_constraint(store: Store) -> None:
    branch, (wang,) = await branch_with(store, "王秀英")
    async with store.transaction() as tx:
        session = await tx.ensure_session(branch, NOW, "活动室")
        await tx.add_checkin(session.id, wang, NOW, "telegram")
    with pytest.raises(INTEGRITY):
        async with store.transaction() as tx:
            await tx._run(
                "INSERT INTO check_ins (session_id, member_id, checked_in_at, channel) "
                "VALUES (?, ?, ?, ?)", (session.id, wang, "2026-12-08T01:01:00", "wechat"))
    assert await count(store, "check_ins") == 1


async def test_concurrent_check_ins_of_one_member_record_one(store: Store) -> None:
    branch, (wang,) = await branch_with(store, "王秀英")

    async def check_in(channel: str) -> bool:
        async with store.transaction() as tx:
            session = await tx.ensure_session(branch, NOW, "活动室")
            return await tx.add_checkin(session.id, wang, NOW, channel)

    results = await asyncio.gather(*(check_in(c) for c in ("telegram", "wechat") * 4))
    assert sorted(results) == [False] * 7 + [True]
    assert await count(store, "check_ins") == 1
    assert await count(store, "study_sessions") == 1


async def test_leave_is_recorded_once(store: Store) -> None:
    branch, (wang,) = await branch_with(store, "王秀英")
    async with store.transaction() as tx:
        session = await tx.ensure_session(branch, NOW, "活动室")
        assert await tx.get_leave(session.id, wang) is None
        assert await tx.add_leave(session.id, wang, "看病", NOW) is True
        assert await tx.add_leave(session.id, wang, "别的事", NOW) is False
        assert await tx.get_leave(session.id, wang) == "看病"
    assert await count(store, "leave_requests") == 1


async def test_attendance_splits_the_expected_into_present_on_leave_and_absent(
        store: Store) -> None:
    branch, (wang, zhang, liu, chen, sun) = await branch_with(
        store, "王秀英", "张桂兰", "刘德明", "陈淑珍", "孙福海")
    async with store.transaction() as tx:
        session = await tx.ensure_session(branch, NOW, "活动室")
        await tx.add_checkin(session.id, wang, NOW, "telegram")
        await tx.add_leave(session.id, zhang, "看病", NOW)
        await tx.add_leave(session.id, chen, "探亲", NOW)
        await tx.add_checkin(session.id, chen, NOW, "console")  # came after all
        # in hospital since the day before, still there: on leave, not absent
        await tx.add_care_event(liu, "hospitalisation", NOW - timedelta(days=1), reported_by=None,
                                relation=None, details={"admitted_on": "2026-12-07"})
        expected = await tx.branch_members(branch)
        result = await tx.attendance(session, expected)
    assert result.session == session and result.expected == expected
    assert [(m.id, c.member_id, c.session_id) for m, c in result.present] == [
        (wang, wang, session.id), (chen, chen, session.id)]
    assert [(m.id, why) for m, why in result.on_leave] == [(zhang, "看病"),
                                                           (liu, HOSPITAL_LEAVE)]
    assert [m.id for m in result.absent] == [sun]


async def test_a_stay_that_ended_before_the_session_is_no_leave(store: Store) -> None:
    branch, (liu,) = await branch_with(store, "刘德明")
    async with store.transaction() as tx:
        session = await tx.ensure_session(branch, NOW, "活动室")
        stay = await tx.add_care_event(liu, "hospitalisation", NOW - timedelta(days=9),
                                       reported_by=None, relation=None, details={})
        await tx.close_care_event(stay.id, NOW - timedelta(days=2))
        result = await tx.attendance(session, await tx.branch_members(branch))
    assert [m.id for m in result.absent] == [liu] and result.on_leave == []


async def test_a_member_record_lists_sessions_attended_and_excused(store: Store) -> None:
    branch, (wang, other) = await branch_with(store, "王秀英", "张桂兰")
    months = [NOW - timedelta(days=56), NOW - timedelta(days=28), NOW]
    async with store.transaction() as tx:
        sessions = [await tx.ensure_session(branch, at, "活动室") for at in months]
        await tx.add_checkin(sessions[0].id, wang, months[0], "telegram")
        await tx.add_leave(sessions[1].id, wang, "看病", months[1])
        await tx.add_checkin(sessions[2].id, other, months[2], "telegram")
        stay = await tx.add_care_event(wang, "hospitalisation", months[2] - timedelta(hours=3),
                                       reported_by=None, relation=None, details={})
        listed, present, leave = await tx.member_record(
            wang, branch, months[0] - timedelta(days=1), NOW + timedelta(days=1))
        recent, _, _ = await tx.member_record(wang, branch, months[1], NOW)
        none = await tx.member_record(wang, branch, NOW + timedelta(days=1),
                                      NOW + timedelta(days=2))
    assert stay.kind == "hospitalisation"
    assert [s.id for s in listed] == [s.id for s in sessions]
    assert present == {sessions[0].id}
    assert leave == {sessions[1].id, sessions[2].id}  # asked for leave; in hospital
    assert [s.id for s in recent] == [sessions[1].id]  # [start, end)
    assert none == ([], set(), set())
