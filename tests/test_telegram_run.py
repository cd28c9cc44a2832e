"""`zhibu run`: webhook mode with its secret, one effect per update, clean shutdown."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import httpx
import pytest

from bot.app import build_app
from bot.cli import main
from bot.config import Config, DatabaseConfig, WechatConfig
from bot.core.clock import FakeClock
from bot.demo import seed
from bot.run import Runtime, run_service
from storage import SqliteStore
from tests.conftest import STUDY_DAY_MORNING, count_rows
from tests.fakes.botapi import FakeBotApi, free_port, rig_config, telegram_rig

WANG = 5001


def _checkin(api: FakeBotApi) -> dict[str, object]:
    body = {"message_id": 1, "date": 0, "chat": {"id": WANG, "type": "private"},
            "from": {"id": WANG, "is_bot": False, "first_name": "王"}, "text": "签到"}
    return api.build({"message": body})


async def test_webhook_mode_refuses_a_wrong_or_missing_secret_with_403(tmp_path: Path) -> None:
    async with telegram_rig(tmp_path / "z.db", mode="webhook") as rig:
        await rig.bind(WANG, "王秀英")
        assert rig.api.webhook is not None and rig.api.webhook[1] == "s3cret-token"
        assert await rig.api.post_webhook(_checkin(rig.api), "wrong-token") == 403
        assert await rig.api.post_webhook(_checkin(rig.api), None) == 403
        assert await rig.count("processed_messages") == 0
        assert rig.api.sent() == []


async def test_webhook_mode_gives_the_same_update_twice_one_effect(tmp_path: Path) -> None:
    async with telegram_rig(tmp_path / "z.db", mode="webhook") as rig:
        await rig.bind(WANG, "王秀英")
        update = _checkin(rig.api)
        assert await rig.api.post_webhook(update, "s3cret-token") == 200
        [reply] = rig.api.sent(WANG)  # answered 200 only once it was handled
        assert "签到成功" in reply.text
        assert await rig.api.post_webhook(update, "s3cret-token") == 200
        assert await rig.count("check_ins") == 1
        assert len(rig.api.sent(WANG)) == 1


async def test_webhook_mode_takes_updates_pushed_by_telegram(tmp_path: Path) -> None:
    async with telegram_rig(tmp_path / "z.db", mode="webhook") as rig:
        await rig.bind(WANG, "王秀英")
        [reply] = await rig.say(WANG, "签到")
        assert "签到成功" in reply.text
        await rig.api.wait_until(lambda: rig.api.webhook_statuses == [200])
        assert rig.api.sent(None, "deleteWebhook") == []


async def test_stopping_lets_an_update_in_flight_finish_its_reply(tmp_path: Path) -> None:
    async with telegram_rig(tmp_path / "z.db") as rig:
        await rig.bind(WANG, "王秀英")
        gate = rig.api.hold("sendMessage")
        rig.api.message(WANG, "签到")
        await rig.api.wait_until(lambda: rig.api.held == 1)
        stopping = asyncio.create_task(rig.runtime.stop())
        for _ in range(20):
            await asyncio.sleep(0)  # let stop() run as far as it can
        assert not stopping.done()  # it waits for the reply in flight
        gate.set()
        await stopping
        [reply] = rig.api.sent(WANG)
        assert "签到成功" in reply.text
    store = await SqliteStore.open(tmp_path / "z.db")
    try:  # committed, not half-recorded
        assert await count_rows(store, "check_ins") == 1
    finally:
        await store.close()


async def _seeded(db: Path) -> None:
    store = await SqliteStore.open(db)
    try:
        await seed(await build_app(Config(database=DatabaseConfig(url=f"sqlite:///{db}")),
                                   FakeClock(STUDY_DAY_MORNING), {}, store=store))
    finally:
        await store.close()


async def test_sigterm_stops_zhibu_run_cleanly(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    await _seeded(tmp_path / "z.db")
    async with FakeBotApi() as api:
        config = rig_config(api, tmp_path / "z.db")
        running = asyncio.create_task(run_service(config, FakeClock(STUDY_DAY_MORNING)))
        await api.wait_until(lambda: bool(api.sent(None, "deleteWebhook")))
        await asyncio.sleep(0)
        os.kill(os.getpid(), signal.SIGTERM)
        assert await asyncio.wait_for(running, 10) == 0
    out = capsys.readouterr().out
    assert "Telegram (polling)" in out and "已停止" in out


async def test_the_webhook_and_the_wechat_callback_share_one_listener(tmp_path: Path) -> None:
    await _seeded(tmp_path / "z.db")
    port = free_port()
    async with FakeBotApi() as api:
        config = rig_config(api, tmp_path / "z.db", mode="webhook", port=port)
        config = Config(database=config.database, telegram=config.telegram,
                        wechat=WechatConfig(app_id="wx1", token="tok", listen=f"127.0.0.1:{port}"))
        runtime = Runtime(config, FakeClock(STUDY_DAY_MORNING), scheduler=False)
        await runtime.start()
        try:
            async with httpx.AsyncClient() as http:
                wechat = await http.get(f"http://127.0.0.1:{port}/wechat")
                telegram = await http.post(f"http://127.0.0.1:{port}/telegram/hook", json={})
            assert wechat.status_code != 404 and telegram.status_code == 403
            assert runtime.channels() == ["Telegram (webhook)", "WeChat"]
        finally:
            await runtime.stop()


def test_zhibu_run_without_a_channel_says_so(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "zhibu.toml"
    config.write_text(f'[database]\nurl = "sqlite:///{tmp_path / "z.db"}"\n', encoding="utf-8")
    assert main(["--config", str(config), "run"]) == 2
    assert "no channel configured" in capsys.readouterr().err
