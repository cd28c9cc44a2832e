"""Pushes through a flaky Bot API: every row settles, one a second per chat, a 429 holds only
its own chat.

The outbox dispatcher and the real Telegram channel (its sender and send budget) run in this
process on the real clock; the fake server answers 429 (retry_after 2) to one chat's first
message and a 5xx to every tenth sendMessage.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import time
from pathlib import Path

from starlette.responses import JSONResponse

from bot.app import App, build_app
from bot.channels.telegram.channel import TelegramChannel
from bot.config import Config, DatabaseConfig, QuietHours, TelegramConfig
from bot.core.clock import SystemClock
from storage import MemberData, SqliteStore
from storage.models import OutboxRow
from tests.fakes.botapi import Call, FakeBotApi

CHATS = [6001, 6002, 6003, 6004, 6005, 6006]
FLOODED = 6003
PER_CHAT = 4
SLACK = 0.05  # the budget's grant to the server's reading of the request: local jitter only


class FlakyBotApi(FakeBotApi):
    """The fake Bot API, answering a server error to every tenth sendMessage."""

    def __init__(self, every: int = 10) -> None:
        super().__init__()
        self.every = every
        self.seen = 0
        self.errors = 0

    def _scripted(self, call: Call) -> JSONResponse | None:
        scripted = super()._scripted(call)
        if scripted is not None or call.method != "sendMessage":
            return scripted
        self.seen += 1
        if self.seen % self.every:
            return None
        self.errors += 1
        status = (500, 502, 503)[self.errors % 3]
        return JSONResponse({"ok": False, "error_code": status,
                             "description": "Internal Server Error"}, status_code=status)


@dataclass
class Rig:
    """A zhibu core with the Telegram sender against the flaky fake, the outbox not started."""

    api: FlakyBotApi
    app: App
    members: dict[int, int]  # chat id -> member id

    async def rows(self) -> list[OutboxRow]:
        """Every outbox row."""
        async with self.app.store.transaction() as tx:
            return await tx.outbox_rows()


@asynccontextmanager
async def flaky_rig(db: Path) -> AsyncIterator[Rig]:
    """Members bound to CHATS; the dispatcher retries after 0.05 s (doubling), as configured."""
    store = await SqliteStore.open(db)
    clock = SystemClock()
    async with FlakyBotApi() as api:
        config = Config(database=DatabaseConfig(url=f"sqlite:///{db}"),
                        telegram=TelegramConfig(token=api.token, base_url=api.base_url,
                                                rate_limit=100.0),
                        quiet_hours=QuietHours(time(0), time(0)))
        app = await build_app(config, clock, {}, store=store)
        members: dict[int, int] = {}
        async with store.transaction() as tx:
            branch, _ = await tx.ensure_branch("节奏测试支部", clock.now())
            for i, chat in enumerate(CHATS):
                data = MemberData(name=f"党员{i}", phone=f"1370000{i:04d}", role="member",
                                  home_branch_id=branch.id, birthday=None, address=None,
                                  needs_home_delivery=False, lives_alone=False, language=None)
                members[chat], _ = await tx.upsert_member(data, [branch.id], clock.now())
                await tx.bind("telegram", str(chat), members[chat], None, clock.now())
        channel = TelegramChannel(config.telegram, app, backoff=0.01)
        app.dispatcher.senders["telegram"] = channel.sender
        app.dispatcher.base_delay = 0.05
        await channel.start()
        try:
            yield Rig(api, app, members)
        finally:
            await channel.close()
            await app.close()


async def _settled(rig: Rig, within: float) -> list[OutboxRow]:
    """Outbox rows once none is pending or in flight (polled; TimeoutError after `within`)."""
    async with asyncio.timeout(within):
        while True:
            rows = await rig.rows()
            if all(row.state in ("sent", "dead") for row in rows):
                return rows
            await asyncio.sleep(0.05)


async def test_a_429_for_one_chat_and_5xx_for_a_tenth_leave_every_row_sent_or_dead_at_one_a_second(
    tmp_path: Path,
) -> None:
    async with flaky_rig(tmp_path / "zhibu.db") as rig:
        rig.api.flood("sendMessage", retry_after=2, chat_id=FLOODED)
        async with rig.app.store.transaction() as tx:
            for n in range(PER_CHAT):  # round robin: every chat has work all along
                for chat in CHATS:
                    await tx.enqueue(f"pace:{n}:{chat}", rig.members[chat], "reminder",
                                     f"第{n + 1}条提醒", rig.app.clock.now())
        stop = asyncio.Event()
        outbox = asyncio.create_task(rig.app.dispatcher.run_forever(stop, idle=0.05))
        try:
            rows = await _settled(rig, within=20)
        finally:
            stop.set()
            rig.app.dispatcher.notify()
            await asyncio.wait_for(outbox, 10)
        calls = [c for c in rig.api.calls if c.method == "sendMessage"]

    assert len(rows) == len(CHATS) * PER_CHAT
    assert all(row.state == "sent" or (row.state == "dead" and row.last_error) for row in rows)
    by_chat: dict[int, list[Call]] = defaultdict(list)
    for call in calls:
        assert call.chat_id is not None
        by_chat[call.chat_id].append(call)
    for chat, tries in by_chat.items():  # every try counts, failed or not
        gaps = [b.at - a.at for a, b in itertools.pairwise(tries)]
        assert min(gaps) >= 1.0 - SLACK, (chat, gaps)
        sent = [row for row in rows if row.member_id == rig.members[chat] and row.state == "sent"]
        assert len([c for c in tries if c.status == 200]) == len(sent)  # each accepted once
    statuses = [c.status for c in calls]
    assert statuses.count(429) == 1 and sum(s >= 500 for s in statuses) == rig.api.errors >= 2

    [flood] = [c for c in calls if c.status == 429]
    after = next(c for c in by_chat[FLOODED] if c.at > flood.at)
    assert after.at - flood.at >= 2.0  # the chat waited out retry_after ...
    meanwhile = {c.chat_id for c in calls if c.status == 200 and flood.at < c.at < after.at}
    assert meanwhile == set(CHATS) - {FLOODED}  # ... and every other chat went on meanwhile
