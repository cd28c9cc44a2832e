"""The Official Account's custom menu (≤ 3 × 5): the main words, sent back as CLICK events."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import httpx

from bot.channels.wechat.api import ApiClient, TokenHolder, wechat_token_fetch
from bot.config import Config
from bot.core.clock import Clock
from bot.core.i18n import t
from bot.understanding import Intent, keyword
from handlers import INTENT_HANDLERS

__all__ = ["KEY_PREFIX", "MENU", "build_menu", "create_menu", "word_for"]

KEY_PREFIX = "ZHIBU_"
MENU: tuple[tuple[str, tuple[Intent, ...]], ...] = (
    ("wechat.menu.study", (Intent.CHECKIN, Intent.LEAVE, Intent.NEXT, Intent.MATERIAL)),
    ("wechat.menu.care", (Intent.DELIVERY, Intent.HOSPITAL, Intent.ME, Intent.HELP)),
    ("wechat.menu.secretary",
     (Intent.VISITS, Intent.ATTENDANCE, Intent.DELIVERIES, Intent.BROADCAST, Intent.REPORT)),
)


def build_menu(locale: str, available: Collection[str]) -> dict[str, Any]:
    """The menu/create payload, listing only words that work in this release."""
    buttons = []
    for title, intents in MENU:
        subs = [{"type": "click", "name": keyword(i), "key": KEY_PREFIX + i.value.upper()}
                for i in intents if i.value in available or i is Intent.HELP]
        if subs:
            buttons.append({"name": t(locale, title), "sub_button": subs[:5]})
    return {"button": buttons[:3]}


def word_for(event_key: str) -> str | None:
    """The word a CLICK stands for, as if typed (None for a key not from our menu)."""
    if not event_key.startswith(KEY_PREFIX):
        return None
    try:
        return keyword(Intent(event_key[len(KEY_PREFIX):].lower()))
    except (ValueError, KeyError):
        return None


async def create_menu(config: Config, clock: Clock,
                      transport: httpx.AsyncBaseTransport | None = None) -> dict[str, Any]:
    """Build the menu from the configuration and upload it (menu/create); the menu sent."""
    wc = config.wechat
    if not (wc.app_id and wc.app_secret):
        raise ValueError("[wechat] app_id and app_secret are needed to create the menu")
    menu = build_menu(config.locale, {str(i) for i in INTENT_HANDLERS})
    async with httpx.AsyncClient(transport=transport, timeout=10.0) as http:
        fetch = wechat_token_fetch(http, wc.api_base_url, wc.app_id, wc.app_secret)
        api = ApiClient(http, wc.api_base_url, TokenHolder(fetch, clock))
        await api.post("cgi-bin/menu/create", menu)
    return menu
