"""Broadcast throughput: a study-day reminder to 10,000 members through `zhibu run`.

    python bench/broadcast.py [--members 10000] [--rate 200] [--profile FILE.prof]

zhibu runs as a real subprocess (`python -m bot --config FILE run`: SQLite file, outbox,
scheduler, Telegram channel, real clock); the fake Bot API server (tests/fakes/botapi.py) runs
in this process on loopback and answers 429 beyond `--rate` messages in any second. zhibu's
[telegram] rate_limit is the same `--rate`. The database is seeded beforehand (one branch,
N members each bound to a Telegram chat) so that the branch's early study-day reminder fell
due three minutes ago: the scheduler's catch-up at start-up queues N pushes, and the outbox
sends them.

Printed: messages/s (first to last accepted sendMessage, by the server's clock), 429s
received, duplicates and members missed (per chat, by the server), and the zhibu process's
peak RSS (getrusage RUSAGE_CHILDREN: zhibu is this process's only child).
Targets (issue #7): ≥ 95 % of the limit, zero 429s, zero duplicates, peak RSS < 200 MB.
`--profile` runs zhibu under cProfile and writes its statistics to FILE.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.*, when run as a file

from bench.machine import describe
from tests.fakes.botapi import Call, FakeBotApi
from tests.zhibu_process import (
    Tally,
    ZhibuProcess,
    now_utc,
    outbox_states,
    seed_broadcast,
    until,
    write_config,
)

FIRST_CHAT = 700_000_000
RSS_LIMIT_MB = 200.0


async def main_async(args: argparse.Namespace, work: Path) -> int:
    """Seed, start zhibu, wait until every member has the reminder, stop it, report."""
    print(describe())
    print(f"Python {platform.python_version()}, CPU count {os.cpu_count()}, "
          f"{platform.machine()} {platform.system()}; db dir {work}")
    db = work / "zhibu.db"
    began = time.perf_counter()
    await seed_broadcast(db, args.members, FIRST_CHAT, now_utc())
    print(f"seeded {args.members} members in {time.perf_counter() - began:.1f} s")
    chats = set(range(FIRST_CHAT, FIRST_CHAT + args.members))
    async with FakeBotApi(rate_limit=args.rate) as api:
        tally = Tally(api)
        config = write_config(work / "zhibu.toml", db, api.base_url, rate_limit=args.rate)
        launcher = ("-m", "bot")
        if args.profile:
            launcher = ("-m", "cProfile", "-o", str(args.profile.resolve()), *launcher)
        zhibu = ZhibuProcess(config, work / "zhibu.log", launcher)
        # The fake server stamps each request when its own loop gets to it. A collection of
        # this process's oldest generation (60-130 ms once it holds thousands of calls) stamps
        # a handful late, and the sliding-second counter then counts them into the next
        # second: 429s made by the instrument, not by zhibu. The real Bot API has no such
        # pause, so the measuring side runs without the collector (memory is no concern here).
        gc.collect()
        gc.freeze()
        gc.disable()
        async with zhibu:
            loop = asyncio.get_running_loop()
            started = loop.time()
            zhibu.start()
            budget = 60 + 3 * args.members / args.rate
            await until(api, lambda: tally.update().total > 0, zhibu, within=budget)
            cpu_from, wall_from = _cpu_seconds(zhibu.pid), loop.time()
            fake_from = time.process_time()
            await until(api, lambda: len(tally.update().per_chat) >= args.members, zhibu,
                        within=budget)
            wall = loop.time() - wall_from
            cpu = (_cpu_seconds(zhibu.pid) - cpu_from) / wall
            fake_cpu = (time.process_time() - fake_from) / wall
            await until(api, lambda: _unsent(db) == 0, zhibu, within=30)
            code = await zhibu.stop()
        if code != 0:
            print(zhibu.output())
            return 1
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KiB on Linux
    tally.update()
    sends = api.sent()
    first, last = sends[0].at, sends[-1].at
    rate = (len(sends) - 1) / (last - first)
    middle = _middle_rate([c.at for c in sends])
    missing = len(chats - tally.per_chat.keys())
    print()
    print(f"zhibu run (subprocess), {args.members} members, rate_limit {args.rate:g}/s, "
          f"server limit {args.rate:g}/s:")
    print(f"  start to first message {first - started:8.2f} s  (start-up, catch-up queueing)")
    print(f"  first to last message  {last - first:8.2f} s")
    print(f"  messages accepted      {len(sends):8d}")
    print(f"  messages/s             {rate:8.1f}  ({rate / args.rate:.1%} of the limit)")
    print(f"  messages/s, middle 80% {middle:8.1f}")
    print(f"  messages/s by tenth    {' '.join(f'{r:.0f}' for r in _tenths(sends))}")
    print(f"  429s received          {api.too_many:8d}")
    if api.too_many:
        floods = [c.at - first for c in api.calls if c.status == 429]
        print(f"  429s at (s)            {' '.join(f'{at:.2f}' for at in floods[:20])}")
    print(f"  duplicates             {tally.duplicates:8d}")
    print(f"  members missed         {missing:8d}")
    print(f"  peak RSS (zhibu)       {peak_mb:8.1f} MB")
    print(f"  zhibu CPU, sending     {cpu:8.0%}  of one core")
    print(f"  fake server CPU        {fake_cpu:8.0%}  of one core (this process)")
    print(f"  outbox at the end      {outbox_states(db)}")
    checks = [
        (f"messages/s {rate:.1f} ≥ 95 % of {args.rate:g}", rate >= 0.95 * args.rate),
        (f"429s {api.too_many} = 0", api.too_many == 0),
        (f"duplicates {tally.duplicates} = 0", tally.duplicates == 0),
        (f"members missed {missing} = 0", missing == 0),
        (f"peak RSS {peak_mb:.0f} MB < {RSS_LIMIT_MB:.0f} MB", peak_mb < RSS_LIMIT_MB),
    ]
    print()
    for line, ok in checks:
        print(f"  {'PASS' if ok else 'MISS'}  {line}")
    return 0 if all(ok for _, ok in checks) else 1


def _middle_rate(times: list[float]) -> float:
    """Messages/s between the 10th and the 90th percentile message (start and tail left out)."""
    lo, hi = len(times) // 10, len(times) * 9 // 10
    return (hi - lo) / (times[hi] - times[lo]) if hi > lo else float("nan")


def _tenths(sends: list[Call]) -> list[float]:
    """Messages/s in each tenth of the broadcast (a slowdown that grows with the queue shows)."""
    first, last = sends[0].at, sends[-1].at
    step = (last - first) / 10
    counts = [0] * 10
    for call in sends:
        counts[min(9, int((call.at - first) / step))] += 1
    return [n / step for n in counts]


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _unsent(db: Path) -> int:
    states = outbox_states(db)
    return states.get("pending", 0) + states.get("inflight", 0)


def main() -> int:
    """Parse the arguments, run in a temporary directory."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=200.0,
                        help="zhibu's rate_limit and the server's limit, messages/s")
    parser.add_argument("--profile", type=Path, metavar="FILE",
                        help="run zhibu under cProfile, statistics to FILE")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="zhibu-broadcast-") as tmp:
        return asyncio.run(main_async(args, Path(tmp)))


if __name__ == "__main__":
    sys.exit(main())
