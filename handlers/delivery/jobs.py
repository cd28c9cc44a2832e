"""Scheduled material work: on a branch's study day, the month's material goes to every
active member through the outbox (once per member and material, however often it runs).

Until the scheduler adds quiet hours and per-channel limits to the outbox, the rows are
queued directly and the dispatcher sends them as usual.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.core.clock import Clock
from bot.core.i18n import t
from handlers.delivery.common import month_key, month_words
from handlers.notify import PushButton, Render, push
from handlers.sessions import branch_rule
from storage import Store, Tx
from storage.models import Branch
from storage.repo_delivery import Material

BROADCAST_BODY_CHARS = 1200  # a longer text is cut; 资料 gives the whole of it


@dataclass(frozen=True)
class DeliveryJobs:
    """What the material jobs need: the store, the clock, the zone and the default language."""

    store: Store
    clock: Clock
    tz: ZoneInfo
    locale: str

    async def send_study_day_materials(self) -> int:
        """On each branch's study day: the month's materials to each active member, once."""
        now = self.clock.now()
        today = now.astimezone(self.tz).date()
        queued = 0
        async with self.store.transaction() as tx:
            for branch in await tx.list_branches():
                if self._is_study_day(branch, today):
                    queued += await self._broadcast(tx, branch, month_key(today), now)
        return queued

    def _is_study_day(self, branch: Branch, today: date) -> bool:
        rule = branch_rule(branch)
        if rule is None:
            return False
        return rule.session_in_month(today.year, today.month, self.tz).date() == today

    async def _broadcast(self, tx: Tx, branch: Branch, month: str, now: datetime) -> int:
        materials = await tx.materials_for(branch.id, month)
        queued = 0
        for member in await tx.branch_members(branch.id) if materials else []:
            for material in materials:
                buttons = (PushButton(lambda locale: t(locale, "material.button"), "资料"),)
                queued += await push(
                    tx, member, broadcast_text(material), key=f"material:{material.id}:{member.id}",
                    kind="material_broadcast", now=now, default_locale=self.locale,
                    buttons=buttons if material.kind == "file" else ())
        return queued


def broadcast_text(material: Material) -> Render:
    """The push for one material: the text itself (cut when long), a link, or a pointer to 资料."""

    def render(locale: str) -> str:
        month = month_words(locale, material.month)
        if material.kind == "text":
            body = material.body or ""
            if len(body) > BROADCAST_BODY_CHARS:
                body = body[:BROADCAST_BODY_CHARS] + t(locale, "material.broadcast.more")
            return t(locale, "material.broadcast.text", month=month, title=material.title,
                     body=body)
        if material.kind == "link":
            return t(locale, "material.broadcast.link", month=month, title=material.title,
                     url=material.url or "")
        return t(locale, "material.broadcast.file", month=month, title=material.title)

    return render
