"""The Telegram webhook endpoint: secret token checked in constant time, one effect per update.

Telegram POSTs each update with the X-Telegram-Bot-Api-Secret-Token header set at setWebhook.
A wrong or missing token gets 403 and nothing else (the token is never logged). An update is
answered 200 only after it has been handled, so nothing is acknowledged before it is
recorded; an update id seen before (Telegram retried) is acknowledged without a second pass.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections import OrderedDict
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from telegram import Bot, Update

from bot.channels.telegram.inbound import UpdateHandler

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1 << 20  # an update is a few kilobytes; refuse anything silly
REMEMBERED = 10_000  # update ids kept to drop redeliveries without touching the database


class TelegramWebhook:
    """POST /PATH: verify, parse, hand the update to the application, answer when handled."""

    def __init__(self, bot: Bot, queue: asyncio.Queue[Any], handler: UpdateHandler, *,
                 secret: str, path: str, wait: float = 30.0) -> None:
        self.bot = bot
        self.queue = queue
        self.handler = handler
        self._secret = secret.encode()
        self.path = path
        self.wait = wait
        self._seen: OrderedDict[int, None] = OrderedDict()

    @property
    def route(self) -> Route:
        """Mount this in the runtime's Starlette app (beside the WeChat callback)."""
        return Route(self.path, self.endpoint, methods=["POST"])

    async def endpoint(self, request: Request) -> Response:
        """The Starlette endpoint."""
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            log.warning("telegram webhook: wrong or missing secret token")
            return Response(status_code=403)
        body = await request.body()
        update = self._parse(body) if len(body) <= MAX_BODY else None
        if update is None:
            return Response(status_code=400)
        if update.update_id in self._seen:
            return Response(status_code=200)
        self._remember(update.update_id)
        done = self.handler.expect(update.update_id)
        await self.queue.put(update)
        try:
            await asyncio.wait_for(asyncio.shield(done), timeout=self.wait)
        except TimeoutError:
            log.warning("telegram webhook: update %s still in progress", update.update_id)
        return Response(status_code=200)

    def _parse(self, body: bytes) -> Update | None:
        try:
            data = json.loads(body)
            return Update.de_json(data, self.bot) if isinstance(data, dict) else None
        except (ValueError, KeyError, TypeError):
            return None

    def _remember(self, update_id: int) -> None:
        self._seen[update_id] = None
        while len(self._seen) > REMEMBERED:
            self._seen.popitem(last=False)
