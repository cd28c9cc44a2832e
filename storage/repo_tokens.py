"""Platform credentials shared by every instance: the WeChat access_token.

Each fetch of an access_token can invalidate the one before, so instances must not fetch
their own: one fetches (inside a unit of work, so that instances take turns) and stores it
here; the others read it (bot/channels/wechat/api.py).
"""

from __future__ import annotations

from datetime import datetime

from storage.repo_base import RepoBase
from storage.timefmt import parse_ts, ts


class TokenRepo(RepoBase):
    """Named tokens with their expiry ('wechat:<appid>', 'wecom:<corpid>')."""

    async def shared_token(self, name: str) -> tuple[str, datetime] | None:
        """The stored token and when it expires, if one was stored."""
        row = await self._one(
            "SELECT token, expires_at FROM shared_tokens WHERE name = ?", (name,))
        if row is None:
            return None
        return str(row["token"]), parse_ts(row["expires_at"])

    async def store_shared_token(self, name: str, token: str, expires_at: datetime) -> None:
        """Keep a freshly fetched token for every instance."""
        await self._run(
            "INSERT INTO shared_tokens (name, token, expires_at) VALUES (?, ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET token = excluded.token, "
            "expires_at = excluded.expires_at",
            (name, token, ts(expires_at)),
        )
