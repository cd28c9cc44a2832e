"""Pushes to an Official Account follower: customer service in the 48 h window, else a template."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from aiolimiter import AsyncLimiter

from bot.channels.wechat.api import ApiClient, WechatApiError
from bot.channels.wechat.render import render_push, split_bytes
from bot.channels.wechat.wecom import WecomSender
from bot.core.clock import Clock
from bot.core.i18n import t
from bot.outbox import SendError
from storage import Store
from storage.repo_wechat import PushTarget

log = logging.getLogger(__name__)

CHANNEL = "wechat"
WINDOW = timedelta(hours=48)
WINDOW_CODES = frozenset({45015, 45047})  # outside the 48 h window / too many unanswered
NOT_REACHABLE = {43004: "wechat.why.unsubscribed", 40003: "wechat.why.unknown",
                 43019: "wechat.why.blocked", 43101: "wechat.why.refused",
                 40037: "wechat.why.template"}
UNREACHABLE = frozenset({43004, 40003})  # unfollowed (until they follow again) / no such id
RETRY_AFTER = {45009: 3600.0, 45011: 2.0, -1: 5.0}
TEMPLATE_FIELD = 20  # characters a template keyword shows


class WechatSender:
    """The outbox's way to reach a WeChat follower, or to say why it could not."""

    channel = CHANNEL

    def __init__(self, store: Store, clock: Clock, api: ApiClient | None, *,
                 template_id: str | None, rate_limit: float, tz: ZoneInfo, locale: str,
                 wecom: WecomSender | None = None) -> None:
        self.store = store
        self.clock = clock
        self.api = api
        self.template_id = template_id
        self.tz = tz
        self.locale = locale
        self.wecom = wecom
        self.limiter = AsyncLimiter(rate_limit, 1.0)

    async def send(
        self, external_id: str, text: str, buttons: list[dict[str, str]]
    ) -> str | None:
        """Deliver one outbox row; SendError says why not (the dispatcher tells the secretary)."""
        async with self.store.transaction() as tx:
            target = await tx.push_target(CHANNEL, external_id)
        if target is None:
            raise SendError("wechat: account is not bound", permanent=True)
        if self.wecom is not None and target.wecom_userid:
            return await self.wecom.send(target.wecom_userid, text, buttons)
        if target.unreachable_at is not None:
            raise SendError(self._reason("wechat.why.unsubscribed"), unreachable=True)
        async with self.limiter:
            return await self._deliver(target, render_push(text, buttons, self.locale))

    async def edit(
        self, external_id: str, platform_ref: str, text: str, buttons: list[dict[str, str]]
    ) -> None:
        """WeChat cannot rewrite a sent message: the update goes out as a new one."""
        await self.send(external_id, text, buttons)

    async def custom_text(self, openid: str, text: str) -> None:
        """A customer-service text (split at WeChat's size limit); WechatApiError on failure."""
        for part in split_bytes(text):
            await self._api().post("cgi-bin/message/custom/send", {
                "touser": openid, "msgtype": "text", "text": {"content": part}})

    async def custom_image(self, openid: str, path: str) -> None:
        """Upload a picture as temporary media and send it as a customer-service image."""
        data = await asyncio.to_thread(Path(path).read_bytes)
        media = await self._api().upload("cgi-bin/media/upload", Path(path).name, data, "image")
        await self._api().post("cgi-bin/message/custom/send", {
            "touser": openid, "msgtype": "image", "image": {"media_id": media["media_id"]}})

    def _api(self) -> ApiClient:
        if self.api is None:
            raise SendError("wechat: app_secret is not configured", permanent=True)
        return self.api

    async def _deliver(self, target: PushTarget, body: str) -> str | None:
        code: int | None = None
        if self.clock.now() - target.last_seen_at < WINDOW:
            try:
                await self.custom_text(target.external_id, body)
                return None
            except WechatApiError as err:
                if err.code not in WINDOW_CODES:
                    raise self._failure(err) from None
                code = err.code
        if not self.template_id:
            raise SendError(self._reason("wechat.why.window", code), permanent=True)
        try:
            return await self._template(target, body)
        except WechatApiError as err:
            raise self._failure(err) from None

    async def _template(self, target: PushTarget, body: str) -> str | None:
        """A template message: the first words as the keyword, the rest as the remark."""
        summary = _clip(body.split("\n", 1)[0], TEMPLATE_FIELD)
        when = self.clock.now().astimezone(self.tz).strftime("%Y-%m-%d %H:%M")
        remark = t(self.locale, "wechat.template.remark")
        fields = {"first": body, "keyword1": summary, "keyword2": when, "remark": remark,
                  "thing1": summary, "time2": when}
        answer = await self._api().post("cgi-bin/message/template/send", {
            "touser": target.external_id, "template_id": self.template_id,
            "data": {name: {"value": value} for name, value in fields.items()}})
        msgid = answer.get("msgid")
        return str(msgid) if msgid else None

    def _failure(self, err: WechatApiError) -> SendError:
        """The SendError for an API error: final when the follower cannot be reached."""
        why = NOT_REACHABLE.get(err.code)
        if why is None:
            return SendError(f"wechat {err.code}: {err.message}".strip(),
                             retry_after=RETRY_AFTER.get(err.code))
        return SendError(self._reason(why, err.code), permanent=True,
                         unreachable=err.code in UNREACHABLE)

    def _reason(self, why: str, code: int | None = None) -> str:
        """Why a push failed, as the secretary reads it (and the row keeps it)."""
        text = t(self.locale, why)
        return text if code is None else t(self.locale, "wechat.failed", why=text, code=code)


def _clip(text: str, size: int) -> str:
    """At most `size` characters, with an ellipsis when cut."""
    return text if len(text) <= size else text[: size - 1] + "…"
