"""Telegram throughput: zhibu (polling, SQLite) against a bare PTB echo bot, same fake Bot API.

    python bench/telegram_throughput.py [--members 3000] [--steady-rate 150] [--steady-seconds 20]

The fake Bot API server (tests/fakes/botapi.py) runs in its own process on loopback; the bots
run in this one, one after the other, each with a fresh copy of the same seeded database
(N members of one branch, each bound to a Telegram user id, a FakeClock on a study day).

(a) burst: rate_limit raised far above what the server allows; N distinct members send 签到
    at once. Updates/s from the injection to the last reply; the same for a bare PTB echo bot
    (one MessageHandler that echoes) in the same run, twice: on zhibu's own request class
    (aiohttp: the framework floor, like for like) and on PTB's default httpx transport.
(b) steady: 150 check-ins/s for 20 s (rate_limit raised); p50/p99 from the moment the
    server has the update to the moment it receives the reply.
(c) real world: the server adds 50 ms to every call and answers 429 beyond 30 messages/s;
    zhibu with the default rate_limit (25/s), then with rate_limit 28: replies/s sustained
    over N check-ins, and the 429s received.

Targets (issue #3): burst ≥ 0.7 × the echo bot on the same transport; steady p99 < 25 ms;
real world ≥ 27 replies/s with zero 429s. Each scenario also checks that every member got
"签到成功" and that check_ins holds N rows.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import platform
import shutil
import sqlite3
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.fakes, when run as a file

from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

from bench.machine import describe
from bot.app import build_app
from bot.channels.telegram.channel import POOL
from bot.channels.telegram.http import AiohttpRequest
from bot.config import Config, DatabaseConfig, TelegramConfig
from bot.core.clock import FakeClock
from bot.core.rules import parse_rule
from bot.run import Runtime
from storage import SqliteStore
from tests.fakes.botapi import TOKEN, serve_in_subprocess
from tests.zhibu_process import add_bound_members

TZ = ZoneInfo("Asia/Shanghai")
MOMENT = datetime(2026, 3, 10, 9, 5, tzinfo=TZ)  # a study day, five minutes after the start
RULE = "每月10日 09:00"
FIRST_USER = 10_000_000
OK_TEXT = "签到成功"
DEFAULT_RATE = TelegramConfig().rate_limit
TUNED = 28  # under the server's 30/s; the budget's own window (+20 ms) makes it 27.45/s


@dataclass
class Outcome:
    """What one scenario measured (times from the fake server's clock)."""

    name: str
    n: int
    seconds: float
    latencies: list[float]
    too_many: int
    matching: int
    rows: int | None

    @property
    def rate(self) -> float:
        """Updates (= replies) per second, first injection to last reply."""
        return self.n / self.seconds if self.seconds else float("inf")

    def pct(self, p: float) -> float:
        """Nearest-rank percentile of update-to-reply latency, in ms."""
        ordered = sorted(self.latencies)
        rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
        return ordered[rank - 1] * 1000


async def build_template(path: Path, members: int) -> None:
    """One branch, its study rule, `members` members each bound to a Telegram id (untimed)."""
    clock = FakeClock(MOMENT)
    store = await SqliteStore.open(path)
    config = Config(timezone=TZ, database=DatabaseConfig(url=f"sqlite:///{path}"))
    app = await build_app(config, clock, {}, store=store)
    now = clock.now()
    async with app.store.transaction() as tx:
        branch, _ = await tx.ensure_branch("基准测试离退休干部党支部", now)
        await tx.set_study_rule(branch.id, parse_rule(RULE).describe("zh-Hans"))
        await add_bound_members(tx, branch.id, members, now, channel="telegram",
                                account=lambda i: str(FIRST_USER + i))
    await app.close()


class Fake:
    """The fake Bot API in its own process, driven through its control routes."""

    def __init__(self) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.port_q: Any = ctx.Queue()
        self.stop_q: Any = ctx.Queue()
        self.process = ctx.Process(target=serve_in_subprocess, args=(self.port_q, self.stop_q))
        self.port = 0
        self.http = httpx.AsyncClient(timeout=60)

    async def start(self) -> None:
        """Spawn and wait for the port."""
        self.process.start()
        self.port = await asyncio.to_thread(self.port_q.get, True, 60)

    async def stop(self) -> None:
        """Ask it to stop and reap it."""
        self.stop_q.put(None)
        await asyncio.to_thread(self.process.join, 30)
        await self.http.aclose()

    @property
    def base_url(self) -> str:
        """[telegram] base_url."""
        return f"http://127.0.0.1:{self.port}/bot"

    async def control(self, action: str, body: dict[str, Any] | None = None,
                      **query: str) -> dict[str, Any]:
        """One control call."""
        url = f"http://127.0.0.1:{self.port}/_fake/{action}"
        if body is None:
            response = await self.http.get(url, params=query)
        else:
            response = await self.http.post(url, json=body, params=query)
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    async def run(self, name: str, users: list[int], *, rate: float | None = None,
                  latency: float = 0.0, server_limit: int | None = None,
                  budget: float = 600.0) -> Outcome:
        """Inject one 签到 per user and wait for as many replies; what it took."""
        await self.control("config", {"latency": latency, "rate_limit": server_limit})
        await self.control("reset", {})
        started = (await self.control("checkins", {"users": users, "rate": rate}))["now"]
        deadline = time.monotonic() + budget
        while (await self.control("progress"))["replies"] < len(users):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{name}: not every update was answered in {budget:.0f} s")
            await asyncio.sleep(0.25)  # the bench's own polling stays out of the way
        stats = await self.control("stats", contains=OK_TEXT)
        return Outcome(name, len(users), stats["last_reply"] - started, stats["latencies"],
                       stats["too_many"], stats["matching"], None)


async def echo_bot(fake: Fake, users: list[int], *, zhibu_http: bool) -> Outcome:
    """A bare python-telegram-bot echo bot, same burst: with PTB's default transport (httpx),
    or on zhibu's own request class (aiohttp, the same pool sizes): the framework floor."""
    builder = ApplicationBuilder().token(TOKEN).base_url(fake.base_url)
    if zhibu_http:
        builder = (builder.request(AiohttpRequest(POOL, ssl_context=None))
                   .get_updates_request(AiohttpRequest(1, ssl_context=None)))
    app = builder.build()

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.message is not None and update.message.text is not None:
            await update.message.reply_text(update.message.text)

    app.add_handler(MessageHandler(filters.TEXT, echo))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=10)
        try:
            name = "echo bot on zhibu's aiohttp requests" if zhibu_http else "echo bot, httpx"
            return await fake.run(f"{name}: burst", users)
        finally:
            await app.updater.stop()
            await app.stop()


async def zhibu(fake: Fake, template: Path, work: Path, name: str, users: list[int], *,
                rate_limit: float, **scenario: Any) -> Outcome:
    """zhibu's real runtime (polling, SQLite, outbox; no scheduler) on a copy of the template."""
    db = work / f"{name.split(':')[0].replace(' ', '-')}-{len(os.listdir(work))}.db"
    shutil.copyfile(template, db)
    telegram = TelegramConfig(token=TOKEN, base_url=fake.base_url, rate_limit=rate_limit)
    config = Config(timezone=TZ, database=DatabaseConfig(url=f"sqlite:///{db}"),
                    telegram=telegram)
    runtime = Runtime(config, FakeClock(MOMENT), scheduler=False)
    await runtime.start()
    try:
        outcome = await fake.run(name, users, **scenario)
    finally:
        await runtime.stop()
    with sqlite3.connect(db) as conn:
        outcome.rows = int(conn.execute("SELECT COUNT(*) FROM check_ins").fetchone()[0])
    return outcome


def report(o: Outcome) -> None:
    """Print one scenario's figures."""
    print(f"{o.name}:")
    print(f"  updates          {o.n:9d}")
    print(f"  seconds          {o.seconds:9.2f}  (injection to last reply)")
    print(f"  rate             {o.rate:9.1f} updates/s")
    if o.latencies:
        print(f"  latency p50      {o.pct(50):9.2f} ms  (update to reply)")
        print(f"  latency p99      {o.pct(99):9.2f} ms")
    print(f"  429s received    {o.too_many:9d}")
    if o.rows is not None:
        print(f"  replies ok       {o.matching:9d}  (\"{OK_TEXT}\")")
        print(f"  rows in check_ins{o.rows:9d}")


async def main_async(args: argparse.Namespace, work: Path) -> int:
    """Every scenario, in order; exit status 1 if a target or a check is missed."""
    print(describe())
    print(f"Python {platform.python_version()}, CPU count {os.cpu_count()}, "
          f"{platform.machine()} {platform.system()}; db dir {work}")
    users = [FIRST_USER + i for i in range(args.members)]
    template = work / "template.db"
    await build_template(template, args.members)
    fake = Fake()
    await fake.start()
    try:
        # The bots take turns: echo (zhibu's transport), zhibu, echo (httpx).
        echo = await echo_bot(fake, users, zhibu_http=True)
        burst = await zhibu(fake, template, work, "zhibu: burst", users, rate_limit=1e6)
        echo_httpx = await echo_bot(fake, users, zhibu_http=False)
        steady_users = [FIRST_USER + i
                        for i in range(min(args.members, args.steady_rate * args.steady_seconds))]
        steady = await zhibu(fake, template, work, f"zhibu: steady {args.steady_rate}/s",
                             steady_users, rate_limit=1e6, rate=float(args.steady_rate))
        real = await zhibu(fake, template, work,
                           f"zhibu: real world, default rate_limit {DEFAULT_RATE:.0f}", users,
                           rate_limit=DEFAULT_RATE, latency=0.05, server_limit=30)
        tuned = await zhibu(fake, template, work, f"zhibu: real world, rate_limit {TUNED}",
                            users, rate_limit=TUNED, latency=0.05, server_limit=30)
    finally:
        await fake.stop()
    return summary(echo, echo_httpx, burst, steady, real, tuned)


def summary(echo: Outcome, echo_httpx: Outcome, burst: Outcome, steady: Outcome,
            real: Outcome, tuned: Outcome) -> int:
    """Print the figures and the targets. The floor is the echo bot on zhibu's transport:
    comparing with the httpx echo bot would mostly compare HTTP clients."""
    print()
    for outcome in (echo, echo_httpx, burst, steady, real, tuned):
        report(outcome)
    print(f"\nframework floor (echo bot on zhibu's transport) {echo.rate:.0f}/s; with PTB's "
          f"default httpx transport {echo_httpx.rate:.0f}/s")
    checks = [
        (f"burst {burst.rate:.0f}/s ≥ 0.7 × echo on the same transport {echo.rate:.0f}/s "
         f"({burst.rate / echo.rate:.2f}×; {burst.rate / echo_httpx.rate:.2f}× the httpx one)",
         burst.rate >= 0.7 * echo.rate),
        (f"steady p99 {steady.pct(99):.1f} ms < 25 ms", steady.pct(99) < 25),
    ]
    for o in (real, tuned):
        checks.append((f"{o.name}: {o.rate:.1f} replies/s ≥ 27, 429s {o.too_many} = 0",
                       o.rate >= 27 and o.too_many == 0))
    for o in (burst, steady, real, tuned):
        checks.append((f"{o.name}: every reply ok and recorded",
                       o.matching == o.n and o.rows == o.n))
    print()
    for line, ok in checks:
        print(f"  {'PASS' if ok else 'MISS'}  {line}")
    if real.rate < 27 <= tuned.rate:
        print(f"  note: the default rate_limit ({DEFAULT_RATE:.0f}/s) caps replies below 27/s by "
              f"construction; the server's 30/s leaves room for {TUNED}/s.")
    return 0 if all(ok for _, ok in checks) else 1


def main() -> int:
    """Parse the arguments, run in a temporary directory."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--members", type=int, default=3000)
    parser.add_argument("--steady-rate", type=int, default=150)
    parser.add_argument("--steady-seconds", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="zhibu-tg-bench-") as tmp:
        return asyncio.run(main_async(args, Path(tmp)))


if __name__ == "__main__":
    sys.exit(main())
