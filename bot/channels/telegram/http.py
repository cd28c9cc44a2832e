"""python-telegram-bot's requests over aiohttp instead of httpx.

PTB's own transport (HTTPXRequest) spends about 1 ms of CPU on every request; aiohttp about
0.25 ms (measured against the fake Bot API, 3,000 sendMessage, 1 and 8 at a time). Every
reply to a member is one request, so on a 2-core box that was a third of all the work zhibu
did per message. PTB supports other transports through `BaseRequest`; this is one, with the
same timeouts and the same errors (TimedOut, NetworkError) as the original, and like httpx it
honours HTTPS_PROXY / NO_PROXY from the environment — looked up once, for the Bot API's host
(aiohttp's own trust_env looks it up in a worker thread on every request).
"""

from __future__ import annotations

import ssl
import urllib.request
from urllib.parse import urlsplit

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

Timeout = float | None


class AiohttpRequest(BaseRequest):
    """One aiohttp session (a pool of `connection_pool_size` connections) for one Bot."""

    def __init__(self, connection_pool_size: int, *, ssl_context: ssl.SSLContext | None = None,
                 proxy: str | None = None,
                 read_timeout: Timeout = 5.0, write_timeout: Timeout = 5.0,
                 connect_timeout: Timeout = 5.0, pool_timeout: Timeout = 1.0,
                 media_write_timeout: Timeout = 20.0) -> None:
        self._pool_size = connection_pool_size
        self._ssl = ssl_context
        self._proxy = proxy
        self._read = read_timeout
        self._write = write_timeout
        self._connect = connect_timeout
        self._pool = pool_timeout
        self._media_write = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> Timeout:
        """The read timeout used when a call names none."""
        return self._read

    async def initialize(self) -> None:
        """Open the session (inside the running loop, as aiohttp requires)."""
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size,
                                             ssl=self._ssl if self._ssl is not None else True)
            self._session = aiohttp.ClientSession(connector=connector)

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """One HTTP request; (status, body). Transport failures become TimedOut/NetworkError."""
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        fields = request_data.json_parameters if request_data else None
        read = _pick(read_timeout, self._read)
        write = _pick(write_timeout, self._media_write if files else self._write)
        connect = _pick(connect_timeout, self._connect)
        pool = _pick(pool_timeout, self._pool)
        # aiohttp has no write timeout of its own: the whole request is bounded by the sum.
        parts = (read, write, connect, pool)
        timeout = aiohttp.ClientTimeout(
            total=None if None in parts else sum(p for p in parts if p is not None),
            connect=None if connect is None or pool is None else connect + pool,
            sock_connect=connect, sock_read=read)
        body: aiohttp.FormData | dict[str, str] | None = fields
        if files:
            # Raw UTF-8 file names, as httpx sends them (aiohttp would %-encode "出勤.png").
            form = aiohttp.FormData(quote_fields=False)
            for name, value in (fields or {}).items():
                form.add_field(name, value)
            for name, (filename, content, mimetype) in files.items():
                form.add_field(name, content, filename=filename, content_type=mimetype)
            body = form
        try:
            async with self._session.request(method, url, data=body, timeout=timeout,
                                             proxy=self._proxy,
                                             headers={"User-Agent": self.USER_AGENT}) as res:
                return res.status, await res.read()
        except TimeoutError as err:
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{err.__class__.__name__}: {err}") from err


def _pick(value: object, default: Timeout) -> Timeout:
    """A timeout passed to a call, or the default when the call left it unset (PTB passes a
    DefaultValue placeholder then; None means no limit)."""
    if value is None or isinstance(value, int | float):
        return value
    return default


def env_proxy(url: str) -> str | None:
    """The proxy the environment (HTTPS_PROXY, HTTP_PROXY, NO_PROXY) names for this URL."""
    parts = urlsplit(url)
    if parts.hostname and urllib.request.proxy_bypass(parts.hostname):
        return None
    return urllib.request.getproxies_environment().get(parts.scheme)
