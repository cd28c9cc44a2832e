"""Storage contract, oversight and channels: the bureau's figures and guidance visits
(OversightRepo), branch group chats and unreachable accounts (ChannelRepo) and the WeChat push
targets (WechatRepo) behave the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from storage import MemberData, Store, Tx
from storage.repo_oversight import GuidanceVisit, VisitFigures
from tests.conftest import count_rows as count

NOW = datetime(2026, 12, 8, 1, 0, tzinfo=UTC)
DAY = timedelta(days=1)
INTEGRITY = (sqlite3.IntegrityError, asyncpg.IntegrityConstraintViolationError)


async def person(tx: Tx, name: str, phone: str, branch_id: int | None, role: str = "member",
                 language: str | None = None) -> int:
    """Add someone to the roster; their id."""
    member_id, _ = await tx.upsert_member(
        MemberData(name=name, phone=phone, role=role, home_branch_id=branch_id,
                   birthday=None, address=None, needs_home_delivery=False,
                   lives_alone=False, language=language),
        [branch_id] if branch_id else [], NOW)
    return member_id



# -- the bureau's figures ---------------------------------------------------------------------
async def test_visit_figures_count_a_months_tasks_by_outcome(store: Store) -> None:
    async with store.transaction() as tx:
        branch, _ = await tx.ensure_branch("城关支部", NOW)
        other, _ = await tx.ensure_branch("东街支部", NOW)
        liu = await person(tx, "刘德明", "13800000001", branch.id)
        li = await person(tx, "李建国", "13800000002", branch.id, "secretary")
        start, end = datetime(2026, 11, 30, 16, tzinfo=UTC), datetime(2026, 12, 31, 16,
                                                                     tzinfo=UTC)
        tasks = [await tx.add_visit_task(branch.id, liu, "worry", NOW - 5 * DAY, NOW + d * DAY)
                 for d in (-3, -2, -1, 1, 2)]
        assert all(tasks)
        on_time, late, overdue, waiting, cancelled = (t.id for t in tasks if t)
        await tx.finish_task(on_time, li, NOW - 4 * DAY, "2026-12-04", None)
        await tx.finish_task(late, li, NOW, "2026-12-08", None)
        await tx._run("UPDATE visit_tasks SET status = 'cancelled' WHERE id = ?", (cancelled,))
        await tx.add_visit_task(other.id, liu, "worry", NOW, NOW)  # another branch's
        await tx.add_visit_task(branch.id, liu, "worry", NOW, end + DAY)  # next month's
        figures = await tx.visit_figures(branch.id, start, end, NOW)
        empty = await tx.visit_figures(branch.id, end, end + DAY, NOW)
    assert figures == VisitFigures(due=4, on_time=1, late=1, overdue=1)
    assert waiting and overdue
    assert empty == VisitFigures(0, 0, 0, 0)


async def test_deliveries_waiting_are_the_months_unassigned_requests(store: Store) -> None:
    async with store.transaction() as tx:
        branch, _ = await tx.ensure_branch("城关支部", NOW)
        people = [await person(tx, f"党员{i}", f"1380000000{i}", branch.id) for i in range(4)]
        old = await tx.add_delivery(branch.id, people[0], "2026-12", "asked", NOW - 5 * DAY,
                                    material_id=None, address=None)
        await tx.add_delivery(branch.id, people[1], "2026-12", "asked", NOW,
                              material_id=None, address=None)
        assigned = await tx.add_delivery(branch.id, people[2], "2026-12", "asked",
                                         NOW - 5 * DAY, material_id=None, address=None)
        await tx.add_delivery(branch.id, people[3], "2026-11", "asked", NOW - 30 * DAY,
                              material_id=None, address=None)
        assert old and assigned
        await tx.assign_delivery(assigned.id, people[1], people[1], NOW - 4 * DAY)
        assert await tx.deliveries_waiting(branch.id, "2026-12", NOW - 3 * DAY) == 1
        assert await tx.deliveries_waiting(branch.id, "2026-12", NOW + DAY) == 2
        assert await tx.deliveries_waiting(branch.id, "2027-01", NOW + DAY) == 0


async def test_guidance_visits_are_recorded_and_listed_by_month(store: Store) -> None:
    async with store.transaction() as tx:
        branch, _ = await tx.ensure_branch("城关支部", NOW)
        other, _ = await tx.ensure_branch("东街支部", NOW)
        zhao = await person(tx, "赵志刚", "13800000001", None, "instructor")
        late = await tx.add_guidance(branch.id, zhao, "2026-12-31", "年终检查", NOW)
        early = await tx.add_guidance(branch.id, zhao, "2026-12-01", "指导换届", NOW)
        await tx.add_guidance(branch.id, zhao, "2026-11-30", "上月", NOW)
        await tx.add_guidance(other.id, zhao, "2026-12-02", "别的支部", NOW)
        visits = await tx.guidance_in(branch.id, "2026-12")
        assert await tx.guidance_in(branch.id, "2027-01") == []
    assert visits == [GuidanceVisit(early, branch.id, "赵志刚", "2026-12-01", "指导换届"),
                      GuidanceVisit(late, branch.id, "赵志刚", "2026-12-31", "年终检查")]


# -- group chats ------------------------------------------------------------------------------
async def test_a_branch_chat_is_registered_updated_only_when_changed(store: Store) -> None:
    async with store.transaction() as tx:
        branch, _ = await tx.ensure_branch("城关支部", NOW)
        other, _ = await tx.ensure_branch("东街支部", NOW)
        assert await tx.get_branch_chat("telegram", "-100") is None
        assert await tx.set_branch_chat("telegram", "-100", branch.id, "城关群", NOW) is True
        assert await tx.set_branch_chat("telegram", "-100", branch.id, "城关群", NOW) is False
        assert await tx.set_branch_chat("telegram", "-100", branch.id, None, NOW) is True
        assert await tx.set_branch_chat("telegram", "-100", branch.id, None, NOW) is False
        assert await tx.set_branch_chat("telegram", "-100", branch.id, "新名", NOW) is True
        assert await tx.set_branch_chat("telegram", "-100", other.id, "新名", NOW) is True
        assert await tx.set_branch_chat("wechat", "-100", branch.id, None, NOW + DAY) is True
        found = await tx.get_branch_chat("telegram", "-100")
        assert [c.channel for c in await tx.branch_chats(branch.id)] == ["wechat"]
        assert [c.channel for c in await tx.branch_chats(other.id, "telegram")] == ["telegram"]
        assert await tx.branch_chats(other.id, "wechat") == []
    assert found is not None
    assert (found.channel, found.chat_id, found.branch_id, found.title, found.created_at) == (
        "telegram", "-100", other.id, "新名", NOW)
    with pytest.raises(INTEGRITY):  # one registration per channel and chat
        async with store.transaction() as tx:
            await tx._run("INSERT INTO branch_chats (channel, chat_id, branch_id, created_at) "
                          "VALUES (?, ?, ?, ?)", ("telegram", "-100", branch.id, "x"))
    assert await count(store, "branch_chats") == 2


async def test_a_branch_chat_moves_to_its_new_id_and_is_dropped(store: Store) -> None:
    async with store.transaction() as tx:
        branch, _ = await tx.ensure_branch("城关支部", NOW)
        await tx.set_branch_chat("telegram", "-1", branch.id, "群", NOW)
        await tx.set_branch_chat("telegram", "-2", branch.id, "另一个群", NOW + DAY)
        assert await tx.move_branch_chat("telegram", "-1", "-1001") is True
        assert await tx.move_branch_chat("telegram", "-1", "-1001") is False
        # the new id registered already (a second update): the old row goes
        await tx.set_branch_chat("telegram", "-3", branch.id, "旧", NOW)
        await tx.set_branch_chat("telegram", "-1003", branch.id, "新", NOW)
        assert await tx.move_branch_chat("telegram", "-3", "-1003") is True
        chats = {c.chat_id: c.title for c in await tx.branch_chats(branch.id)}
        assert await tx.drop_branch_chat("telegram", "-2") is True
        assert await tx.drop_branch_chat("telegram", "-2") is False
        assert await tx.get_branch_chat("telegram", "-2") is None
    assert chats == {"-1001": "群", "-2": "另一个群", "-1003": "旧"}
    assert await count(store, "branch_chats") == 2


# -- accounts ---------------------------------------------------------------------------------
async def test_officer_accounts_are_active_officers_own_accounts(store: Store) -> None:
    async with store.transaction() as tx:
        branch, _ = await tx.ensure_branch("城关支部", NOW)
        li = await person(tx, "李建国", "13800000001", branch.id, "secretary")
        zhao = await person(tx, "赵志刚", "13800000002", None, "instructor", language="zh-Hant")
        qian = await person(tx, "钱主任", "13800000003", None, "admin")
        wang = await person(tx, "王秀英", "13800000004", branch.id)
        await tx.bind("telegram", "3", li, None, NOW)
        await tx.touch_binding("telegram", "3", NOW, "zh-Hans")
        await tx.bind("telegram", "2", zhao, None, NOW)
        await tx.touch_binding("telegram", "2", NOW, "zh-Hans")  # the roster's language wins
        await tx.bind("telegram", "1", qian, None, NOW)
        await tx.bind("telegram", "4", wang, None, NOW)  # not an officer
        await tx.bind("telegram", "5", li, "女儿", NOW)  # family, not the officer
        await tx.bind("wechat", "o-li", li, None, NOW)
        await tx.set_status(qian, "inactive", NOW)
        accounts = await tx.officer_accounts("telegram")
        assert await tx.officer_accounts("wecom") == []
    assert accounts == [("2", "zh-Hant"), ("3", "zh-Hans")]


async def test_an_account_becomes_unreachable_once_and_reachable_again(store: Store) -> None:
    async with store.transaction() as tx:
        branch, _ = await tx.ensure_branch("城关支部", NOW)
        wang = await person(tx, "王秀英", "13800000001", branch.id)
        await tx.bind("telegram", "1001", wang, None, NOW)
        assert await tx.newly_unreachable("telegram", "1001", NOW) is True
        assert await tx.newly_unreachable("telegram", "1001", NOW + DAY) is False
        marked = await tx.get_binding("telegram", "1001")
        assert await tx.reachable_again("telegram", "1001") is True
        assert await tx.reachable_again("telegram", "1001") is False
        assert await tx.newly_unreachable("telegram", "nobody", NOW) is False
        again = await tx.get_binding("telegram", "1001")
    assert marked is not None and marked.unreachable_at == NOW
    assert again is not None and again.unreachable_at is None


async def test_a_push_target_names_the_member_and_their_wecom_account(store: Store) -> None:
    async with store.transaction() as tx:
        branch, _ = await tx.ensure_branch("城关支部", NOW)
        wang = await person(tx, "王秀英", "13800000001", branch.id)
        await tx.bind("wechat", "o-wang", wang, None, NOW)
        await tx.bind("wechat", "o-daughter", wang, "女儿", NOW)
        await tx.bind("wecom", "old", wang, None, NOW)
        await tx.bind("wecom", "wang.xy", wang, None, NOW + DAY)
        await tx.bind("wecom", "gone", wang, None, NOW + 2 * DAY)
        await tx.set_unreachable("wecom", "gone", NOW + 2 * DAY)
        await tx.set_unreachable("wechat", "o-wang", NOW + DAY)
        own = await tx.push_target("wechat", "o-wang")
        await tx.set_unreachable("wechat", "o-wang", None)
        back = await tx.push_target("wechat", "o-wang")
        family = await tx.push_target("wechat", "o-daughter")
        assert await tx.push_target("wechat", "o-nobody") is None
    assert own is not None
    assert (own.channel, own.external_id, own.member_id, own.member_name, own.branch_id,
            own.last_seen_at, own.unreachable_at, own.wecom_userid) == (
        "wechat", "o-wang", wang, "王秀英", branch.id, NOW, NOW + DAY, "wang.xy")
    assert back is not None and back.unreachable_at is None
    assert family is not None and family.wecom_userid is None  # only their own account
