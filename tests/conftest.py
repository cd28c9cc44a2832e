"""Shared test tools: a seeded zhibu on a real SQLite file (or, for the modules that ask, on
PostgreSQL too), a fake clock, a recording sender.

PostgreSQL runs where ZHIBU_TEST_POSTGRES_URL names a server (`.ci/run` sets it to the
machine's; every test gets its own schema, dropped after it); elsewhere those tests skip and
say why.
"""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pytest

from bot.app import App, build_app
from bot.config import Config, DatabaseConfig
from bot.core.clock import FakeClock
from bot.core.messages import InboundMessage, Reply
from bot.demo import seed
from handlers.binding import create_invite
from storage import MemberData, Store, open_store

if TYPE_CHECKING:
    from tests.fakes.wechatapi import Rig

SHANGHAI = ZoneInfo("Asia/Shanghai")
# 2026-12-08 is the second Tuesday of December: the demo branch's study day (09:00).
STUDY_DAY_MORNING = datetime(2026, 12, 8, 8, 30, tzinfo=SHANGHAI)


@dataclass
class RecordingSender:
    """A channel that only records what it was asked to push (the network edge)."""

    channel: str = "console"
    sent: list[tuple[str, str]] = field(default_factory=list)
    buttons: list[list[dict[str, str]]] = field(default_factory=list)
    edits: list[tuple[str, str, str]] = field(default_factory=list)

    async def send(
        self, external_id: str, text: str, buttons: list[dict[str, str]]
    ) -> str | None:
        """Record the push; its position is its platform id."""
        self.sent.append((external_id, text))
        self.buttons.append(buttons)
        return str(len(self.sent))

    async def edit(
        self, external_id: str, platform_ref: str, text: str, buttons: list[dict[str, str]]
    ) -> None:
        """Record the rewrite of an earlier push."""
        self.edits.append((external_id, platform_ref, text))

    def to(self, who: str) -> list[str]:
        """Texts pushed to one console persona."""
        return [text for target, text in self.sent if target == who]


async def count_rows(store: Store, table: str) -> int:
    """Rows in a table (check_ins, leave_requests, outbox...)."""
    async with store.transaction() as tx:
        row = await tx._one(f"SELECT COUNT(*) AS n FROM {table}")
    return int(row["n"]) if row else 0


async def add_person(z: Zhibu, name: str, phone: str, role: str, branch: str | None) -> int:
    """Put someone on the roster (no branch: an admin of none) and bind a console account."""
    now = z.clock.now()
    async with z.app.store.transaction() as tx:
        home = (await tx.ensure_branch(branch, now))[0] if branch else None
        member_id, _ = await tx.upsert_member(
            MemberData(name=name, phone=phone, role=role,
                       home_branch_id=home.id if home else None,
                       birthday=None, address=None, needs_home_delivery=False,
                       lives_alone=False, language=None),
            [home.id] if home else [], now)
        await tx.bind("console", name, member_id, None, now)
    return member_id


DAUGHTER = "刘德明的女儿"


@dataclass
class Zhibu:
    """The assistant as a chat partner: say something as someone, read the replies."""

    app: App
    clock: FakeClock
    sender: RecordingSender
    path: Path
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _prefix: str = field(default_factory=lambda: uuid.uuid4().hex[:8])

    async def say(self, who: str, text: str | None = None, *, button: str | None = None,
                  message_id: str | None = None) -> list[Reply]:
        """Send one message from a console persona and return the replies."""
        msg = InboundMessage(
            channel="console", sender=who, text=text, button=button,
            message_id=message_id or f"{self._prefix}-{next(self._ids)}",
            received_at=self.clock.now(),
        )
        replies = await self.app.router.handle(msg)
        await self.app.dispatcher.run_once()
        return replies

    async def text(self, who: str, text: str | None = None, **kw: str) -> str:
        """The replies to one message, joined."""
        return "\n".join(r.text for r in await self.say(who, text, **kw))

    async def bind_daughter(self) -> str:
        """刘德明's daughter binds with an invite code; her console name."""
        async with self.app.store.transaction() as tx:
            (liu,) = await tx.find_members_by_name("刘德明")
            code = await create_invite(tx, liu.id, "女儿", None, self.clock.now())
        await self.text(DAUGHTER, code)
        return DAUGHTER

    async def converse(self, who: str, *texts: str) -> str:
        """Several messages in turn (a conversation's steps); the last one's replies."""
        answer = ""
        for text in texts:
            answer = await self.text(who, text)
        return answer


POSTGRES_URL = os.environ.get("ZHIBU_TEST_POSTGRES_URL", "")
ENGINES = ("sqlite", "postgresql")
NO_POSTGRES = "PostgreSQL tests need ZHIBU_TEST_POSTGRES_URL (.ci/run sets it)"
# ZHIBU_TEST_ENGINE=postgresql runs every `zhibu` test on PostgreSQL (to try the whole suite).
DEFAULT_ENGINE = os.environ.get("ZHIBU_TEST_ENGINE", "sqlite")


def engine_url(engine: str, folder: Path) -> str:
    """A fresh database of that engine: a file in the folder, or a schema of its own."""
    if engine == "sqlite":
        return f"sqlite:///{folder / 'zhibu.db'}"
    if not POSTGRES_URL:
        pytest.skip(NO_POSTGRES)
    joiner = "&" if "?" in POSTGRES_URL else "?"
    return f"{POSTGRES_URL}{joiner}schema=zt_{uuid.uuid4().hex[:12]}"


async def drop(store: Store) -> None:
    """Drop a PostgreSQL test schema (a SQLite file goes with its tmp_path)."""
    from storage.postgres import PostgresStore

    if isinstance(store, PostgresStore):
        await store.drop_schema()


@pytest.fixture(params=ENGINES)
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    """An empty, migrated store of each engine."""
    opened = await open_store(engine_url(request.param, tmp_path), files=str(tmp_path / "files"))
    try:
        yield opened
    finally:
        await drop(opened)
        await opened.close()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A module that sets BOTH_ENGINES = True runs its `zhibu` tests on SQLite and PostgreSQL."""
    if "zhibu" in metafunc.fixturenames and getattr(metafunc.module, "BOTH_ENGINES", False):
        metafunc.parametrize("zhibu", ENGINES, indirect=True)


def make_config(path: Path, url: str | None = None) -> Config:
    """Defaults, with the database in a test folder (or at `url`)."""
    return Config(database=DatabaseConfig(url=url or f"sqlite:///{path}",
                                          files=str(path.parent / "files")))


async def open_zhibu(path: Path, clock: FakeClock, *, fresh: bool,
                     url: str | None = None) -> Zhibu:
    """Open (and on first use seed) a zhibu on a SQLite file (or the database at `url`)."""
    sender = RecordingSender()
    app = await build_app(make_config(path, url), clock, {"console": sender})
    if fresh:
        await seed(app)
    return Zhibu(app, clock, sender, path)


@pytest.fixture
async def zhibu(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Zhibu]:
    """A zhibu with the demo branch, half an hour before its study day."""
    engine = getattr(request, "param", DEFAULT_ENGINE)
    url = engine_url(engine, tmp_path) if engine != "sqlite" else None
    z = await open_zhibu(tmp_path / "zhibu.db", FakeClock(STUDY_DAY_MORNING), fresh=True,
                         url=url)
    yield z
    await drop(z.app.store)
    await z.app.close()


@pytest.fixture
async def rig(zhibu: Zhibu) -> AsyncIterator[Rig]:
    """The WeChat channel in safe mode over in-process ASGI, 王秀英 bound as MEMBER."""
    from tests.fakes.wechatapi import MEMBER, open_rig  # it builds on this module's Zhibu

    async with open_rig(zhibu) as r:
        await r.bind(MEMBER, "王秀英")
        yield r
