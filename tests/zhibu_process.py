"""`zhibu run` as a real subprocess, and a branch seeded so that it starts a broadcast.

    now = datetime.now(UTC)
    await seed_broadcast(db, members=2000, first_chat=FIRST_CHAT, now=now)
    config = write_config(tmp_path / "zhibu.toml", db, api.base_url, rate_limit=200)
    async with ZhibuProcess(config, tmp_path / "zhibu.log") as zhibu:  # killed if still up
        zhibu.start()                     # python -m bot --config FILE run
        await until(api, lambda: ..., zhibu, within=20)
        await zhibu.kill()                # SIGKILL, reaped
        await zhibu.stop()                # SIGTERM: a clean exit (status 0) is asserted

The seeded branch meets on a monthly day three days from now; its early reminder
(`remind_days_before` = 3 at `remind_early_at`) fell due `ago` before `now`, so the scheduler's
catch-up at start-up queues one reminder per member (well inside the 6 h grace period), and
nothing else is due: the day reminder and the absentee list lie three days ahead, the previous
month's session lies beyond the 7-day look-back. The subprocess runs on the real clock and
without quiet hours, so the broadcast goes out whatever the time of day.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO
from zoneinfo import ZoneInfo

from bot.core.rules import parse_rule
from schedules.plan import REMIND_EARLY
from storage import MemberData, SqliteStore, Tx, open_store
from tests.fakes.botapi import FakeBotApi

ROOT = Path(__file__).resolve().parents[1]
TZ = ZoneInfo("Asia/Shanghai")
BRANCH = "广播测试离退休干部党支部"
DAYS_BEFORE = 3


async def add_bound_members(tx: Tx, branch_id: int, count: int, now: datetime, *,
                            channel: str, account: Callable[[int], str], name: str = "成员",
                            phone: str = "139") -> None:
    """`count` plain members of a branch (name00000, phone + 8 digits), member i bound on
    `channel` to account(i): the seed of every load test and bench."""
    for i in range(count):
        data = MemberData(name=f"{name}{i:05d}", phone=f"{phone}{i:08d}", role="member",
                          home_branch_id=branch_id, birthday=None, address=None,
                          needs_home_delivery=False, lives_alone=False, language=None)
        member_id, _ = await tx.upsert_member(data, [branch_id], now)
        await tx.bind(channel, account(i), member_id, None, now)


async def seed_broadcast(db: Path | str, members: int, first_chat: int, now: datetime, *,
                         ago: timedelta = timedelta(minutes=3)) -> str:
    """One branch whose early reminder fell due `ago` before `now`; `members` members, member
    i bound on Telegram to chat `first_chat + i`. Returns the occurrence's job_runs key.
    `db` is a SQLite file, or a database url (a PostgreSQL schema)."""
    due = (now - ago).astimezone(TZ).replace(second=0, microsecond=0)
    session_day = due.date() + timedelta(days=DAYS_BEFORE)
    rule = parse_rule(f"每月{session_day.day}日 09:00")
    store = await (open_store(db) if isinstance(db, str) else SqliteStore.open(db))
    try:
        async with store.transaction() as tx:
            branch, _ = await tx.ensure_branch(BRANCH, now)
            await tx.set_study_rule(branch.id, rule.describe("zh-Hans"), "老干部活动中心")
            await tx._run(
                "UPDATE branches SET remind_days_before = ?, remind_early_at = ? WHERE id = ?",
                (DAYS_BEFORE, due.strftime("%H:%M"), branch.id))
            await add_bound_members(tx, branch.id, members, now, channel="telegram",
                                    account=lambda i: str(first_chat + i), name="党员",
                                    phone="138")
    finally:
        await store.close()
    session = rule.session_in_month(session_day.year, session_day.month, TZ)
    return f"{REMIND_EARLY}:{branch.id}:{session.isoformat()}"


WEBHOOK_SECRET = "s3cret-token"


def write_config(path: Path, db: Path | str, base_url: str, *, rate_limit: float,
                 lease_seconds: float | None = None, webhook_port: int | None = None) -> Path:
    """A zhibu.toml: the database (a SQLite file, or a url with its files beside the config),
    Telegram at the fake (polling, or a webhook on 127.0.0.1:`webhook_port`), no quiet hours
    (start == end), the roles' lease if given."""
    webhook = "" if webhook_port is None else (
        f'mode = "webhook"\nwebhook_url = "http://127.0.0.1:{webhook_port}/telegram/hook"\n'
        f'listen = "127.0.0.1:{webhook_port}"\nsecret_token = "{WEBHOOK_SECRET}"\n')
    database = (f'url = "{db}"\nfiles = "{path.parent / "files"}"' if isinstance(db, str)
                else f'url = "sqlite:///{db}"')
    run = f"\n[run]\nlease_seconds = {lease_seconds}\n" if lease_seconds else ""
    path.write_text(
        'timezone = "Asia/Shanghai"\n\n'
        f"[database]\n{database}\n\n"
        f'[telegram]\ntoken = "{FakeBotApi.token}"\nbase_url = "{base_url}"\n'
        f"rate_limit = {rate_limit}\n{webhook}\n"
        '[quiet_hours]\nstart = "00:00"\nend = "00:00"\n' + run, encoding="utf-8")
    return path


def db_counts(db: Path, sql: str, params: tuple[object, ...] = ()) -> dict[str, int]:
    """Run a `SELECT key, COUNT(*) … GROUP BY key` on the file (stdlib sqlite3, any time)."""
    with contextlib.closing(sqlite3.connect(db, timeout=10)) as conn:
        return {str(k): int(n) for k, n in conn.execute(sql, params).fetchall()}


def outbox_states(db: Path) -> dict[str, int]:
    """Outbox rows by state."""
    return db_counts(db, "SELECT state, COUNT(*) FROM outbox GROUP BY state")


class Tally:
    """Accepted sendMessage calls per chat, counted incrementally (cheap inside a predicate)."""

    def __init__(self, api: FakeBotApi) -> None:
        self.api = api
        self.per_chat: Counter[int] = Counter()
        self.total = 0
        self._seen = 0

    def update(self) -> Tally:
        """Count the calls recorded since the last update."""
        calls = self.api.calls
        for call in calls[self._seen:]:
            if call.method == "sendMessage" and call.status == 200 and call.chat_id is not None:
                self.per_chat[call.chat_id] += 1
                self.total += 1
        self._seen = len(calls)
        return self

    @property
    def duplicates(self) -> int:
        """Messages beyond the first in each chat."""
        return sum(n - 1 for n in self.per_chat.values() if n > 1)


class ZhibuProcess:
    """`python -m bot --config FILE run`, its output appended to a log file. `launcher`
    replaces `-m bot` (e.g. `-m cProfile -o FILE -m bot` to profile it)."""

    def __init__(self, config: Path, log: Path,
                 launcher: tuple[str, ...] = ("-m", "bot")) -> None:
        self.config = config
        self.log = log
        self.launcher = launcher
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self._out: IO[bytes] | None = None

    def start(self) -> None:
        """Spawn it (no ZHIBU_* variable from the environment leaks in)."""
        assert self.proc is None, "already running"
        env = {k: v for k, v in os.environ.items() if not k.startswith("ZHIBU_")}
        self._out = self.log.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, *self.launcher, "--config", str(self.config), "run"],
            cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=self._out,
            stderr=subprocess.STDOUT)
        self.starts += 1

    @property
    def pid(self) -> int:
        """The running process's id."""
        assert self.proc is not None
        return self.proc.pid

    def check_alive(self) -> None:
        """Raise with the log if the process ended by itself."""
        if self.proc is not None and self.proc.poll() is not None:
            raise AssertionError(f"zhibu run exited with {self.proc.returncode}:\n{self.output()}")

    def output(self) -> str:
        """What it printed so far (the tail)."""
        return self.log.read_text(encoding="utf-8", errors="replace")[-4000:]

    async def kill(self) -> None:
        """SIGKILL, and reap it."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        await self._reap(10)

    async def stop(self, within: float = 15) -> int:
        """SIGTERM and wait for the clean shutdown; its exit status."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        return await self._reap(within)

    async def _reap(self, within: float) -> int:
        assert self.proc is not None
        proc = self.proc
        try:  # in a thread: the fake server in this loop must keep answering meanwhile
            code = await asyncio.to_thread(proc.wait, within)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(5)
            self.proc = None
            if self._out is not None:
                self._out.close()
                self._out = None
        return code

    async def __aenter__(self) -> ZhibuProcess:
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.proc is not None:
            await self.kill()


async def until(api: FakeBotApi, predicate: Callable[[], bool], zhibu: ZhibuProcess, *,
                within: float) -> None:
    """Wait for predicate() (re-checked at each call the fake records, and at least every
    0.5 s to notice a subprocess that died); TimeoutError after `within` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        zhibu.check_alive()
        remaining = deadline - loop.time()
        if remaining <= 0:
            raise TimeoutError(f"condition not met within {within} s; zhibu said:\n"
                               f"{zhibu.output()}")
        try:
            await api.wait_until(predicate, within=min(0.5, remaining))
            return
        except TimeoutError:
            continue


def now_utc() -> datetime:
    """The real clock, as the subprocess sees it."""
    return datetime.now(UTC)
