"""Running the understanding corpus through the real router (used by the test and the bench).

Each line of a corpus file is: role, conversation state, text, expected label, expected slots.
The state is reached the way a member reaches it (the messages that lead there, and 40
minutes of silence for `lapsed:`), the text is sent, and what the router understood — the
label and the values it took, as handed to the router's observer — is compared with the line.
Between lines every record a message can leave is deleted, so each line starts alike.
"""

from __future__ import annotations

import asyncio
import time
import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from bot.core.clock import FakeClock
from bot.core.messages import InboundMessage
from bot.core.script import convert
from tests.conftest import STUDY_DAY_MORNING, Zhibu, count_rows, open_zhibu

CORPUS = Path(__file__).resolve().parent
SPEAKERS = {"member": "王秀英", "family": "刘德明的女儿", "secretary": "李建国"}
_RESET = ("audit_log", "care_events", "check_ins", "conversations", "delivery_requests",
          "leave_requests", "outbox", "processed_messages", "visit_tasks", "job_runs")


@dataclass(frozen=True)
class Line:
    """One utterance and what it should be understood as."""

    source: str
    number: int
    role: str
    state: str
    text: str
    label: str
    slots: dict[str, str]


@dataclass
class Outcome:
    """What one line was understood as."""

    line: Line
    label: str
    slots: dict[str, str]
    checked_in: bool
    seconds: float

    @property
    def right(self) -> bool:
        return self.label == self.line.label

    @property
    def slot_errors(self) -> list[str]:
        return [f"{k}: want {v!r}, got {self.slots.get(k)!r}" for k, v in self.line.slots.items()
                if fold(v) not in (fold(self.slots.get(k) or ""),
                                   fold(self.slots.get(f"{k}_value") or "-"))]

    @property
    def false_checkin(self) -> bool:
        """A check-in nobody asked for (a secretary's 确认 of 代签 is one asked for)."""
        proxy = self.line.state.endswith("proxy.confirm") and self.line.label in (
            "confirm", "resume", "choose")
        return self.checked_in and self.line.label != "checkin" and not proxy


@dataclass
class Results:
    """All outcomes of a corpus file."""

    outcomes: list[Outcome] = field(default_factory=list)

    def accuracy(self) -> float:
        return sum(o.right for o in self.outcomes) / max(1, len(self.outcomes))

    def with_slots(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.line.slots and o.right]

    def slot_accuracy(self) -> float:
        lines = self.with_slots()
        return sum(not o.slot_errors for o in lines) / max(1, len(lines))

    def wrong(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.right]


def fold(value: str) -> str:
    """Slot values compare as the same text: NFKC, Simplified, no spaces, no particles."""
    text = convert(unicodedata.normalize("NFKC", value), "zh-cn").replace(" ", "")
    return text.rstrip("了吧呢啊")


def load(name: str) -> list[Line]:
    """A corpus file's lines (comments and blank lines skipped)."""
    lines = []
    path = CORPUS / name
    for number, raw in enumerate(path.read_text("utf-8").splitlines(), 1):
        if not raw.strip() or raw.startswith("#"):
            continue
        cols = raw.split("\t")
        cols += [""] * (5 - len(cols))
        slots = dict(pair.split("=", 1) for pair in cols[4].split(";") if "=" in pair)
        lines.append(Line(name, number, cols[0], cols[1], cols[2], cols[3], slots))
    return lines


class Bench:
    """One seeded zhibu, reset before each line."""

    def __init__(self, z: Zhibu) -> None:
        self.z = z
        self.heard: list[tuple[str, dict[str, str]]] = []
        z.app.router.observe = self._observe
        self._n = 0

    def _observe(self, msg: InboundMessage, heard: list[tuple[str, dict[str, str]]]) -> None:
        self.heard = list(heard)

    @classmethod
    async def open(cls, folder: Path) -> Bench:
        await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
        z = await open_zhibu(folder / "corpus.db", FakeClock(STUDY_DAY_MORNING), fresh=True)
        await z.bind_daughter()
        return cls(z)

    async def close(self) -> None:
        await self.z.app.close()

    async def _reset(self) -> None:
        self.z.clock.set(STUDY_DAY_MORNING)
        async with self.z.app.store.transaction() as tx:
            for table in _RESET:
                await tx._run(f"DELETE FROM {table}")
            await tx._run("UPDATE members SET status = 'active'")
        self.z.sender.sent.clear()

    async def run(self, line: Line) -> Outcome:
        await self._reset()
        who = SPEAKERS[line.role]
        await self._reach(line.state, who)
        before = await count_rows(self.z.app.store, "check_ins")
        self.heard = []
        started = time.perf_counter()
        await self.z.say(who, line.text)
        seconds = time.perf_counter() - started
        after = await count_rows(self.z.app.store, "check_ins")
        label, slots = self.heard[-1] if self.heard else ("none", {})
        return Outcome(line, label, slots, after > before, seconds)

    async def _reach(self, state: str, who: str) -> None:
        lapsed = state.startswith("lapsed:")
        state = state.removeprefix("lapsed:")
        if state != "idle":
            await STATES[state](self.z, who)
        if lapsed:
            self.z.clock.advance(timedelta(minutes=40))


async def _say(z: Zhibu, who: str, *texts: str) -> None:
    for text in texts:
        await z.say(who, text)


async def _visit_task(z: Zhibu) -> int:
    await _say(z, "王秀英", "住院", "1", "人民医院", "跳过", "今天", "2", "确认")
    async with z.app.store.transaction() as tx:
        row = await tx._one("SELECT MAX(id) AS id FROM visit_tasks")
    assert row is not None
    return int(row["id"])


def _steps(*texts: str) -> Callable[[Zhibu, str], Awaitable[None]]:
    async def reach(z: Zhibu, who: str) -> None:
        await _say(z, who, *texts)
    return reach


def _report(*texts: str) -> Callable[[Zhibu, str], Awaitable[None]]:
    """Family members are asked no "who" (they speak for their member)."""
    async def reach(z: Zhibu, who: str) -> None:
        first = ("住院",) if who == SPEAKERS["family"] else ("住院", "1")
        await _say(z, who, *first, *texts)
    return reach


async def _report_confirm(z: Zhibu, who: str) -> None:
    """The read-back; a family member is not asked about a partner (刘德明 has none)."""
    partner = () if who == SPEAKERS["family"] else ("1",)
    await _report("人民医院", "3病区12床", "今天", *partner)(z, who)


def _visit(*texts: str) -> Callable[[Zhibu, str], Awaitable[None]]:
    async def reach(z: Zhibu, who: str) -> None:
        task = await _visit_task(z)
        await _say(z, who, f"已走访 {task}", *texts)
    return reach


STATES: dict[str, Callable[[Zhibu, str], Awaitable[None]]] = {
    "leave.reason": _steps("请假"),
    "leave.confirm": _steps("请假 腿疼"),
    "report.who": _steps("住院"),
    "report.name": _steps("住院", "3"),
    "report.hospital": _report(),
    "report.ward": _report("人民医院"),
    "report.date": _report("人民医院", "3病区12床"),
    "report.partner": _report("人民医院", "3病区12床", "今天"),
    "report.confirm": _report_confirm,
    "report.note": _steps("困难"),
    "delivery.address": _steps("送学"),
    "delivery.new_address": _steps("送学", "2"),
    "delivery.time": _steps("送学", "1"),
    "delivery.confirm": _steps("送学", "1", "1"),
    "proxy.confirm": _steps("代签 刘德明 腿脚不便"),
    "broadcast.text": _steps("通知"),
    "broadcast.confirm": _steps("通知 明天上午九点学习，请准时参加"),
    "visit.date": _visit(),
    "visit.note": _visit("今天"),
    "visit.confirm": _visit("今天", "精神不错"),
}


async def run_corpus(bench: Bench, lines: list[Line]) -> Results:
    """Every line, in order."""
    results = Results()
    for line in lines:
        results.outcomes.append(await bench.run(line))
    return results


def report(name: str, results: Results) -> str:
    """A few lines a person reads: accuracy, slots, false check-ins, what went wrong."""
    out = [f"{name}: {len(results.outcomes)} utterances, intent accuracy "
           f"{results.accuracy():.1%}, slots right {results.slot_accuracy():.1%} "
           f"of {len(results.with_slots())}, false check-ins "
           f"{sum(o.false_checkin for o in results.outcomes)}"]
    for o in results.wrong():
        out.append(f"  {o.line.source}:{o.line.number} [{o.line.role} {o.line.state}] "
                   f"{o.line.text!r}: want {o.line.label}, got {o.label}")
    for o in results.with_slots():
        for error in o.slot_errors:
            out.append(f"  {o.line.source}:{o.line.number} {o.line.text!r}: {error}")
    return "\n".join(out)
