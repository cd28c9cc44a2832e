"""A fake WeChat / WeCom HTTP API, WeChat's side of a callback, and a rig running both."""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import secrets
import struct
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import httpx
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.channels.wechat.channel import WechatChannel
from bot.config import Config, DatabaseConfig, WechatConfig, WecomConfig
from tests.conftest import Zhibu, count_rows

# Tencent's own sample (WXBizMsgCrypt Sample.py), quoted in shared/PLATFORMS.md.
SAMPLE_TOKEN = "spamtest"
SAMPLE_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
SAMPLE_APP_ID = "wx2c2769f8efd9abc2"
SAMPLE_TIMESTAMP = "1409735669"
SAMPLE_NONCE = "1320562132"
SAMPLE_MSG_SIGNATURE = "5d197aaffba7e9b25a30732f161a50dee96bd5fa"
SAMPLE_ENCRYPT = (
    "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PG"
    "HQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6"
    "tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp"
    "3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhv"
    "Ql+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE="
)
ACCOUNT = "gh_10f6c3c3ac5a"


def signature(*parts: str) -> str:
    """WeChat's sha1 over the sorted parts."""
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


@dataclass
class WechatServer:
    """What WeChat's servers send to a callback URL, written independently of zhibu's code."""

    token: str = SAMPLE_TOKEN
    aes_key: str | None = SAMPLE_AES_KEY
    app_id: str = SAMPLE_APP_ID
    _nonces: itertools.count[int] = field(default_factory=lambda: itertools.count(1000))

    @property
    def key(self) -> bytes:
        """The AES key."""
        assert self.aes_key is not None
        return base64.b64decode(self.aes_key + "=")

    def encrypt(self, xml: str, app_id: str | None = None) -> str:
        """Random(16) ‖ length ‖ xml ‖ appid, PKCS#7 to 32 bytes, AES-256-CBC, base64."""
        raw = xml.encode()
        plain = secrets.token_bytes(16) + struct.pack(">I", len(raw)) + raw
        plain += (app_id or self.app_id).encode()
        pad = 32 - len(plain) % 32
        plain += bytes([pad]) * pad
        enc = Cipher(algorithms.AES(self.key), modes.CBC(self.key[:16])).encryptor()
        return base64.b64encode(enc.update(plain) + enc.finalize()).decode()

    def decrypt(self, encrypted: str) -> str:
        """The XML inside an Encrypt value (the appid tail checked)."""
        dec = Cipher(algorithms.AES(self.key), modes.CBC(self.key[:16])).decryptor()
        plain = dec.update(base64.b64decode(encrypted)) + dec.finalize()
        plain = plain[: -plain[-1]]
        length = struct.unpack(">I", plain[16:20])[0]
        assert plain[20 + length:].decode() == self.app_id
        return plain[20:20 + length].decode()

    def query(self, timestamp: int, *, encrypted: str | None = None) -> dict[str, str]:
        """The query string WeChat puts on a callback (safe mode when `encrypted` is given)."""
        ts, nonce = str(timestamp), str(next(self._nonces))
        q = {"signature": signature(self.token, ts, nonce), "timestamp": ts, "nonce": nonce,
             "openid": "o"}
        if encrypted is not None:
            q |= {"encrypt_type": "aes",
                  "msg_signature": signature(self.token, ts, nonce, encrypted)}
        return q

    def sealed(self, xml: str, timestamp: int,
               app_id: str | None = None) -> tuple[dict[str, str], bytes]:
        """(query, body) of a safe-mode callback carrying `xml`."""
        encrypted = self.encrypt(xml, app_id)
        body = (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
                f"<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>")
        return self.query(timestamp, encrypted=encrypted), body.encode()

    def open_reply(self, body: str) -> dict[str, str]:
        """A passive reply's fields: decrypted and its signature checked in safe mode."""
        fields = _fields(body)
        if "Encrypt" in fields:
            expected = signature(self.token, fields["TimeStamp"], fields["Nonce"],
                                 fields["Encrypt"])
            assert fields["MsgSignature"] == expected, "reply signature does not verify"
            fields = _fields(self.decrypt(fields["Encrypt"]))
        return fields


def text_xml(openid: str, content: str, msg_id: int | str, create_time: int = 1) -> str:
    """A text message as WeChat posts it."""
    return (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
            f"<FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>{create_time}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId></xml>")


def voice_xml(openid: str, recognition: str | None, msg_id: int) -> str:
    """A voice message, with speech recognition text when given."""
    extra = "" if recognition is None else f"<Recognition><![CDATA[{recognition}]]></Recognition>"
    return (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
            f"<FromUserName><![CDATA[{openid}]]></FromUserName><CreateTime>2</CreateTime>"
            f"<MsgType><![CDATA[voice]]></MsgType><MediaId><![CDATA[m]]></MediaId>"
            f"<Format><![CDATA[amr]]></Format>{extra}<MsgId>{msg_id}</MsgId></xml>")


def image_xml(openid: str, msg_id: int) -> str:
    """A picture message."""
    return (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
            f"<FromUserName><![CDATA[{openid}]]></FromUserName><CreateTime>3</CreateTime>"
            f"<MsgType><![CDATA[image]]></MsgType><PicUrl><![CDATA[http://x/y.jpg]]></PicUrl>"
            f"<MediaId><![CDATA[m]]></MediaId><MsgId>{msg_id}</MsgId></xml>")


def event_xml(openid: str, event: str, key: str = "", create_time: int = 4) -> str:
    """An event (subscribe, unsubscribe, CLICK, …): no MsgId."""
    return (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
            f"<FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>{create_time}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
            f"<Event><![CDATA[{event}]]></Event><EventKey><![CDATA[{key}]]></EventKey></xml>")


def _fields(xml: str) -> dict[str, str]:
    root = ElementTree.fromstring(xml)
    return {child.tag: child.text or "" for child in root}


@dataclass
class FakeWechatApi:
    """The Official Account and WeCom APIs as far as zhibu uses them; records every call."""

    closed_windows: set[str] = field(default_factory=set)  # openids: custom send gives 45015
    unfollowed: set[str] = field(default_factory=set)  # openids: 43004
    unknown_wecom_users: set[str] = field(default_factory=set)
    custom: list[dict[str, Any]] = field(default_factory=list)
    templates: list[dict[str, Any]] = field(default_factory=list)
    menus: list[dict[str, Any]] = field(default_factory=list)
    uploads: list[str] = field(default_factory=list)
    wecom: list[dict[str, Any]] = field(default_factory=list)
    token_requests: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[tuple[str, int]] = field(default_factory=list)
    _valid: set[str] = field(default_factory=set)
    _serial: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def expire_tokens(self) -> None:
        """Every token handed out so far now gets 40001 (as when another process refreshed)."""
        self._valid.clear()

    def transport(self) -> httpx.ASGITransport:
        """An httpx transport that serves this fake in-process."""
        return httpx.ASGITransport(app=self.app())

    def texts_to(self, openid: str) -> list[str]:
        """Customer-service texts sent to one follower."""
        return [m["text"]["content"] for m in self.custom
                if m["touser"] == openid and m["msgtype"] == "text"]

    def app(self) -> Starlette:
        """The fake's routes."""
        return Starlette(routes=[
            Route("/cgi-bin/stable_token", self._stable_token, methods=["POST"]),
            Route("/cgi-bin/gettoken", self._gettoken, methods=["GET"]),
            Route("/cgi-bin/message/custom/send", self._custom, methods=["POST"]),
            Route("/cgi-bin/message/template/send", self._template, methods=["POST"]),
            Route("/cgi-bin/menu/create", self._menu, methods=["POST"]),
            Route("/cgi-bin/media/upload", self._upload, methods=["POST"]),
            Route("/cgi-bin/message/send", self._wecom_send, methods=["POST"]),
        ])

    def _issue(self, prefix: str) -> JSONResponse:
        token = f"{prefix}{next(self._serial)}"
        self._valid.add(token)
        return JSONResponse({"access_token": token, "expires_in": 7200})

    async def _stable_token(self, request: Request) -> JSONResponse:
        self.token_requests.append(await request.json())
        return self._issue("TOKEN-")

    async def _gettoken(self, request: Request) -> JSONResponse:
        self.token_requests.append(dict(request.query_params))
        return self._issue("WECOM-")

    def _check(self, request: Request) -> JSONResponse | None:
        token = request.query_params.get("access_token", "")
        if token in self._valid:
            return None
        self.rejected.append((request.url.path, 40001))
        return JSONResponse({"errcode": 40001, "errmsg": "invalid credential"})

    async def _custom(self, request: Request) -> JSONResponse:
        if (refused := self._check(request)) is not None:
            return refused
        body = json.loads(await request.body())
        if body["touser"] in self.unfollowed:
            return JSONResponse({"errcode": 43004, "errmsg": "require subscribe"})
        if body["touser"] in self.closed_windows:
            return JSONResponse({"errcode": 45015, "errmsg": "response out of time limit"})
        self.custom.append(body)
        return JSONResponse({"errcode": 0, "errmsg": "ok"})

    async def _template(self, request: Request) -> JSONResponse:
        if (refused := self._check(request)) is not None:
            return refused
        self.templates.append(json.loads(await request.body()))
        return JSONResponse({"errcode": 0, "errmsg": "ok", "msgid": 200228332})

    async def _menu(self, request: Request) -> JSONResponse:
        if (refused := self._check(request)) is not None:
            return refused
        self.menus.append(json.loads(await request.body()))
        return JSONResponse({"errcode": 0, "errmsg": "ok"})

    async def _upload(self, request: Request) -> JSONResponse:
        if (refused := self._check(request)) is not None:
            return refused
        form = await request.form()
        media = form["media"]
        self.uploads.append(getattr(media, "filename", ""))
        await form.close()
        return JSONResponse({"type": request.query_params.get("type"), "media_id": "MEDIA1"})

    async def _wecom_send(self, request: Request) -> JSONResponse:
        if (refused := self._check(request)) is not None:
            return refused
        body = json.loads(await request.body())
        if body["touser"] in self.unknown_wecom_users:
            return JSONResponse({"errcode": 0, "errmsg": "ok", "invaliduser": body["touser"]})
        self.wecom.append(body)
        return JSONResponse({"errcode": 0, "errmsg": "ok", "msgid": f"W{len(self.wecom)}"})


# --------------------------------------------------------------------------- the rig

API = "http://api.weixin.test/"
WECOM_API = "http://qyapi.weixin.test/"


def wechat_config(db: Path, *, safe: bool = True, template: str | None = None,
                  wecom: bool = False) -> Config:
    """The demo database with an Official Account (Tencent's sample ids) and maybe WeCom."""
    server = WechatServer()
    wc = WechatConfig(app_id=server.app_id, app_secret="app-secret", token=server.token,
                      encoding_aes_key=server.aes_key if safe else None, api_base_url=API,
                      reminder_template_id=template)
    co = WecomConfig(corp_id="ww1", secret="s", agent_id="1000002", api_base_url=WECOM_API)
    return Config(database=DatabaseConfig(url=f"sqlite:///{db}"), wechat=wc,
                  wecom=co if wecom else WecomConfig())


MEMBER = "oWangXiuying"  # the follower the `rig` fixture binds to 王秀英


@dataclass
class Rig:
    """The webhook over in-process ASGI, its outbound API pointed at a fake."""

    zhibu: Zhibu
    channel: WechatChannel
    client: httpx.AsyncClient
    api: FakeWechatApi
    server: WechatServer
    path: str = "/wechat"
    _ids: list[int] = field(default_factory=lambda: [5_000_000_000])

    @property
    def now(self) -> int:
        """The fake clock as a callback timestamp."""
        return int(self.zhibu.clock.now().timestamp())

    def msg_id(self) -> int:
        """A fresh MsgId."""
        self._ids[0] += 1
        return self._ids[0]

    async def post(self, xml: str, *, app_id: str | None = None) -> httpx.Response:
        """Deliver a callback as WeChat does (safe mode when the rig has a key)."""
        if self.server.aes_key is None:
            return await self.client.post(self.path, params=self.server.query(self.now),
                                          content=xml.encode())
        query, body = self.server.sealed(xml, self.now, app_id)
        return await self.client.post(self.path, params=query, content=body)

    async def reply(self, xml: str) -> str:
        """The Content of the passive reply to a callback ("" for "success")."""
        response = await self.post(xml)
        assert response.status_code == 200, response.text
        if response.text == "success":
            return ""
        return self.server.open_reply(response.text)["Content"]

    async def count(self, table: str) -> int:
        """Rows in a table (check_ins, leave_requests, outbox...)."""
        return await count_rows(self.zhibu.app.store, table)

    async def bind(self, openid: str, name: str) -> int:
        """Bind a follower to a demo member (as typing their code would); the member id."""
        async with self.zhibu.app.store.transaction() as tx:
            [member] = await tx.find_members_by_name(name)
            await tx.bind("wechat", openid, member.id, None, self.zhibu.clock.now())
        return member.id


@asynccontextmanager
async def open_rig(zhibu: Zhibu, *, safe: bool = True, template: str | None = None,
                   wecom: bool = False, budget: float = 2.5) -> AsyncIterator[Rig]:
    """A running channel on the zhibu fixture's database; everything closed afterwards."""
    config = wechat_config(zhibu.path, safe=safe, template=template, wecom=wecom)
    api = FakeWechatApi()
    channel = WechatChannel(zhibu.app, config, zhibu.clock, transport=api.transport(),
                            budget=budget)
    zhibu.app.dispatcher.senders.update(channel.senders)
    server = WechatServer() if safe else replace(WechatServer(), aes_key=None)
    transport = httpx.ASGITransport(app=channel.asgi())
    async with channel, httpx.AsyncClient(transport=transport,
                                          base_url="http://zhibu.test") as client:
        yield Rig(zhibu, channel, client, api, server)
