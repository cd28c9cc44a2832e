"""A fake Telegram Bot API server on loopback: what the real PTB Application talks to in tests.

    async with FakeBotApi() as api:           # starlette + uvicorn on 127.0.0.1, a free port
        config = TelegramConfig(token=api.token, base_url=api.base_url)
        uid = api.message(1001, "签到")        # an update, long-polled by getUpdates
        [call] = await api.wait_sent(1001)    # what the bot sent, waited for without sleeping

It answers getMe, getUpdates (long poll, offsets confirm: `confirmed_below`), deleteWebhook,
setWebhook, setMyCommands, sendMessage, editMessageText, editMessageReplyMarkup,
answerCallbackQuery, sendDocument and sendPhoto (multipart). Failures can be scripted per
call (429 with retry_after, 500, 403, a migrated group), every call can be slowed down
(`latency`) and sends can be capped per second (`rate_limit`: 429 beyond, counted in
`too_many`). When a webhook is set, injected updates are POSTed to it with the secret token
instead of being polled (again until answered 200 with `redeliver`, at most `max_connections`
at once, like Telegram).
`serve_in_subprocess` runs it in its own process with a small JSON control API (the bench).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import socket
import time
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.app import build_app
from bot.config import Config, DatabaseConfig, TelegramConfig
from bot.core.clock import FakeClock
from bot.demo import seed
from bot.outbox import DispatchResult
from bot.run import Runtime
from storage import SqliteStore
from storage.models import OutboxRow
from tests.conftest import STUDY_DAY_MORNING, count_rows

TOKEN = "123456:TEST-fake-token"
BOT_ID = 123456
SENDS = frozenset({"sendMessage", "sendDocument", "sendPhoto"})
_JSON_FIELDS = frozenset({"reply_markup", "commands", "scope", "allowed_updates", "entities",
                          "link_preview_options", "reply_parameters"})
_INT_FIELDS = frozenset({"chat_id", "message_id", "offset", "limit", "timeout"})


@dataclass
class Call:
    """One request the bot made."""

    method: str
    params: dict[str, Any]
    at: float
    status: int = 200
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    result: Any = None

    @property
    def chat_id(self) -> int | None:
        """The chat the request was about, if any."""
        value = self.params.get("chat_id")
        return int(value) if value is not None else None

    @property
    def text(self) -> str:
        """The text sent or written."""
        return str(self.params.get("text", ""))

    @property
    def markup(self) -> dict[str, Any]:
        """The reply_markup sent (empty when none)."""
        markup = self.params.get("reply_markup")
        return markup if isinstance(markup, dict) else {}

    @property
    def inline(self) -> list[tuple[str, str]]:
        """(label, callback data) of every inline button."""
        rows = self.markup.get("inline_keyboard", [])
        return [(b["text"], b.get("callback_data", "")) for row in rows for b in row]


@dataclass
class Failure:
    """A scripted error for the next matching call(s); times=None: every time."""

    method: str
    status: int
    description: str
    retry_after: int | None = None
    migrate_to: int | None = None
    chat_id: int | None = None
    times: int | None = 1


class FakeBotApi:
    """The Bot API as a test double: inject updates, read what the bot did."""

    token = TOKEN

    def __init__(self, *, latency: float = 0.0, rate_limit: int | None = None,
                 redeliver: float | None = None, max_connections: int = 40) -> None:
        self.latency = latency
        self.rate_limit = rate_limit
        # Like Telegram: getUpdates with offset N confirms (and drops) every update below N;
        # `confirmed_below` is the highest such N so far. A webhook update is confirmed by a
        # 200; with `redeliver` (seconds between tries) any other answer, or none (the bot
        # died), has it POSTed again, at most `max_connections` at once.
        self.confirmed_below = 0
        self.redeliver = redeliver
        self.acknowledged: set[int] = set()  # webhook updates answered 200
        self._connections = asyncio.Semaphore(max_connections)
        self.calls: list[Call] = []
        self.failures: list[Failure] = []
        self.too_many = 0
        self.webhook: tuple[str, str | None] | None = None
        self.webhook_statuses: list[int] = []
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.latencies: list[float] = []
        self.last_reply = 0.0
        self.replies = 0
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(100_000_001)
        self._message_ids = itertools.count(1)
        self._query_ids = itertools.count(1)
        self._window: deque[float] = deque()
        self._injected: dict[int, deque[float]] = defaultdict(deque)
        self._arrived = asyncio.Event()
        self._recorded = asyncio.Event()
        self._closing = False
        self._holds: dict[str, asyncio.Event] = {}
        self.held = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self._server: _Quiet | None = None
        self._serving: asyncio.Task[None] | None = None
        self.files: dict[str, tuple[str, bytes]] = {}  # file_id -> (file_path, content)
        self._http: httpx.AsyncClient | None = None
        self.port = 0

    # -- life cycle ----------------------------------------------------------------------------
    async def start(self, port: int = 0) -> FakeBotApi:
        """Listen on 127.0.0.1 (a free port unless given)."""
        # proto IPPROTO_TCP, or asyncio leaves Nagle on for accepted connections (40 ms stalls)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(self.asgi(), log_config=None, log_level="warning",
                                lifespan="off", ws="none", access_log=False,
                                timeout_graceful_shutdown=2)
        self._server = _Quiet(config)
        self._serving = asyncio.create_task(self._server.serve(sockets=[sock]))
        while not self._server.started:
            if self._serving.done():
                await self._serving
            await asyncio.sleep(0.005)
        self._http = httpx.AsyncClient(timeout=30)
        return self

    async def stop(self) -> None:
        """Answer pending long polls, stop listening, close everything."""
        self._closing = True
        self._arrived.set()
        for gate in self._holds.values():
            gate.set()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None and self._serving is not None:
            self._server.should_exit = True
            await self._serving
        if self._http is not None:
            await self._http.aclose()

    async def __aenter__(self) -> FakeBotApi:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """What goes in [telegram] base_url."""
        return f"http://127.0.0.1:{self.port}/bot"

    def asgi(self) -> Starlette:
        """The Bot API routes (and the control routes of the subprocess mode)."""
        return Starlette(routes=[
            Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"]),
            Route("/file/bot{token}/{path:path}", self._download, methods=["GET"]),
            Route("/_fake/{action}", self._control, methods=["GET", "POST"]),
        ])

    # -- injecting updates ---------------------------------------------------------------------
    def message(self, user_id: int, text: str | None = None, *, chat_id: int | None = None,
                name: str = "老同志", contact: dict[str, Any] | None = None) -> int:
        """A message from a user (in private unless chat_id names a group); its update_id."""
        chat = _chat(chat_id if chat_id is not None else user_id)
        body: dict[str, Any] = {"message_id": next(self._message_ids), "date": int(time.time()),
                                "chat": chat, "from": _user(user_id, name)}
        if text is not None:
            body["text"] = text
            if text.startswith("/"):
                length = len(text.split()[0])
                body["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        if contact is not None:
            body["contact"] = contact
        return self.push_update({"message": body})

    def document(self, user_id: int, filename: str, content: bytes, *, mime: str,
                 caption: str | None = None) -> int:
        """A file sent as a document (kept for getFile); its update_id."""
        file_id = self._keep_file(f"documents/{filename}", content)
        doc = {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_name": filename,
               "mime_type": mime, "file_size": len(content)}
        return self._with_media(user_id, {"document": doc}, caption)

    def photo(self, user_id: int, content: bytes, *, caption: str | None = None) -> int:
        """A photo (Telegram sends several sizes: a thumbnail, then the full one)."""
        thumb = self._keep_file("photos/thumb.jpg", content[:16])
        full = self._keep_file("photos/file_1.jpg", content)
        sizes = [{"file_id": thumb, "file_unique_id": f"u{thumb}", "width": 90, "height": 60,
                  "file_size": 16},
                 {"file_id": full, "file_unique_id": f"u{full}", "width": 1280, "height": 960,
                  "file_size": len(content)}]
        return self._with_media(user_id, {"photo": sizes}, caption)

    def _keep_file(self, path: str, content: bytes) -> str:
        file_id = f"F{len(self.files) + 1}"
        self.files[file_id] = (f"{path}.{file_id}", content)
        return file_id

    def _with_media(self, user_id: int, media: dict[str, Any], caption: str | None) -> int:
        body: dict[str, Any] = {"message_id": next(self._message_ids), "date": int(time.time()),
                                "chat": _chat(user_id), "from": _user(user_id, "老同志"), **media}
        if caption is not None:
            body["caption"] = caption
        return self.push_update({"message": body})

    def contact(self, user_id: int, phone: str, *, owner_id: int | None = None) -> int:
        """A shared contact; owner_id None means the sender's own (Telegram fills user_id)."""
        owner = user_id if owner_id is None else owner_id
        card = {"phone_number": phone, "first_name": "联系人", "user_id": owner}
        return self.message(user_id, contact=card)

    def press(self, user_id: int, message_id: int, data: str) -> int:
        """A press on an inline button under a message the bot sent to this user."""
        message = self.messages[(user_id, message_id)]
        query = {"id": str(next(self._query_ids)), "from": _user(user_id, "老同志"),
                 "message": message, "chat_instance": f"ci{user_id}", "data": data}
        return self.push_update({"callback_query": query})

    def group_message(self, chat_id: int, user_id: int, text: str) -> int:
        """A message in a group chat (chat_id < 0)."""
        return self.message(user_id, text, chat_id=chat_id)

    def blocked(self, user_id: int) -> int:
        """The user blocked the bot (my_chat_member: kicked)."""
        change = {"chat": _chat(user_id), "from": _user(user_id, "老同志"), "date": 0,
                  "old_chat_member": {"status": "member", "user": _bot()},
                  "new_chat_member": {"status": "kicked", "user": _bot(), "until_date": 0}}
        return self.push_update({"my_chat_member": change})

    def build(self, body: dict[str, Any]) -> dict[str, Any]:
        """An update with the next update_id (not delivered)."""
        return {"update_id": next(self._update_ids), **body}

    def push_update(self, body: dict[str, Any]) -> int:
        """Deliver an update: to the webhook if one is set, else to getUpdates."""
        update = self.build(body)
        chat = _update_chat(update)
        if chat is not None:
            self._injected[chat].append(asyncio.get_running_loop().time())
        if self.webhook is not None:
            self._spawn(self._deliver(update))
        else:
            self._updates.append(update)
            self._arrived.set()
        return int(update["update_id"])

    async def post_webhook(self, update: dict[str, Any], secret: str | None) -> int:
        """POST an update to the webhook as Telegram would; the HTTP status."""
        assert self.webhook is not None and self._http is not None
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
        response = await self._http.post(self.webhook[0], json=update, headers=headers)
        self.webhook_statuses.append(response.status_code)
        self._notify()
        return response.status_code

    async def _deliver(self, update: dict[str, Any]) -> None:
        while self.webhook is not None and not self._closing:
            async with self._connections:
                try:
                    status = await self.post_webhook(update, self.webhook[1])
                except httpx.HTTPError:  # the bot is down (killed, restarting)
                    status = 0
            if status == 200:
                self.acknowledged.add(int(update["update_id"]))
                return
            if self.redeliver is None:
                return
            await asyncio.sleep(self.redeliver)

    # -- scripting failures --------------------------------------------------------------------
    def fail(self, method: str, status: int, description: str, *, retry_after: int | None = None,
             migrate_to: int | None = None, chat_id: int | None = None,
             times: int | None = 1) -> None:
        """The next `times` matching calls fail like this."""
        self.failures.append(Failure(method, status, description, retry_after, migrate_to,
                                     chat_id, times))

    def flood(self, method: str = "sendMessage", *, retry_after: int = 1,
              chat_id: int | None = None) -> None:
        """One 429 with retry_after."""
        self.fail(method, 429, f"Too Many Requests: retry after {retry_after}",
                  retry_after=retry_after, chat_id=chat_id)

    def forbid(self, chat_id: int) -> None:
        """The user blocked the bot: every send to them is 403 from now on."""
        self.fail("sendMessage", 403, "Forbidden: bot was blocked by the user", chat_id=chat_id,
                  times=None)

    def hold(self, method: str) -> asyncio.Event:
        """Calls of a method wait (counted in `held`) until the returned event is set."""
        gate = self._holds[method] = asyncio.Event()
        return gate

    # -- reading what happened -----------------------------------------------------------------
    def sent(self, chat_id: int | None = None, method: str = "sendMessage") -> list[Call]:
        """Successful calls of a method (to one chat when given), in order."""
        return [c for c in self.calls if c.method == method and c.status == 200
                and (chat_id is None or c.chat_id == chat_id)]

    def texts(self, chat_id: int) -> list[str]:
        """Texts sent to a chat."""
        return [c.text for c in self.sent(chat_id)]

    async def wait_until(self, predicate: Callable[[], bool], within: float = 5.0) -> None:
        """Return once predicate() holds, re-checked at each recorded call (no sleeping)."""
        async with asyncio.timeout(within):
            while True:
                self._recorded.clear()
                if predicate():
                    return
                await self._recorded.wait()

    async def wait_sent(self, chat_id: int | None, n: int = 1, method: str = "sendMessage",
                        within: float = 5.0) -> list[Call]:
        """Wait for at least n successful calls of a method to a chat; return them all."""
        await self.wait_until(lambda: len(self.sent(chat_id, method)) >= n, within)
        return self.sent(chat_id, method)

    def last_markup_message(self, chat_id: int) -> Call:
        """The last message to a chat that carried inline buttons."""
        return [c for c in self.sent(chat_id) if c.inline][-1]

    # -- the API -------------------------------------------------------------------------------
    async def _endpoint(self, request: Request) -> JSONResponse:
        method = request.path_params["method"]
        if request.path_params["token"] != self.token:
            return _error(401, "Unauthorized")
        params, files = await _read_params(request)
        if self.latency:
            await asyncio.sleep(self.latency)
        gate = self._holds.get(method)
        if gate is not None and not gate.is_set():
            self.held += 1
            self._notify()
            await gate.wait()
        if method == "getUpdates":
            return JSONResponse({"ok": True, "result": await self._get_updates(params)})
        call = Call(method, params, asyncio.get_running_loop().time(), files=files)
        response = self._scripted(call) or self._flooded(call) or self._answer(call)
        call.status = response.status_code
        self.calls.append(call)
        self._notify()
        return response

    def _scripted(self, call: Call) -> JSONResponse | None:
        for failure in self.failures:
            if failure.method != call.method or failure.times == 0:
                continue
            if failure.chat_id is not None and failure.chat_id != call.chat_id:
                continue
            if failure.times is not None:
                failure.times -= 1
            parameters: dict[str, int] = {}
            if failure.retry_after is not None:
                parameters["retry_after"] = failure.retry_after
            if failure.migrate_to is not None:
                parameters["migrate_to_chat_id"] = failure.migrate_to
            return _error(failure.status, failure.description, parameters)
        return None

    def _flooded(self, call: Call) -> JSONResponse | None:
        if self.rate_limit is None or call.method not in SENDS:
            return None
        while self._window and self._window[0] <= call.at - 1.0:
            self._window.popleft()
        if len(self._window) >= self.rate_limit:
            self.too_many += 1
            return _error(429, "Too Many Requests: retry after 1", {"retry_after": 1})
        self._window.append(call.at)
        return None

    def _answer(self, call: Call) -> JSONResponse:
        handler = _HANDLERS.get(call.method)
        if handler is None:
            return _error(404, "Not Found: method not found")
        try:
            call.result = handler(self, call)
        except _ApiError as err:
            return _error(400, err.description)
        return JSONResponse({"ok": True, "result": call.result})

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        if offset:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            if offset > self.confirmed_below:
                self.confirmed_below = offset
                self._notify()  # wait_until re-checks: a confirmation is news
        loop = asyncio.get_running_loop()
        deadline = loop.time() + float(params.get("timeout") or 0)
        while True:
            self._arrived.clear()
            ready = [u for u in self._updates if u["update_id"] >= offset][:limit]
            remaining = deadline - loop.time()
            if ready or remaining <= 0 or self._closing:
                return ready
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), remaining)

    def _new_message(self, call: Call, **content: Any) -> dict[str, Any]:
        chat_id = call.chat_id
        assert chat_id is not None
        message: dict[str, Any] = {"message_id": next(self._message_ids),
                                   "date": int(time.time()), "chat": _chat(chat_id),
                                   "from": _bot(), **content}
        if call.markup.get("inline_keyboard"):
            message["reply_markup"] = call.markup
        self.messages[(chat_id, message["message_id"])] = message
        if call.method in SENDS:
            self._replied(chat_id, call.at)
        return message

    async def _download(self, request: Request) -> Response:
        if request.path_params["token"] != self.token:
            return Response(status_code=401)
        for path, content in self.files.values():
            if path == request.path_params["path"]:
                return Response(content, media_type="application/octet-stream")
        return Response(status_code=404)

    def _replied(self, chat_id: int, at: float) -> None:
        self.replies += 1
        pending = self._injected.get(chat_id)
        if pending:
            self.latencies.append(at - pending.popleft())
        self.last_reply = at

    def _edit(self, call: Call, text: str | None) -> dict[str, Any]:
        key = (call.chat_id or 0, int(call.params.get("message_id") or 0))
        message = self.messages.get(key)
        if message is None:
            raise _ApiError("Bad Request: message to edit not found")
        markup = call.markup if call.markup.get("inline_keyboard") else None
        if (text is None or message.get("text") == text) and message.get("reply_markup") == markup:
            raise _ApiError("Bad Request: message is not modified")
        if text is not None:
            message["text"] = text
        message.pop("reply_markup", None)
        if markup is not None:
            message["reply_markup"] = markup
        return message

    # -- the control API (subprocess mode) -----------------------------------------------------
    async def _control(self, request: Request) -> JSONResponse:
        action = request.path_params["action"]
        body = await request.json() if request.method == "POST" else {}
        if action == "config":
            self.latency = float(body.get("latency", self.latency))
            self.rate_limit = body.get("rate_limit", self.rate_limit)
        elif action == "reset":
            self._reset()
        elif action == "checkins":
            users = [int(u) for u in body["users"]]
            self._spawn(self._inject(users, str(body.get("text", "签到")), body.get("rate")))
        contains = request.query_params.get("contains")
        matching = sum(contains in c.text for c in self.sent()) if contains else 0
        return JSONResponse({"ok": True, "replies": self.replies, "too_many": self.too_many,
                             "latencies": self.latencies if action == "stats" else [],
                             "matching": matching, "last_reply": self.last_reply,
                             "now": asyncio.get_running_loop().time()})

    def _reset(self) -> None:
        self.calls.clear()
        self.latencies.clear()
        self._injected.clear()
        self._window.clear()
        self.too_many = 0
        self.last_reply = 0.0
        self.replies = 0

    async def _inject(self, users: list[int], text: str, rate: float | None) -> None:
        """Messages from many users: all at once, or `rate` a second on a steady beat."""
        loop = asyncio.get_running_loop()
        start = loop.time()
        for i, user in enumerate(users):
            if rate:
                delay = start + i / rate - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
            self.message(user, text)

    # -- plumbing ------------------------------------------------------------------------------
    def _notify(self) -> None:
        self._recorded.set()

    def _spawn(self, coroutine: Any) -> None:
        task = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


class _ApiError(Exception):
    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


class _Quiet(uvicorn.Server):
    """uvicorn that leaves the process's signals alone."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        """No signal handling: the test or bench stops it."""
        yield


def _send_message(api: FakeBotApi, call: Call) -> dict[str, Any]:
    return api._new_message(call, text=call.text)


def _send_document(api: FakeBotApi, call: Call) -> dict[str, Any]:
    name, data = call.files.get("document", ("file", b""))
    doc = {"file_id": f"doc{len(data)}", "file_unique_id": "u", "file_name": name}
    return api._new_message(call, document=doc)


def _send_photo(api: FakeBotApi, call: Call) -> dict[str, Any]:
    photo = [{"file_id": "photo", "file_unique_id": "p", "width": 1, "height": 1}]
    return api._new_message(call, photo=photo)


def _set_webhook(api: FakeBotApi, call: Call) -> bool:
    api.webhook = (str(call.params["url"]), call.params.get("secret_token"))
    return True


def _delete_webhook(api: FakeBotApi, call: Call) -> bool:
    api.webhook = None
    return True


def _get_file(api: FakeBotApi, call: Call) -> dict[str, Any]:
    file_id = str(call.params.get("file_id"))
    if file_id not in api.files:
        raise _ApiError("Bad Request: invalid file_id")
    path, content = api.files[file_id]
    return {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": len(content),
            "file_path": path}


_HANDLERS: dict[str, Callable[[FakeBotApi, Call], Any]] = {
    "getFile": _get_file,
    "getMe": lambda api, call: {**_bot(), "can_join_groups": True,
                                "can_read_all_group_messages": False,
                                "supports_inline_queries": False},
    "deleteWebhook": _delete_webhook,
    "setWebhook": _set_webhook,
    "setMyCommands": lambda api, call: True,
    "answerCallbackQuery": lambda api, call: True,
    "sendMessage": _send_message,
    "sendDocument": _send_document,
    "sendPhoto": _send_photo,
    "editMessageText": lambda api, call: api._edit(call, call.text),
    "editMessageReplyMarkup": lambda api, call: api._edit(call, None),
}


async def _read_params(request: Request) -> tuple[dict[str, Any], dict[str, tuple[str, bytes]]]:
    """PTB posts form fields (JSON-encoded where structured) and multipart files."""
    params: dict[str, Any] = dict(request.query_params)
    files: dict[str, tuple[str, bytes]] = {}
    if request.method == "POST":
        async with request.form() as form:
            for key, value in form.multi_items():
                if isinstance(value, UploadFile):
                    files[key] = (value.filename or key, await value.read())
                else:
                    params[key] = value
    for key in list(params):
        if key in _JSON_FIELDS:
            params[key] = json.loads(params[key])
        elif key in _INT_FIELDS and params[key] not in ("", None):
            params[key] = int(params[key])
    for key, (_, _) in files.items():
        params.setdefault(key, f"attach://{key}")
    return params, files


def _error(status: int, description: str,
           parameters: dict[str, int] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return JSONResponse(body, status_code=status)


def _user(user_id: int, name: str) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": name}


def _bot() -> dict[str, Any]:
    return {"id": BOT_ID, "is_bot": True, "first_name": "支部助手", "username": "zhibu_test_bot"}


def _chat(chat_id: int) -> dict[str, Any]:
    if chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": "老同志"}
    return {"id": chat_id, "type": "supergroup" if chat_id < -10**12 else "group",
            "title": "城关支部群"}


def _update_chat(update: dict[str, Any]) -> int | None:
    for key in ("message", "callback_query"):
        body = update.get(key)
        if isinstance(body, dict):
            chat = (body.get("message") or body).get("chat") or {}
            return int(chat["id"]) if "id" in chat else None
    return None


def serve_in_subprocess(port_out: Any, stop_in: Any) -> None:
    """Process entry point: serve on a free port, report it, stop when told (the bench)."""

    async def main() -> None:
        api = await FakeBotApi().start()
        port_out.put(api.port)
        await asyncio.get_running_loop().run_in_executor(None, stop_in.get)
        await api.stop()

    asyncio.run(main())


# --------------------------------------------------------------------------- the rig


@dataclass
class TelegramRig:
    """zhibu's real runtime (PTB Application, outbox, SQLite) against a FakeBotApi."""

    api: FakeBotApi
    runtime: Runtime
    clock: FakeClock
    _passed: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        """Note each outbox pass, so tests can wait for one instead of sleeping."""
        dispatcher = self.runtime.app.dispatcher if self.runtime.app else None
        assert dispatcher is not None
        original = dispatcher.run_once

        async def run_once(limit: int | None = None) -> DispatchResult:
            result = await original(limit)
            self._passed.set()
            return result

        dispatcher.run_once = run_once  # type: ignore[method-assign]

    async def outbox_until(self, predicate: Callable[[list[OutboxRow]], bool],
                           within: float = 5.0) -> list[OutboxRow]:
        """Outbox rows once predicate(rows) holds, checked after each outbox pass."""
        assert self.runtime.app is not None
        async with asyncio.timeout(within):
            while True:
                self._passed.clear()
                async with self.store.transaction() as tx:
                    rows = await tx.outbox_rows()
                if predicate(rows):
                    return rows
                self.runtime.app.dispatcher.notify()
                await self._passed.wait()

    @property
    def store(self) -> SqliteStore:
        """The database the runtime uses."""
        assert self.runtime.app is not None
        return self.runtime.app.store

    async def bind(self, user_id: int, name: str) -> int:
        """Bind a Telegram account to a roster member by name; the member's id."""
        async with self.store.transaction() as tx:
            [member] = await tx.find_members_by_name(name)
            await tx.bind("telegram", str(user_id), member.id, None, self.clock.now())
        return member.id

    async def count(self, table: str) -> int:
        """Rows in a table (check_ins, leave_requests, outbox...)."""
        return await count_rows(self.store, table)

    async def say(self, user_id: int, text: str, n: int = 1) -> list[Call]:
        """A private message; wait for the bot's n-th message to that chat since."""
        before = len(self.api.sent(user_id))
        self.api.message(user_id, text)
        return (await self.api.wait_sent(user_id, before + n))[before:]


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rig_config(api: FakeBotApi, db: Path, *, mode: str = "polling", rate_limit: float = 1000.0,
               port: int = 0) -> Config:
    """zhibu's configuration pointing at the fake (webhook: its own listener on `port`)."""
    telegram = TelegramConfig(
        token=api.token, base_url=api.base_url, mode=mode, rate_limit=rate_limit,
        webhook_url=f"http://127.0.0.1:{port}/telegram/hook" if mode == "webhook" else None,
        listen=f"127.0.0.1:{port or 8443}", secret_token="s3cret-token" if port else None)
    return Config(database=DatabaseConfig(url=f"sqlite:///{db}"), telegram=telegram)


@contextlib.asynccontextmanager
async def telegram_rig(db: Path, *, mode: str = "polling", latency: float = 0.0,
                       per_chat: float = 0.01, rate_limit: float = 1000.0,
                       clock: FakeClock | None = None,
                       bound: Mapping[int, str] | None = None) -> AsyncIterator[TelegramRig]:
    """A seeded demo branch served over Telegram by the real runtime (no scheduler);
    `bound` Telegram accounts (user id -> roster name) are bound before it starts."""
    clock = clock or FakeClock(STUDY_DAY_MORNING)
    store = await SqliteStore.open(db)
    port = free_port() if mode == "webhook" else 0
    async with FakeBotApi(latency=latency) as api:
        config = rig_config(api, db, mode=mode, rate_limit=rate_limit, port=port)
        await seed(await build_app(config, clock, {}, store=store))
        async with store.transaction() as tx:
            for user_id, name in (bound or {}).items():
                [member] = await tx.find_members_by_name(name)
                await tx.bind("telegram", str(user_id), member.id, None, clock.now())
        runtime = Runtime(config, clock, store=store, scheduler=False,
                          telegram_options={"per_chat": per_chat, "backoff": 0.01,
                                            "poll_timeout": 5})
        await runtime.start()
        try:
            yield TelegramRig(api, runtime, clock)
        finally:
            await runtime.stop()
