"""Filling in a new activity from what the officer said, in one message or at any step.

`take` reads each piece of some words — a kind (志愿服务), a group (书法组), a day and time
(12月12日上午9点), a place (地点社区服务站), places (限20人 / 不限), and what is left as the
name — and puts into the flow's state what was still missing (or, for a correction at the
read-back, what the words say instead).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from bot.understanding import normalize
from bot.understanding.clean import without_opening
from handlers.activities.kinds import kind_at_start, parse_kind
from handlers.activities.words import limit_in, no_limit, place_in, tokens, when_prefix
from handlers.context import Context
from handlers.groups.find import group_named, match_group
from handlers.meetings.when import take_when
from handlers.officers.branch_scope import GENERIC
from storage.models import Branch
from storage.repo_groups import InterestGroup

if TYPE_CHECKING:
    from handlers.activities.create import ActivityState

_ALL_WORDS = ("全部", "所有", "都", "每个", "各个", "几个支部", "两个支部")
_TITLE_OPENING = ("名称是", "名称改成", "名称", "名字是", "名字", "题目是", "题目", "内容是",
                  "活动是", "叫")


@dataclass
class _When:
    """A day and a time as `take_when` fills them."""

    day: str | None = None
    at: str | None = None


@dataclass
class _Said:
    """Every piece one message said (None / empty: not said)."""

    kind: str | None = None
    group: InterestGroup | None = None
    when: _When = field(default_factory=_When)
    place: str | None = None
    capacity: int | None = None
    no_limit: bool = False
    title: list[str] = field(default_factory=list)


def _read(text: str, today: date, groups: list[InterestGroup], *, glued: bool) -> _Said:
    said = _Said()
    for token in tokens(text):
        if said.kind is None and parse_kind(token):
            said.kind = parse_kind(token)
            continue
        if groups and said.group is None and (group := group_named(groups, token)):
            said.group = group
            continue
        place = place_in(token)
        if place is not None:
            said.place = place
            continue
        if no_limit(token):
            said.no_limit = True
            continue
        limit = limit_in(token)
        if limit is not None:
            said.capacity = limit
            continue
        when, rest = when_prefix(token)
        if when and take_when(said.when, when, today):
            token = rest
        if token:
            # 志愿服务帮老人理发: the kind, and the whole as the name
            if said.kind is None and glued:
                said.kind = kind_at_start(token)[0]
            said.title.append(token)
    if groups and said.group is None and (said.kind in (None, "interest")):
        said.group = match_group(groups, text)
    return said


async def groups_of(ctx: Context, state: ActivityState) -> list[InterestGroup]:
    """The interest groups of the branches the organiser looks after."""
    found: list[InterestGroup] = []
    for branch_id in state.overseen_ids or [state.branch_id]:
        found += await ctx.tx.branch_groups(branch_id)
    return found


def set_group(ctx: Context, state: ActivityState, group: InterestGroup) -> None:
    """A group activity: the group's branch organises it, its members are invited."""
    state.kind, state.group_id = "interest", group.id
    state.branch_id, state.branch_ids = group.branch_id, [group.branch_id]
    if state.title is None:
        state.title = ctx.t("activity.group_title", group=group.name)


async def take(ctx: Context, state: ActivityState, text: str, *, title_answer: bool = False,
               overwrite: bool = False) -> bool:
    """Put what the words say into the state; True when anything was taken."""
    if title_answer or overwrite:
        text = without_opening(text, *_TITLE_OPENING)
    if not text.strip():
        return False
    # a group is looked for only where the words may name one (not at every step)
    looking = overwrite or (state.group_id is None and state.kind in (None, "interest"))
    groups = await groups_of(ctx, state) if looking else []
    said = _read(text, ctx.local().date(), groups, glued=not (title_answer or overwrite))
    taken = False
    if said.kind is not None and (state.kind is None or overwrite) and said.kind != state.kind:
        state.kind, taken = said.kind, True
        if said.kind != "interest" and state.group_id is not None:
            state.group_id = None
            state.branch_ids = None if state.several else [state.branch_id]
    if said.group is not None and (state.group_id is None or overwrite):
        set_group(ctx, state, said.group)
        taken = True
    for name in ("day", "at"):
        value = getattr(said.when, name)
        if value is not None and (getattr(state, name) is None or overwrite):
            setattr(state, name, value)
            taken = True
    if said.place is not None and (state.place is None or overwrite):
        state.place, state.asked_place, taken = said.place, True, True
    if said.capacity is not None or said.no_limit:
        state.capacity, state.asked_limit, taken = said.capacity, True, True
    title = " ".join(said.title).strip()
    if title and (state.title is None or overwrite or title_answer):
        state.title, taken = title[:100], True
    return taken


def place_answer(typed: str) -> str:
    """The place as answered (在社区服务站 / 地点是… / 社区服务站)."""
    return place_in(typed) or without_opening(typed, "地点是", "地点", "在").strip()


def take_limit(state: ActivityState, typed: str) -> bool:
    """限20人 / 20人 / 不限 at the places question; False when it is none of those."""
    if no_limit(typed):
        state.capacity = None
        return True
    limit = limit_in(typed)
    if limit is None:
        return False
    state.capacity = limit
    return True


def names_branch(said: str, branch: Branch) -> bool:
    """Whether an answer names a branch (城关 for 城关离退休干部党支部)."""
    words = normalize(said).replace(" ", "")
    distinctive = normalize(branch.name)
    for generic in GENERIC:
        distinctive = distinctive.replace(generic, " ")
    return any(len(part) >= 2 and part in words for part in distinctive.split())


def means_all(said: str) -> bool:
    """全部 / 都通知 / 所有支部: every branch the organiser looks after."""
    words = normalize(said)
    return any(w in words for w in _ALL_WORDS)
