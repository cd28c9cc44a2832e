"""The aiohttp transport under python-telegram-bot: proxies from the environment, timeouts."""

from __future__ import annotations

import pytest
from telegram.error import NetworkError, TimedOut
from telegram.request import RequestData

from bot.channels.telegram.http import AiohttpRequest, env_proxy
from tests.fakes.botapi import FakeBotApi


def test_the_proxy_comes_from_the_environment_unless_the_host_is_excluded(
        monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY",
                 "no_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    assert env_proxy("https://api.telegram.org/bot") is None
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    assert env_proxy("https://api.telegram.org/bot") == "http://proxy.example:3128"
    monkeypatch.setenv("NO_PROXY", "api.telegram.org")
    assert env_proxy("https://api.telegram.org/bot") is None


async def test_a_slow_server_is_a_timeout_and_a_closed_port_a_network_error() -> None:
    request = AiohttpRequest(2, read_timeout=0.1)
    await request.initialize()
    try:
        async with FakeBotApi(latency=0.5) as api:
            url = f"{api.base_url}{api.token}/getMe"
            with pytest.raises(TimedOut):
                await request.do_request(url, "POST", RequestData())
            status, body = await request.do_request(url, "POST", RequestData(),
                                                    read_timeout=2.0)
            assert status == 200 and b'"ok":true' in body.replace(b" ", b"")
        with pytest.raises(NetworkError):  # nobody listens there any more
            await request.do_request(url, "POST", RequestData())
    finally:
        await request.shutdown()


async def test_requests_before_initialize_are_refused() -> None:
    with pytest.raises(RuntimeError):
        await AiohttpRequest(1).do_request("http://127.0.0.1:9/x", "POST")
