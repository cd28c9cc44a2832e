"""Scheduled activity work: one reminder the day before, to each member with a place.

Safe to run on every scheduler tick: one indexed query finds tomorrow's sign-ups (nothing on
most days), and each reminder's idempotency key (`activity:{id}:remind:{member}`) makes it
exactly once across reruns and restarts; quiet hours are the outbox's business.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core.clock import Clock
from bot.core.i18n import t
from handlers.activities.invite import place_text, when_text
from handlers.notify import Render, push
from storage import Store
from storage.repo_activities import Activity


@dataclass(frozen=True)
class ActivityJobs:
    """What the activity jobs need: the store, the clock, the zone and the default language."""

    store: Store
    clock: Clock
    tz: ZoneInfo
    locale: str

    async def remind_day_before(self) -> int:
        """Remind every signed-up member of each open activity starting tomorrow (local
        date); the number of reminders newly queued."""
        now = self.clock.now()
        tomorrow = now.astimezone(self.tz).date() + timedelta(days=1)
        start = datetime.combine(tomorrow, time(), tzinfo=self.tz)
        queued = 0
        async with self.store.transaction() as tx:
            due = await tx.reminders_due(start, start + timedelta(days=1))
            for activity, member_id in due:
                member = await tx.get_member(member_id)
                if member is None:
                    continue
                queued += await push(tx, member, self._render(activity),
                                     key=f"activity:{activity.id}:remind:{member.id}",
                                     kind="activity_reminder", now=now,
                                     default_locale=self.locale)
        return queued

    def _render(self, activity: Activity) -> Render:
        def render(locale: str) -> str:
            return t(locale, "activity.remind", title=activity.title,
                     when=when_text(locale, activity, self.tz),
                     place=place_text(locale, activity))

        return render

