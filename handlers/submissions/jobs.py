"""Scheduled digest work: on the 1st of a month, last month's digest of every branch that
has accepted pieces and has not sent it yet.

Safe to run as often as the scheduler likes: the digests row is written before any push and
each push has its idempotency key, so a rerun, a restart, or an officer's 发送 earlier the same
day never sends a month twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.core.clock import Clock
from handlers.delivery.common import month_key, shift_month
from handlers.submissions.bulletin import send_digest
from storage import Store


@dataclass(frozen=True)
class SubmissionJobs:
    """What the digest job needs: the store, the clock, the zone and the default language."""

    store: Store
    clock: Clock
    tz: ZoneInfo
    locale: str

    async def send_monthly_digests(self) -> int:
        """On the 1st (local), send the previous month's digests not sent yet; how many
        branches' digests went out."""
        now = self.clock.now()
        today = now.astimezone(self.tz)
        if today.day != 1:
            return 0
        month = shift_month(month_key(today), -1)
        async with self.store.transaction() as tx:
            branches = await tx.list_branches()
        sent = 0
        for branch in branches:
            async with self.store.transaction() as tx:
                if await tx.digest_sent_at(branch.id, month) is not None:
                    continue
                if not await tx.accepted_pieces(branch.id, month):
                    continue
                if await send_digest(tx, branch, month, by_member_id=None, now=now,
                                     default_locale=self.locale) is not None:
                    sent += 1
        return sent
