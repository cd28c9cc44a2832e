"""How well and how fast zhibu understands what members type or dictate.

    python bench/understanding.py [--repeat 20]

(a) accuracy: every corpus under tests/corpus/ (utterances.tsv, the tuning set; heldout*.tsv,
    written by other hands and never used to tune) goes through the real router on a seeded
    SQLite file, exactly as tests/test_understanding_corpus.py runs it. Printed per corpus:
    intent accuracy, slots right, false check-ins; then precision and recall per intent on
    the tuning set and on the held-out sets together. The held-out line is the one that says
    how real members will fare.
(b) speed of ``understand()`` alone: every corpus text, ``--repeat`` rounds, with the cache
    cleared before each call (so each call does the whole work: cleaning, Traditional →
    Simplified, rules, slots, names' sounds), p50 / p99 / max. Target: p99 < 1 ms.
(c) the router's time per message (understanding, conversation, storage, replies), from (a).

Exits 1 when a corpus has a false check-in, or the tuning set falls below 95 %.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import tempfile
import time
from collections import Counter
from importlib.metadata import version
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.*, when run as a file

from bench.machine import describe
from bot.understanding import sentence
from tests.corpus.harness import CORPUS, Bench, Outcome, Results, load, run_corpus


def _ms(seconds: list[float], q: float) -> float:
    ordered = sorted(seconds)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def _per_intent(outcomes: list[Outcome]) -> dict[str, tuple[int, float, float]]:
    """label → (support, precision, recall)."""
    wanted = Counter(o.line.label for o in outcomes)
    got = Counter(o.label for o in outcomes)
    right = Counter(o.line.label for o in outcomes if o.right)
    table = {}
    for label in sorted(wanted | got):
        precision = right[label] / got[label] if got[label] else float("nan")
        recall = right[label] / wanted[label] if wanted[label] else float("nan")
        table[label] = (wanted[label], precision, recall)
    return table


def _summary(name: str, results: Results) -> str:
    seconds = [o.seconds for o in results.outcomes]
    return (f"{name:<16} {len(results.outcomes):>5} {results.accuracy():>8.1%} "
            f"{results.slot_accuracy():>8.1%} {sum(o.false_checkin for o in results.outcomes):>6}"
            f" {_ms(seconds, 0.5):>8.2f} {_ms(seconds, 0.99):>8.2f}")


def _timings(texts: list[tuple[str, bool]], repeat: int) -> list[float]:
    seconds = []
    for _ in range(repeat):
        for text, officer in texts:
            sentence._understand.cache_clear()
            started = time.perf_counter()
            sentence.understand(text, officer=officer)
            seconds.append(time.perf_counter() - started)
    return seconds


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=20,
                        help="rounds of the timing pass over every text (default 20)")
    args = parser.parse_args()
    print(describe())
    print(f"Python {platform.python_version()}, CPU count {os.cpu_count()}, "
          f"{platform.machine()} {platform.system()}; pypinyin {version('pypinyin')}, "
          f"opencc {version('opencc-python-reimplemented')}")

    names = ["utterances.tsv", *sorted(p.name for p in CORPUS.glob("heldout*.tsv"))]
    corpora: dict[str, Results] = {}
    with tempfile.TemporaryDirectory(prefix="zhibu-understanding-") as work:
        for name in names:
            bench = await Bench.open(Path(work) / name)
            try:
                corpora[name] = await run_corpus(bench, load(name))
            finally:
                await bench.close()

    print("\n(a) accuracy through the real router")
    print(f"{'corpus':<16} {'lines':>5} {'intent':>8} {'slots':>8} {'false':>6} "
          f"{'p50 ms':>8} {'p99 ms':>8}   (false = check-ins nobody asked for; "
          "ms = router per message)")
    held = Results([o for name, r in corpora.items() if name != "utterances.tsv"
                    for o in r.outcomes])
    for name, results in corpora.items():
        print(_summary(name, results))
    if held.outcomes:
        print(_summary("held-out, all", held))

    print("\nper intent: support, precision, recall (tuning set | held-out sets)")
    tuned_table = _per_intent(corpora["utterances.tsv"].outcomes)
    held_table = _per_intent(held.outcomes)
    print(f"{'intent':<12} {'n':>4} {'prec':>6} {'recall':>6} | {'n':>4} {'prec':>6} "
          f"{'recall':>6}")
    for label in sorted(set(tuned_table) | set(held_table)):
        n1, p1, r1 = tuned_table.get(label, (0, float("nan"), float("nan")))
        n2, p2, r2 = held_table.get(label, (0, float("nan"), float("nan")))
        print(f"{label:<12} {n1:>4} {p1:>6.0%} {r1:>6.0%} | {n2:>4} {p2:>6.0%} {r2:>6.0%}")

    wrong = held.wrong()
    if wrong:
        print(f"\nheld-out lines misread ({len(wrong)}), as a list to read, not to tune on:")
        for o in wrong:
            print(f"  {o.line.source}:{o.line.number} [{o.line.role} {o.line.state}] "
                  f"{o.line.text!r}: want {o.line.label}, got {o.label}")

    texts = [(o.line.text, o.line.role == "secretary")
             for r in corpora.values() for o in r.outcomes]
    seconds = _timings(texts, args.repeat)
    print(f"\n(b) understand() uncached: {len(seconds)} calls over {len(texts)} texts; "
          f"p50 {_ms(seconds, 0.5):.3f} ms, p99 {_ms(seconds, 0.99):.3f} ms, "
          f"max {max(seconds) * 1000:.3f} ms, mean {statistics.fmean(seconds) * 1000:.3f} ms "
          f"(target p99 < 1 ms)")

    failed = [name for name, r in corpora.items() if any(o.false_checkin for o in r.outcomes)]
    if corpora["utterances.tsv"].accuracy() < 0.95:
        failed.append("utterances.tsv below 95 %")
    if failed:
        print("FAILED: " + ", ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
