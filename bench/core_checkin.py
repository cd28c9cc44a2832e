"""Check-in throughput: zhibu's core against bare inserts done the same way.

    python bench/core_checkin.py [--members 10000] [--rounds 3] [--db-dir DIR] [--profile]

(a) core: N distinct members, each bound on channel "bench", send "签到" one after another
    through ``app.router.handle`` on a fresh SQLite file (the same pragmas and schema as
    production, a FakeClock on a study day at 09:05 Asia/Shanghai).
(b) baseline, like for like: bare aiosqlite on a fresh file with the same pragmas, inserting
    the same N check-in rows into a minimal table the way zhibu talks to SQLite: BEGIN
    IMMEDIATE and COMMIT through aiosqlite's thread (two trips), the INSERT on the loop.
(c) baseline, three trips: BEGIN IMMEDIATE, INSERT and COMMIT each through aiosqlite's thread
    (what this bench compared against before; kept as a second line).
(d) floor: plain sqlite3, no event loop: the same three statements per row.

Each round runs all four on fresh files, in an order that rotates from round to round so no
contender always goes first on a warm (or tired) disk. Each call / row is timed with
time.perf_counter(); set-up is not timed. Printed per contender: the median throughput with
its min–max over the rounds, and the median p50 / p99 latency. The run exits 1 when a
correctness check fails (a reply that is not 签到成功, a missing row). ``--profile`` also runs
the core under cProfile (a separate, untimed pass) and prints the top 15 functions.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import os
import platform
import pstats
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import aiosqlite

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.*, when run as a file

from bench.machine import describe
from bot.app import App, build_app
from bot.config import Config, DatabaseConfig
from bot.core.clock import FakeClock
from bot.core.messages import InboundMessage
from bot.core.rules import parse_rule
from storage import SqliteStore
from storage.timefmt import ts
from tests.zhibu_process import add_bound_members

CHANNEL = "bench"
BRANCH = "基准测试离退休干部党支部"
RULE = "每月10日 09:00"
TZ = ZoneInfo("Asia/Shanghai")
MOMENT = datetime(2026, 3, 10, 9, 5, tzinfo=TZ)  # a study day, five minutes after the start
BASELINE_PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = FULL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 5000",
)


@dataclass
class Result:
    """What one measured pass produced."""

    name: str
    latencies: list[float]  # seconds, one per operation
    total: float  # seconds, sum of the timed operations
    wall: float  # seconds, first start to last end (includes loop overhead)
    failures: int
    rows: int

    @property
    def rate(self) -> float:
        """Operations per second over the timed total."""
        return len(self.latencies) / self.total if self.total else float("inf")

    def pct(self, p: float) -> float:
        """Nearest-rank percentile of the latencies, in milliseconds."""
        ordered = sorted(self.latencies)
        rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
        return ordered[rank - 1] * 1000


# --------------------------------------------------------------------------- core


async def _core_app(path: Path, members: int) -> tuple[App, FakeClock]:
    """A fresh store with one branch, its rule, and `members` bound members (untimed)."""
    clock = FakeClock(MOMENT)
    config = Config(timezone=TZ, database=DatabaseConfig(url=f"sqlite:///{path}"))
    store = await SqliteStore.open(path)
    app = await build_app(config, clock, {}, store=store)
    now = clock.now()
    async with app.store.transaction() as tx:
        branch, _ = await tx.ensure_branch(BRANCH, now)
        await tx.set_study_rule(branch.id, parse_rule(RULE).describe("zh-Hans"))
        await add_bound_members(tx, branch.id, members, now, channel=CHANNEL,
                                account=lambda i: f"u{i}")
    return app, clock


async def _core_pass(app: App, clock: FakeClock, members: int) -> tuple[list[float], int, float]:
    """Send every member's 签到 in turn; (latencies, failures, wall seconds)."""
    latencies: list[float] = []
    failures = 0
    handle = app.router.handle
    wall0 = time.perf_counter()
    for i in range(members):
        msg = InboundMessage(
            channel=CHANNEL, sender=f"u{i}", message_id=f"m{i}", received_at=clock.now(),
            text="签到",
        )
        t0 = time.perf_counter()
        replies = await handle(msg)
        latencies.append(time.perf_counter() - t0)
        if not any("签到成功" in r.text for r in replies):
            failures += 1
            if failures <= 3:
                print(f"  unexpected reply for u{i}: {[r.text for r in replies]}")
    return latencies, failures, time.perf_counter() - wall0


def _count(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM check_ins").fetchone()[0])


async def run_core(path: Path, members: int) -> Result:
    """(a): the real router, one message at a time."""
    app, clock = await _core_app(path, members)
    try:
        latencies, failures, wall = await _core_pass(app, clock, members)
    finally:
        await app.close()
    return Result("core (router.handle)", latencies, sum(latencies), wall, failures,
                  _count(path))


async def profile_core(path: Path, members: int, top: int = 15) -> str:
    """The core pass under cProfile (main thread only: SQLite runs in aiosqlite's thread)."""
    app, clock = await _core_app(path, members)
    profiler = cProfile.Profile()
    try:
        profiler.enable()
        await _core_pass(app, clock, members)
        profiler.disable()
    finally:
        await app.close()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
    return out.getvalue()


# --------------------------------------------------------------------------- baseline


async def _timed(members: int,
                 row: Callable[[int], Awaitable[int]]) -> tuple[list[float], int, float]:
    """Insert row i for every member through `row` (it returns the rows it inserted);
    (latencies, failures, wall seconds)."""
    latencies: list[float] = []
    failures = 0
    wall0 = time.perf_counter()
    for i in range(members):
        t0 = time.perf_counter()
        inserted = await row(i)
        latencies.append(time.perf_counter() - t0)
        failures += inserted != 1
    return latencies, failures, time.perf_counter() - wall0


async def run_baseline(path: Path, members: int) -> Result:
    """(c): bare aiosqlite, BEGIN IMMEDIATE / INSERT / COMMIT each through its thread."""
    conn = await aiosqlite.connect(str(path), isolation_level=None)
    try:
        for pragma in BASELINE_PRAGMAS:
            await conn.execute(pragma)
        await conn.execute(_SCHEMA)
        at = ts(MOMENT)

        async def row(i: int) -> int:
            await conn.execute("BEGIN IMMEDIATE")
            cur = await conn.execute(_INSERT, (1, i + 1, at))
            await conn.execute("COMMIT")
            return cur.rowcount

        latencies, failures, wall = await _timed(members, row)
    finally:
        await conn.close()
    return Result("baseline, three trips", latencies, sum(latencies), wall, failures,
                  _count(path))


_SCHEMA = ("CREATE TABLE check_ins (session_id INTEGER NOT NULL, member_id INTEGER NOT NULL, "
           "checked_in_at TEXT NOT NULL, UNIQUE (session_id, member_id))")
_INSERT = "INSERT INTO check_ins (session_id, member_id, checked_in_at) VALUES (?, ?, ?)"


async def run_baseline_like_zhibu(path: Path, members: int) -> Result:
    """(b): BEGIN and COMMIT through aiosqlite's thread, the INSERT on the loop (two trips),
    as storage/sqlite.py does."""
    opened: list[sqlite3.Connection] = []

    def connect() -> sqlite3.Connection:
        db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        opened.append(db)
        return db

    conn = await aiosqlite.Connection(connect, iter_chunk_size=64)
    try:
        for pragma in BASELINE_PRAGMAS:
            await conn.execute(pragma)
        await conn.execute(_SCHEMA)
        db = opened[0]
        at = ts(MOMENT)

        async def row(i: int) -> int:
            await conn.execute("BEGIN IMMEDIATE")
            cur = db.execute(_INSERT, (1, i + 1, at))
            await conn.execute("COMMIT")
            return cur.rowcount

        latencies, failures, wall = await _timed(members, row)
    finally:
        await conn.close()
    return Result("baseline, two trips (like zhibu)", latencies, sum(latencies), wall, failures,
                  _count(path))


def run_sqlite3(path: Path, members: int) -> Result:
    """(d): plain sqlite3, no event loop, the same three statements per row: the floor."""
    db = sqlite3.connect(str(path), isolation_level=None)
    try:
        for pragma in BASELINE_PRAGMAS:
            db.execute(pragma)
        db.execute(_SCHEMA)
        at = ts(MOMENT)
        latencies: list[float] = []
        failures = 0
        wall0 = time.perf_counter()
        for i in range(members):
            t0 = time.perf_counter()
            db.execute("BEGIN IMMEDIATE")
            cur = db.execute(_INSERT, (1, i + 1, at))
            db.execute("COMMIT")
            latencies.append(time.perf_counter() - t0)
            if cur.rowcount != 1:
                failures += 1
        wall = time.perf_counter() - wall0
    finally:
        db.close()
    return Result("floor (plain sqlite3)", latencies, sum(latencies), wall, failures,
                  _count(path))


# --------------------------------------------------------------------------- report


def _fs_type(directory: Path) -> str:
    """The file system the databases live on (from /proc/mounts), if it can be told."""
    try:
        mounts = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return "unknown"
    target = str(directory.resolve())
    best, kind = "", "unknown"
    for line in mounts:
        parts = line.split()
        if len(parts) >= 3 and target.startswith(parts[1]) and len(parts[1]) >= len(best):
            best, kind = parts[1], f"{parts[2]} on {parts[1]}"
    return kind


_CONTENDERS = ("core", "like zhibu", "three trips", "sqlite3")


async def _run(which: str, path: Path, members: int) -> Result:
    if which == "core":
        return await run_core(path, members)
    if which == "like zhibu":
        return await run_baseline_like_zhibu(path, members)
    if which == "three trips":
        return await run_baseline(path, members)
    return await asyncio.to_thread(run_sqlite3, path, members)


def _median(values: list[float]) -> float:
    return statistics.median(values)


async def main_async(members: int, rounds: int, db_dir: Path, profile: bool) -> int:
    print(describe())
    print(f"Python {platform.python_version()} ({sys.executable})")
    print(f"SQLite {sqlite3.sqlite_version}, aiosqlite {aiosqlite.__version__}")
    print(f"CPU count {os.cpu_count()}, {platform.machine()} {platform.system()}")
    print(f"db dir {db_dir} ({_fs_type(db_dir)})")
    print(f"members {members}, rounds {rounds}; the order rotates each round; every operation "
          "is timed, none is warm-up")
    results: dict[str, list[Result]] = {name: [] for name in _CONTENDERS}
    failed: list[str] = []
    for round_ in range(rounds):
        order = _CONTENDERS[round_ % 4:] + _CONTENDERS[:round_ % 4]
        for which in order:
            path = db_dir / f"r{round_}-{which.replace(' ', '-')}.db"
            result = await _run(which, path, members)
            results[which].append(result)
            if result.failures or result.rows != members:
                failed.append(f"round {round_ + 1} {result.name}: {result.failures} failures, "
                              f"{result.rows} of {members} rows")
    print()
    print(f"{'':34} {'check-ins/s (median, min-max)':>32} {'p50 ms':>8} {'p99 ms':>8}")
    rates = {}
    for which, runs in results.items():
        rate = [r.rate for r in runs]
        rates[which] = _median(rate)
        print(f"{runs[0].name:34} {rates[which]:12.0f} ({min(rate):6.0f}-{max(rate):6.0f})"
              f"{'':6} {_median([r.pct(50) for r in runs]):8.3f} "
              f"{_median([r.pct(99) for r in runs]):8.3f}")
    print()
    print(f"core is {rates['core'] / rates['like zhibu']:.2f}× the like-for-like baseline, "
          f"{rates['core'] / rates['three trips']:.2f}× the three-trip one, "
          f"{rates['core'] / rates['sqlite3']:.2f}× plain sqlite3 (the floor)")
    for failure in failed:
        print("CHECK FAILED:", failure)
    if profile:
        print()
        print("cProfile of a separate core pass (top 15 by cumulative time):")
        print(await profile_core(db_dir / "core-profile.db", members))
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds of all four contenders (default 3)")
    parser.add_argument("--db-dir", type=Path, default=None,
                        help="where the SQLite files go (default: a fresh temp dir)")
    parser.add_argument("--profile", action="store_true",
                        help="also profile a separate core pass with cProfile")
    args = parser.parse_args()
    if args.members < 1:
        parser.error("--members must be at least 1")
    if args.db_dir is not None:
        args.db_dir.mkdir(parents=True, exist_ok=True)
        run_dir = Path(tempfile.mkdtemp(prefix="zhibu-bench-", dir=args.db_dir))
        return asyncio.run(main_async(args.members, args.rounds, run_dir, args.profile))
    with tempfile.TemporaryDirectory(prefix="zhibu-bench-") as tmp:
        return asyncio.run(main_async(args.members, args.rounds, Path(tmp), args.profile))


if __name__ == "__main__":
    sys.exit(main())
