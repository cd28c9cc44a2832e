"""The Telegram webhook endpoint: secret token checked in constant time, one effect per update.

Telegram POSTs each update with the X-Telegram-Bot-Api-Secret-Token header set at setWebhook.
What comes in is checked in webhook_input: a wrong or missing token gets 403 and nothing else
(the token is never logged; the refusals at most one line a minute), an oversized body 413 and
a malformed update 400 with one log line. An update is answered 200 only after it has been
handled (its unit of work committed), so nothing is acknowledged before it is recorded. A copy
of an update still in progress (Telegram retried) waits for the same handling and is answered
with it; a copy of one handled here is answered 200 at once; one unknown here (handled before
a restart) goes through the router again, whose dedupe gives it its first answer and no second
effect. An update still in progress after `wait` seconds is answered 503, never 200: if zhibu
died then, Telegram must send it again.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from telegram import Bot

from bot.channels.telegram.inbound import UpdateHandler
from bot.channels.telegram.keys import update_key
from bot.channels.telegram.webhook_input import Refused, WebhookInput

log = logging.getLogger(__name__)

REMEMBERED = 10_000  # handled updates kept to answer a copy without touching the database


class TelegramWebhook:
    """POST /PATH: verify, parse, hand the update to the application, answer when handled."""

    def __init__(self, bot: Bot, queue: asyncio.Queue[Any], handler: UpdateHandler, *,
                 secret: str, path: str, wait: float = 30.0) -> None:
        self.bot = bot
        self.queue = queue
        self.handler = handler
        self.input = WebhookInput(bot, secret=secret)
        self.path = path
        self.wait = wait
        self._in_progress: dict[str, asyncio.Future[None]] = {}  # by update_key
        self._handled: OrderedDict[str, None] = OrderedDict()  # committed, most recent last

    @property
    def route(self) -> Route:
        """Mount this in the runtime's Starlette app (beside the WeChat callback)."""
        return Route(self.path, self.endpoint, methods=["POST"])

    async def endpoint(self, request: Request) -> Response:
        """The Starlette endpoint."""
        try:
            update = await self.input.read(request)
        except Refused as refused:
            return Response(status_code=refused.status)
        key = update_key(update)
        if key is None:
            return Response(status_code=400)
        if key in self._handled:
            return Response(status_code=200)
        done = self._in_progress.get(key)
        if done is None:  # a copy of an update in progress waits for the same future
            done = self._in_progress[key] = self.handler.expect(update)
            done.add_done_callback(lambda _: self._finished(key))
            await self.queue.put(update)
        try:
            await asyncio.wait_for(asyncio.shield(done), timeout=self.wait)
        except TimeoutError:  # not 200: were zhibu to die now, Telegram must send it again
            log.warning("telegram webhook: update %s still in progress after %s s: 503",
                        update.update_id, self.wait)
            return Response(status_code=503, headers={"Retry-After": "5"})
        return Response(status_code=200)

    def _finished(self, key: str) -> None:
        """Handled: committed, so a copy from now on is answered 200 at once."""
        self._in_progress.pop(key, None)
        self._handled[key] = None
        while len(self._handled) > REMEMBERED:
            self._handled.popitem(last=False)
