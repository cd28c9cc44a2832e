"""Leases: which instance plays a role only one may play at a time (schema 10, `leases`).

A lease is a row (name, holder, expires_at). Its holder renews it well before it expires; any
other instance takes it once it has expired, so a holder that died is replaced within the
lease's length. Taking and renewing are one upsert whose WHERE clause decides atomically (on
PostgreSQL the conflicting row is locked, and a second contender re-checks the clause against
the first one's new row), so the statements are safe outside the unit-of-work lock
(`transaction(serial=False)`): a renewal does not queue behind a long broadcast.

Expiry compares the instants as `ts()` text (sortable UTC). Each instance reads its own clock:
the lease's length must be large beside the clocks' disagreement (NTP keeps it to
milliseconds).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from storage.repo_base import RepoBase
from storage.timefmt import parse_ts, ts


class LeaseRepo(RepoBase):
    """Taking, renewing, reading and giving up leases."""

    async def take_lease(self, name: str, holder: str, now: datetime, ttl: timedelta) -> bool:
        """Hold `name` until now + ttl: a new lease, one that expired (whoever held it), or
        a renewal of my own. False, and nothing changed, while another holder's is current."""
        await self._run(
            "INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, "
            "expires_at = excluded.expires_at "
            "WHERE leases.expires_at <= ? OR leases.holder = ?",
            (name, holder, ts(now + ttl), ts(now), holder),
        )
        row = await self._one("SELECT holder FROM leases WHERE name = ?", (name,))
        return row is not None and row["holder"] == holder

    async def lease_of(self, name: str) -> tuple[str, datetime] | None:
        """Who holds (or last held) `name`, and until when; None if nobody ever took it."""
        row = await self._one("SELECT holder, expires_at FROM leases WHERE name = ?", (name,))
        return (str(row["holder"]), parse_ts(row["expires_at"])) if row else None

    async def lease_holder(self, name: str, now: datetime) -> str | None:
        """The holder of `name` if its lease is current at `now`, else None."""
        found = await self.lease_of(name)
        return found[0] if found is not None and found[1] > now else None

    async def drop_lease(self, name: str, holder: str) -> bool:
        """Give `name` up (a clean stop: the next instance need not wait for it to expire);
        False if `holder` no longer held it."""
        return await self._run(
            "DELETE FROM leases WHERE name = ? AND holder = ?", (name, holder)) > 0
