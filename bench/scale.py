"""zhibu at a bureau's scale, on SQLite and on PostgreSQL (issue #18).

    python bench/scale.py [--engine sqlite|postgresql|both] [--pg-url URL]
                          [--members 100000] [--branches 500] [--history 1000000]
                          [--checkins 2000] [--push 10000] [--concurrency 64]
                          [--secretaries 200] [--reports 20]

Seeds (bench/scale_seed.py, timed and printed) `--members` members in `--branches` branches,
each bound on the console channel, `--history` past check-ins and a few visit tasks per
branch, into a fresh SQLite file or a fresh PostgreSQL schema `bench_<random>` (dropped at
the end; the server from --pg-url or ZHIBU_TEST_POSTGRES_URL). Then, each in a process of its
own (so its peak RSS is the instance's, not the seeding's), through the real router:

- plans: the statements two check-ins run (the branch's first of the day, which creates the
  session, and the second) are captured (SQLite's trace callback; asyncpg's query logger on a
  one-connection pool) and explained; a full scan of a table is flagged, loudly when the
  table grows with the members;
- latency: `--checkins` 签到 by distinct members (every branch in turn; the clock on the
  branches' study day, 09:05), one at a time; `--secretaries` 待访; `--reports` one-branch
  reports of last month (handlers.officers.report_data.build_report), checked against a
  count in SQL; p50/p99 (nearest rank);
- throughput: `--push` check-ins by distinct members, `--concurrency` in flight at once
  through one router (group commit), by one instance; on PostgreSQL then by two instances
  (two processes started together, `--push` each) against the same schema: the combined
  rate is all check-ins over first start to last end. The instance's own CPU per check-in
  is printed too: what a core allows.

Targets: check-in p99 < 10 ms at 100,000 members on both engines, no statement on the
check-in path whose cost grows with the members, peak RSS < 150 MB an instance. The run
exits 1 when a reply or a figure is wrong or a check-in statement scans a growing table.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import queue as queue_module
import re
import resource
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.machine import describe
from bench.scale_seed import CHANNEL, STUDY_DAY, TZ, Plan, account, explain, seed_sqlite
from bench.scale_seed import seed_postgres as seed_pg

Result = dict[str, Any]
_LITERAL = re.compile(r"'(?:[^']|'')*'|\b\d+\b")  # a statement's shape: values left out


def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile, in milliseconds (values in seconds)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1] * 1000


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def _app(url: str, store: Any = None) -> Any:
    from bot.app import build_app
    from bot.config import Config, DatabaseConfig
    from bot.core.clock import FakeClock

    config = Config(timezone=TZ, database=DatabaseConfig(url=url))
    return await build_app(config, FakeClock(STUDY_DAY), {}, store=store)


def _message(member_id: int, text: str, tag: str) -> Any:
    from bot.core.messages import InboundMessage

    return InboundMessage(channel=CHANNEL, sender=account(member_id), text=text,
                          message_id=f"{tag}-{member_id}", received_at=STUDY_DAY)


def _text(replies: list[Any]) -> str:
    return "\n".join(r.text for r in replies)


async def _timed(calls: list[Callable[[], Awaitable[bool]]]) -> tuple[list[float], int]:
    """Run the calls one after another; (seconds each, how many came out wrong)."""
    latencies, wrong = [], 0
    for call in calls:
        t0 = time.perf_counter()
        ok = await call()
        latencies.append(time.perf_counter() - t0)
        wrong += not ok
    return latencies, wrong


# --------------------------------------------------------------------------- plans


async def _capture(url: str, engine: str, ids: tuple[int, int]) -> list[tuple[str, list[Any]]]:
    """The statements two check-ins run (each distinct text once, with its arguments)."""
    seen: list[tuple[str, list[Any]]] = []
    if engine == "sqlite":
        app = await _app(url)
        app.store._db.set_trace_callback(lambda sql: seen.append((sql, [])))
    else:
        from storage.postgres import PostgresStore

        store = await PostgresStore.open(url, min_size=1, max_size=1)
        app = await _app(url, store)
        async with store.transaction() as tx:  # the pool's one connection: log it
            tx._conn.add_query_logger(lambda q: seen.append((q.query, list(q.args))))
        seen.clear()
    try:
        for n, member in enumerate(ids):
            if "签到成功" not in _text(await app.router.handle(_message(member, "签到", "plan"))):
                raise SystemExit(f"plan capture: check-in {n + 1} failed")
        await asyncio.sleep(0)  # asyncpg hands the log over with call_soon
    finally:
        await app.close()
    unique: dict[str, tuple[str, list[Any]]] = {}
    for sql, args in seen:  # the work, not BEGIN/COMMIT nor the pool's reset on release
        if re.match(r"\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b", sql, re.I) and ";" not in sql:
            unique.setdefault(_LITERAL.sub("?", sql), (sql, args))
    return list(unique.values())


# --------------------------------------------------------------------------- workers


async def _measure(url: str, engine: str, plan: Plan, dsn: str, schema: str,
                   sizes: dict[str, int]) -> Result:
    """Plans, then check-in / 待访 / report latencies, through one instance."""
    from handlers.officers.report_data import build_report

    last = plan.branches, plan.per_branch - 1
    statements = await _capture(url, engine, (plan.member_id(*last),
                                               plan.member_id(last[0], last[1] - 1)))
    plan_lines, growing = await explain(url, engine, statements, dsn, schema)
    app = await _app(url)
    try:
        handle = app.router.handle

        def checkin(mid: int) -> Callable[[], Awaitable[bool]]:
            async def call() -> bool:
                return "签到成功" in _text(await handle(_message(mid, "签到", "lat")))
            return call

        def visits(mid: int) -> Callable[[], Awaitable[bool]]:
            async def call() -> bool:
                return _text(await handle(_message(mid, "待访", "visits"))).count("\n#") >= 4
            return call

        checkins = _order(plan)[:sizes["checkins"]]
        secretaries = [plan.member_id(1 + i * plan.branches // sizes["secretaries"], 0)
                       for i in range(sizes["secretaries"])]
        chosen = [1 + i * plan.branches // sizes["reports"] for i in range(sizes["reports"])]
        month_before = STUDY_DAY.replace(day=1) - timedelta(days=1)

        def report(branch: int) -> Callable[[], Awaitable[bool]]:
            async def call() -> bool:
                got = await build_report(app.store, f"第{branch:03d}离退休干部党支部",
                                         month_before.year, month_before.month, TZ,
                                         STUDY_DAY, ("bench", "scale"))
                async with app.store.transaction() as tx:
                    row = await tx._one("SELECT COUNT(*) AS n FROM check_ins WHERE "
                                        "session_id = ?", (plan.session_id(branch, 1),))
                return (got is not None and len(got.sessions) == 1
                        and got.sessions[0].attended == row["n"]
                        and got.sessions[0].expected == plan.per_branch)
            return call

        out: Result = {"plans": plan_lines, "growing": growing}
        for name, calls in (("checkin", [checkin(m) for m in checkins]),
                            ("visits", [visits(m) for m in secretaries]),
                            ("report", [report(b) for b in chosen])):
            out[name], out[f"{name}_wrong"] = await _timed(calls)
    finally:
        await app.close()
    out["rss"] = _rss_mb()
    return out


async def _push(url: str, ids: list[int], concurrency: int, barrier: Barrier | None) -> Result:
    """`len(ids)` check-ins, `concurrency` at a time through one router."""
    app = await _app(url)
    try:
        await app.router.handle(_message(ids[0], "学习日", "warm"))  # pool and caches ready
        if barrier is not None:
            await asyncio.to_thread(barrier.wait)
        work = iter(ids)
        ok = 0

        async def lane() -> None:
            nonlocal ok
            for mid in work:  # the await first: `ok += await …` would read ok before it
                replies = await app.router.handle(_message(mid, "签到", "push"))
                ok += "签到成功" in _text(replies)

        cpu0, machine0, start = _cpu(), _machine(), time.time()
        await asyncio.gather(*(lane() for _ in range(concurrency)))
        end, cpu, machine = time.time(), _cpu() - cpu0, _machine()
    finally:
        await app.close()
    busy, total = (after - before for after, before in zip(machine, machine0, strict=True))
    return {"start": start, "end": end, "n": len(ids), "ok": ok, "cpu": cpu, "rss": _rss_mb(),
            "cores": busy / total * (os.cpu_count() or 1) if total else 0.0}


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _machine() -> tuple[int, int]:
    """The whole machine's busy and total CPU ticks (/proc/stat; zeros elsewhere): how many
    of the cores the instances and the server kept busy together."""
    try:
        ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    except (OSError, ValueError):
        return 0, 0
    idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)
    return sum(ticks) - idle, sum(ticks)


def _worker(queue: Any, kind: str, args: tuple[Any, ...]) -> None:
    """A spawned process: one instance, its result on the queue."""
    job = _measure if kind == "measure" else _push
    queue.put(asyncio.run(job(*args)))


def _spawn(jobs: list[tuple[str, tuple[Any, ...]]]) -> list[Result]:
    """Run the jobs in processes of their own, at once; their results in order."""
    ctx = multiprocessing.get_context("spawn")
    queues = [ctx.Queue() for _ in jobs]
    procs = [ctx.Process(target=_worker, args=(q, kind, args))
             for q, (kind, args) in zip(queues, jobs, strict=True)]
    for proc in procs:
        proc.start()
    results = [_result(q, proc) for q, proc in zip(queues, procs, strict=True)]
    for proc in procs:
        proc.join()
    return results


def _result(queue: Any, proc: Any) -> Result:
    """The worker's result; a worker that died without one ends the bench (not a hang)."""
    while True:
        try:
            result: Result = queue.get(timeout=1)
            return result
        except queue_module.Empty:
            if not proc.is_alive() and queue.empty():
                raise SystemExit(f"a worker died (exit code {proc.exitcode})") from None


def _order(plan: Plan) -> list[int]:
    """Members in the order the bench uses them: member k of every branch, then k + 1; the
    last two of the last branch are kept for the plan capture."""
    keep = {plan.member_id(plan.branches, plan.per_branch - 1),
            plan.member_id(plan.branches, plan.per_branch - 2)}
    return [m for k in range(plan.per_branch) for b in range(1, plan.branches + 1)
            if (m := plan.member_id(b, k)) not in keep]


# --------------------------------------------------------------------------- one engine


def _figures(label: str, values: list[float], wrong: int) -> str:
    return (f"{label:34} p50 {pct(values, 50):8.2f} ms   p99 {pct(values, 99):8.2f} ms   "
            f"({len(values)} samples{f', {wrong} WRONG' if wrong else ''})")


def _rate(runs: list[Result]) -> tuple[float, str]:
    """Check-ins/s over first start to last end, and a line about it."""
    n = sum(r["ok"] for r in runs)
    wall = max(r["end"] for r in runs) - min(r["start"] for r in runs)
    cpu = sum(r["cpu"] for r in runs) / n * 1000 if n else 0.0
    rss = ", ".join(f"{r['rss']:.0f}" for r in runs)
    wrong = sum(r["n"] - r["ok"] for r in runs)
    cores = max(r["cores"] for r in runs)
    return n / wall, (f"{n / wall:7.0f} check-ins/s ({n} in {wall:.1f} s; instance CPU "
                      f"{cpu:.2f} ms a check-in; machine busy {cores:.1f} of "
                      f"{os.cpu_count()} cores; peak RSS {rss} MB"
                      f"{f'; {wrong} WRONG' if wrong else ''})")


async def _drop(dsn: str, schema: str) -> None:
    import asyncpg

    assert schema.startswith("bench_"), "only the bench's own schema is dropped"
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        await conn.close()


def run_engine(engine: str, plan: Plan, args: argparse.Namespace) -> tuple[list[str], bool]:
    """Seed, measure and print one engine; (its summary lines, whether everything held)."""
    print(f"\n==================== {engine} ====================", flush=True)
    order = _order(plan)
    checkins = min(args.checkins, len(order) // 4)
    push = min(args.push, (len(order) - checkins) // 3)
    sizes = {"checkins": checkins, "secretaries": min(args.secretaries, plan.branches),
             "reports": min(args.reports, plan.branches)}
    with tempfile.TemporaryDirectory(prefix="zhibu-scale-") as tmp:
        dsn = schema = ""
        if engine == "sqlite":
            path = Path(tmp) / "scale.db"
            url = f"sqlite:///{path}"
        else:
            dsn, schema = args.pg_url, f"bench_{uuid.uuid4().hex[:10]}"
            url = f"{dsn}{'&' if '?' in dsn else '?'}schema={schema}"
        try:
            t0 = time.perf_counter()
            counts = (seed_sqlite(str(path), plan) if engine == "sqlite"
                      else asyncio.run(seed_pg(url, dsn, schema, plan)))
            seeded = time.perf_counter() - t0
            where = (f"{path.stat().st_size / 1e6:.0f} MB file" if engine == "sqlite"
                     else f"schema {schema}")
            print(f"seeded in {seeded:.1f} s ({where}): "
                  + ", ".join(f"{n:,} {t}" for t, n in counts.items()), flush=True)
            m = _spawn([("measure", (url, engine, plan, dsn, schema, sizes))])[0]
            print("\nstatements of a check-in (a branch's first of the day, then its second), "
                  "and their plans:")
            print("\n".join(m["plans"]))
            lines = [_figures("check-in (router.handle)", m["checkin"], m["checkin_wrong"]),
                     _figures("待访 by a secretary", m["visits"], m["visits_wrong"]),
                     _figures("one-branch report (last month)", m["report"], m["report_wrong"]),
                     f"{'peak RSS of that instance':34} {m['rss']:.0f} MB"]
            print("\n" + "\n".join(lines), flush=True)
            start = checkins
            one = _spawn([("push", (url, order[start:start + push], args.concurrency, None))])
            rate1, line = _rate(one)
            lines.append(f"{'one instance, ' + str(args.concurrency) + ' in flight':34} {line}")
            print(lines[-1], flush=True)
            rates = [rate1]
            if engine == "postgresql":
                barrier = multiprocessing.get_context("spawn").Barrier(2)
                start += push
                two = _spawn([("push", (url, order[start + i * push:start + (i + 1) * push],
                                        args.concurrency, barrier)) for i in range(2)])
                rate2, line = _rate(two)
                rates.append(rate2)
                lines.append(f"{'two instances, combined':34} {line}")
                print(lines[-1], flush=True)
        finally:
            if engine == "postgresql":
                asyncio.run(_drop(dsn, schema))
    wrong = sum(m[f"{k}_wrong"] for k in ("checkin", "visits", "report"))
    targets = {
        "check-in p99 < 10 ms": pct(m["checkin"], 99) < 10,
        "no full scan of a growing table on the check-in path": not m["growing"],
        "peak RSS < 150 MB an instance": m["rss"] < 150,
        "every reply and report right": wrong == 0 and all(r["ok"] == r["n"] for r in one),
    }
    for found in m["growing"]:
        lines.append(f"  SCAN (grows with the members): {found}")
    for label, ok in targets.items():
        lines.append(f"  {'ok  ' if ok else 'MISS'} {label}")
    if len(rates) == 2:
        cores, count = max(r["cores"] for r in two), os.cpu_count() or 1
        lines.append(f"  two instances / one: {rates[1] / rates[0]:.2f}× on {count} cores "
                     f"shared by both instances and the server, {cores:.1f} of them busy")
        if cores < 0.75 * count:  # idle cores: the limit was not the CPU
            lines.append("  the cores were not the limit: every unit of work takes the one "
                         "advisory lock (UNIT_OF_WORK_LOCK), so the instances' check-in "
                         f"transactions run one at a time, {1000 / rates[1]:.2f} ms of lock "
                         "a check-in")
    return lines, all(targets.values())


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--engine", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--pg-url", default=os.environ.get("ZHIBU_TEST_POSTGRES_URL", ""))
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--branches", type=int, default=500)
    parser.add_argument("--history", type=int, default=1_000_000)
    parser.add_argument("--checkins", type=int, default=2000, help="timed one at a time")
    parser.add_argument("--push", type=int, default=10_000, help="check-ins an instance pushes")
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--secretaries", type=int, default=200)
    parser.add_argument("--reports", type=int, default=20)
    args = parser.parse_args()
    engines = ("sqlite", "postgresql") if args.engine == "both" else (args.engine,)
    if "postgresql" in engines and not args.pg_url:
        parser.error("PostgreSQL needs --pg-url or ZHIBU_TEST_POSTGRES_URL")
    plan = Plan(args.branches, args.members, args.history)
    print(describe())
    print(f"{plan.branches} branches × {plan.per_branch} members = "
          f"{plan.branches * plan.per_branch:,} members; {args.history:,} past check-ins over "
          f"{plan.sessions} study days a branch; study day {STUDY_DAY:%Y-%m-%d %H:%M} Shanghai")
    summary: dict[str, list[str]] = {}
    held = True
    for engine in engines:
        summary[engine], ok = run_engine(engine, plan, args)
        held &= ok
    print("\n==================== summary ====================")
    for engine, lines in summary.items():
        print(f"{engine}:")
        print("\n".join(f"  {line}" for line in lines))
    return 0 if held else 1


if __name__ == "__main__":
    raise SystemExit(main())
