"""The callback endpoint: size, freshness and signature first, then decrypt, parse, answer."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from bot.channels.wechat.crypto import BadAppId, BadCiphertext, WechatCipher, sign, signature_ok
from bot.channels.wechat.xml import (
    MAX_BODY,
    BadXml,
    WechatInbound,
    guard,
    parse_envelope,
    parse_inbound,
    render_encrypted,
    render_text,
)
from bot.core.clock import Clock

log = logging.getLogger(__name__)

MAX_SKEW = 600  # seconds a callback's timestamp may be off our clock
Answer = Callable[[WechatInbound], Awaitable[str | None]]


class Refused(Exception):
    """A request answered with an HTTP error status and a one-word body."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class WechatWebhook:
    """GET: URL verification. POST: one callback, answered passively or with "success"."""

    def __init__(self, token: str, cipher: WechatCipher | None, clock: Clock,
                 answer: Answer) -> None:
        self.token = token
        self.cipher = cipher
        self.clock = clock
        self.answer = answer

    async def endpoint(self, request: Request) -> Response:
        """The Starlette endpoint: never a 500, never a trace."""
        try:
            if request.method == "GET":
                return self._verify_url(request)
            return await self._callback(request)
        except Refused as refused:
            log.info("wechat callback refused: %s %s", refused.status, refused.reason)
            return PlainTextResponse(refused.reason, status_code=refused.status)
        except Exception:  # boundary: WeChat must get an answer it accepts
            log.exception("wechat callback failed")
            return PlainTextResponse("success")

    def _verify_url(self, request: Request) -> Response:
        """Echo `echostr` when the signature over token, timestamp and nonce is ours."""
        q = request.query_params
        timestamp, nonce = self._fresh(request)
        if not signature_ok(q.get("signature"), self.token, timestamp, nonce):
            raise Refused(403, "forbidden")
        return PlainTextResponse(q.get("echostr", ""))

    async def _callback(self, request: Request) -> Response:
        timestamp, nonce = self._fresh(request)
        q = request.query_params
        encrypted = q.get("encrypt_type", "raw").lower() == "aes"
        if self.cipher is None:
            if encrypted or not signature_ok(q.get("signature"), self.token, timestamp, nonce):
                raise Refused(403, "forbidden")
            msg = _parse(guard_or_400(await _read_capped(request)))
            return _passive(msg, await self.answer(msg), self.clock)
        if not encrypted or not q.get("msg_signature"):
            raise Refused(403, "forbidden")  # with a key, bodies must be signed and sealed
        envelope = _envelope(guard_or_400(await _read_capped(request)))
        if not signature_ok(q.get("msg_signature"), self.token, timestamp, nonce, envelope):
            raise Refused(403, "forbidden")
        msg = _parse(guard_or_400(self._decrypt(envelope).encode()))
        return self._sealed(msg, await self.answer(msg), nonce)

    def _fresh(self, request: Request) -> tuple[str, str]:
        """(timestamp, nonce), refused when missing or more than 10 minutes off our clock."""
        timestamp = request.query_params.get("timestamp", "")
        nonce = request.query_params.get("nonce", "")
        if not timestamp.isdigit() or not nonce or len(timestamp) > 12:
            raise Refused(403, "forbidden")
        if abs(int(timestamp) - self.clock.now().timestamp()) > MAX_SKEW:
            raise Refused(403, "stale")
        return timestamp, nonce

    def _decrypt(self, envelope: str) -> str:
        assert self.cipher is not None
        try:
            return self.cipher.decrypt(envelope)
        except BadAppId:
            raise Refused(403, "forbidden") from None
        except BadCiphertext:
            raise Refused(400, "bad request") from None

    def _sealed(self, msg: WechatInbound, text: str | None, nonce: str) -> Response:
        """The passive reply, encrypted and signed (or "success" when there is none)."""
        if not text:
            return PlainTextResponse("success")
        assert self.cipher is not None
        now = int(self.clock.now().timestamp())
        encrypted = self.cipher.encrypt(render_text(msg.openid, msg.account, text, now))
        timestamp = str(now)
        signature = sign(self.token, timestamp, nonce, encrypted)
        return Response(render_encrypted(encrypted, signature, timestamp, nonce),
                        media_type="application/xml")


async def _read_capped(request: Request) -> bytes:
    """The body, refused with 413 as soon as it passes 64 KB (before any parsing)."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY):
        raise Refused(413 if declared.isdigit() else 400, "too large")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise Refused(413, "too large")
        chunks.append(chunk)
    return b"".join(chunks)


def guard_or_400(body: bytes) -> str:
    """The body as text, or 400 (DOCTYPE/ENTITY, not UTF-8)."""
    try:
        return guard(body)
    except BadXml:
        raise Refused(400, "bad request") from None


def _envelope(text: str) -> str:
    try:
        return parse_envelope(text)
    except BadXml:
        raise Refused(400, "bad request") from None


def _parse(text: str) -> WechatInbound:
    try:
        return parse_inbound(text)
    except BadXml:
        raise Refused(400, "bad request") from None


def _passive(msg: WechatInbound, text: str | None, clock: Clock) -> Response:
    """A plaintext passive reply (or "success")."""
    if not text:
        return PlainTextResponse("success")
    now = int(clock.now().timestamp())
    return Response(render_text(msg.openid, msg.account, text, now),
                    media_type="application/xml")
