"""What the storage contract files share: the instant they write at, the integrity errors of
both engines, and a branch with members on its roster."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import asyncpg

from storage import MemberData, Store, Tx

NOW = datetime(2026, 12, 8, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai, the demo's study day
INTEGRITY = (sqlite3.IntegrityError, asyncpg.IntegrityConstraintViolationError)


async def person(tx: Tx, name: str, phone: str, branch_id: int, role: str = "member") -> int:
    """Add someone to the roster of a branch; their id."""
    member_id, _ = await tx.upsert_member(
        MemberData(name=name, phone=phone, role=role, home_branch_id=branch_id,
                   birthday=None, address=None, needs_home_delivery=False,
                   lives_alone=False, language=None), [branch_id], NOW)
    return member_id


async def branch_with(store: Store, *names: str, branch: str = "城关支部") -> tuple[int, list[int]]:
    """A branch and members of it, committed."""
    async with store.transaction() as tx:
        made, _ = await tx.ensure_branch(branch, NOW)
        base = len(await tx.all_phones())
        ids = [await person(tx, name, f"1380000{base + i:04d}", made.id)
               for i, name in enumerate(names)]
    return made.id, ids
