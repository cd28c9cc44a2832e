"""Branches, members, chat bindings and invite codes."""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from storage.models import Binding, Branch, Conversation, Member
from storage.repo_base import Row
from storage.repo_membership import MembershipRepo
from storage.timefmt import parse_ts, ts

_MEMBER_COLS = (
    "id, name, phone, branch_id, role, birthday, address, needs_home_delivery, lives_alone, "
    "pair_member_id, language, status, created_at"
)


@dataclass(frozen=True)
class MemberData:
    """What a roster row says about a person (the fields an import may change)."""

    name: str
    phone: str
    role: str
    home_branch_id: int | None
    birthday: str | None
    address: str | None
    needs_home_delivery: bool
    lives_alone: bool
    language: str | None


_BRANCH_FIELDS = (
    "id", "name", "study_rule", "study_place", "visit_due_days", "holiday_criteria",
    "remind_days_before", "remind_early_at", "remind_minutes_before", "absentees_after_minutes",
)
_BINDING_FIELDS = (
    "channel", "external_id", "member_id", "relation", "locale", "last_seen_at", "unreachable_at",
)
_MEMBER_FIELDS = tuple(c.strip() for c in _MEMBER_COLS.split(","))


@dataclass(frozen=True)
class Speaker:
    """Everything the router needs about who wrote, read in one query."""

    prior_reply: str | None
    binding: Binding | None
    member: Member | None
    branch: Branch | None
    conversation: Conversation | None


def _binding_at(v: tuple[Any, ...]) -> Binding:
    """A Binding from its columns in _BINDING_FIELDS order (the model's field order)."""
    return Binding(v[0], v[1], v[2], v[3], v[4], parse_ts(v[5]),
                   parse_ts(v[6]) if v[6] else None)


def _member_at(v: tuple[Any, ...]) -> Member:
    """A Member from its columns in _MEMBER_FIELDS order (created_at becomes joined_at)."""
    return Member(v[0], v[1], v[2], v[3], v[4], v[5], v[6], bool(v[7]), bool(v[8]), v[9],
                  v[10], v[11], parse_ts(v[12]))


# The speaker query's rows are read by position (Row finds a name by comparing it
# with every column's, and that row has 35): the column lists must follow the models.
assert _BRANCH_FIELDS == tuple(f.name for f in fields(Branch))
assert _BINDING_FIELDS == tuple(f.name for f in fields(Binding))
assert _MEMBER_FIELDS[:-1] == tuple(f.name for f in fields(Member))[:-1]


# Every message starts with this query: built once, not per message. Where each table's
# columns start in its row:
_B = 1
_M = _B + len(_BINDING_FIELDS)
_BR = _M + len(_MEMBER_FIELDS)
_C = _BR + len(_BRANCH_FIELDS)
_SPEAKER_SQL = (
    "SELECT (SELECT reply FROM processed_messages WHERE channel = :ch "
    "AND message_id = :mid) AS prior_reply, "
    + ", ".join([f"b.{f} AS b_{f}" for f in _BINDING_FIELDS]
                + [f"m.{f} AS m_{f}" for f in _MEMBER_FIELDS]
                + [f"br.{f} AS br_{f}" for f in _BRANCH_FIELDS])
    + ", c.flow AS c_flow, c.step AS c_step, c.data AS c_data, "
    "c.updated_at AS c_updated_at FROM (SELECT 1) AS one "
    "LEFT JOIN bindings b ON b.channel = :ch AND b.external_id = :ext "
    "LEFT JOIN members m ON m.id = b.member_id "
    "LEFT JOIN branches br ON br.id = m.branch_id "
    "LEFT JOIN conversations c ON c.channel = :ch AND c.external_id = :ext"
)


def member_from_row(row: Row) -> Member:
    """A Member from a `SELECT *` (or _MEMBER_COLS) row of members."""
    return Member(
        id=row["id"],
        name=row["name"],
        phone=row["phone"],
        branch_id=row["branch_id"],
        role=row["role"],
        birthday=row["birthday"],
        address=row["address"],
        needs_home_delivery=bool(row["needs_home_delivery"]),
        lives_alone=bool(row["lives_alone"]),
        pair_member_id=row["pair_member_id"],
        language=row["language"],
        status=row["status"],
        joined_at=parse_ts(row["created_at"]),
    )


def _branch(row: Row) -> Branch:
    return Branch(
        id=row["id"],
        name=row["name"],
        study_rule=row["study_rule"],
        study_place=row["study_place"],
        visit_due_days=row["visit_due_days"],
        holiday_criteria=row["holiday_criteria"],
        remind_days_before=row["remind_days_before"],
        remind_early_at=row["remind_early_at"],
        remind_minutes_before=row["remind_minutes_before"],
        absentees_after_minutes=row["absentees_after_minutes"],
    )


class MemberRepo(MembershipRepo):
    """Who is who: branches, the roster, and which chat accounts speak for whom."""

    async def speaker(self, channel: str, external_id: str, message_id: str) -> Speaker:
        """Redelivery check, binding, member, home branch and conversation in one query
        (it replaces five: every message starts here)."""
        row = await self._one(_SPEAKER_SQL,
                              {"ch": channel, "ext": external_id, "mid": message_id})
        assert row is not None
        values = tuple(row)
        binding = values[_B:_M]
        member = values[_M:_BR]
        flow, step, data, updated_at = values[_C:_C + 4]
        return Speaker(
            prior_reply=values[0],
            binding=_binding_at(binding) if binding[0] is not None else None,
            member=_member_at(member) if member[0] is not None else None,
            branch=Branch(*values[_BR:_C]) if values[_BR] is not None else None,
            conversation=(Conversation(flow, step, json.loads(data), parse_ts(updated_at))
                          if flow is not None else None),
        )

    # -- branches -------------------------------------------------------------------------
    async def get_branch(self, branch_id: int) -> Branch | None:
        """A branch by id."""
        row = await self._one("SELECT * FROM branches WHERE id = ?", (branch_id,))
        return _branch(row) if row else None

    async def find_branch(self, name: str) -> Branch | None:
        """A branch by its exact name."""
        row = await self._one("SELECT * FROM branches WHERE name = ?", (name,))
        return _branch(row) if row else None

    async def list_branches(self) -> list[Branch]:
        """All branches, by name."""
        return [_branch(r) for r in await self._all("SELECT * FROM branches ORDER BY name")]

    async def ensure_branch(self, name: str, now: datetime) -> tuple[Branch, bool]:
        """The branch of that name, created if missing; True when it was created."""
        found = await self.find_branch(name)
        if found:
            return found, False
        await self._insert(
            "INSERT INTO branches (name, created_at) VALUES (?, ?)", (name, ts(now))
        )
        created = await self.find_branch(name)
        assert created is not None
        return created, True

    async def set_study_rule(self, branch_id: int, rule: str, place: str | None = None) -> None:
        """Store a branch's study-day rule (canonical text) and, if given, its place."""
        await self._run(
            "UPDATE branches SET study_rule = ?, study_place = COALESCE(?, study_place) "
            "WHERE id = ?",
            (rule, place, branch_id),
        )

    async def set_care_settings(
        self, branch_id: int, visit_due_days: int | None, holiday_criteria: str | None
    ) -> None:
        """Change how long visits may take and who gets holiday visits (None: keep)."""
        await self._run(
            "UPDATE branches SET visit_due_days = COALESCE(?, visit_due_days), "
            "holiday_criteria = COALESCE(?, holiday_criteria) WHERE id = ?",
            (visit_due_days, holiday_criteria, branch_id),
        )

    # -- members --------------------------------------------------------------------------
    async def get_member(self, member_id: int) -> Member | None:
        """A person by id."""
        row = await self._one(f"SELECT {_MEMBER_COLS} FROM members WHERE id = ?", (member_id,))
        return member_from_row(row) if row else None

    async def find_member_by_phone(self, phone: str) -> Member | None:
        """A person by normalised phone."""
        row = await self._one(f"SELECT {_MEMBER_COLS} FROM members WHERE phone = ?", (phone,))
        return member_from_row(row) if row else None

    async def find_members_by_name(self, name: str, branch_id: int | None = None) -> list[Member]:
        """People of that exact name (in one branch when given)."""
        sql = f"SELECT {_MEMBER_COLS} FROM members WHERE name = ?"
        params: list[object] = [name]
        if branch_id is not None:
            sql += " AND branch_id = ?"
            params.append(branch_id)
        return [member_from_row(r) for r in await self._all(sql + " ORDER BY id", params)]

    async def branch_members(self, branch_id: int, *, active_only: bool = True) -> list[Member]:
        """The members (and secretaries) whose home branch this is, by name."""
        sql = (
            f"SELECT {_MEMBER_COLS} FROM members WHERE branch_id = ? "
            "AND role IN ('member', 'secretary')"
        )
        if active_only:
            sql += " AND status = 'active'"
        return [member_from_row(r) for r in await self._all(sql + " ORDER BY id", (branch_id,))]

    async def officers(self, branch_id: int, role: str) -> list[Member]:
        """Active secretaries, instructors or admins responsible for a branch."""
        if role == "admin":
            sql = f"SELECT {_MEMBER_COLS} FROM members WHERE role = 'admin' AND status = 'active'"
            return [member_from_row(r) for r in await self._all(sql + " ORDER BY id")]
        sql = (
            f"SELECT {_MEMBER_COLS} FROM members m WHERE role = ? AND status = 'active' AND "
            "(branch_id = ? OR EXISTS (SELECT 1 FROM member_branches mb "
            "WHERE mb.member_id = m.id AND mb.branch_id = ?)) ORDER BY id"
        )
        return [member_from_row(r) for r in await self._all(sql, (role, branch_id, branch_id))]

    async def overseen_branch_ids(self, member_id: int) -> list[int]:
        """Branches an instructor or admin is listed for."""
        rows = await self._all(
            "SELECT branch_id FROM member_branches WHERE member_id = ? ORDER BY branch_id",
            (member_id,),
        )
        return [int(r["branch_id"]) for r in rows]

    async def all_phones(self) -> frozenset[str]:
        """Every phone on the roster."""
        return frozenset(r["phone"] for r in await self._all("SELECT phone FROM members"))

    async def upsert_member(
        self, data: MemberData, branch_ids: list[int], now: datetime
    ) -> tuple[int, str]:
        """Add or update a person matched by phone; returns (id, added|updated|unchanged)."""
        existing = await self.find_member_by_phone(data.phone)
        values = (
            data.name, data.home_branch_id, data.role, data.birthday, data.address,
            int(data.needs_home_delivery), int(data.lives_alone), data.language,
        )
        if existing is None:
            member_id = await self._insert(
                "INSERT INTO members (name, branch_id, role, birthday, address, "
                "needs_home_delivery, lives_alone, language, phone, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*values, data.phone, ts(now), ts(now)),
            )
            await self._set_member_branches(member_id, branch_ids)
            if data.home_branch_id is not None:
                await self.record_membership(member_id, "joined", data.home_branch_id, now)
            return member_id, "added"
        old = (
            existing.name, existing.branch_id, existing.role, existing.birthday,
            existing.address, int(existing.needs_home_delivery), int(existing.lives_alone),
            existing.language,
        )
        changed = old != values
        if changed:
            await self._run(
                "UPDATE members SET name = ?, branch_id = ?, role = ?, birthday = ?, address = ?, "
                "needs_home_delivery = ?, lives_alone = ?, language = ?, updated_at = ? "
                "WHERE id = ?",
                (*values, ts(now), existing.id),
            )
            if existing.branch_id != data.home_branch_id and existing.status == "active":
                await self.record_membership(existing.id, "moved", data.home_branch_id, now,
                                             from_branch_id=existing.branch_id)
        if sorted(await self.overseen_branch_ids(existing.id)) != sorted(branch_ids):
            await self._set_member_branches(existing.id, branch_ids)
            changed = True
        return existing.id, "updated" if changed else "unchanged"

    async def _set_member_branches(self, member_id: int, branch_ids: list[int]) -> None:
        await self._run("DELETE FROM member_branches WHERE member_id = ?", (member_id,))
        for branch_id in sorted(set(branch_ids)):
            await self._run(
                "INSERT INTO member_branches (member_id, branch_id) VALUES (?, ?)",
                (member_id, branch_id),
            )

    async def set_pair(self, member_id: int, partner_id: int | None) -> bool:
        """Set a member's mutual-aid partner; True when it changed."""
        changed = await self._run(
            "UPDATE members SET pair_member_id = ? WHERE id = ? AND "
            "pair_member_id IS NOT ?",
            (partner_id, member_id, partner_id),
        )
        return changed > 0

    async def set_status(self, member_id: int, status: str, now: datetime) -> None:
        """Mark a member active, inactive or deceased (and note the change of membership)."""
        row = await self._one("SELECT status, branch_id FROM members WHERE id = ?", (member_id,))
        if row is None or row["status"] == status:
            return
        await self._run(
            "UPDATE members SET status = ?, updated_at = ? WHERE id = ?",
            (status, ts(now), member_id),
        )
        kind = {"active": "restored", "inactive": "left", "deceased": "deceased"}[status]
        await self.record_membership(member_id, kind, row["branch_id"], now)

    # -- bindings and invites ---------------------------------------------------------------
    async def get_binding(self, channel: str, external_id: str) -> Binding | None:
        """Which member a chat account speaks for, if any."""
        row = await self._one(
            "SELECT * FROM bindings WHERE channel = ? AND external_id = ?", (channel, external_id)
        )
        return _binding(row) if row else None

    async def bindings_for(self, member_id: int) -> list[Binding]:
        """Every chat account of a member (their own first, then family), latest first."""
        rows = await self._all(
            "SELECT * FROM bindings WHERE member_id = ? "
            "ORDER BY relation IS NOT NULL, last_seen_at DESC",
            (member_id,),
        )
        return [_binding(r) for r in rows]

    async def bind(
        self, channel: str, external_id: str, member_id: int, relation: str | None, now: datetime
    ) -> None:
        """Attach a chat account to a member (replacing any earlier binding of that account)."""
        await self._run(
            "INSERT INTO bindings (channel, external_id, member_id, relation, created_at, "
            "last_seen_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (channel, external_id) DO UPDATE "
            "SET member_id = excluded.member_id, relation = excluded.relation, "
            "last_seen_at = excluded.last_seen_at",
            (channel, external_id, member_id, relation, ts(now), ts(now)),
        )

    async def touch_binding(
        self, channel: str, external_id: str, now: datetime, locale: str | None
    ) -> None:
        """Remember when an account last wrote, and in which script."""
        await self._run(
            "UPDATE bindings SET last_seen_at = ?, locale = COALESCE(?, locale) "
            "WHERE channel = ? AND external_id = ?",
            (ts(now), locale, channel, external_id),
        )

    async def create_invite(
        self,
        code_hash: str,
        member_id: int,
        relation: str | None,
        created_by: int | None,
        now: datetime,
        expires_at: datetime,
    ) -> None:
        """Store a one-time binding code (only its hash)."""
        await self._run(
            "INSERT INTO invite_codes (code_hash, member_id, relation, created_by, created_at, "
            "expires_at) VALUES (?, ?, ?, ?, ?, ?)",
            (code_hash, member_id, relation, created_by, ts(now), ts(expires_at)),
        )

    async def take_invite(
        self, code_hash: str, now: datetime
    ) -> tuple[str, int | None, str | None]:
        """Use a code once: ('ok', member, relation) or ('unknown'|'used'|'expired', None, None)."""
        row = await self._one("SELECT * FROM invite_codes WHERE code_hash = ?", (code_hash,))
        if row is None:
            return "unknown", None, None
        if row["used_at"] is not None:
            return "used", None, None
        if parse_ts(row["expires_at"]) <= now:
            return "expired", None, None
        await self._run(
            "UPDATE invite_codes SET used_at = ? WHERE code_hash = ?", (ts(now), code_hash)
        )
        return "ok", int(row["member_id"]), row["relation"]


def _binding(row: Row) -> Binding:
    return Binding(
        channel=row["channel"],
        external_id=row["external_id"],
        member_id=row["member_id"],
        relation=row["relation"],
        locale=row["locale"],
        last_seen_at=parse_ts(row["last_seen_at"]),
        unreachable_at=parse_ts(row["unreachable_at"]) if row["unreachable_at"] else None,
    )
