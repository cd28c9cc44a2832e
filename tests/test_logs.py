"""Logs never carry a secret or a member's words, at any verbosity (issue #14, item 8)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.app import build_app
from bot.config import Config, DatabaseConfig
from bot.core.clock import SystemClock
from bot.demo import seed
from bot.logs import redact
from handlers.binding import create_invite
from tests.fakes.botapi import FakeBotApi
from tests.zhibu_process import ZhibuProcess, until, write_config

WANG, LI = 7001, 7002
_CODE = re.compile(r"\d{4} ?\d{4}")


def test_redact_masks_tokens_secrets_phones_codes_and_texts() -> None:
    token = FakeBotApi.token
    line = (f"POST https://api.telegram.org/bot{token}/getUpdates "
            "access_token=abc&secret=xyz phone 13800000003 +8613800000004 code 48213377 4650 9171 "
            '{"text": "我住院了，在人民医院3病区12床", "caption": "x"} '
            "<Content><![CDATA[住院 县医院]]></Content> InboundMessage(text='请假 腿疼')")
    masked = redact(line)
    for secret in (token, "abc", "xyz", "13800000003", "8613800000004", "48213377", "4650 9171",
                   "人民医院",
                   "12床", "县医院", "腿疼"):
        assert secret not in masked, secret
    # What an operator needs stays readable.
    assert redact("update 100000001 handled in 2026-12-08 09:05:00, row 12") == (
        "update 100000001 handled in 2026-12-08 09:05:00, row 12")


async def _seed(db: Path) -> tuple[str, str]:
    """The demo branch, and binding codes for 王秀英 and the secretary 李建国."""
    clock = SystemClock()
    app = await build_app(Config(database=DatabaseConfig(url=f"sqlite:///{db}")), clock, {})
    try:
        await seed(app)
        async with app.store.transaction() as tx:
            codes = []
            for name in ("王秀英", "李建国"):
                (member,) = await tx.find_members_by_name(name)
                codes.append(await create_invite(tx, member.id, None, None, clock.now()))
    finally:
        await app.close()
    return codes[0], codes[1]


def _message(chat: int, text: str) -> dict[str, object]:
    return {"message": {"message_id": 1, "date": 0, "chat": {"id": chat, "type": "private"},
                        "from": {"id": chat, "is_bot": False, "first_name": "秀英"},
                        "text": text}}


@pytest.mark.parametrize("flags", [("-v",), ("-vv",)])
async def test_zhibu_run_logs_no_token_phone_code_or_health_details(
        tmp_path: Path, flags: tuple[str, ...]) -> None:
    db = tmp_path / "zhibu.db"
    wang_code, li_code = await _seed(db)
    log = tmp_path / "zhibu.log"
    async with FakeBotApi() as api:
        config = write_config(tmp_path / "zhibu.toml", db, api.base_url, rate_limit=100)
        async with ZhibuProcess(config, log, ("-m", "bot", *flags)) as zhibu:
            zhibu.start()
            steps = [(WANG, wang_code), (LI, li_code), (WANG, "住院"), (WANG, "1"),
                     (WANG, "人民医院"), (WANG, "3病区12床"), (WANG, "今天"), (WANG, "2"),
                     (WANG, "确认"), (LI, "邀请 张桂兰")]
            for chat, text in steps:
                before = len(api.sent(chat))
                api.push_update(_message(chat, text))
                await until(api, lambda c=chat, n=before: len(api.sent(c)) > n, zhibu,
                            within=20)
            await until(api, lambda: any(_CODE.search(t) for t in api.texts(LI)[1:]), zhibu,
                        within=20)
            codes = [m for m in (_CODE.search(t) for t in api.texts(LI)[1:]) if m]
            assert await zhibu.stop() == 0, zhibu.output()
    output = log.read_text(encoding="utf-8")
    new_code = codes[0].group()  # the invite for 张桂兰 ("4650 9171")
    assert "INFO" in output  # -v says what zhibu is doing
    if flags == ("-vv",):
        assert "DEBUG" in output and "telegram" in output  # the libraries speak too
    for secret in (FakeBotApi.token, wang_code, li_code, new_code, new_code.replace(" ", ""),
                   "13800000001",
                   "13800000003", "人民医院", "3病区12床", "秀英"):
        assert secret not in output, f"{secret!r} in the log:\n{output[-3000:]}"
