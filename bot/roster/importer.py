"""Applying a roster file to the store: the whole file is checked before anything is written."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from bot.roster.parse import Birthday, RosterRow, RowError, read_roster
from storage import MemberData, SqliteStore, Tx


@dataclass
class ImportSummary:
    """What an import did (or, with errors and no --skip-bad, would not do)."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)
    applied: bool = False

    def line(self) -> str:
        """The summary line printed at the end."""
        return (f"新增 {self.added} · 更新 {self.updated} · 未变 {self.unchanged} · "
                f"跳过 {self.skipped}  (added / updated / unchanged / skipped)")


def birthday_text(birthday: Birthday | None) -> str | None:
    """How a birthday is stored: 1943-05-12, 农历1940-08-15, or 05-12 without a year."""
    if birthday is None:
        return None
    prefix = "农历" if birthday.lunar else ""
    year = f"{birthday.year:04d}-" if birthday.year else ""
    return f"{prefix}{year}{birthday.month:02d}-{birthday.day:02d}"


async def import_roster(
    store: SqliteStore, path: Path, now: datetime, *, skip_bad: bool = False
) -> ImportSummary:
    """Validate the whole file; import it in one transaction unless a row is bad."""
    async with store.transaction() as tx:
        parsed = read_roster(path, await tx.all_phones())
        summary = ImportSummary(errors=parsed.errors,
                                skipped=len({e.row_number for e in parsed.errors}))
        if parsed.errors and not skip_bad:
            return summary
        ids: dict[str, int] = {}
        outcomes: dict[int, str] = {}
        for row in parsed.rows:
            member_id, outcome = await _apply_row(tx, row, now)
            ids[row.phone] = member_id
            outcomes[member_id] = outcome
        for row in parsed.rows:
            for changed in await _apply_pair(tx, row, ids[row.phone], parsed.rows):
                if outcomes.get(changed) == "unchanged":
                    outcomes[changed] = "updated"
        for outcome in outcomes.values():
            setattr(summary, outcome, getattr(summary, outcome) + 1)
        summary.applied = True
        return summary


async def _apply_row(tx: Tx, row: RosterRow, now: datetime) -> tuple[int, str]:
    branch_ids = [(await tx.ensure_branch(name, now))[0].id for name in row.branches]
    home = branch_ids[0] if row.role in ("member", "secretary") else None
    data = MemberData(
        name=row.name, phone=row.phone, role=row.role, home_branch_id=home,
        birthday=birthday_text(row.birthday), address=row.address,
        needs_home_delivery=row.needs_home_delivery, lives_alone=row.lives_alone,
        language=row.language,
    )
    return await tx.upsert_member(data, branch_ids, now)


async def _apply_pair(tx: Tx, row: RosterRow, me: int, rows: list[RosterRow]) -> list[int]:
    """Pairs are mutual: naming a partner pairs the partner back, unless they name another.

    Returns the ids whose pair changed.
    """
    if row.pair_phone is None:
        return []
    partner = await tx.find_member_by_phone(row.pair_phone)
    if partner is None:
        return []
    changed = await _set_pair(tx, me, partner.id, rows)
    partner_row = next((r for r in rows if r.phone == partner.phone), None)
    names_other = partner_row is not None and partner_row.pair_phone not in (None, row.phone)
    may_pair_back = partner_row is not None or partner.pair_member_id is None
    if not names_other and may_pair_back:
        changed += await _set_pair(tx, partner.id, me, rows)
    return changed


async def _set_pair(tx: Tx, member_id: int, partner_id: int, rows: list[RosterRow]) -> list[int]:
    """Pair member with partner; a former partner still pointing back is released.

    Returns the ids whose pair changed.
    """
    before = await tx.get_member(member_id)
    if before is None or not await tx.set_pair(member_id, partner_id):
        return []
    former = await tx.get_member(before.pair_member_id) if before.pair_member_id else None
    if former is None or former.pair_member_id != member_id:
        return [member_id]
    if any(r.phone == former.phone and r.pair_phone == before.phone for r in rows):
        return [member_id]  # the file itself pairs them: leave it as the file says
    await tx.set_pair(former.id, None)
    return [member_id, former.id]
