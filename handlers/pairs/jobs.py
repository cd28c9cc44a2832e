"""The daily look at 互助对子: a gentle nudge to a pair that has gone 30 days without contact.

The nudge goes to one side only, the one better placed to reach out: a 支委 (an officer
paired with a member), else the one who needs no home delivery, else the younger by birthday
(lunar birthdays compared by their lunar date, which is near enough; an unknown birthday
decides nothing). Each silence is nudged once: `pair_nudges` keeps (helper, partner, since),
and the push's idempotency key carries the same, so a rerun, a second instance or a restart
sends nothing twice, while a contact and a new 30 days' silence make a new nudge.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.core.clock import Clock
from bot.core.i18n import t
from bot.roster.parse import parse_birthday
from handlers.notify import Render, push
from handlers.pairs.common import is_silent, silent_since
from storage import Store
from storage.models import Member


@dataclass(frozen=True)
class PairJobs:
    """What the pair jobs need: the store, the clock, the zone and the default language."""

    store: Store
    clock: Clock
    tz: ZoneInfo
    locale: str

    async def nudge_silent_pairs(self) -> int:
        """One nudge per pair and silence of 30 days or more; the pushes queued."""
        now = self.clock.now()
        today = now.astimezone(self.tz).date()
        queued = 0
        async with self.store.transaction() as tx:
            await tx.ensure_pairings()
            for a_id, b_id in await tx.all_pairs():
                a, b = await tx.get_member(a_id), await tx.get_member(b_id)
                since = await silent_since(tx, a_id, b_id, self.tz)
                if a is None or b is None or since is None or not is_silent(since, today):
                    continue
                helper, partner = helper_first(a, b)
                day = since.isoformat()
                if not await tx.add_pair_nudge(helper.id, partner.id, day, now):
                    continue
                queued += int(await push(
                    tx, helper, _nudge(partner.name),
                    key=f"pair-nudge:{helper.id}:{partner.id}:{day}", kind="pair_nudge",
                    now=now, default_locale=self.locale))
        return queued


def _nudge(name: str) -> Render:
    """The nudge about a partner, in the helper's language."""
    return lambda locale: t(locale, "pair.nudge", name=name)


def helper_first(a: Member, b: Member) -> tuple[Member, Member]:
    """(the side to nudge, the other): an officer, else the one who gets about, else the
    younger; the first given when nothing tells them apart."""
    if a.is_officer != b.is_officer:
        return (a, b) if a.is_officer else (b, a)
    if a.needs_home_delivery != b.needs_home_delivery:
        return (b, a) if a.needs_home_delivery else (a, b)
    born_a, born_b = _born(a), _born(b)
    if born_a is not None and born_b is not None and born_a != born_b:
        return (a, b) if born_a > born_b else (b, a)
    return a, b


def _born(member: Member) -> tuple[int, int, int] | None:
    """(year, month, day) of a birthday with a year; None when unknown or unreadable."""
    try:
        birthday = parse_birthday(member.birthday) if member.birthday else None
    except ValueError:
        return None
    if birthday is None or birthday.year is None:
        return None
    return birthday.year, birthday.month, birthday.day
