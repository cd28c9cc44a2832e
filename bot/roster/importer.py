"""Applying a roster file to the store: the whole file is checked before anything is written.

Nothing is erased silently: a column the file lacks (生日, 住址, 角色 …) leaves that field as
it is; a branch name the database does not know is refused with the closest known name
(unless `new_branch`, or on the very first import); what changes is listed member by member,
and `dry_run` lists it without writing. The file is read and checked before the write
transaction opens, off the event loop, so a live service's writers do not wait for openpyxl.
"""

from __future__ import annotations

import asyncio
import difflib
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from bot.roster.parse import Birthday, RosterRow, RowError, read_roster
from storage import MemberData, Store, Tx
from storage.models import Member

_ROLE_WORDS = {"member": "党员", "secretary": "书记", "instructor": "指导员", "admin": "管理员"}
STATUS_WORDS = {"active": "在册", "inactive": "离开", "deceased": "去世"}
_HOME_ROLES = ("member", "secretary")


@dataclass
class ImportSummary:
    """What an import did (or, with errors and no --skip-bad, would not do)."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)  # one line per member added or changed
    applied: bool = False
    dry_run: bool = False

    def line(self) -> str:
        """The summary line printed at the end."""
        prefix = "（预览，没有写入）" if self.dry_run else ""
        return (f"{prefix}新增 {self.added} · 更新 {self.updated} · 未变 {self.unchanged} · "
                f"跳过 {self.skipped}  (added / updated / unchanged / skipped)")


class _Preview(Exception):
    """Raised at the end of a dry run, so that its transaction rolls back."""


def birthday_text(birthday: Birthday | None) -> str | None:
    """How a birthday is stored: 1943-05-12, 农历1940-08-15, or 05-12 without a year."""
    if birthday is None:
        return None
    prefix = "农历" if birthday.lunar else ""
    year = f"{birthday.year:04d}-" if birthday.year else ""
    return f"{prefix}{year}{birthday.month:02d}-{birthday.day:02d}"


async def import_roster(
    store: Store, path: Path, now: datetime, *, skip_bad: bool = False,
    new_branch: bool = False, dry_run: bool = False,
) -> ImportSummary:
    """Validate the whole file; import it in one transaction unless a row is bad."""
    async with store.transaction() as tx:
        phones = await tx.all_phones()
        branches = [b.name for b in await tx.list_branches()]
    parsed = await asyncio.to_thread(read_roster, path, phones, today=now.date())
    errors = list(parsed.errors)
    if branches and not new_branch:
        errors += _unknown_branches(parsed.rows, branches)
        errors.sort(key=lambda e: e.row_number)
    bad_rows = {e.row_number for e in errors}
    rows = [row for row in parsed.rows if row.row_number not in bad_rows]
    summary = ImportSummary(errors=errors, skipped=len(bad_rows), dry_run=dry_run)
    if errors and not skip_bad:
        return summary
    try:
        async with store.transaction() as tx:
            await _apply(tx, rows, parsed.columns, now, summary)
            if dry_run:
                raise _Preview
    except _Preview:
        return summary
    summary.applied = True
    return summary


def closest_branch(name: str, known: list[str]) -> str | None:
    """The known branch name a mistyped one most likely means (城关之部 → 城关支部)."""
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.4)
    return close[0] if close else None


def _unknown_branches(rows: list[RosterRow], known: list[str]) -> list[RowError]:
    """A branch name the database does not know is most often a typo of one it does."""
    errors = []
    for row in rows:
        for name in row.branches:
            if name in known:
                continue
            close = closest_branch(name, known)
            hint = f"是“{close}”吗？" if close else ""
            errors.append(RowError(row.row_number, f"没有“{name}”这个支部。{hint}"
                                                   "如果是新支部，请加 --new-branch"))
    return errors


async def _apply(tx: Tx, rows: list[RosterRow], columns: frozenset[str], now: datetime,
                 summary: ImportSummary) -> None:
    ids: dict[str, int] = {}
    outcomes: dict[int, str] = {}
    names: dict[int, str] = {}
    before: dict[int, tuple[Member | None, list[str]]] = {}
    for row in rows:
        existing = await tx.find_member_by_phone(row.phone)
        branch_names = await _branch_names(tx, existing) if existing else []
        member_id, outcome = await _apply_row(tx, row, existing, columns, now)
        ids[row.phone] = member_id
        outcomes[member_id] = outcome
        names[member_id] = row.name
        before[member_id] = (existing, branch_names)
    for row in rows:
        for changed in await _apply_pair(tx, row, ids[row.phone], rows):
            if outcomes.get(changed) == "unchanged":
                outcomes[changed] = "updated"
    for member_id, outcome in outcomes.items():
        setattr(summary, outcome, getattr(summary, outcome) + 1)
        if outcome != "unchanged":
            old, old_branches = before.get(member_id, (None, []))
            summary.changes.append(await _describe(tx, member_id, old, old_branches))


# Optional roster columns and the field each one sets; a column the file lacks keeps the field.
_OPTIONAL_FIELDS = {"role": "role", "birthday": "birthday", "address": "address",
                    "needs_home_delivery": "needs_home_delivery", "lives_alone": "lives_alone",
                    "language": "language"}


async def _apply_row(tx: Tx, row: RosterRow, existing: Member | None, columns: frozenset[str],
                     now: datetime) -> tuple[int, str]:
    """Add or update one person; a column the file lacks keeps what the database has."""
    branch_ids = [(await tx.ensure_branch(name, now))[0].id for name in row.branches]
    data = MemberData(
        name=row.name, phone=row.phone, role=row.role, home_branch_id=None,
        birthday=birthday_text(row.birthday), address=row.address,
        needs_home_delivery=row.needs_home_delivery, lives_alone=row.lives_alone,
        language=row.language,
    )
    if existing is not None:
        data = replace(data, **{field: getattr(existing, field)
                                for column, field in _OPTIONAL_FIELDS.items()
                                if column not in columns})
    data = replace(data, home_branch_id=branch_ids[0] if data.role in _HOME_ROLES else None)
    member_id, outcome = await tx.upsert_member(data, branch_ids, now)
    status = row.status if "status" in columns else None
    current = existing.status if existing else "active"
    if status is not None and status != current:
        await tx.set_status(member_id, status, now)
        outcome = "added" if outcome == "added" else "updated"
    return member_id, outcome


async def _branch_names(tx: Tx, member: Member) -> list[str]:
    names = []
    for branch_id in sorted(await tx.overseen_branch_ids(member.id)):
        branch = await tx.get_branch(branch_id)
        if branch is not None:
            names.append(branch.name)
    return names


async def _describe(tx: Tx, member_id: int, old: Member | None, old_branches: list[str]) -> str:
    """王秀英：住址 和平街8号 → 和平街10号；角色 党员 → 书记 (or 王秀英：新增)."""
    new = await tx.get_member(member_id)
    assert new is not None
    if old is None:
        return f"{new.name}：新增"
    parts = []
    if old.name != new.name:
        parts.append(f"姓名 {old.name} → {new.name}")
    if old.role != new.role:
        parts.append(f"角色 {_ROLE_WORDS.get(old.role, old.role)} → "
                     f"{_ROLE_WORDS.get(new.role, new.role)}")
    if old_branches != (branches := await _branch_names(tx, new)):
        parts.append(f"支部 {'、'.join(old_branches)} → {'、'.join(branches)}")
    for label, a, b in (("生日", old.birthday, new.birthday), ("住址", old.address, new.address),
                        ("语言", old.language, new.language)):
        if a != b:
            parts.append(f"{label} {a or '（空）'} → {b or '（空）'}")
    for label, x, y in (("行动不便", old.needs_home_delivery, new.needs_home_delivery),
                        ("独居", old.lives_alone, new.lives_alone)):
        if x != y:
            parts.append(f"{label} {'是' if x else '否'} → {'是' if y else '否'}")
    if old.status != new.status:
        parts.append(f"状态 {STATUS_WORDS[old.status]} → {STATUS_WORDS[new.status]}")
    if old.pair_member_id != new.pair_member_id:
        partner = await tx.get_member(new.pair_member_id) if new.pair_member_id else None
        parts.append(f"互助对象 → {partner.name if partner else '（无）'}")
    return f"{new.name}：{'；'.join(parts) or '更新'}"


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
