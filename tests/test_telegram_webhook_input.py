"""Bad input at the Telegram webhook: 400 and one log line, never 500 and a traceback
(issue #19, item 5); refusals logged at a bounded rate; the size cap before the body is read."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.requests import Request
from starlette.types import Message

from bot.channels.telegram.webhook_input import (
    MAX_DEPTH,
    RefusalLog,
    Refused,
    WebhookInput,
    read_capped,
)
from tests.fakes.botapi import TelegramRig, telegram_rig

WANG = 5001
SECRET = "s3cret-token"


def _checkin(**message: Any) -> dict[str, Any]:
    body = {"message_id": 7, "date": 1_700_000_000, "text": "签到",
            "chat": {"id": WANG, "type": "private"},
            "from": {"id": WANG, "is_bot": False, "first_name": "王"}, **message}
    return {"update_id": 4242, "message": body}


def _nested(depth: int) -> dict[str, Any]:
    deep: Any = 1
    for _ in range(depth):
        deep = {"x": deep}
    return _checkin(entities_extra=deep)


MALFORMED = {
    "not JSON": b"{nope",
    "not UTF-8": b'{"update_id": "\xff"}',
    "a list": b"[1, 2]",
    "no update_id": json.dumps({"message": _checkin()["message"]}).encode(),
    "update_id a string": json.dumps({**_checkin(), "update_id": "42"}).encode(),
    "update_id a bool": json.dumps({**_checkin(), "update_id": True}).encode(),
    "chat id a string": json.dumps(_checkin(chat={"id": "x", "type": "private"})).encode(),
    "text a number": json.dumps(_checkin(text=5)).encode(),
    "from a list": json.dumps(_checkin(**{"from": [1]})).encode(),
    "a 10**20 date": json.dumps(_checkin(date=10**20)).encode(),
    "a negative edit_date": json.dumps(_checkin(edit_date=-1)).encode(),
    "a huge id": json.dumps(_checkin(chat={"id": 10**30, "type": "private"})).encode(),
    "nested past the limit": json.dumps(_nested(MAX_DEPTH + 5)).encode(),
    "nested past json's stack": b'{"update_id": 1, "x": ' + b"[" * 200_000 + b"]" * 200_000
                                + b"}",
    "entities of the wrong kind": json.dumps(_checkin(entities="bold")).encode(),
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_a_malformed_update_is_refused_with_400(name: str) -> None:
    with pytest.raises(Refused) as refused:
        WebhookInput(None, secret=SECRET).parse(MALFORMED[name])  # type: ignore[arg-type]
    assert refused.value.status == 400


def test_a_well_formed_update_parses() -> None:
    update = WebhookInput(None, secret=SECRET).parse(  # type: ignore[arg-type]
        json.dumps(_checkin()).encode())
    assert update.update_id == 4242 and update.message is not None
    assert update.message.text == "签到"


def _request(headers: dict[str, str], chunks: list[bytes]) -> tuple[Request, list[int]]:
    """A request whose body arrives chunk by chunk; the list counts the chunks read."""
    read = [0]

    async def receive() -> Message:
        read[0] += 1
        index = read[0] - 1
        more = index + 1 < len(chunks)
        return {"type": "http.request", "body": chunks[index], "more_body": more}

    scope = {"type": "http", "method": "POST", "path": "/hook",
             "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]}
    return Request(scope, receive), read


async def test_a_declared_size_over_the_cap_is_refused_before_a_byte_is_read() -> None:
    request, read = _request({"content-length": str(2 << 20)}, [b"x" * 1024])
    with pytest.raises(Refused) as refused:
        await read_capped(request, 1 << 20)
    assert refused.value.status == 413 and read == [0]


async def test_a_stream_without_a_size_stops_at_the_cap() -> None:
    chunks = [b"x" * 65_536] * 100  # 6.5 MB if read to the end
    request, read = _request({}, chunks)
    with pytest.raises(Refused) as refused:
        await read_capped(request, 1 << 20)
    assert refused.value.status == 413 and read == [17]  # 16 chunks fill the cap, 1 more
    request, read = _request({"content-length": "12abc"}, [b"{}"])
    with pytest.raises(Refused):
        await read_capped(request, 1 << 20)
    assert read == [0]


def test_refusals_are_logged_once_a_minute_with_a_count(
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = [1000.0]
    refusals = RefusalLog(lambda: now[0])
    with caplog.at_level(logging.WARNING, "bot.channels.telegram.webhook_input"):
        for _ in range(50):
            refusals.note()
            now[0] += 0.5  # 25 s of a scanner
        now[0] += 60
        refusals.note()
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2
    assert "more since" not in lines[0] and "49 more since the last line" in lines[1]


async def _post(rig: TelegramRig, content: bytes, secret: str | None = SECRET) -> int:
    assert rig.api.webhook is not None
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    async with httpx.AsyncClient() as http:
        response = await http.post(rig.api.webhook[0], content=content, headers=headers)
    return response.status_code


async def test_at_the_endpoint_bad_input_is_400_with_one_line_and_no_traceback(
    tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    async with telegram_rig(tmp_path / "z.db", mode="webhook", bound={WANG: "王秀英"}) as rig:
        with caplog.at_level(logging.INFO):
            for name in sorted(MALFORMED):
                caplog.clear()
                assert await _post(rig, MALFORMED[name]) == 400, name
                mine = [r for r in caplog.records if r.name.startswith("bot.")]
                assert len(mine) == 1 and "\n" not in mine[0].getMessage(), name
                assert all(r.exc_info is None for r in caplog.records), name
            caplog.clear()
            assert await _post(rig, b"x" * ((1 << 20) + 1)) == 413
            statuses = [await _post(rig, b"{}", secret) for secret in ("wrong", None, "no") * 4]
            assert statuses == [403] * 12
            refused = [r for r in caplog.records if "secret" in r.getMessage()]
            assert len(refused) == 1  # a scanner does not fill the log
        assert await _post(rig, json.dumps(_checkin()).encode()) == 200  # still serving
        assert await rig.count("check_ins") == 1
        assert await rig.count("processed_messages") == 1
