"""Live zhibu instances: each keeps a lease of its own, 'instance:<id>' (storage/repo_leases).

Instances on one PostgreSQL database count each other this way: the send budget is per bot,
not per process, so each takes its share (bot/ratelimit.py), and a starting instance puts
back the outbox rows of instances that stopped renewing (storage/repo_runtime.py). Renewing
and giving up are LeaseRepo's `take_lease` and `drop_lease` on `instance_lease(id)`.
"""

from __future__ import annotations

from datetime import datetime

from storage.repo_base import RepoBase
from storage.timefmt import ts

PREFIX = "instance:"


def instance_lease(instance_id: str) -> str:
    """The lease an instance keeps while it runs."""
    return PREFIX + instance_id


class InstanceRepo(RepoBase):
    """Who is alive, and forgetting those who are not."""

    async def live_instances(self, now: datetime) -> list[str]:
        """The ids of the instances whose lease holds at `now`, sorted."""
        rows = await self._all(
            "SELECT holder FROM leases WHERE name LIKE ? AND expires_at > ? ORDER BY holder",
            (PREFIX + "%", ts(now)),
        )
        return [str(r["holder"]) for r in rows]

    async def forget_instances(self, before: datetime) -> int:
        """Drop the leases of instances gone since before `before` (each start has a new id,
        so their rows would otherwise pile up)."""
        return await self._run(
            "DELETE FROM leases WHERE name LIKE ? AND expires_at < ?",
            (PREFIX + "%", ts(before)),
        )
