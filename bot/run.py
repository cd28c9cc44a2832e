"""`zhibu run`: the configured channels, the scheduler and the outbox, in one event loop.

Start: the store and the core; the outbox (rows left in flight by a stopped process are put
back first); the scheduler; Telegram (getMe, commands, handling); the web listeners (the
Telegram webhook and the WeChat callback share one Starlette app when they share `listen`);
then Telegram polling or setWebhook. SIGINT/SIGTERM stop it in reverse: no new updates or
callbacks, the updates in flight finish (each is one transaction: nothing is half-recorded),
the outbox finishes its pass, then connections and the database close.

Several instances may run on one PostgreSQL database. The scheduler and Telegram polling are
roles only one of them plays: each is elected by a lease (schedules/election.py), taken over
within `[run] lease_seconds` when its holder dies. On SQLite the one process always wins.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta

import uvicorn
from starlette.applications import Starlette
from starlette.routing import BaseRoute
from telegram.error import InvalidToken, NetworkError, TimedOut

from bot.app import App, build_app
from bot.channels.telegram.channel import TelegramChannel
from bot.channels.wechat.channel import WechatChannel
from bot.config import Config, mask_url_password, split_host_port
from bot.core.clock import Clock
from schedules.election import Action, Elected, instance_name
from schedules.scheduler import Scheduler
from storage import Store

log = logging.getLogger(__name__)


class CannotRun(Exception):
    """The configuration does not allow `zhibu run` to start; the message says why."""


def _can_listen(host: str, port: int) -> None:
    """Bind the address for a moment (as uvicorn will), or say in one line why not."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as err:
            raise CannotRun(f"cannot listen on {host}:{port}: {err.strerror or err} "
                            "(is another zhibu or server using it?)") from None


class _Listener(uvicorn.Server):
    """uvicorn without its own signal handling: the runtime decides when to stop."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        """Leave SIGINT/SIGTERM to the runtime."""
        yield


@dataclass
class Runtime:
    """Everything `zhibu run` starts, and the order it stops in."""

    config: Config
    clock: Clock
    store: Store | None = None
    scheduler: bool = True
    telegram_options: dict[str, float] = field(default_factory=dict)
    app: App | None = None
    telegram: TelegramChannel | None = None
    wechat: WechatChannel | None = None
    _scheduler: Scheduler | None = None
    _listeners: list[tuple[_Listener, asyncio.Task[None]]] = field(default_factory=list)
    _outbox: asyncio.Task[None] | None = None
    _outbox_stop: asyncio.Event = field(default_factory=asyncio.Event)
    # this process's name as a lease holder (by default schedules.election.instance_name)
    instance: str = ""
    _elections: dict[str, tuple[Elected, asyncio.Task[None]]] = field(default_factory=dict)
    _elections_stop: asyncio.Event = field(default_factory=asyncio.Event)

    async def start(self) -> None:
        """Bring everything up (on failure, what was started is stopped again)."""
        if not (self.config.telegram.enabled or self.config.wechat.enabled):
            raise CannotRun("no channel configured: set [telegram] token or [wechat] app_id "
                            "and token")
        for host, port in self._addresses():
            await asyncio.to_thread(_can_listen, host, port)  # before anything is started
        try:
            await self._start()
        except BaseException:
            await self.stop()
            raise

    async def _start(self) -> None:
        app = self.app = await build_app(self.config, self.clock, {}, store=self.store)
        try:
            self._channels(app)
        except ValueError as err:  # a channel's settings do not fit together
            raise CannotRun(str(err)) from None
        await app.dispatcher.resume()
        self._outbox = asyncio.create_task(app.dispatcher.run_forever(self._outbox_stop))
        if self.scheduler:
            self._scheduler = Scheduler(app)
            await self._elect("scheduler", self._scheduler.start, self._scheduler.stop)
        if self.wechat is not None:
            await self.wechat.start()
        if self.telegram is not None:
            try:
                await self.telegram.start()
            except InvalidToken:
                raise CannotRun("Telegram refused the bot token ([telegram] token)") from None
            except (NetworkError, TimedOut) as err:
                raise CannotRun(f"Telegram is unreachable at {self.config.telegram.base_url}: "
                                f"{err.message}") from None
        await self._listen()
        if self.telegram is not None and self.telegram.webhook is None:
            await self._elect("telegram-poller", self.telegram.take_updates,
                              self.telegram.stop_polling)
        elif self.telegram is not None:
            await self.telegram.take_updates()

    async def _elect(self, role: str, start: Action, stop: Action) -> None:
        """Play `role` while this instance holds its lease: the first round now (a single
        instance has it running when start-up ends), then in the background."""
        assert self.app is not None
        store = self.app.store
        lease = timedelta(seconds=self.config.run.lease_seconds)
        self.instance = self.instance or instance_name(store.engine, self.app.instance_id)
        elected = Elected(store, self.clock, role, self.instance, start, stop, lease=lease)
        first = await elected.step()
        task = asyncio.create_task(elected.run(self._elections_stop, first=first))
        self._elections[role] = (elected, task)

    def holds(self, role: str) -> bool:
        """Whether this instance plays `role` ("scheduler", "telegram-poller") right now."""
        found = self._elections.get(role)
        return found is not None and found[0].playing

    def _channels(self, app: App) -> None:
        """Build the configured channels and give the outbox their senders."""
        if self.config.telegram.enabled:
            opts = self.telegram_options
            self.telegram = TelegramChannel(
                self.config.telegram, app, concurrency=int(opts.get("concurrency", 8)),
                poll_timeout=int(opts.get("poll_timeout", 10)),
                backoff=opts.get("backoff", 0.5), per_chat=opts.get("per_chat", 1.0))
            app.dispatcher.senders["telegram"] = self.telegram.sender
        if self.config.wechat.enabled:
            self.wechat = WechatChannel(app, self.config, self.clock)
            app.dispatcher.senders.update(self.wechat.senders)

    def _addresses(self) -> set[tuple[str, int]]:
        """Where zhibu will listen: the Telegram webhook and the WeChat callback."""
        found = set()
        telegram = self.config.telegram
        if telegram.enabled and telegram.mode == "webhook":
            found.add(split_host_port(telegram.listen))
        if self.config.wechat.enabled:
            found.add(split_host_port(self.config.wechat.listen))
        return found

    async def _listen(self) -> None:
        """One listener per address; routes that share an address share an app."""
        routes: dict[tuple[str, int], list[BaseRoute]] = {}
        if self.telegram is not None and self.telegram.webhook is not None:
            address = split_host_port(self.config.telegram.listen)
            routes.setdefault(address, []).append(self.telegram.webhook.route)
        if self.wechat is not None:
            address = split_host_port(self.config.wechat.listen)
            routes.setdefault(address, []).extend(self.wechat.routes)
        for (host, port), mounted in routes.items():
            config = uvicorn.Config(Starlette(routes=mounted), host=host, port=port,
                                    log_config=None, log_level="warning", lifespan="off",
                                    ws="none", timeout_graceful_shutdown=30)
            listener = _Listener(config)
            task = asyncio.create_task(listener.serve())
            self._listeners.append((listener, task))
            while not listener.started:
                if task.done():
                    with contextlib.suppress(BaseException):  # uvicorn exits the process
                        await task
                    raise CannotRun(f"cannot listen on {host}:{port}")
                await asyncio.sleep(0.01)

    async def stop(self) -> None:
        """Stop taking work, finish what is in flight, close (safe to call twice)."""
        for listener, _ in self._listeners:
            listener.should_exit = True
        for _, task in self._listeners:
            await asyncio.gather(task, return_exceptions=True)
        self._listeners.clear()
        self._elections_stop.set()  # each role stops and its lease is given up
        for _, task in self._elections.values():
            await asyncio.gather(task, return_exceptions=True)
        self._elections.clear()
        if self.telegram is not None:
            await self.telegram.halt()
        if self._scheduler is not None:
            await self._scheduler.stop()
        self._outbox_stop.set()
        while self._outbox is not None and not self._outbox.done():
            if self.app is not None:  # wake it from its idle wait (again if a pass ate it)
                self.app.dispatcher.notify()
            await asyncio.wait({self._outbox}, timeout=0.05)
        if self._outbox is not None:
            await self._outbox  # the pass in progress has finished: its rows are recorded
            self._outbox = None
        if self.telegram is not None:
            await self.telegram.close()
            self.telegram = None
        if self.wechat is not None:
            await self.wechat.stop()
            self.wechat = None
        if self.app is not None:
            await self.app.close()
            self.app = None

    def channels(self) -> list[str]:
        """What is running, for the start-up line."""
        names = [f"Telegram ({self.config.telegram.mode})"] if self.telegram else []
        names += ["WeChat"] if self.wechat else []
        if self._scheduler is not None:
            names.append("scheduler" if self.holds("scheduler") else "scheduler (standby)")
        return names

    async def serve(self, stop: asyncio.Event) -> None:
        """Run until `stop` is set."""
        await self.start()
        try:
            await stop.wait()
        finally:
            await self.stop()


def settle_memory() -> None:
    """Tune the garbage collector for a long-running service, once everything has started.

    What start-up loaded (modules, the text dictionaries) is moved out of the collector's
    sight (gc.freeze), and young collections run every 50,000 surviving allocations instead
    of every 700: each message allocates thousands of short-lived objects that reference
    counting frees anyway, and the default thresholds spent 100-170 µs of CPU per WeChat
    message on collections that found almost nothing (bench/wechat_webhook.py).
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


async def run_service(config: Config, clock: Clock) -> int:
    """`zhibu run` from the command line: serve until SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    runtime = Runtime(config, clock)
    try:
        await runtime.start()
        settle_memory()
        where = config.database.sqlite_path() or mask_url_password(config.database.url)
        if config.database.sqlite_path() is None and runtime.app is not None:
            where += f"（实例 {runtime.app.instance_id}）"  # one of several: which one
        print(f"zhibu 正在运行：{', '.join(runtime.channels())}；数据库 {where}。"
              "按 Ctrl+C 停止。", flush=True)
        await stop.wait()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        await runtime.stop()
    print("zhibu 已停止。", flush=True)
    return 0
