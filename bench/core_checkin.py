"""Check-in throughput: zhibu's core against bare aiosqlite inserts.

    python bench/core_checkin.py [--members 10000] [--db-dir DIR] [--profile]

(a) core: N distinct members, each bound on channel "bench", send "签到" one after another
    through ``app.router.handle`` on a fresh SQLite file (the same pragmas and schema as
    production, a FakeClock on a study day at 09:05 Asia/Shanghai).
(b) baseline: bare aiosqlite on a fresh file with the same pragmas, inserting the same N
    check-in rows into a minimal table, one ``BEGIN IMMEDIATE ... COMMIT`` each.

Each call / row is timed with time.perf_counter(); set-up is not timed; there is no warm-up
(every operation is reported). ``--profile`` also runs the core under cProfile (a separate,
untimed pass on its own file) and prints the top 15 functions by cumulative time.
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
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import aiosqlite

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.*, when run as a file

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


async def run_baseline(path: Path, members: int) -> Result:
    """(b): bare aiosqlite, one BEGIN IMMEDIATE / INSERT / COMMIT per row."""
    conn = await aiosqlite.connect(str(path), isolation_level=None)
    try:
        for pragma in BASELINE_PRAGMAS:
            await conn.execute(pragma)
        await conn.execute(
            "CREATE TABLE check_ins (session_id INTEGER NOT NULL, member_id INTEGER NOT NULL, "
            "checked_in_at TEXT NOT NULL, UNIQUE (session_id, member_id))"
        )
        at = ts(MOMENT)
        latencies: list[float] = []
        failures = 0
        wall0 = time.perf_counter()
        for i in range(members):
            t0 = time.perf_counter()
            await conn.execute("BEGIN IMMEDIATE")
            cur = await conn.execute(
                "INSERT INTO check_ins (session_id, member_id, checked_in_at) VALUES (?, ?, ?)",
                (1, i + 1, at),
            )
            await conn.execute("COMMIT")
            latencies.append(time.perf_counter() - t0)
            if cur.rowcount != 1:
                failures += 1
        wall = time.perf_counter() - wall0
    finally:
        await conn.close()
    return Result("baseline (bare aiosqlite)", latencies, sum(latencies), wall, failures,
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


def _print_result(r: Result, members: int) -> None:
    print(f"{r.name}:")
    print(f"  total            {r.total:9.3f} s  (wall {r.wall:.3f} s)")
    print(f"  throughput       {r.rate:9.1f} check-ins/s")
    print(f"  latency p50      {r.pct(50):9.3f} ms")
    print(f"  latency p99      {r.pct(99):9.3f} ms")
    print(f"  latency max      {max(r.latencies) * 1000:9.3f} ms")
    print(f"  first call       {r.latencies[0] * 1000:9.3f} ms  (cold: included in the figures)")
    print(f"  failures         {r.failures:9d}")
    print(f"  rows in check_ins{r.rows:9d}  (expected {members})")


async def main_async(members: int, db_dir: Path, profile: bool) -> int:
    print(f"Python {platform.python_version()} ({sys.executable})")
    print(f"SQLite {sqlite3.sqlite_version}, aiosqlite {aiosqlite.__version__}")
    print(f"CPU count {os.cpu_count()}, {platform.machine()} {platform.system()}")
    print(f"db dir {db_dir} ({_fs_type(db_dir)})")
    print(f"members {members}; sequential, no warm-up: every operation is timed and reported")
    print()

    core = await run_core(db_dir / "core.db", members)
    _print_result(core, members)
    base = await run_baseline(db_dir / "baseline.db", members)
    _print_result(base, members)
    print()
    ratio = core.rate / base.rate
    print(f"core is {ratio:.2f}× the bare-insert throughput "
          f"({base.rate / core.rate:.1f}× slower; p50 {core.pct(50) / base.pct(50):.1f}×)")

    ok = core.failures == 0 and core.rows == members and base.rows == members
    if not ok:
        print("CHECK FAILED: failures must be 0 and both tables must hold every row")
    if profile:
        print()
        print("cProfile of a separate core pass (top 15 by cumulative time):")
        print(await profile_core(db_dir / "core-profile.db", members))
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000)
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
        return asyncio.run(main_async(args.members, run_dir, args.profile))
    with tempfile.TemporaryDirectory(prefix="zhibu-bench-") as tmp:
        return asyncio.run(main_async(args.members, Path(tmp), args.profile))


if __name__ == "__main__":
    sys.exit(main())
