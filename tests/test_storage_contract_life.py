"""Storage contract, branch life: mutual-aid pairs (PairRepo), interest groups (GroupRepo),
submissions, themes, likes and digests (SubmissionRepo) behave the same on SQLite and
PostgreSQL (activities and the month's figures: test_storage_contract_activities.py).

The constraints that guard effects here: one nudge per pair and silence, one group of a name
per branch, one membership of a group, one like per member and piece, one digest per branch
and month.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from storage import Store
from storage.repo_pairs import PairFigures
from tests.conftest import count_rows as count
from tests.contract import INTEGRITY, NOW, branch_with

HOUR, DAY = timedelta(hours=1), timedelta(days=1)





# -- pairs ------------------------------------------------------------------------------------
async def test_pair_contacts_count_for_the_pair_whoever_helped(store: Store) -> None:
    branch, (wang, zhang, liu) = await branch_with(store, "王秀英", "张桂兰", "刘德明")
    async with store.transaction() as tx:
        assert await tx.last_pair_contact(wang, zhang) is None
        assert await tx.pair_figures(wang, zhang, "2026-12") == PairFigures(None, 0)
        first = await tx.add_pair_contact(branch, wang, zhang, "life", "买菜", "2026-11-28",
                                          "2026-11", NOW - 10 * DAY)
        second = await tx.add_pair_contact(branch, zhang, wang, "comfort", "聊天",
                                           "2026-12-05", "2026-12", NOW - 3 * DAY)
        third = await tx.add_pair_contact(branch, wang, zhang, "nearby", "送药", "2026-12-05",
                                          "2026-12", NOW - 2 * DAY)
        await tx.add_pair_contact(branch, wang, liu, "life", "别的对子", "2026-12-07",
                                  "2026-12", NOW)
        last = await tx.last_pair_contact(zhang, wang)
        figures = await tx.pair_figures(zhang, wang, "2026-12")
        november = await tx.pair_figures(wang, zhang, "2026-11")
        with pytest.raises(ValueError):
            await tx.add_pair_contact(branch, wang, zhang, "money", "", "2026-12-05",
                                      "2026-12", NOW)
    assert first < second < third
    assert last is not None
    assert (last.id, last.branch_id, last.member_id, last.partner_id, last.kind, last.note,
            last.contacted_on, last.created_at) == (
        third, branch, wang, zhang, "nearby", "送药", "2026-12-05", NOW - 2 * DAY)
    assert (figures.last_on, figures.this_month) == ("2026-12-05", 2)
    assert (november.last_on, november.this_month) == ("2026-12-05", 1)


async def test_pairs_are_listed_once_with_both_members_active(store: Store) -> None:
    east, (wang, zhang, liu, chen) = await branch_with(
        store, "王秀英", "张桂兰", "刘德明", "陈淑珍", branch="东街支部")
    west, (sun, zhou) = await branch_with(store, "孙福海", "周玉蘭", branch="西街支部")
    async with store.transaction() as tx:
        await tx.set_pair(wang, zhang)
        await tx.set_pair(zhang, wang)
        await tx.set_pair(liu, sun)  # across branches; the partner does not point back
        await tx.set_pair(chen, zhou)
        await tx.set_status(zhou, "deceased", NOW)
        east_pairs = await tx.branch_pairs(east)
        west_pairs = await tx.branch_pairs(west)
        every = await tx.all_pairs()
    assert east_pairs == [(wang, zhang), (liu, sun)]
    assert west_pairs == []  # sun's partner pointer is empty; zhou died
    assert every == [(wang, zhang), (liu, sun)]


async def test_pairings_are_recorded_both_ways_and_backfilled(store: Store) -> None:
    _, (wang, zhang, liu, chen, li) = await branch_with(
        store, "王秀英", "张桂兰", "刘德明", "陈淑珍", "李建国")
    async with store.transaction() as tx:
        assert await tx.paired_at(wang, zhang) is None
        await tx.record_pairing(wang, zhang, NOW, li)
        await tx.record_pairing(zhang, wang, NOW + DAY, None)  # paired again: starts anew
        assert await tx.paired_at(wang, zhang) == NOW + DAY
        assert await tx.paired_at(zhang, wang) == NOW + DAY
        await tx.set_pair(liu, chen)  # the roster's pair, without a pairing row
        assert await tx.paired_at(liu, chen) is None
        assert await tx.ensure_pairings() == 1
        assert await tx.ensure_pairings() == 0
        backfilled = await tx.paired_at(liu, chen)
    assert backfilled == NOW  # the member's last update
    assert await count(store, "pairings") == 3


async def test_a_silent_pair_is_nudged_once_per_silence(store: Store) -> None:
    _, (wang, zhang) = await branch_with(store, "王秀英", "张桂兰")
    async with store.transaction() as tx:
        assert await tx.add_pair_nudge(wang, zhang, "2026-11-01", NOW) is True
        assert await tx.add_pair_nudge(wang, zhang, "2026-11-01", NOW + DAY) is False
        assert await tx.add_pair_nudge(zhang, wang, "2026-11-01", NOW) is True
        assert await tx.add_pair_nudge(wang, zhang, "2026-12-01", NOW) is True
    assert await count(store, "pair_nudges") == 3


# -- interest groups --------------------------------------------------------------------------
async def test_a_group_is_created_once_per_branch_and_name(store: Store) -> None:
    east, (li,) = await branch_with(store, "李建国", branch="东街支部")
    west, _ = await branch_with(store, branch="西街支部")

    async def create() -> int:
        async with store.transaction() as tx:
            return (await tx.ensure_group(east, "书法组", li, NOW)).id

    ids = await asyncio.gather(*(create() for _ in range(4)))
    async with store.transaction() as tx:
        other = await tx.ensure_group(west, "书法组", None, NOW)
        chess = await tx.ensure_group(east, "棋类组", None, NOW)
        found = await tx.get_group(ids[0])
        assert await tx.get_group(chess.id + 100) is None
        groups = await tx.branch_groups(east)
    assert len(set(ids)) == 1 and other.id != ids[0]
    assert found is not None and (found.branch_id, found.name) == (east, "书法组")
    assert [g.name for g in groups] == ["书法组", "棋类组"]
    with pytest.raises(INTEGRITY):
        async with store.transaction() as tx:
            await tx._run("INSERT INTO interest_groups (branch_id, name, created_at) "
                          "VALUES (?, ?, ?)", (east, "书法组", "x"))
    assert await count(store, "interest_groups") == 3


async def test_members_join_and_leave_groups_once(store: Store) -> None:
    branch, (wang, zhang, liu) = await branch_with(store, "王秀英", "张桂兰", "刘德明")
    async with store.transaction() as tx:
        calligraphy = await tx.ensure_group(branch, "书法组", None, NOW)
        chess = await tx.ensure_group(branch, "棋类组", None, NOW)
        assert await tx.join_group(calligraphy.id, zhang, NOW) is True
        assert await tx.join_group(calligraphy.id, wang, NOW + HOUR) is True
        assert await tx.join_group(calligraphy.id, wang, NOW + DAY) is False
        assert await tx.join_group(calligraphy.id, liu, NOW + DAY) is True
        assert await tx.join_group(chess.id, wang, NOW) is True
        await tx.set_status(liu, "inactive", NOW + DAY)
        in_it = await tx.group_member_ids(calligraphy.id)
        of_wang = await tx.member_groups(wang)
        sizes = await tx.group_sizes(branch)
        assert await tx.group_sizes() == sizes
        assert await tx.leave_group(chess.id, wang) is True
        assert await tx.leave_group(chess.id, wang) is False
        assert await tx.member_groups(wang) == [calligraphy]
    assert in_it == [zhang, wang]  # by joining; the inactive member gets no notices
    assert of_wang == [calligraphy, chess]
    assert [(s.group, s.members) for s in sizes] == [(calligraphy, 2), (chess, 1)]
    assert await count(store, "group_members") == 3


async def test_group_sizes_of_one_branch_or_all(store: Store) -> None:
    east, (wang,) = await branch_with(store, "王秀英", branch="东街支部")
    west, _ = await branch_with(store, branch="西街支部")
    async with store.transaction() as tx:
        empty = await tx.ensure_group(west, "合唱队", None, NOW)
        ball = await tx.ensure_group(east, "门球队", None, NOW)
        await tx.join_group(ball.id, wang, NOW)
        assert [(s.group.id, s.members) for s in await tx.group_sizes(west)] == [(empty.id, 0)]
        every = [(s.group.id, s.members) for s in await tx.group_sizes()]
    assert every == [(ball.id, 1), (empty.id, 0)]  # by branch: east is the older one


# -- submissions, themes, likes, digests ------------------------------------------------------
async def test_a_piece_is_submitted_reviewed_once_and_listed(store: Store) -> None:
    branch, (li, wang, zhang) = await branch_with(store, "李建国", "王秀英", "张桂兰")
    async with store.transaction() as tx:
        piece = await tx.add_submission(branch, wang, "witness", "家乡的变化", "2026-12", NOW,
                                        theme="我见证", photo="files/x/p.jpg",
                                        photo_public=True)
        advice = await tx.add_submission(branch, zhang, "advice", "建议", "2026-12", NOW)
        returned = await tx.add_submission(branch, zhang, "join", "参加义诊", "2026-12", NOW)
        with pytest.raises(ValueError):
            await tx.add_submission(branch, wang, "gossip", "…", "2026-12", NOW)
        assert [p.id for p in await tx.waiting_pieces(branch)] == [piece, advice, returned]
        assert await tx.review_piece(piece, "accepted", li, NOW + HOUR) is True
        assert await tx.review_piece(piece, "returned", li, NOW + HOUR) is False
        assert await tx.review_piece(returned, "returned", li, NOW, note="请补充") is True
        assert await tx.review_piece(advice, "forwarded", li, NOW) is True
        assert await tx.review_piece(advice, "answered", li, NOW, note="已采纳",
                                     was=("forwarded",)) is True
        found = await tx.get_piece(piece)
        assert await tx.get_piece(piece + 100) is None
        answered = await tx.get_piece(advice)
        assert await tx.waiting_pieces(branch) == []
        assert [p.id for p in await tx.waiting_pieces(branch, ("answered",))] == [advice]
        assert [p.id for p in await tx.member_pieces(zhang)] == [returned, advice]
        assert [p.id for p in await tx.member_pieces(zhang, limit=1)] == [returned]
        accepted = await tx.accepted_pieces(branch, "2026-12")
        assert await tx.accepted_pieces(branch, "2026-11") == []
    assert found is not None
    assert (found.branch_id, found.member_id, found.author, found.section, found.theme,
            found.body, found.photo, found.photo_public, found.status, found.review_note,
            found.month, found.created_at, found.likes) == (
        branch, wang, "王秀英", "witness", "我见证", "家乡的变化", "files/x/p.jpg", True,
        "accepted", None, "2026-12", NOW, 0)
    assert answered is not None and (answered.status, answered.review_note) == (
        "answered", "已采纳")
    assert [p.id for p in accepted] == [piece]


async def test_a_theme_is_set_and_replaced(store: Store) -> None:
    branch, (li,) = await branch_with(store, "李建国")
    async with store.transaction() as tx:
        assert await tx.theme_of(branch, "2026-12") is None
        await tx.set_theme(branch, "2026-12", "我身边的变化", li)
        await tx.set_theme(branch, "2026-12", "岁末感怀", None)
        assert await tx.theme_of(branch, "2026-12") == "岁末感怀"
        assert await tx.theme_of(branch, "2027-01") is None
    assert await count(store, "themes") == 1


async def test_one_like_per_member_and_piece_and_praise_by_name(store: Store) -> None:
    branch, (wang, zhang, liu) = await branch_with(store, "王秀英", "张桂兰", "刘德明")
    async with store.transaction() as tx:
        piece = await tx.add_submission(branch, wang, "witness", "…", "2026-12", NOW)
        assert await tx.like_piece(branch, zhang, piece, "2026-12", NOW) is True
        assert await tx.like_piece(branch, zhang, piece, "2026-12", NOW + HOUR) is False
        assert await tx.like_piece(branch, liu, piece, "2026-12", NOW) is True
        first = await tx.add_praise(branch, zhang, liu, "帮我修水管", "2026-12", NOW)
        second = await tx.add_praise(branch, wang, liu, None, "2026-12", NOW)
        await tx.add_praise(branch, wang, zhang, "上月的", "2026-11", NOW)
        liked = await tx.get_piece(piece)
        praises = await tx.praises_in(branch, "2026-12")

    async def like() -> bool:
        async with store.transaction() as tx:
            return await tx.like_piece(branch, wang, piece, "2026-12", NOW)

    assert sorted(await asyncio.gather(like(), like(), like())) == [False, False, True]
    assert liked is not None and liked.likes == 2
    assert [(p.id, p.from_member_id, p.to_member_id, p.to_name, p.note, p.month)
            for p in praises] == [(first, zhang, liu, "刘德明", "帮我修水管", "2026-12"),
                                  (second, wang, liu, "刘德明", None, "2026-12")]
    with pytest.raises(INTEGRITY):  # a like is of a piece or of a person, not both
        async with store.transaction() as tx:
            await tx._run("INSERT INTO likes (branch_id, from_member_id, submission_id, "
                          "to_member_id, month, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                          (branch, wang, piece, liu, "2026-12", "x"))
    assert await count(store, "likes") == 6


async def test_a_months_digest_is_sent_once(store: Store) -> None:
    branch, (li,) = await branch_with(store, "李建国")
    async with store.transaction() as tx:
        assert await tx.latest_digest_month(branch) is None
        assert await tx.digest_sent_at(branch, "2026-11") is None
        assert await tx.mark_digest_sent(branch, "2026-11", li, NOW) is True
        assert await tx.mark_digest_sent(branch, "2026-11", None, NOW + DAY) is False
        assert await tx.mark_digest_sent(branch, "2026-10", None, NOW) is True
        assert await tx.digest_sent_at(branch, "2026-11") == NOW
        assert await tx.latest_digest_month(branch) == "2026-11"
    assert await count(store, "digests") == 2


