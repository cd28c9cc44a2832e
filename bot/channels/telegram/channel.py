"""The Telegram channel, assembled: a python-telegram-bot 22 Application in zhibu's own loop.

    channel = TelegramChannel(config.telegram, app)
    app.dispatcher.senders["telegram"] = channel.sender
    await channel.start()          # getMe, commands, handling
    await channel.take_updates()   # polling, or setWebhook (mount channel.webhook.route first)
    ...
    await channel.halt()           # stop taking updates, finish those in flight
    await channel.close()          # close the HTTP clients (after the outbox stopped)

Never run_polling(): that owns the loop; nor PTB's Updater: it confirms updates to Telegram
before they are handled (poller.py confirms only what has been handled). Updates are handled
at most `concurrency` at a time and in order per person (their conversation lives in the
database). Modules beside this one: ui (keyboards, pages), send (pacing, retries, errors),
inbound (updates), groups (group chats), menus (officers' command menus), http (aiohttp
requests), webhook (the endpoint), poller (getUpdates), fairness (who runs next).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import ssl
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import httpx
from telegram import BotCommandScopeAllGroupChats, Update
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, TypeHandler

from bot.app import App
from bot.channels.telegram.fairness import PerChatProcessor
from bot.channels.telegram.http import AiohttpRequest, env_proxy
from bot.channels.telegram.inbound import UpdateHandler
from bot.channels.telegram.menus import OfficerMenus
from bot.channels.telegram.poller import CommittedPoller
from bot.channels.telegram.send import TelegramSender
from bot.channels.telegram.ui import commands, group_commands
from bot.channels.telegram.webhook import TelegramWebhook
from bot.config import TelegramConfig
from bot.ratelimit import SendBudget
from bot.understanding import warm_up

log = logging.getLogger(__name__)

CONCURRENCY = 8  # PLATFORMS.md: ≈8 beats 256 on 2 cores; SQLite serialises writes anyway
POOL = 64  # connections for sends: `concurrency` replies plus the outbox's rows in flight
ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]
AnyApplication = Application[Any, Any, Any, Any, Any, Any]


class Nudge:
    """Wakes the outbox after an update that may have queued pushes, at most every `gap` s.

    Most updates queue nothing; a pass per update would cost a transaction each under load.
    """

    def __init__(self, wake: Callable[[], None], gap: float = 0.05) -> None:
        self.wake = wake
        self.gap = gap
        self._last = float("-inf")
        self._timer: asyncio.TimerHandle | None = None

    def __call__(self) -> None:
        """Wake now, or at the end of the current gap."""
        if self._timer is not None:
            return
        loop = asyncio.get_running_loop()
        delay = self._last + self.gap - loop.time()
        if delay <= 0:
            self._fire()
        else:
            self._timer = loop.call_later(delay, self._fire)

    def cancel(self) -> None:
        """Forget a pending wake-up (shutting down)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _fire(self) -> None:
        self._timer = None
        self._last = asyncio.get_running_loop().time()
        self.wake()


class TelegramChannel:
    """A bot wired to the core: updates in through the router, answers out through the budget."""

    def __init__(self, config: TelegramConfig, app: App, *, concurrency: int = CONCURRENCY,
                 poll_timeout: int = 10, retries: int = 3, backoff: float = 0.5,
                 per_chat: float = 1.0) -> None:
        if not config.token:
            raise ValueError("[telegram] token is required")
        self.config = config
        self.poll_timeout = poll_timeout
        self.locale = app.config.locale
        self.application = build_application(config, concurrency)
        bot = self.application.bot
        self.budget = SendBudget(config.rate_limit, per_chat=per_chat)
        self.sender = TelegramSender(bot, self.budget, app.store, app.clock, locale=self.locale,
                                     retries=retries, backoff=backoff)
        self.nudge = Nudge(app.dispatcher.notify)
        self.sender.on_queued = self.nudge
        self.menus = OfficerMenus(bot, app.store, app.router.available, self.locale)
        self._menus: asyncio.Task[int] | None = None
        self.handler = UpdateHandler(app.router, self.sender, app.store, app.clock,
                                     locale=self.locale, secret=config.token.encode(),
                                     notify=self.nudge, menus=self.menus)
        self.application.add_handler(TypeHandler(Update, self.handler))
        self.webhook: TelegramWebhook | None = None
        if config.mode == "webhook":
            if not config.secret_token or not config.webhook_url:
                raise ValueError("[telegram] webhook mode needs webhook_url and secret_token")
            path = urlsplit(config.webhook_url).path or "/telegram"
            self.webhook = TelegramWebhook(bot, self.application.update_queue, self.handler,
                                           secret=config.secret_token, path=path)
        self.poller = CommittedPoller(bot, self._feed, timeout=poll_timeout,
                                      allowed_updates=ALLOWED_UPDATES)
        self._available = app.router.available

    async def _feed(self, update: Update) -> asyncio.Future[None]:
        """Queue a polled update for handling; the future resolves once it has been handled."""
        done = self.handler.expect(update)
        await self.application.update_queue.put(update)
        return done

    async def start(self) -> None:
        """Log in (getMe), register the commands and start handling (no updates yet)."""
        warm_up()  # the text dictionaries, before the first member waits on them
        try:
            await self.application.initialize()
        except TelegramError:
            # PTB leaves a half-initialised bot: close its HTTP sessions here, or they leak.
            bot = self.application.bot
            for request in (bot.request, bot._request[0]):  # getUpdates' and the others'
                await request.shutdown()
            raise
        await self.register_commands()
        await self.application.start()

    async def take_updates(self) -> None:
        """Start polling, or tell Telegram where the webhook is (once it is listening)."""
        if self.webhook is None:
            if self.poller.running:
                return
            await self.application.bot.delete_webhook()  # getUpdates is refused while one is set
            self.poller.start()
            log.info("telegram: polling as @%s", self.application.bot.username)
        else:
            await self.application.bot.set_webhook(
                self.config.webhook_url or "", secret_token=self.config.secret_token,
                allowed_updates=ALLOWED_UPDATES)
            log.info("telegram: webhook at %s", self.webhook.path)

    async def stop_polling(self) -> None:
        """Stop getUpdates (another instance polls now); take_updates may start it again.
        Updates already fetched are still handled, and confirmed to Telegram once handled,
        so the next poller does not get them again."""
        if self.poller.running:
            await self.poller.stop()
            log.info("telegram: stopped polling")

    async def register_commands(self) -> None:
        """Commands in Chinese (the default) and English; /help and /bindgroup in groups;
        each bound officer's chat, the secretary words too.

        post_init would do this under run_polling(); with a manual start it is ours to call.
        """
        bot = self.application.bot
        default = self.locale if self.locale.startswith("zh") else "zh-Hans"
        await bot.set_my_commands(commands(default, self._available))
        await bot.set_my_commands(commands("en", self._available), language_code="en")
        await bot.set_my_commands(group_commands(default), scope=BotCommandScopeAllGroupChats())
        # one request per officer: in the background, so that updates are not kept waiting
        self._menus = asyncio.get_running_loop().create_task(self.menus.set_all())

    async def halt(self) -> None:
        """Stop taking updates and let those in flight finish (their replies go out)."""
        await self.poller.stop()
        if self.application.running:
            await self.application.stop()

    async def close(self) -> None:
        """Close the HTTP clients (after the outbox has stopped using them)."""
        await self.halt()
        self.nudge.cancel()
        if self._menus is not None:
            self._menus.cancel()
            await asyncio.gather(self._menus, return_exceptions=True)
        await self.application.shutdown()

def build_application(config: TelegramConfig, concurrency: int) -> AnyApplication:
    """The PTB Application: our base_url, our update processor, no JobQueue, no Updater
    (our poller or our webhook endpoint feeds the update queue)."""
    # Opt in to PTB's future time periods (timedelta): PTB itself reads RetryAfter.retry_after
    # while building the error and warns (deprecated int) unless this is set.
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    tls = _tls()  # one TLS context, not one per HTTP client (~80 ms each)
    proxy = env_proxy(config.base_url)
    builder = (ApplicationBuilder().token(config.token or "").base_url(config.base_url)
               .request(AiohttpRequest(POOL, ssl_context=tls, proxy=proxy))
               .get_updates_request(AiohttpRequest(1, ssl_context=tls, proxy=proxy))
               .concurrent_updates(PerChatProcessor(concurrency)).job_queue(None))
    if config.base_url.endswith("/bot"):
        builder = builder.base_file_url(config.base_url[: -len("/bot")] + "/file/bot")
    builder = builder.updater(None)  # polling is ours too (poller.py): PTB's confirms early
    application: AnyApplication = builder.build()
    return application


@functools.cache
def _tls() -> ssl.SSLContext:
    """Certifi's roots (httpx builds the context for us), built once on first use."""
    return httpx.create_ssl_context()
