"""Reports at a bureau's scale: one branch's month and every branch side by side.

    python bench/reports.py [--branches 500] [--members 100] [--years 5] [--rounds 3]

A child process seeds a SQLite file through zhibu's own migrations and then plain sqlite3
(untimed): `--branches` branches of `--members` members each, a study day on the 10th of
every month for `--years` years, and for each session ~75 % check-ins (one in ten of them
代签), ~5 % leave; every member joined at the start, 2 % a year move to another branch and
1 % a year die; per branch and year a few hospital stays and 五必访 tasks (most made on
time, some late, some never), and ~5 % of members a month with a home delivery.

Then, in this process (its peak RSS is the figure: the seeding ran elsewhere), the code that
serves `报表` and `zhibu report` runs on the newest month: one branch's month (collect_report:
the month, its twelve-month trend, visits, deliveries, changes; and the workbook and chart
written), and every branch (collect_rollup and its workbook and chart), `--rounds` times;
medians with min–max. The roll-up's totals are checked against counts taken directly in SQL
(a wrong count fails the run, exit 1).
Targets (issue #16): one branch's month < 0.5 s, every branch < 10 s, peak RSS < 300 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import multiprocessing
import random
import resource
import sqlite3
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.machine import describe

TZ = ZoneInfo("Asia/Shanghai")
UTC = ZoneInfo("UTC")


def _ts(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def _months(years: int, last: datetime) -> list[datetime]:
    """The 10th, 09:00, of each month, the last `years` years up to `last`'s month."""
    out = []
    for back in range(years * 12 - 1, -1, -1):
        y, m = divmod(last.year * 12 + last.month - 1 - back, 12)
        out.append(datetime(y, m + 1, 10, 9, tzinfo=TZ))
    return out


def seed(db: Path, branches: int, members: int, years: int, last: datetime) -> None:
    """The whole history, written fast (executemany in one transaction a table)."""
    from storage import SqliteStore

    async def schema() -> None:
        store = await SqliteStore.open(db)
        await store.close()

    asyncio.run(schema())
    rng = random.Random(16)
    months = _months(years, last)
    start = months[0] - timedelta(days=40)
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA synchronous = OFF")
    with conn:
        conn.executemany(
            "INSERT INTO branches (id, name, study_rule, study_place, created_at) "
            "VALUES (?, ?, '每月10日 09:00', '活动室', ?)",
            [(b, f"第{b:03d}离退休干部党支部", _ts(start)) for b in range(1, branches + 1)])
        people, events, member_branches = [], [], []
        member_id = 0
        for b in range(1, branches + 1):
            for i in range(members):
                member_id += 1
                role = "secretary" if i == 0 else "member"
                people.append((member_id, f"成员{member_id:06d}", f"1{member_id:010d}", b, role,
                               _ts(start), _ts(start)))
                member_branches.append((member_id, b))
                events.append((member_id, "joined", b, None, _ts(start)))
        conn.executemany(
            "INSERT INTO members (id, name, phone, branch_id, role, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)", people)
        conn.executemany("INSERT INTO member_branches (member_id, branch_id) VALUES (?, ?)",
                         member_branches)
        home = {p[0]: p[3] for p in people}
        gone: set[int] = set()
        span = (months[-1] - start).total_seconds()
        for mid in range(1, member_id + 1):
            if rng.random() < 0.02 * years:  # moves to another branch
                at = start + timedelta(seconds=rng.random() * span)
                to = rng.randint(1, branches)
                if to != home[mid]:
                    events.append((mid, "moved", to, home[mid], _ts(at)))
            elif rng.random() < 0.01 * years:  # dies
                gone.add(mid)
                events.append((mid, "deceased", home[mid], None,
                               _ts(start + timedelta(seconds=rng.random() * span))))
        conn.executemany(
            "INSERT INTO membership_events (member_id, kind, branch_id, from_branch_id, at) "
            "VALUES (?, ?, ?, ?, ?)", events)
        conn.execute("UPDATE members SET status = 'deceased' WHERE id IN "
                     "(SELECT member_id FROM membership_events WHERE kind = 'deceased')")
        sessions, checkins, leaves = [], [], []
        session_id = 0
        for b in range(1, branches + 1):
            ids = range((b - 1) * members + 1, b * members + 1)
            secretary = ids[0]
            for month in months:
                session_id += 1
                sessions.append((session_id, b, _ts(month), "活动室"))
                for mid in ids:
                    roll = rng.random()
                    if roll < 0.75:
                        proxy = rng.random() < 0.1
                        checkins.append((session_id, mid, _ts(month), secretary if proxy else None,
                                         "腿脚不便" if proxy else None, "telegram"))
                    elif roll < 0.80:
                        leaves.append((session_id, mid, "身体不适", _ts(month - timedelta(days=1))))
        conn.executemany("INSERT INTO study_sessions (id, branch_id, starts_at, place) "
                         "VALUES (?, ?, ?, ?)", sessions)
        conn.executemany("INSERT INTO check_ins (session_id, member_id, checked_in_at, "
                         "by_member_id, reason, channel) VALUES (?, ?, ?, ?, ?, ?)", checkins)
        conn.executemany("INSERT INTO leave_requests (session_id, member_id, reason, created_at) "
                         "VALUES (?, ?, ?, ?)", leaves)
        stays, tasks, deliveries = [], [], []
        for b in range(1, branches + 1):
            ids = list(range((b - 1) * members + 1, b * members + 1))
            for month in months:
                for mid in rng.sample(ids, max(1, members // 20)):  # home deliveries
                    done = rng.random() < 0.8
                    deliveries.append((b, mid, month.strftime("%Y-%m"), "asked",
                                       "delivered" if done else "requested",
                                       _ts(month - timedelta(days=5)),
                                       _ts(month) if done else None))
                if rng.random() < 0.3:  # a hospital stay, and its visit
                    mid = rng.choice(ids)
                    admitted = month + timedelta(days=rng.randint(-5, 10))
                    stays.append((mid, "hospitalisation", mid, "{}", _ts(admitted),
                                  _ts(admitted + timedelta(days=7))))
                    due = admitted + timedelta(days=3)
                    fate = rng.random()
                    done_at = (due - timedelta(days=1) if fate < 0.7 else
                               due + timedelta(days=2) if fate < 0.9 else None)
                    tasks.append((b, mid, "hospitalisation", "done" if done_at else "open",
                                  _ts(admitted), _ts(due), _ts(done_at) if done_at else None))
        conn.executemany("INSERT INTO care_events (member_id, kind, reported_by, details, "
                         "created_at, closed_at) VALUES (?, ?, ?, ?, ?, ?)", stays)
        conn.executemany("INSERT INTO visit_tasks (branch_id, member_id, kind, status, "
                         "created_at, due_at, done_at) VALUES (?, ?, ?, ?, ?, ?, ?)", tasks)
        conn.executemany("INSERT INTO delivery_requests (branch_id, member_id, month, reason, "
                         "status, created_at, delivered_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
                         "ON CONFLICT (member_id, month) DO NOTHING", deliveries)
    conn.execute("ANALYZE")
    counts = {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in (
        "members", "study_sessions", "check_ins", "leave_requests", "visit_tasks",
        "delivery_requests", "care_events", "membership_events")}
    conn.close()
    print("seeded: " + ", ".join(f"{n:,} {t}" for t, n in counts.items()), flush=True)


async def measure(db: Path, rounds: int, last: datetime) -> int:
    """Time one branch's month and every branch's, check the roll-up's totals."""
    from bot.config import Config, DatabaseConfig
    from bot.core.clock import FakeClock
    from bot.documents.report import write_chart, write_xlsx
    from bot.documents.rollup import write_rollup_chart, write_rollup_xlsx
    from handlers.officers.report_data import collect_report
    from handlers.officers.rollup_data import collect_rollup
    from storage import open_store

    config = Config(database=DatabaseConfig(url=f"sqlite:///{db}"))
    now = last + timedelta(days=15)
    clock = FakeClock(now)
    store = await open_store(config.database.url)
    year, month = last.year, last.month
    one: list[float] = []
    one_read: list[float] = []
    every: list[float] = []
    every_read: list[float] = []
    bad = 0
    try:
        async with store.transaction() as tx:
            branches = await tx.list_branches()
        for _ in range(rounds):
            t0 = time.perf_counter()
            async with store.transaction() as tx:
                report = await collect_report(tx, branches[len(branches) // 2], year, month, TZ,
                                              clock.now(), ("bench", "reports"))
            one_read.append(time.perf_counter() - t0)
            write_xlsx(report, io.BytesIO())
            write_chart(report, io.BytesIO())
            one.append(time.perf_counter() - t0)

            t0 = time.perf_counter()
            async with store.transaction() as tx:
                rollup = await collect_rollup(tx, branches, year, month, TZ, clock.now(),
                                              ("bench", "reports"))
            every_read.append(time.perf_counter() - t0)
            write_rollup_xlsx(rollup, io.BytesIO())
            write_rollup_chart(rollup, io.BytesIO())
            every.append(time.perf_counter() - t0)
        bad += _check(db, rollup, year, month)
    finally:
        await store.close()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\none branch's month (collect + workbook + chart): {_median(one)}; "
          f"reading alone {_median(one_read)}")
    print(f"every branch, {len(branches)} (collect + workbook + chart): {_median(every)}; "
          f"reading alone {_median(every_read)}")
    print(f"peak RSS of this process: {rss:.0f} MB")
    flagged = sum(1 for line in rollup.lines if line.flags)
    print(f"roll-up: {len(rollup.lines)} branches, {flagged} flagged, "
          f"{len(rollup.changes)} membership changes in the month")
    checks = {"one branch < 0.5 s": sorted(one)[len(one) // 2] < 0.5,
              "every branch < 10 s": sorted(every)[len(every) // 2] < 10,
              "peak RSS < 300 MB": rss < 300,
              "roll-up totals equal counts taken in SQL": bad == 0}
    for label, ok in checks.items():
        print(f"  {'ok  ' if ok else 'MISS'} {label}")
    return 0 if all(checks.values()) else 1


def _check(db: Path, rollup: object, year: int, month: int) -> int:
    """The roll-up's 实到 and 五必访-due totals against direct counts (wrong: 1)."""
    from bot.documents.rollup import Rollup

    assert isinstance(rollup, Rollup)
    start = datetime(year, month, 1, tzinfo=TZ)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=TZ)
    with sqlite3.connect(db) as conn:
        due = conn.execute("SELECT COUNT(*) FROM visit_tasks WHERE due_at >= ? AND due_at < ? "
                           "AND status <> 'cancelled'", (_ts(start), _ts(end))).fetchone()[0]
        # check-ins of the month by members who belonged to the session's branch then
        attended = conn.execute(
            "SELECT COUNT(*) FROM check_ins c JOIN study_sessions s ON s.id = c.session_id "
            "WHERE s.starts_at >= ? AND s.starts_at < ? AND (SELECT e.branch_id = s.branch_id "
            "AND e.kind IN ('joined', 'moved', 'restored') FROM membership_events e "
            "WHERE e.member_id = c.member_id AND e.at <= s.starts_at "
            "ORDER BY e.at DESC, e.id DESC LIMIT 1)", (_ts(start), _ts(end))).fetchone()[0]
    got_due = sum(line.visits_due for line in rollup.lines)
    got_attended = sum(line.attended for line in rollup.lines)
    print(f"check: 实到 {got_attended:,} (SQL {attended:,}), 五必访 due {got_due} (SQL {due})")
    return int(got_due != due) + int(got_attended != attended)


def _median(values: list[float]) -> str:
    ordered = sorted(values)
    return (f"{ordered[len(ordered) // 2]:.3f} s (min {ordered[0]:.3f}, "
            f"max {ordered[-1]:.3f}, {len(values)} rounds)")


def main() -> int:
    """Seed in a child process, then measure here."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--branches", type=int, default=500)
    parser.add_argument("--members", type=int, default=100, help="members per branch")
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(describe())
    last = datetime(2026, 11, 10, 9, tzinfo=TZ)
    with tempfile.TemporaryDirectory(prefix="zhibu-reports-bench-") as tmp:
        db = Path(tmp) / "bureau.db"
        t0 = time.perf_counter()
        child = multiprocessing.get_context("spawn").Process(
            target=seed, args=(db, args.branches, args.members, args.years, last))
        child.start()
        child.join()
        if child.exitcode != 0:
            print("seeding failed")
            return 1
        print(f"(seeded in {time.perf_counter() - t0:.0f} s, "
              f"{db.stat().st_size / 1e6:.0f} MB on disk)")
        return asyncio.run(measure(db, args.rounds, last))


if __name__ == "__main__":
    raise SystemExit(main())
