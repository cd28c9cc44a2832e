"""The long fuzz profile: hostile and careless messages in every state, for every role, timed.

    python bench/fuzz.py [--turns 3000] [--seed 1]

Each turn resets a seeded SQLite zhibu, puts a speaker of a random role (member, family,
secretary, instructor, admin, stranger) into a random conversation state the way a member
gets there, and sends one to three messages from tests/fuzz_inputs.py: any text up to
4,096 characters (controls, bidi overrides, lone surrogates, emoji), words with such
arguments, numbers of any size, real sentences, stale buttons. Printed: messages, failures
(an exception, an empty or over-long reply, "something went wrong"), the time per message
through the router (p50, p99, max; targets p99 < 25 ms, max < 1 s; a message whose answer
carries a report or print copy drawn after the commit is timed apart, as nobody else waits
for the drawing) and SQLite's integrity and foreign-key checks. Exits 1 on any failure.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.*, when run as a file

from bench.machine import describe
from bot.core.i18n import t
from tests.corpus.harness import Bench
from tests.fuzz_inputs import MAX_REPLY_CHARS, ROLES, message, states_for

ERROR = t("zh-Hans", "error")


def _ms(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--turns", type=int, default=3000, help="turns (default 3000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    args = parser.parse_args()
    print(describe())
    print(f"Python {platform.python_version()}, CPU count {os.cpu_count()}, "
          f"{platform.machine()} {platform.system()}; seed {args.seed}")
    rng = random.Random(args.seed)
    seconds: list[float] = []
    drawn: list[float] = []
    failures: list[str] = []
    slowest: list[tuple[float, str]] = []
    with tempfile.TemporaryDirectory(prefix="zhibu-fuzz-") as work:
        bench = await Bench.open(Path(work))
        try:
            for _ in range(args.turns):
                role = rng.choice(sorted(ROLES))
                state = rng.choice(states_for(role))
                await bench._reset()
                await bench._reach(state, ROLES[role])
                for _ in range(rng.randint(1, 3)):
                    sent = message(rng)
                    started = time.perf_counter()
                    try:
                        replies = await bench.z.say(ROLES[role], sent.text, button=sent.button)
                    except Exception as err:
                        failures.append(f"{role} at {state}: {sent!r}: {err!r}")
                        continue
                    took = time.perf_counter() - started
                    # A report or print copy is drawn after the commit (nobody else waits
                    # for it); its time is counted apart.
                    (drawn if any(r.files for r in replies) else seconds).append(took)
                    slowest.append((took, f"{role} at {state}: {sent!r:.80}"))
                    texts = [r.text for r in replies]
                    if not texts or any(not x.strip() or len(x) > MAX_REPLY_CHARS or ERROR in x
                                        for x in texts):
                        failures.append(f"{role} at {state}: {sent!r} -> {texts!r:.200}")
            async with bench.z.app.store.transaction() as tx:
                integrity = [r[0] for r in await tx._all("PRAGMA integrity_check")]
                foreign = await tx._all("PRAGMA foreign_key_check")
        finally:
            await bench.close()
    print(f"messages {len(seconds) + len(drawn) + len(failures)}, failures {len(failures)}")
    print(f"router per message: p50 {_ms(seconds, 0.5):.2f} ms, p99 {_ms(seconds, 0.99):.2f} ms, "
          f"max {max(seconds) * 1000:.1f} ms (targets p99 < 25 ms, max < 1 s)")
    if drawn:
        print(f"with a report or print copy drawn after the commit ({len(drawn)}): p50 "
              f"{_ms(drawn, 0.5):.0f} ms, max {max(drawn) * 1000:.0f} ms")
    print(f"integrity_check {integrity}, foreign_key_check {len(foreign)} rows")
    for took, what in sorted(slowest, reverse=True)[:5]:
        print(f"  slow {took * 1000:.0f} ms: {what}")
    for failure in failures[:20]:
        print("  FAIL", failure)
    bad = failures or integrity != ["ok"] or foreign
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
