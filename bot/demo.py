"""`zhibu demo`: the whole assistant on a local SQLite file, driven from the console."""

from __future__ import annotations

import asyncio
import mimetypes
import re
import tempfile
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path

from bot.app import App, build_app
from bot.channels.console import CHANNEL, ConsoleChannel, ConsoleSender
from bot.config import Config, DatabaseConfig
from bot.core.clock import Clock, FakeClock
from bot.core.messages import Attachment, InboundMessage, Reply
from bot.core.rules import parse_rule
from bot.roster.importer import import_roster

DEMO_BRANCH = "城关离退休干部党支部"
DEMO_RULE = "每月第二个周二 09:00"
DEMO_PLACE = "老干部活动中心二楼学习室"
_ADVANCE = re.compile(r"^(\d+)\s*([dhm])$")
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}
TICK = timedelta(minutes=1)  # each typed line takes the demo a minute, so times read naturally


def default_start(config: Config, real_clock: Clock) -> datetime:
    """Half an hour before the demo branch's next study day, so 签到 works at once."""
    rule = parse_rule(DEMO_RULE)
    return rule.next_session(real_clock.now(), config.timezone) - timedelta(minutes=30)


async def seed(app: App) -> None:
    """A sample branch drawn from the seeds: roster, study day, console accounts."""
    roster = resources.files("bot.demo_data").joinpath("roster.csv")
    with resources.as_file(roster) as path:
        summary = await import_roster(app.store, path, app.clock.now(), new_branch=True)
    if not summary.applied:
        raise RuntimeError("demo roster is invalid: " + "; ".join(map(str, summary.errors)))
    now = app.clock.now()
    async with app.store.transaction() as tx:
        branch = await tx.find_branch(DEMO_BRANCH)
        assert branch is not None
        await tx.set_study_rule(branch.id, parse_rule(DEMO_RULE).describe("zh-Hans"), DEMO_PLACE)
        for branch_ in await tx.list_branches():
            for member in await tx.branch_members(branch_.id):
                await tx.bind(CHANNEL, member.name, member.id, None, now)
        for role in ("instructor", "admin"):
            for officer in await tx.officers(branch.id, role):
                await tx.bind(CHANNEL, officer.name, officer.id, None, now)


class Demo:
    """A console session: personas, the demo clock, and pushes printed as they arrive."""

    def __init__(self, app: App, clock: FakeClock, write: Callable[[str], None]) -> None:
        self.app = app
        self.clock = clock
        self.write = write
        self.channel = ConsoleChannel(app.router, clock, write)
        self.files_from: Path | None = None  # /file paths: a script's folder first
        self._sent_files = 0

    async def line(self, text: str) -> bool:
        """Handle one typed line; False means the person asked to leave."""
        text = text.strip()
        if not text or text.startswith("#"):
            return True
        if text in ("/quit", "/exit"):
            return False
        if text.startswith("/as "):
            self.channel.persona = text[4:].strip()
            self.write(f"—— 现在以「{self.channel.persona}」的身份说话 ——")
        elif text.startswith("/advance"):
            self._advance(text[len("/advance"):].strip())
        elif text.startswith("/file"):
            await self._file(text[len("/file"):].strip())
        else:
            self.clock.advance(TICK)
            self.write(f"【{self.channel.persona or '？'}】{text}")
            self._files(await self.channel.say(text))
        await self.app.dispatcher.run_once()
        return True

    async def _file(self, rest: str) -> None:
        """/file PATH [caption]: send a file as the current persona (e.g. to publish a PDF)."""
        name, _, caption = rest.partition(" ")
        path = await asyncio.to_thread(self._find, name)
        if path is None:
            self.write("用法：/file 文件路径 [说明]，例如：/file 学习资料.pdf 资料 十二月学习资料")
            return
        data = await asyncio.to_thread(path.read_bytes)
        self.clock.advance(TICK)
        self._sent_files += 1
        self.write(f"【{self.channel.persona or '？'}】📎 {path.name} {caption}".rstrip())
        msg = InboundMessage(
            channel=CHANNEL, sender=self.channel.persona, text=caption or None,
            message_id=f"console-file-{self._sent_files}", received_at=self.clock.now(),
            attachment=Attachment(path.name, mimetypes.guess_type(path.name)[0] or "", data))
        for reply in await self.app.router.handle(msg):
            lines = reply.text.splitlines() or [""]
            self.write("\n".join(["  ↳ " + lines[0], *("     " + line for line in lines[1:])]))
            if reply.buttons:
                self.write("     " + "  ".join(f"[{b.label}]" for b in reply.buttons))
            self._files([reply])

    def _find(self, name: str) -> Path | None:
        """A /file path: beside the script first, then from the current folder."""
        if not name:
            return None
        beside = self.files_from / name if self.files_from is not None else None
        path = beside if beside is not None and beside.is_file() else Path(name)
        return path if path.is_file() else None

    def _files(self, replies: list[Reply]) -> None:
        """Files that came with replies (sent as documents by a real channel)."""
        for reply in replies:
            for file in reply.files:
                self.write(f"     📎 {Path(file).name}")

    def _advance(self, amount: str) -> None:
        match = _ADVANCE.match(amount)
        if not match:
            self.write("用法：/advance 3d（天）、/advance 2h（小时）、/advance 30m（分钟）")
            return
        self.clock.advance(timedelta(**{_UNITS[match.group(2)]: int(match.group(1))}))
        self.write(f"⏩ 演示时钟：{self._now()}")

    def _now(self) -> str:
        return self.clock.now().astimezone(self.app.config.timezone).strftime("%Y-%m-%d %H:%M")

    def banner(self) -> None:
        """What the demo is and how to drive it."""
        self.write(f"zhibu 演示 · 数据库 {self.app.store.path} · 演示时钟 {self._now()}")
        self.write("用 /as 姓名 切换身份（书记：李建国；党员：王秀英、张桂兰…），"
                   "/advance 3d 拨快时钟，/quit 退出。")


async def run_demo(
    config: Config,
    real_clock: Clock,
    *,
    script: Path | None,
    db: Path | None,
    start: datetime | None,
    write: Callable[[str], None] = print,
) -> int:
    """Run the demo interactively, or replay a script and exit."""
    with tempfile.TemporaryDirectory(prefix="zhibu-demo-") as tmp:
        path = db or (Path(tmp) / "demo.db" if script else Path("zhibu-demo.db"))
        fresh = not path.exists()
        clock = FakeClock(start or default_start(config, real_clock))
        cfg = replace(config, database=DatabaseConfig(url=f"sqlite:///{path}"))
        app = await build_app(cfg, clock, {})
        app.dispatcher.senders[CHANNEL] = ConsoleSender(write)
        try:
            if fresh:
                await seed(app)
            demo = Demo(app, clock, write)
            demo.banner()
            if script is not None:
                demo.files_from = script.parent
                lines = await asyncio.to_thread(script.read_text, encoding="utf-8")
                for text in lines.splitlines():
                    if not await demo.line(text):
                        break
                return 0
            await _interactive(demo)
            return 0
        finally:
            await app.close()


async def _interactive(demo: Demo) -> None:
    while True:
        try:
            text = await asyncio.to_thread(input, f"{demo.channel.persona or '？'}> ")
        except EOFError:
            return
        if not await demo.line(text):
            return
