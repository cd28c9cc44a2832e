"""The bureau bench/scale.py measures: many branches, their members and years of check-ins,
written fast through bulk inserts into a schema zhibu's own migrations made; and how the
statements a check-in runs are planned on it (`explain`).

`open_store` creates and migrates the database (so the tables and indexes are the real
ones); the rows then go in raw, because a million check-ins one unit of work at a time would
take longer than the bench itself: SQLite `executemany` in one transaction, PostgreSQL
`COPY` (asyncpg's `copy_records_to_table`). The rows are the same on both engines (one
seeded random generator), generated lazily so seeding does not hold a million tuples.

Every branch has the study rule 每月10日 09:00; member k of branch b has id
(b - 1) * per_branch + k + 1 and is bound on the console channel as "c<id>"; member 0 of a
branch is its secretary. Past sessions are the 10th of the months before `MEASURED_MONTH`,
as many per branch as the history needs at ~80 % attendance; each branch has a few open and
taken visit tasks (待访 has work) and some done ones.
"""

from __future__ import annotations

import asyncio
import math
import random
import re
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

from bot.core.rules import parse_rule
from storage import open_store
from storage.timefmt import ts

TZ = ZoneInfo("Asia/Shanghai")
RULE = parse_rule("每月10日 09:00").describe("zh-Hans")
CHANNEL = "console"
# The study day the bench checks in on: five minutes after the start.
STUDY_DAY = datetime(2026, 12, 10, 9, 5, tzinfo=TZ)
TASK_KINDS = ("hospitalisation", "discharge", "hardship", "birthday")
OPEN_TASKS, DONE_TASKS = 4, 8  # per branch: 3 open + 1 taken, and 8 done


@dataclass(frozen=True)
class Plan:
    """How big the bureau is."""

    branches: int
    members: int
    history: int

    @property
    def per_branch(self) -> int:
        return self.members // self.branches

    @property
    def sessions(self) -> int:
        """Past study days per branch: enough for the history at ~80 % attendance."""
        per = self.branches * self.per_branch
        return max(1, math.ceil(self.history / (per * 0.8))) if per else 1

    @property
    def start(self) -> datetime:
        """When every member joined: 40 days before the first past session."""
        return _month_10th(self.sessions) - timedelta(days=40)

    def member_id(self, branch: int, k: int) -> int:
        """Member k (0: the secretary) of branch `branch` (1-based)."""
        return (branch - 1) * self.per_branch + k + 1

    def session_id(self, branch: int, back: int) -> int:
        """The past session `back` months (1-based) before STUDY_DAY's month."""
        return (branch - 1) * self.sessions + back


def _month_10th(back: int) -> datetime:
    y, m = divmod(STUDY_DAY.year * 12 + STUDY_DAY.month - 1 - back, 12)
    return datetime(y, m + 1, 10, 9, tzinfo=TZ)


def account(member_id: int) -> str:
    """The console account a member is bound as."""
    return f"c{member_id}"


Rows = Callable[[Plan], Iterator[tuple[object, ...]]]


def _branches(p: Plan) -> Iterator[tuple[object, ...]]:
    at = ts(p.start)
    for b in range(1, p.branches + 1):
        yield b, f"第{b:03d}离退休干部党支部", RULE, "老干部活动中心", at


def _members(p: Plan) -> Iterator[tuple[object, ...]]:
    at = ts(p.start)
    for b in range(1, p.branches + 1):
        for k in range(p.per_branch):
            mid = p.member_id(b, k)
            yield (mid, f"党员{mid:06d}", f"13{mid:09d}", b,
                   "secretary" if k == 0 else "member", at, at)


def _member_branches(p: Plan) -> Iterator[tuple[object, ...]]:
    for b in range(1, p.branches + 1):
        for k in range(p.per_branch):
            yield p.member_id(b, k), b


def _bindings(p: Plan) -> Iterator[tuple[object, ...]]:
    at = ts(p.start)  # last seen long ago: a check-in also writes last_seen_at, as it would
    for mid in range(1, p.branches * p.per_branch + 1):
        yield CHANNEL, account(mid), mid, at, at


def _events(p: Plan) -> Iterator[tuple[object, ...]]:
    at = ts(p.start)
    for b in range(1, p.branches + 1):
        for k in range(p.per_branch):
            yield p.member_id(b, k), "joined", b, at


def _sessions(p: Plan) -> Iterator[tuple[object, ...]]:
    for b in range(1, p.branches + 1):
        for back in range(1, p.sessions + 1):
            yield p.session_id(b, back), b, ts(_month_10th(back)), "老干部活动中心", "study"


def _checkins(p: Plan) -> Iterator[tuple[object, ...]]:
    """Exactly `history` check-ins, spread evenly over every past session (capped at the
    branch's size); one in ten a 代签 by the secretary."""
    rng = random.Random(18)
    count = p.branches * p.sessions
    base, extra = divmod(p.history, count)
    n = 0
    for b in range(1, p.branches + 1):
        secretary = p.member_id(b, 0)
        for back in range(1, p.sessions + 1):
            take = min(p.per_branch, base + (n < extra))
            n += 1
            at = ts(_month_10th(back) + timedelta(minutes=rng.randint(-30, 30)))
            for k in rng.sample(range(p.per_branch), take):
                proxy = rng.random() < 0.1
                yield (p.session_id(b, back), p.member_id(b, k), at,
                       secretary if proxy and k else None, "腿脚不便" if proxy and k else None,
                       "telegram" if rng.random() < 0.7 else "wechat")


def _tasks(p: Plan) -> Iterator[tuple[object, ...]]:
    rng = random.Random(8)
    task_id = 0
    for b in range(1, p.branches + 1):
        secretary = p.member_id(b, 0)
        for i in range(OPEN_TASKS + DONE_TASKS):
            task_id += 1
            mid = p.member_id(b, rng.randrange(1, max(2, p.per_branch)))
            made = STUDY_DAY - timedelta(days=rng.randint(1, 400) if i >= OPEN_TASKS
                                         else rng.randint(1, 6))
            due = made + timedelta(days=3)
            status = "done" if i >= OPEN_TASKS else ("taken" if i == 0 else "open")
            yield (task_id, b, mid, TASK_KINDS[i % len(TASK_KINDS)], status, ts(made), ts(due),
                   secretary if status != "open" else None,
                   ts(made + timedelta(hours=2)) if status != "open" else None,
                   secretary if status == "done" else None,
                   ts(due - timedelta(days=1)) if status == "done" else None)


# (table, columns, rows) in the order foreign keys need them
TABLES: tuple[tuple[str, tuple[str, ...], Rows], ...] = (
    ("branches", ("id", "name", "study_rule", "study_place", "created_at"), _branches),
    ("members", ("id", "name", "phone", "branch_id", "role", "created_at", "updated_at"),
     _members),
    ("member_branches", ("member_id", "branch_id"), _member_branches),
    ("bindings", ("channel", "external_id", "member_id", "created_at", "last_seen_at"),
     _bindings),
    ("membership_events", ("member_id", "kind", "branch_id", "at"), _events),
    ("study_sessions", ("id", "branch_id", "starts_at", "place", "kind"), _sessions),
    ("check_ins", ("session_id", "member_id", "checked_in_at", "by_member_id", "reason",
                   "channel"), _checkins),
    ("visit_tasks", ("id", "branch_id", "member_id", "kind", "status", "created_at", "due_at",
                     "taken_by", "taken_at", "done_by", "done_at"), _tasks),
)
WITH_IDS = ("branches", "members", "membership_events", "study_sessions", "check_ins",
            "visit_tasks")


async def _migrate(url: str) -> None:
    store = await open_store(url)
    await store.close()


def seed_sqlite(path: str, plan: Plan) -> dict[str, int]:
    """Migrate the file through zhibu, then bulk insert in one transaction (no ANALYZE:
    zhibu never runs one, so the planner sees what production sees)."""
    asyncio.run(_migrate(f"sqlite:///{path}"))
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA synchronous = OFF")
        with conn:
            for table, columns, rows in TABLES:
                marks = ", ".join("?" for _ in columns)
                conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
                                 rows(plan))
        return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t, _, _ in TABLES}
    finally:
        conn.close()


async def seed_postgres(url: str, dsn: str, schema: str, plan: Plan) -> dict[str, int]:
    """Migrate the schema through zhibu, COPY the rows in, move the identity sequences past
    the ids given, and ANALYZE (what autovacuum does within a minute of a bulk load)."""
    await _migrate(url)
    conn = await asyncpg.connect(dsn, server_settings={"search_path": schema})
    try:
        for table, columns, rows in TABLES:
            await conn.copy_records_to_table(table, records=rows(plan), columns=list(columns),
                                             schema_name=schema)
        for table in WITH_IDS:
            await conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)")
        for table, _, _ in TABLES:  # these tables only: not every schema of the database
            await conn.execute(f"ANALYZE {table}")
        return {t: int(await conn.fetchval(f"SELECT COUNT(*) FROM {t}")) for t, _, _ in TABLES}
    finally:
        await conn.close()


# --------------------------------------------------------------------------- plans

# Tables whose size follows the number of members (or their messages): a scan of one of
# them on the check-in path makes a check-in slower as the bureau grows.
GROWING = ("members", "member_branches", "bindings", "check_ins", "processed_messages",
           "conversations", "membership_events", "audit_log", "outbox", "leave_requests",
           "activity_attendance", "visit_tasks", "study_sessions")
_SCAN = {"sqlite": re.compile(r"\bSCAN (\w+)"), "postgresql": re.compile(r"Seq Scan on (\w+)")}


async def explain(url: str, engine: str, statements: list[tuple[str, list[Any]]],
                  dsn: str, schema: str) -> tuple[list[str], list[str]]:
    """Each statement's plan, indented (SQLite's EXPLAIN QUERY PLAN, PostgreSQL's EXPLAIN
    with the arguments it ran with); and the full scans of tables that grow."""
    lines: list[str] = []
    growing: list[str] = []
    plans: list[list[str]] = []
    if engine == "sqlite":
        db = sqlite3.connect(url[len("sqlite:///"):])
        plans = [[row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {sql}")]
                 for sql, _ in statements]
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        db.close()
    else:
        conn = await asyncpg.connect(dsn, server_settings={"search_path": schema})
        plans = [[r[0] for r in await conn.fetch(f"EXPLAIN {sql}", *args)]
                 for sql, args in statements]
        tables = {r[0] for r in await conn.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = $1", schema)}
        await conn.close()
    for (sql, _), plan in zip(statements, plans, strict=True):
        lines.append(f"  {' '.join(sql.split())[:150]}")
        lines += [f"      {step}" for step in plan or ["(no read: a write by key)"]]
        for table in _SCAN[engine].findall("\n".join(plan)):
            if table in tables:
                grows = table in GROWING
                lines.append(f"      !! full scan of {table}"
                             + (" — grows with the members" if grows else " (small table)"))
                if grows:
                    growing.append(f"{table} in: {' '.join(sql.split())[:100]}")
    return lines, growing
