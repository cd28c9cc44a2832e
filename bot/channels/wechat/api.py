"""The small WeChat / WeCom HTTP API over httpx: one access-token holder, one retry on expiry.

Every fetch of an access_token may invalidate the one before, for every process using the
account. Given a store and a name, the holder shares its token with the other zhibu
instances through the database (`shared_tokens`): one fetches, the others read it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import httpx

from bot.core.clock import Clock
from storage import Store

log = logging.getLogger(__name__)

TOKEN_ERRORS = frozenset({40001, 40014, 42001})  # invalid / expired access_token
REFRESH_MARGIN = timedelta(minutes=5)

Fetch = Callable[[bool], Awaitable[tuple[str, int]]]


class WechatApiError(Exception):
    """The platform answered with an errcode, or could not be reached (code -2)."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class TokenHolder:
    """One access_token for every task in the process, refreshed before it expires.

    With `store` and `name` ('wechat:<appid>'), one for every instance too: on a miss the
    holder first reads the token stored by whichever instance fetched last, and fetches only
    when that one is missing, expiring or was just refused.
    """

    def __init__(self, fetch: Fetch, clock: Clock, *, store: Store | None = None,
                 name: str | None = None) -> None:
        if (store is None) != (name is None):
            raise ValueError("a shared token needs both a store and a name")
        self._fetch = fetch
        self._clock = clock
        self._store = store
        self._name = name or ""
        self._lock = asyncio.Lock()
        self._token: str | None = None
        self._expires_at: datetime | None = None
        self.fetches = 0

    async def get(self) -> str:
        """The current token, fetched first if missing or about to expire."""
        if self._valid():
            assert self._token is not None
            return self._token
        return await self.refresh(self._token)

    async def refresh(self, stale: str | None) -> str:
        """A new token, unless another task already replaced `stale` (then that one)."""
        async with self._lock:
            if self._token is not None and self._token != stale and self._valid():
                return self._token
            if self._store is None:
                token, expires_in = await self._fetch(stale is not None and stale == self._token)
                self.fetches += 1
                return self._keep(token, self._clock.now() + timedelta(seconds=expires_in))
            return await self._shared(self._store, stale)

    async def _shared(self, store: Store, stale: str | None) -> str:
        """The stored token if it is fresh and not `stale`; else fetch one and store it.

        The fetch happens inside a unit of work: instances take turns, and the one that waited
        finds the token the other just stored (read again under the lock) instead of fetching
        a second, which would invalidate the first."""
        async with store.transaction(serial=False) as tx:  # a plain read first, no waiting
            found = await tx.shared_token(self._name)
        if found is not None and self._usable(*found, stale):
            return self._keep(*found)
        async with store.transaction() as tx:
            found = await tx.shared_token(self._name)
            if found is not None and self._usable(*found, stale):
                return self._keep(*found)
            held = found[0] if found is not None else self._token
            token, expires_in = await self._fetch(stale is not None and stale == held)
            self.fetches += 1
            expires_at = self._clock.now() + timedelta(seconds=expires_in)
            await tx.store_shared_token(self._name, token, expires_at)
        return self._keep(token, expires_at)

    def _usable(self, token: str, expires_at: datetime, stale: str | None) -> bool:
        return token != stale and self._clock.now() < expires_at - REFRESH_MARGIN

    def _keep(self, token: str, expires_at: datetime) -> str:
        self._token = token
        self._expires_at = expires_at
        return token

    def _valid(self) -> bool:
        return (
            self._token is not None
            and self._expires_at is not None
            and self._clock.now() < self._expires_at - REFRESH_MARGIN
        )


class ApiClient:
    """POSTs JSON to `base_url + path?access_token=…`; errcode != 0 raises WechatApiError."""

    def __init__(self, http: httpx.AsyncClient, base_url: str, tokens: TokenHolder) -> None:
        self.http = http
        self.base_url = base_url.rstrip("/") + "/"
        self.tokens = tokens

    async def post(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Call an API; on an expired token refresh once and retry once."""
        token = await self.tokens.get()
        try:
            return await self._post(path, payload, token)
        except WechatApiError as err:
            if err.code not in TOKEN_ERRORS:
                raise
            log.info("access_token rejected (%s): refreshing once", err.code)
            fresh = await self.tokens.refresh(token)
            return await self._post(path, payload, fresh)

    async def upload(self, path: str, filename: str, data: bytes, kind: str) -> dict[str, Any]:
        """Upload a file (multipart "media" of a type); the same single retry on expiry."""
        token = await self.tokens.get()
        files = {"media": (filename, data)}
        try:
            return await self._request("POST", path, token, {"type": kind}, files=files)
        except WechatApiError as err:
            if err.code not in TOKEN_ERRORS:
                raise
            fresh = await self.tokens.refresh(token)
            return await self._request("POST", path, fresh, {"type": kind}, files=files)

    async def _post(self, path: str, payload: dict[str, Any], token: str) -> dict[str, Any]:
        return await self._request("POST", path, token, json=payload)

    async def _request(self, method: str, path: str, token: str,
                       extra: dict[str, str] | None = None, **kw: Any) -> dict[str, Any]:
        url = self.base_url + path.lstrip("/")
        params = {"access_token": token, **(extra or {})}
        return await get_json(self.http, method, url, params=params, **kw)


async def get_json(
    http: httpx.AsyncClient, method: str, url: str, **kw: Any
) -> dict[str, Any]:
    """One request whose JSON answer carries `errcode` (0 or absent means success)."""
    try:
        response = await http.request(method, url, **kw)
        data = response.json()
    except (httpx.HTTPError, ValueError) as err:
        raise WechatApiError(-2, f"unreachable or not JSON ({type(err).__name__})") from None
    if not isinstance(data, dict):
        raise WechatApiError(-2, "answer is not a JSON object")
    code = data.get("errcode", 0)
    if code:
        raise WechatApiError(int(code), str(data.get("errmsg", "")))
    return data


def wechat_token_fetch(http: httpx.AsyncClient, base_url: str, app_id: str,
                       secret: str) -> Fetch:
    """Official Account tokens from /cgi-bin/stable_token (other processes' stay valid)."""
    url = base_url.rstrip("/") + "/cgi-bin/stable_token"

    async def fetch(force: bool) -> tuple[str, int]:
        data = await get_json(http, "POST", url, json={
            "grant_type": "client_credential", "appid": app_id, "secret": secret,
            "force_refresh": force,
        })
        return _token_of(data)

    return fetch


def wecom_token_fetch(http: httpx.AsyncClient, base_url: str, corp_id: str,
                      secret: str) -> Fetch:
    """WeCom application tokens from /cgi-bin/gettoken."""
    url = base_url.rstrip("/") + "/cgi-bin/gettoken"

    async def fetch(force: bool) -> tuple[str, int]:
        data = await get_json(http, "GET", url, params={"corpid": corp_id, "corpsecret": secret})
        return _token_of(data)

    return fetch


def _token_of(data: dict[str, Any]) -> tuple[str, int]:
    """(access_token, expires_in) from a token answer."""
    token, expires_in = data.get("access_token"), data.get("expires_in", 7200)
    if not isinstance(token, str) or not token or not isinstance(expires_in, int):
        raise WechatApiError(-2, "token answer without access_token")
    return token, expires_in
