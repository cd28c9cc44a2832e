"""WeCom (企业微信) application: alerts to secretaries by message/send, no 48 h window."""

from __future__ import annotations

import asyncio
import collections
import logging

from bot.channels.wechat.api import ApiClient, WechatApiError
from bot.channels.wechat.render import render_push, split_bytes
from bot.core.i18n import t
from bot.outbox import SendError

log = logging.getLogger(__name__)

CHANNEL = "wecom"
PER_USER_PER_MINUTE = 30  # WeCom silently drops the excess: hold it back instead
_UNKNOWN_USER = frozenset({60111, 81013, 40003})


class WecomSender:
    """Pushes text to a WeCom userid through the configured application."""

    channel = CHANNEL

    def __init__(self, api: ApiClient, agent_id: str, locale: str) -> None:
        self.api = api
        self.agent_id = int(agent_id)
        self.locale = locale
        self._recent: dict[str, collections.deque[float]] = {}

    async def send(
        self, external_id: str, text: str, buttons: list[dict[str, str]]
    ) -> str | None:
        """Send as text (replies are words to type in the assistant); SendError on failure."""
        self._pace(external_id)
        msgid = None
        for part in split_bytes(render_push(text, buttons, self.locale)):
            msgid = await self._send_text(external_id, part)
        return msgid

    async def edit(
        self, external_id: str, platform_ref: str, text: str, buttons: list[dict[str, str]]
    ) -> None:
        """WeCom cannot rewrite a sent text: the update goes out as a new message."""
        await self.send(external_id, text, buttons)

    async def _send_text(self, userid: str, content: str) -> str | None:
        payload = {"touser": userid, "msgtype": "text", "agentid": self.agent_id,
                   "text": {"content": content}}
        try:
            answer = await self.api.post("cgi-bin/message/send", payload)
        except WechatApiError as err:
            if err.code in _UNKNOWN_USER:
                raise SendError(t(self.locale, "wecom.why.unknown_user"),
                                unreachable=True) from None
            raise SendError(t(self.locale, "wecom.why.busy", code=err.code),
                            retry_after=60.0 if err.code == 45009 else None) from None
        if answer.get("invaliduser"):
            raise SendError(t(self.locale, "wecom.why.unknown_user"), unreachable=True)
        msgid = answer.get("msgid")
        return str(msgid) if msgid else None

    def _pace(self, userid: str) -> None:
        """At most 30 messages a minute to one person; beyond that, try again later."""
        now = asyncio.get_running_loop().time()
        recent = self._recent.setdefault(userid, collections.deque())
        while recent and now - recent[0] >= 60:
            recent.popleft()
        if len(recent) >= PER_USER_PER_MINUTE:
            raise SendError("wecom: 30 messages a minute to one person",
                            retry_after=60 - (now - recent[0]))
        recent.append(now)
