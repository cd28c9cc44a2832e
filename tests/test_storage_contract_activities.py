"""Storage contract, branch life in activities: activities, sign-ups, attendance and hours
(ActivityRepo) and the month's figures of branch life (LifeFiguresRepo) behave the same on
SQLite and PostgreSQL.

The constraints that guard effects here: one sign-up and one attendance per member and
activity, and at most 24 hours a day.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from storage import Store, Tx
from tests.conftest import count_rows as count
from tests.contract import INTEGRITY, NOW, branch_with

HOUR, DAY = timedelta(hours=1), timedelta(days=1)





# -- activities -------------------------------------------------------------------------------
async def add(tx: Tx, branch: int, title: str, starts: datetime, *, kind: str = "interest",
              capacity: int | None = None, group: int | None = None,
              organiser: int | None = None, invited: list[int] | None = None) -> int:
    """An activity of a branch; its id."""
    made = await tx.add_activity(
        branch_id=branch, kind=kind, title=title, starts_at=starts, place="活动室",
        capacity=capacity, group_id=group, organiser_id=organiser,
        branch_ids=invited or [], month=starts.strftime("%Y-%m"), now=NOW)
    return made.id


async def test_an_activity_is_stored_with_the_branches_it_invites(store: Store) -> None:
    east, (li, wang) = await branch_with(store, "李建国", "王秀英", branch="东街支部")
    west, (sun,) = await branch_with(store, "孙福海", branch="西街支部")
    async with store.transaction() as tx:
        group = await tx.ensure_group(east, "书法组", None, NOW)
        await tx.join_group(group.id, wang, NOW)
        own = await add(tx, east, "义诊", NOW + DAY, kind="volunteer", capacity=10,
                        organiser=li)
        shared = await add(tx, east, "参观", NOW + 2 * DAY, kind="visit",
                           invited=[west, east, west])
        grouped = await add(tx, east, "书法课", NOW + 3 * DAY, group=group.id)
        found = await tx.get_activity(grouped)
        assert await tx.get_activity(grouped + 100) is None
        assert await tx.activity_branch_ids(own) == [east]
        assert await tx.activity_branch_ids(shared) == sorted([east, west])
        assert await tx.is_invited(own, wang, east) is True
        assert await tx.is_invited(own, sun, west) is False
        assert await tx.is_invited(shared, sun, west) is True
        assert await tx.is_invited(shared, sun, None) is False
        assert await tx.is_invited(grouped, wang, east) is True  # in the group
        assert await tx.is_invited(grouped, li, east) is False  # in the branch, not the group
    assert found is not None
    assert (found.branch_id, found.kind, found.title, found.starts_at, found.place,
            found.capacity, found.group_id, found.organiser_id, found.status, found.month,
            found.group_name) == (east, "interest", "书法课", NOW + 3 * DAY, "活动室", None,
                                  group.id, None, "open", "2026-12", "书法组")


async def test_sign_ups_move_between_states_once(store: Store) -> None:
    branch, (wang, zhang, liu) = await branch_with(store, "王秀英", "张桂兰", "刘德明")
    async with store.transaction() as tx:
        walk = await add(tx, branch, "健步走", NOW + DAY, capacity=1)
        assert await tx.signup_state(walk, wang) is None
        assert await tx.set_signup(walk, wang, "signed", NOW) is True
        assert await tx.set_signup(walk, wang, "signed", NOW + HOUR) is False
        assert await tx.first_waiting(walk) is None
        assert await tx.set_signup(walk, liu, "waiting", NOW + 2 * HOUR) is True
        assert await tx.set_signup(walk, zhang, "waiting", NOW + HOUR) is True
        assert await tx.set_signup(walk, zhang, "waiting", NOW + 3 * HOUR) is False  # keeps place
        assert await tx.first_waiting(walk) == zhang
        assert await tx.signed_count(walk) == 1
        assert await tx.set_signup(walk, wang, "cancelled", NOW + 4 * HOUR) is True
        assert await tx.signed_count(walk) == 0
        assert await tx.signup_state(walk, wang) == "cancelled"
    with pytest.raises(INTEGRITY):
        async with store.transaction() as tx:
            await tx._run("INSERT INTO activity_signups (activity_id, member_id, state, "
                          "updated_at) VALUES (?, ?, ?, ?)", (walk, wang, "signed", "x"))
    assert await count(store, "activity_signups") == 3


async def test_what_a_member_sees_of_activities(store: Store) -> None:
    east, (li, wang, zhang) = await branch_with(store, "李建国", "王秀英", "张桂兰",
                                                branch="东街支部")
    west, (sun,) = await branch_with(store, "孙福海", branch="西街支部")
    async with store.transaction() as tx:
        past = await add(tx, east, "上周", NOW - 2 * DAY, organiser=li)
        soon = await add(tx, east, "义诊", NOW + HOUR, capacity=1, organiser=li)
        later = await add(tx, west, "西街讲座", NOW + 2 * DAY, kind="lecture")
        await tx.set_signup(soon, zhang, "signed", NOW)
        await tx.set_signup(later, wang, "waiting", NOW)  # signed up though not invited
        mine = await tx.activities_for(wang, east, NOW)
        visible = [(m.activity.id, m.state, m.signed, m.full) for m in mine]
        assert [m.activity.id for m in await tx.activities_for(sun, west, NOW)] == [later]
        assert await tx.add_attendance(soon, wang, east, NOW + HOUR) is True
        near = await tx.checkin_activities(wang, east, NOW, NOW + 2 * HOUR)
        started = await tx.started_activities(li, [east], NOW + 2 * HOUR)
        everywhere = await tx.started_activities(sun, None, NOW + 3 * DAY)
        nothing = await tx.started_activities(sun, [], NOW + 2 * HOUR)
        limited = await tx.started_activities(li, None, NOW + 3 * DAY, limit=1)
    assert visible == [(soon, None, 1, True), (later, "waiting", 0, False)]
    assert [(m.activity.id, m.checked_in) for m in near] == [(soon, True)]
    assert [a.id for a in started] == [soon, past]
    assert [a.id for a in everywhere] == [later, soon, past]
    assert nothing == [] and [a.id for a in limited] == [later]


async def test_activity_counts_and_reminders_due(store: Store) -> None:
    east, (li, wang, zhang, liu) = await branch_with(
        store, "李建国", "王秀英", "张桂兰", "刘德明", branch="东街支部")
    west, _ = await branch_with(store, branch="西街支部")
    async with store.transaction() as tx:
        first = await add(tx, east, "义诊", NOW + DAY, capacity=2, organiser=li)
        second = await add(tx, west, "讲座", NOW + 2 * DAY, invited=[west, east])
        other = await add(tx, west, "西街", NOW + 3 * DAY)
        await tx.set_signup(first, wang, "signed", NOW)
        await tx.set_signup(first, zhang, "signed", NOW)
        await tx.set_signup(first, liu, "waiting", NOW)
        await tx.set_signup(second, wang, "signed", NOW)
        await tx.add_attendance(first, wang, east, NOW + DAY)
        counts = await tx.activity_counts(east, NOW)
        organised = await tx.activity_counts(None, NOW, organiser_id=li)
        every = await tx.activity_counts(None, NOW)
        two = await tx.activity_counts(None, NOW, limit=2)
        due = await tx.reminders_due(NOW + DAY - HOUR, NOW + 2 * DAY + HOUR)
        assert await tx.reminders_due(NOW + 3 * DAY, NOW + 4 * DAY) == []
    assert [(c.activity.id, c.signed, c.waiting, c.present) for c in counts] == [
        (first, 2, 1, 1), (second, 1, 0, 0)]
    assert [c.activity.id for c in organised] == [first]
    assert [c.activity.id for c in every] == [first, second, other]
    assert [c.activity.id for c in two] == [first, second]
    assert [(a.id, m) for a, m in due] == [(first, wang), (first, zhang), (second, wang)]


async def test_attendance_is_recorded_once_with_hours(store: Store) -> None:
    branch, (li, wang, zhang) = await branch_with(store, "李建国", "王秀英", "张桂兰")
    async with store.transaction() as tx:
        clinic = await add(tx, branch, "义诊", NOW, kind="volunteer")
        assert await tx.attendance_at(clinic, wang) is None
        assert await tx.add_attendance(clinic, wang, branch, NOW + HOUR) is True
        assert await tx.add_attendance(clinic, wang, branch, NOW + 2 * HOUR, li) is False
        await tx.set_hours(clinic, wang, branch, 2.5, NOW + 3 * HOUR, li)
        await tx.set_hours(clinic, zhang, branch, 1, NOW + 4 * HOUR, li)  # present from now
        assert await tx.attendance_at(clinic, wang) == NOW + HOUR
        assert await tx.attendance_at(clinic, zhang) == NOW + 4 * HOUR
        people = await tx.attendees(clinic)
    assert [(a.member_id, a.name, a.hours) for a in people] == [
        (wang, "王秀英", 2.5), (zhang, "张桂兰", 1.0)]
    with pytest.raises(INTEGRITY):  # a day has 24 hours
        async with store.transaction() as tx:
            await tx.set_hours(clinic, wang, branch, 25, NOW, li)
    assert await count(store, "activity_attendance") == 2


# -- the month's figures ----------------------------------------------------------------------
async def test_the_months_figures_of_branch_life(store: Store) -> None:
    east, (li, wang, zhang, liu, chen) = await branch_with(
        store, "李建国", "王秀英", "张桂兰", "刘德明", "陈淑珍", branch="东街支部")
    west, (sun,) = await branch_with(store, "孙福海", branch="西街支部")
    async with store.transaction() as tx:
        assert (await tx.life_figures(east, "2026-12")).empty
        accepted = await tx.add_submission(east, wang, "witness", "…", "2026-12", NOW)
        await tx.add_submission(east, zhang, "witness", "…", "2026-12", NOW)
        advice = await tx.add_submission(east, zhang, "advice", "…", "2026-12", NOW)
        await tx.add_submission(east, zhang, "join", "…", "2026-11", NOW)
        await tx.review_piece(accepted, "accepted", li, NOW)
        await tx.review_piece(advice, "forwarded", li, NOW)
        clinic = await add(tx, east, "义诊", NOW, kind="volunteer", invited=[east, west])
        talk = await add(tx, east, "讲座", NOW + DAY, kind="lecture")
        await tx.set_signup(clinic, wang, "signed", NOW)
        await tx.set_signup(clinic, zhang, "waiting", NOW)
        await tx.set_signup(clinic, sun, "signed", NOW)
        await tx.set_hours(clinic, wang, east, 2.5, NOW, li)
        await tx.set_hours(clinic, zhang, east, 1.5, NOW, li)
        await tx.add_attendance(clinic, sun, west, NOW)
        await tx.add_attendance(talk, liu, east, NOW + DAY)
        await tx.set_pair(wang, zhang)
        await tx.set_pair(zhang, wang)
        await tx.set_pair(liu, chen)
        await tx.set_pair(chen, liu)
        await tx.add_pair_contact(east, wang, zhang, "life", "…", "2026-12-01", "2026-12", NOW)
        await tx.add_pair_contact(east, zhang, wang, "comfort", "…", "2026-12-02", "2026-12",
                                  NOW)
        await tx.like_piece(east, liu, accepted, "2026-12", NOW)
        await tx.add_praise(east, wang, liu, None, "2026-12", NOW)
        figures = await tx.life_figures(east, "2026-12")
        lines = await tx.activity_lines(east, "2026-12")
        west_lines = await tx.activity_lines(west, "2026-12")
        assert await tx.activity_lines(east, "2026-11") == []
    assert figures.received == {"witness": 2, "join": 0, "praise": 0, "advice": 1}
    assert figures.accepted == {"witness": 1, "join": 0, "praise": 0, "advice": 1}
    assert (figures.pieces, figures.taken_up) == (3, 2)
    assert (figures.participants, figures.volunteer_hours) == (3, 4.0)
    assert (figures.pairs_contacted, figures.pairs, figures.praises) == (1, 2, 2)
    assert not figures.empty
    assert [(x.starts_at, x.title, x.kind, x.organiser_branch, x.signed, x.waiting, x.present,
             x.hours) for x in lines] == [
        (NOW, "义诊", "volunteer", "东街支部", 1, 1, 2, 4.0),
        (NOW + DAY, "讲座", "lecture", "东街支部", 0, 0, 1, 0.0)]
    assert [(x.title, x.signed, x.present, x.hours) for x in west_lines] == [
        ("义诊", 1, 1, 0.0)]
