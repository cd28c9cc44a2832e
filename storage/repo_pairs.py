"""互助对子: pairings, contacts, the silent pairs' nudges.

The pair itself is `members.pair_member_id` (the roster's import format, set through
`MemberRepo.set_pair`); what is kept here is what the pair did: when two members were paired
(`pairings`, one row each way), each help one gave the other (`pair_contacts`), and the nudges
sent to a pair that fell silent (`pair_nudges`, once per silence). A contact counts for the
pair whichever of the two gave it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.repo_base import RepoBase, Row
from storage.timefmt import parse_ts, ts

KINDS = ("life", "comfort", "nearby")  # 生活帮助, 精神慰藉, 就近互助

# Both directions of a pair: (a gave b) or (b gave a).
_EITHER_WAY = "((member_id = ? AND partner_id = ?) OR (member_id = ? AND partner_id = ?))"


@dataclass(frozen=True)
class PairContact:
    """One help given: who helped whom, how (life / comfort / nearby), on which local day."""

    id: int
    branch_id: int
    member_id: int
    partner_id: int
    kind: str
    note: str
    contacted_on: str  # the branch's local day, YYYY-MM-DD
    created_at: datetime


@dataclass(frozen=True)
class PairFigures:
    """What a pair did: the day of its last contact (None: never) and this month's count."""

    last_on: str | None
    this_month: int


class PairRepo(RepoBase):
    """互助对子: pairings, contacts, the silent pairs' nudges."""

    async def add_pair_contact(self, branch_id: int, member_id: int, partner_id: int,
                               kind: str, note: str, contacted_on: str, month: str,
                               now: datetime) -> int:
        """Record one help `member_id` gave `partner_id`; its id."""
        if kind not in KINDS:
            raise ValueError(f"unknown pair contact kind: {kind}")
        return await self._insert(
            "INSERT INTO pair_contacts (branch_id, member_id, partner_id, kind, note, "
            "contacted_on, month, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (branch_id, member_id, partner_id, kind, note, contacted_on, month, ts(now)))

    async def last_pair_contact(self, a: int, b: int) -> PairContact | None:
        """The latest contact between two members, whichever of them helped."""
        row = await self._one(
            "SELECT id, branch_id, member_id, partner_id, kind, note, contacted_on, created_at "
            f"FROM pair_contacts WHERE {_EITHER_WAY} "
            "ORDER BY contacted_on DESC, created_at DESC, id DESC LIMIT 1",
            (a, b, b, a))
        if row is None:
            return None
        return PairContact(row["id"], row["branch_id"], row["member_id"], row["partner_id"],
                           row["kind"], row["note"], row["contacted_on"],
                           parse_ts(row["created_at"]))

    async def pair_figures(self, a: int, b: int, month: str) -> PairFigures:
        """A pair's last contact day and how many contacts it had in `month` (YYYY-MM)."""
        row = await self._one(
            "SELECT MAX(contacted_on) AS last_on, "
            "COALESCE(SUM(CASE WHEN month = ? THEN 1 ELSE 0 END), 0) AS n "
            f"FROM pair_contacts WHERE {_EITHER_WAY}",
            (month, a, b, b, a))
        if row is None:
            return PairFigures(None, 0)
        return PairFigures(row["last_on"], int(row["n"]))

    async def branch_pairs(self, branch_id: int) -> list[tuple[int, int]]:
        """The pairs with a member of this home branch, each once (lower id first); both
        members active. A pointer the partner does not return still makes a pair."""
        rows = await self._all(
            "SELECT m.id, m.pair_member_id FROM members m JOIN members p "
            "ON p.id = m.pair_member_id WHERE m.branch_id = ? AND m.status = 'active' "
            "AND p.status = 'active' ORDER BY m.id",
            (branch_id,))
        return _each_once(rows)

    async def all_pairs(self) -> list[tuple[int, int]]:
        """Every pair of two active members, each once (lower id first)."""
        rows = await self._all(
            "SELECT m.id, m.pair_member_id FROM members m JOIN members p "
            "ON p.id = m.pair_member_id WHERE m.status = 'active' AND p.status = 'active' "
            "ORDER BY m.id")
        return _each_once(rows)

    async def record_pairing(self, a: int, b: int, now: datetime, by: int | None) -> None:
        """Two members were paired now (both directions; a pairing made again starts anew)."""
        for member_id, partner_id in ((a, b), (b, a)):
            await self._run(
                "INSERT INTO pairings (member_id, partner_id, paired_at, paired_by) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (member_id, partner_id) "
                "DO UPDATE SET paired_at = excluded.paired_at, paired_by = excluded.paired_by",
                (member_id, partner_id, ts(now), by))

    async def ensure_pairings(self) -> int:
        """A row for every pair the roster made without one (as the migration backfilled:
        from the member's last update); how many were added."""
        return await self._run(
            "INSERT INTO pairings (member_id, partner_id, paired_at) "
            "SELECT m.id, m.pair_member_id, m.updated_at FROM members m "
            "WHERE m.pair_member_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM pairings g "
            "WHERE g.member_id = m.id AND g.partner_id = m.pair_member_id)")

    async def paired_at(self, a: int, b: int) -> datetime | None:
        """When two members were (last) paired, None when no pairing is recorded."""
        row = await self._one(
            f"SELECT MAX(paired_at) AS at FROM pairings WHERE {_EITHER_WAY}", (a, b, b, a))
        return parse_ts(row["at"]) if row is not None and row["at"] else None

    async def add_pair_nudge(self, member_id: int, partner_id: int, since: str,
                             now: datetime) -> bool:
        """Note a nudge to `member_id` about a silence since `since`; False when one was
        already sent for that silence."""
        changed = await self._run(
            "INSERT INTO pair_nudges (member_id, partner_id, since, sent_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (member_id, partner_id, since) DO NOTHING",
            (member_id, partner_id, since, ts(now)))
        return changed > 0


def _each_once(rows: list[Row]) -> list[tuple[int, int]]:
    """(member, partner) rows as pairs, each pair once, lower id first, in order."""
    seen: set[tuple[int, int]] = set()
    pairs: list[tuple[int, int]] = []
    for row in rows:
        a, b = int(row[0]), int(row[1])
        pair = (min(a, b), max(a, b))
        if a != b and pair not in seen:
            seen.add(pair)
            pairs.append(pair)
    return pairs
