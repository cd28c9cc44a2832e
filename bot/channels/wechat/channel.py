"""The WeChat channel, assembled: webhook routes, the outbox senders, start and stop.

    channel = WechatChannel(app, config, clock)
    routes = channel.routes            # mount in the runtime's Starlette app, or
    asgi = channel.asgi()              # serve on config.wechat.listen
    dispatcher.senders.update(channel.senders)   # "wechat" (and "wecom" when configured)
    await channel.start(); ...; await channel.stop()

Modules beside this one: crypto (signatures, AES), xml (guarded parsing, replies), webhook
(HTTP), inbox (dedupe, deadline), api (tokens, HTTP API), render (replies as text), sender
(48 h window, templates), wecom (企业微信), menu.
"""

from __future__ import annotations

import logging

import httpx
from starlette.applications import Starlette
from starlette.routing import Route

from bot.app import App
from bot.channels.wechat.api import (
    ApiClient,
    TokenHolder,
    wechat_token_fetch,
    wecom_token_fetch,
)
from bot.channels.wechat.crypto import WechatCipher
from bot.channels.wechat.inbox import BUDGET, WechatInbox
from bot.channels.wechat.sender import WechatSender
from bot.channels.wechat.webhook import WechatWebhook
from bot.channels.wechat.wecom import WecomSender
from bot.config import Config, WechatConfig, WecomConfig
from bot.core.clock import Clock
from bot.outbox import Sender
from bot.understanding import warm_up
from storage import Store

log = logging.getLogger(__name__)

HTTP_TIMEOUT = 10.0


class WechatChannel:
    """An Official Account (and, when configured, a WeCom app) wired to the core."""

    def __init__(self, app: App, config: Config, clock: Clock, *,
                 transport: httpx.AsyncBaseTransport | None = None,
                 budget: float = BUDGET) -> None:
        wc = config.wechat
        if not wc.token:
            raise ValueError("[wechat] token is required for the callback")
        if wc.encoding_aes_key and not wc.app_id:
            raise ValueError("[wechat] app_id is required in safe mode")
        self.config = wc
        self.http = httpx.AsyncClient(transport=transport, timeout=HTTP_TIMEOUT)
        self.api = wechat_api(self.http, wc, clock, app.store)
        self.wecom = wecom_sender(self.http, config.wecom, clock, config.locale, app.store)
        self.sender = WechatSender(
            app.store, clock, self.api, template_id=wc.reminder_template_id,
            rate_limit=wc.rate_limit, tz=config.timezone, locale=config.locale,
            wecom=self.wecom,
        )
        self.inbox = WechatInbox(app.router, app.store, clock, self.sender,
                                 locale=config.locale, budget=budget)
        cipher = WechatCipher(wc.encoding_aes_key, wc.app_id or "") if wc.encoding_aes_key \
            else None
        self.webhook = WechatWebhook(wc.token, cipher, clock, self.inbox.answer)
        self.routes = [Route(wc.path, self.webhook.endpoint, methods=["GET", "POST"])]

    @property
    def senders(self) -> dict[str, Sender]:
        """The outbox senders this channel brings: "wechat", and "wecom" when configured."""
        senders: dict[str, Sender] = {"wechat": self.sender}
        if self.wecom is not None:
            senders["wecom"] = self.wecom
        return senders

    def asgi(self) -> Starlette:
        """A Starlette app serving only the callback (for its own listener)."""
        return Starlette(routes=list(self.routes))

    async def start(self) -> None:
        """Warm what the first message would otherwise pay for (the text dictionaries)."""
        warm_up()
        log.info("wechat callback at %s (%s mode)", self.config.path,
                 "safe" if self.config.safe_mode else "plaintext")

    async def stop(self) -> None:
        """Finish or cancel background pushes, then close the HTTP client."""
        await self.inbox.close()
        await self.http.aclose()

    async def __aenter__(self) -> WechatChannel:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()


def wechat_api(http: httpx.AsyncClient, wc: WechatConfig, clock: Clock,
               store: Store | None = None) -> ApiClient | None:
    """The Official Account API client (None without app_id and app_secret). With a store,
    the access_token is shared with every instance on it: each fetch revokes the last one."""
    if not (wc.app_id and wc.app_secret):
        return None
    fetch = wechat_token_fetch(http, wc.api_base_url, wc.app_id, wc.app_secret)
    tokens = TokenHolder(fetch, clock, store=store,
                         name=f"wechat:{wc.app_id}" if store is not None else None)
    return ApiClient(http, wc.api_base_url, tokens)


def wecom_sender(http: httpx.AsyncClient, wc: WecomConfig, clock: Clock,
                 locale: str, store: Store | None = None) -> WecomSender | None:
    """The WeCom sender (None unless corp_id, secret and agent_id are set); its token shared
    like the Official Account's."""
    if not (wc.enabled and wc.corp_id and wc.secret and wc.agent_id):
        return None
    fetch = wecom_token_fetch(http, wc.api_base_url, wc.corp_id, wc.secret)
    name = f"wecom:{wc.corp_id}:{wc.agent_id}" if store is not None else None
    return WecomSender(ApiClient(http, wc.api_base_url,
                                 TokenHolder(fetch, clock, store=store, name=name)),
                       wc.agent_id, locale)
