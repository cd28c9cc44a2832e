"""Storage contract, care and delivery: care events and visit tasks (CareRepo), the month's
materials and their home delivery (DeliveryRepo) behave the same on SQLite and PostgreSQL.

The constraints that guard effects here: one generated visit task per dedupe key (a holiday
visit is owed once however often the scheduler looks), one delivery request per member and
month.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from storage import Store
from tests.conftest import count_rows as count
from tests.contract import INTEGRITY, NOW, branch_with

DAY = timedelta(days=1)





# -- care events ------------------------------------------------------------------------------
async def test_a_care_event_is_recorded_updated_and_closed(store: Store) -> None:
    _, (liu, daughter_of) = await branch_with(store, "刘德明", "陈淑珍")
    async with store.transaction() as tx:
        stay = await tx.add_care_event(liu, "hospitalisation", NOW, reported_by=daughter_of,
                                       relation="女儿", details={"hospital": "县医院"})
        assert await tx.get_care_event(stay.id) == stay
        assert await tx.get_care_event(stay.id + 100) is None
        assert await tx.open_stay(liu) == stay
        assert await tx.hospitalised_member_ids() == {liu}
        await tx.update_care_details(stay.id, {"hospital": "县医院", "ward": "3病区"})
        await tx.close_care_event(stay.id, NOW + DAY)
        closed = await tx.get_care_event(stay.id)
        assert await tx.open_stay(liu) is None
        assert await tx.hospitalised_member_ids() == set()
    assert (stay.member_id, stay.kind, stay.reported_by, stay.reporter_relation) == (
        liu, "hospitalisation", daughter_of, "女儿")
    assert (stay.details, stay.created_at, stay.closed_at) == ({"hospital": "县医院"}, NOW, None)
    assert closed is not None
    assert closed.details == {"hospital": "县医院", "ward": "3病区"}
    assert closed.closed_at == NOW + DAY


async def test_the_open_stay_is_the_latest_hospitalisation(store: Store) -> None:
    _, (liu,) = await branch_with(store, "刘德明")
    async with store.transaction() as tx:
        await tx.add_care_event(liu, "hardship", NOW, reported_by=None, relation=None,
                                details={})
        older = await tx.add_care_event(liu, "hospitalisation", NOW, reported_by=None,
                                        relation=None, details={})
        newer = await tx.add_care_event(liu, "hospitalisation", NOW + DAY, reported_by=None,
                                        relation=None, details={})
        assert await tx.open_stay(liu) == newer
        await tx.close_care_event(newer.id, NOW + 2 * DAY)
        assert await tx.open_stay(liu) == older
    with pytest.raises(INTEGRITY):  # the kinds are a closed list
        async with store.transaction() as tx:
            await tx.add_care_event(liu, "party", NOW, reported_by=None, relation=None,
                                    details={})
    assert await count(store, "care_events") == 3


# -- visit tasks ------------------------------------------------------------------------------
async def test_a_visit_task_is_taken_then_finished_once(store: Store) -> None:
    branch, (liu, li, zhao) = await branch_with(store, "刘德明", "李建国", "赵志刚")
    async with store.transaction() as tx:
        event = await tx.add_care_event(liu, "hospitalisation", NOW, reported_by=None,
                                        relation=None, details={})
        task = await tx.add_visit_task(branch, liu, "hospitalisation", NOW, NOW + 3 * DAY)
        assert task is not None and task.event_id is None
        await tx.link_task_event(task.id, event.id)
        assert await tx.open_task_for_event(event.id) == await tx.get_task(task.id)
        assert await tx.take_task(task.id, li, NOW + DAY) is True
        assert await tx.take_task(task.id, zhao, NOW + DAY) is False
        taken = await tx.get_task(task.id)
        assert await tx.finish_task(task.id, li, NOW + 2 * DAY, "2026-12-09", "带了水果",
                                    photo="files/abc/visit.jpg") is True
        assert await tx.finish_task(task.id, zhao, NOW + 2 * DAY, "2026-12-09", None) is False
        done = await tx.get_task(task.id)
        assert await tx.open_task_for_event(event.id) is None
        assert await tx.get_task(task.id + 100) is None
    assert taken is not None and (taken.status, taken.taken_by, taken.taken_at) == (
        "taken", li, NOW + DAY)
    assert done is not None
    assert (done.status, done.done_by, done.done_at, done.visited_on, done.note, done.photo,
            done.event_id, done.due_at, done.escalation_level) == (
        "done", li, NOW + 2 * DAY, "2026-12-09", "带了水果", "files/abc/visit.jpg", event.id,
        NOW + 3 * DAY, 0)


async def test_finishing_an_untaken_task_records_who_visited(store: Store) -> None:
    branch, (liu, li) = await branch_with(store, "刘德明", "李建国")
    async with store.transaction() as tx:
        task = await tx.add_visit_task(branch, liu, "birthday", NOW, NOW + DAY)
        assert task is not None
        assert await tx.finish_task(task.id, li, NOW, "2026-12-08", None) is True
        done = await tx.get_task(task.id)
    assert done is not None and (done.taken_by, done.done_by, done.photo) == (li, li, None)


async def test_one_generated_task_per_dedupe_key(store: Store) -> None:
    branch, (liu,) = await branch_with(store, "刘德明")
    async with store.transaction() as tx:
        first = await tx.add_visit_task(branch, liu, "holiday", NOW, NOW + DAY,
                                        dedupe_key="holiday:春节:2027:liu")
        second = await tx.add_visit_task(branch, liu, "holiday", NOW, NOW + 2 * DAY,
                                         dedupe_key="holiday:春节:2027:liu")
        # tasks without a key are never duplicates of each other
        assert await tx.add_visit_task(branch, liu, "worry", NOW, NOW + DAY) is not None
        assert await tx.add_visit_task(branch, liu, "worry", NOW, NOW + DAY) is not None
    assert first is not None and second is None

    async def generate() -> bool:
        async with store.transaction() as tx:
            return await tx.add_visit_task(branch, liu, "birthday", NOW, NOW + DAY,
                                           dedupe_key="birthday:2026:liu") is not None

    assert sorted(await asyncio.gather(*(generate() for _ in range(4)))) == [False] * 3 + [True]
    assert await count(store, "visit_tasks") == 4


async def test_escalation_only_rises(store: Store) -> None:
    branch, (liu,) = await branch_with(store, "刘德明")
    async with store.transaction() as tx:
        task = await tx.add_visit_task(branch, liu, "hardship", NOW, NOW + DAY)
        assert task is not None
        assert await tx.set_escalation(task.id, 1) is True
        assert await tx.set_escalation(task.id, 1) is False
        assert await tx.set_escalation(task.id, 0) is False
        assert await tx.set_escalation(task.id, 2) is True
        found = await tx.get_task(task.id)
    assert found is not None and found.escalation_level == 2


async def test_tasks_of_some_branches_by_due_date_and_a_members_visits(store: Store) -> None:
    east, (liu, li) = await branch_with(store, "刘德明", "李建国", branch="东街支部")
    west, (chen,) = await branch_with(store, "陈淑珍", branch="西街支部")
    async with store.transaction() as tx:
        late = await tx.add_visit_task(east, liu, "hardship", NOW, NOW + 3 * DAY)
        soon = await tx.add_visit_task(east, liu, "worry", NOW, NOW + DAY)
        other = await tx.add_visit_task(west, chen, "worry", NOW, NOW + 2 * DAY)
        old = await tx.add_visit_task(east, liu, "birthday", NOW - 9 * DAY, NOW - 8 * DAY)
        older = await tx.add_visit_task(east, liu, "holiday", NOW - 30 * DAY, NOW - 29 * DAY)
        assert late and soon and other and old and older
        await tx.finish_task(old.id, li, NOW - 8 * DAY, "2026-11-30", "聊天")
        await tx.finish_task(older.id, li, NOW - 29 * DAY, "2026-11-09", None)
        ids = [t.id for t in await tx.tasks([east])]
        both = [t.id for t in await tx.tasks([east, west])]
        every = [t.id for t in await tx.tasks(None, unfinished=False)]
        assert await tx.tasks([]) == []
        visits = [t.id for t in await tx.member_visits(liu)]
        last = [t.id for t in await tx.member_visits(liu, limit=1)]
        assert await tx.member_visits(chen) == []
    assert ids == [soon.id, late.id]
    assert both == [soon.id, other.id, late.id]
    assert every == [older.id, old.id, soon.id, other.id, late.id]
    assert visits == [old.id, older.id] and last == [old.id]


# -- materials --------------------------------------------------------------------------------
async def test_materials_of_a_month_are_the_branchs_and_everyones(store: Store,
                                                                  tmp_path: Path) -> None:
    east, (li,) = await branch_with(store, "李建国", branch="东街支部")
    west, _ = await branch_with(store, branch="西街支部")
    async with store.transaction() as tx:
        text = await tx.add_material(east, "2026-12", "text", "学习要点", NOW, body="第一条…",
                                     published_by=li)
        doc = await tx.add_material(None, "2026-12", "file", "文件", NOW + DAY,
                                    file_sha256="ab" * 32, filename="学习.pdf",
                                    mime="application/pdf", size=123456)
        await tx.add_material(west, "2026-12", "link", "视频", NOW, url="https://example.org/v")
        await tx.add_material(east, "2026-11", "text", "上月", NOW, body="…")
        assert await tx.get_material(doc.id) == doc
        assert await tx.get_material(doc.id + 100) is None
        mine = await tx.materials_for(east, "2026-12")
        assert await tx.materials_for(east, "2027-01") == []
        folder = await tx.files_dir()
    assert [m.id for m in mine] == [text.id, doc.id]
    assert (text.branch_id, text.month, text.kind, text.title, text.body, text.url,
            text.published_by, text.created_at) == (
        east, "2026-12", "text", "学习要点", "第一条…", None, li, NOW)
    assert (doc.branch_id, doc.file_sha256, doc.filename, doc.mime, doc.size) == (
        None, "ab" * 32, "学习.pdf", "application/pdf", 123456)
    # SQLite keeps files beside its file, PostgreSQL in the folder it was opened with: the
    # `store` fixture puts both in the test's folder
    assert folder == tmp_path / "files"


# -- delivery ---------------------------------------------------------------------------------
async def test_one_delivery_request_per_member_and_month(store: Store) -> None:
    branch, (liu,) = await branch_with(store, "刘德明")
    async with store.transaction() as tx:
        first = await tx.add_delivery(branch, liu, "2026-12", "asked", NOW, material_id=None,
                                      address="城关路1号")
        again = await tx.add_delivery(branch, liu, "2026-12", "hospitalised", NOW,
                                      material_id=None, address=None)
        nextmonth = await tx.add_delivery(branch, liu, "2027-01", "needs_home_delivery", NOW,
                                          material_id=None, address=None)
        assert await tx.delivery_for(liu, "2026-12") == first
        assert await tx.delivery_for(liu, "2026-11") is None
    assert first is not None and again is None and nextmonth is not None
    assert (first.reason, first.address, first.address_changed, first.preferred_time,
            first.status, first.created_at, first.material_id) == (
        "asked", "城关路1号", False, None, "requested", NOW, None)
    with pytest.raises(INTEGRITY):
        async with store.transaction() as tx:
            await tx._run("INSERT INTO delivery_requests (branch_id, member_id, month, reason, "
                          "created_at) VALUES (?, ?, ?, ?, ?)",
                          (branch, liu, "2026-12", "asked", "x"))
    assert await count(store, "delivery_requests") == 2


async def test_a_delivery_is_detailed_assigned_and_delivered_once(store: Store) -> None:
    branch, (liu, li, vol) = await branch_with(store, "刘德明", "李建国", "吴长林")
    async with store.transaction() as tx:
        request = await tx.add_delivery(branch, liu, "2026-12", "asked", NOW, material_id=None,
                                        address="城关路1号")
        assert request is not None
        material = await tx.add_material(branch, "2026-12", "text", "要点", NOW, body="…")
        other = await tx.add_material(branch, "2026-12", "text", "别的", NOW, body="…")
        await tx.attach_material(request.id, material.id)
        await tx.attach_material(request.id, other.id)  # only when it named none
        await tx.set_delivery_details(request.id, "城关路2号", True, "morning")
        await tx.set_delivery_details(request.id, "城关路2号", False, "afternoon")  # stays flagged
        assert [d.id for d in await tx.member_open_deliveries(liu)] == [request.id]
        assert await tx.volunteer_deliveries(vol) == []
        assert await tx.assign_delivery(request.id, vol, li, NOW + DAY) is True
        assert [d.id for d in await tx.volunteer_deliveries(vol)] == [request.id]
        assigned = await tx.get_delivery(request.id)
        assert await tx.mark_delivered(request.id, vol, "volunteer", NOW + 2 * DAY) is True
        assert await tx.mark_delivered(request.id, liu, "member", NOW + 3 * DAY) is False
        assert await tx.assign_delivery(request.id, li, li, NOW + 3 * DAY) is False
        done = await tx.get_delivery(request.id)
        assert await tx.get_delivery(request.id + 100) is None
        assert await tx.member_open_deliveries(liu) == []
        assert await tx.volunteer_deliveries(vol) == []
        assert await tx.made_up_member_ids(branch, "2026-12") == {liu}
        assert await tx.made_up_member_ids(branch, "2026-11") == set()
        assert await tx.made_up_months(liu) == {"2026-12"}
        assert await tx.made_up_months(li) == set()
    assert assigned is not None
    assert (assigned.material_id, assigned.address, assigned.address_changed,
            assigned.preferred_time, assigned.status, assigned.assigned_to,
            assigned.assigned_by, assigned.assigned_at) == (
        material.id, "城关路2号", True, "afternoon", "assigned", vol, li, NOW + DAY)
    assert done is not None
    assert (done.status, done.delivered_at, done.delivered_by, done.proof) == (
        "delivered", NOW + 2 * DAY, vol, "volunteer")


async def test_open_deliveries_and_the_monthly_report(store: Store) -> None:
    east, (liu, chen, li, vol) = await branch_with(
        store, "刘德明", "陈淑珍", "李建国", "吴长林", branch="东街支部")
    west, (sun,) = await branch_with(store, "孙福海", branch="西街支部")
    async with store.transaction() as tx:
        old = await tx.add_delivery(east, liu, "2026-12", "asked", NOW, material_id=None,
                                    address=None)
        new = await tx.add_delivery(east, chen, "2026-12", "asked", NOW + 3 * DAY,
                                    material_id=None, address=None)
        far = await tx.add_delivery(west, sun, "2026-12", "asked", NOW + DAY,
                                    material_id=None, address=None)
        assert old and new and far
        await tx.assign_delivery(new.id, vol, li, NOW + 4 * DAY)
        assert [d.id for d in await tx.open_deliveries([east])] == [old.id, new.id]
        assert [d.id for d in await tx.open_deliveries(None)] == [old.id, far.id, new.id]
        assert await tx.open_deliveries([]) == []
        report = await tx.delivery_report(east, "2026-12", NOW + 2 * DAY)
        assert await tx.delivery_report(east, "2026-11", NOW) == []
    assert [(r.request_id, r.member_name, r.status, r.volunteer_name, r.created_at,
             r.delivered_at, r.unassigned_overdue) for r in report] == [
        (old.id, "刘德明", "requested", None, NOW, None, True),
        (new.id, "陈淑珍", "assigned", "吴长林", NOW + 3 * DAY, None, False)]
