"""What comes in at the Telegram webhook, checked before anything believes it.

Telegram's own updates are small and well formed; anything else at the endpoint is a mistake or
an attack, and must cost little: the secret is checked first (403, logged at most once a minute
with a count of the ones left out, so a scanner cannot fill the log), the size from
Content-Length before a byte is read and the body read as a stream that stops at the cap (413),
and the JSON's shape — nesting, types of the fields the handlers read, dates a datetime can
hold — before python-telegram-bot builds an Update from it. A refused update is one log line and
a 400, never a 500 with a traceback.
"""

from __future__ import annotations

import hmac
import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from telegram import Bot, Update

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1 << 20  # an update is a few kilobytes; refuse anything silly
MAX_DEPTH = 24  # a button press on a reply to a message is ~10 deep
MAX_INT = 1 << 53  # Telegram's ids fit in 52 bits; bigger is not from Telegram
MAX_DATE = 1 << 32  # Unix time up to 2106; 10**20 overflows datetime inside PTB
REFUSAL_LOG_GAP = 60.0  # seconds between two "wrong secret" lines


class Refused(Exception):
    """The request is answered with `status` and nothing else happens."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class Shape:
    """A JSON object: the fields that must be there and those that may, with their kinds.

    A kind is int, bool, str, another Shape, or a one-element list [kind] (a JSON array of it).
    Fields not named are let through (Telegram adds fields) but still walked for depth/dates.
    """

    required: Mapping[str, Any] = field(default_factory=dict)
    optional: Mapping[str, Any] = field(default_factory=dict)


USER = Shape({"id": int, "is_bot": bool, "first_name": str},
             {"last_name": str, "username": str, "language_code": str})
CHAT = Shape({"id": int, "type": str}, {"title": str, "first_name": str, "username": str})
BUTTON = Shape({"text": str}, {"callback_data": str})
MARKUP = Shape({}, {"inline_keyboard": [[BUTTON]]})
DOCUMENT = Shape({"file_id": str, "file_unique_id": str},
                 {"file_name": str, "mime_type": str, "file_size": int})
PHOTO = Shape({"file_id": str, "file_unique_id": str, "width": int, "height": int},
              {"file_size": int})
CONTACT = Shape({"phone_number": str, "first_name": str}, {"last_name": str, "user_id": int})
MESSAGE = Shape({"message_id": int, "date": int, "chat": CHAT},
                {"from": USER, "text": str, "caption": str, "document": DOCUMENT,
                 "photo": [PHOTO], "contact": CONTACT, "reply_markup": MARKUP})
CALLBACK = Shape({"id": str, "from": USER, "chat_instance": str},
                 {"message": MESSAGE, "data": str})
MEMBER = Shape({"status": str, "user": USER})
MEMBERSHIP = Shape({"chat": CHAT, "from": USER, "date": int,
                    "old_chat_member": MEMBER, "new_chat_member": MEMBER})
UPDATE = Shape({"update_id": int},
               {"message": MESSAGE, "callback_query": CALLBACK, "my_chat_member": MEMBERSHIP})


class WebhookInput:
    """Secret, size, shape, then the Update: `await read(request)` or Refused."""

    def __init__(self, bot: Bot, *, secret: str, max_body: int = MAX_BODY,
                 now: Callable[[], float] = time.monotonic) -> None:
        self.bot = bot
        self._secret = secret.encode()
        self.max_body = max_body
        self.refusals = RefusalLog(now)

    async def read(self, request: Request) -> Update:
        """The update a request carries, or Refused(403 / 413 / 400)."""
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            self.refusals.note()
            raise Refused(403, "wrong or missing secret token")
        try:
            body = await read_capped(request, self.max_body)
            return self.parse(body)
        except Refused as refused:
            log.warning("telegram webhook: refused (%d): %s", refused.status, refused.reason)
            raise

    def parse(self, body: bytes) -> Update:
        """JSON, shape, then PTB's Update; Refused(400) on anything wrong."""
        try:
            data = json.loads(body)
        except RecursionError:
            raise Refused(400, "nested too deep") from None
        except ValueError as err:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
            raise Refused(400, f"not JSON ({type(err).__name__})") from None
        check_tree(data)
        check_shape(data, UPDATE, "update")
        if data["update_id"] <= 0:
            raise Refused(400, "update.update_id: not a positive integer")
        try:
            update = Update.de_json(data, self.bot)
        except Exception as err:  # boundary: whatever PTB trips on is a bad request
            raise Refused(400, f"not an update ({type(err).__name__})") from None
        if update is None:
            raise Refused(400, "not an update")
        return update


async def read_capped(request: Request, limit: int) -> bytes:
    """The body, refused before reading when Content-Length is over `limit`, and as soon as the
    stream passes it when there is none (chunked) or it lied."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not (declared.isascii() and declared.isdigit()):
            raise Refused(400, "bad Content-Length")
        if int(declared) > limit:
            raise Refused(413, f"body of {declared} bytes over {limit}")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise Refused(413, f"body over {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def check_tree(data: object) -> None:
    """Depth, integer sizes and dates everywhere, without recursion (a deep tree cannot
    exhaust the stack here)."""
    stack: list[tuple[object, int, str]] = [(data, 1, "update")]
    while stack:
        node, depth, path = stack.pop()
        if depth > MAX_DEPTH:
            raise Refused(400, f"nested deeper than {MAX_DEPTH}")
        if isinstance(node, dict):
            for key, value in node.items():
                where = f"{path}.{key}"
                if (key == "date" or key.endswith("_date")) and not _is_date(value):
                    raise Refused(400, f"{where}: not a date")
                stack.append((value, depth + 1, where))
        elif isinstance(node, list):
            stack.extend((value, depth + 1, f"{path}[]") for value in node)
        elif isinstance(node, int) and not isinstance(node, bool) and abs(node) > MAX_INT:
            raise Refused(400, f"{path}: integer out of range")


def check_shape(data: object, shape: Any, path: str) -> None:
    """`data` is of the kind `shape` (see Shape); Refused(400) naming the first field that is
    not."""
    if shape is int:
        if isinstance(data, bool) or not isinstance(data, int):
            raise Refused(400, f"{path}: not an integer")
    elif shape is bool or shape is str:
        if not isinstance(data, shape):
            raise Refused(400, f"{path}: not a {shape.__name__}")
    elif isinstance(shape, list):
        if not isinstance(data, list):
            raise Refused(400, f"{path}: not a list")
        for item in data:
            check_shape(item, shape[0], f"{path}[]")
    else:
        if not isinstance(data, dict):
            raise Refused(400, f"{path}: not an object")
        for name, kind in shape.required.items():
            if name not in data:
                raise Refused(400, f"{path}.{name}: missing")
            check_shape(data[name], kind, f"{path}.{name}")
        for name, kind in shape.optional.items():
            if name in data:
                check_shape(data[name], kind, f"{path}.{name}")


def _is_date(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < MAX_DATE


class RefusalLog:
    """A warning for a refused caller at most once every `gap` seconds; the ones in between
    are counted and the count rides on the next line."""

    def __init__(self, now: Callable[[], float], gap: float = REFUSAL_LOG_GAP) -> None:
        self.now = now
        self.gap = gap
        self.suppressed = 0
        self._last: float | None = None

    def note(self) -> None:
        """One more refusal: logged, or counted for the next line."""
        now = self.now()
        if self._last is not None and now - self._last < self.gap:
            self.suppressed += 1
            return
        more = (f" ({self.suppressed} more since the last line, not logged)"
                if self.suppressed else "")
        log.warning("telegram webhook: wrong or missing secret token (403)%s", more)
        self._last = now
        self.suppressed = 0
