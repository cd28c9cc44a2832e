"""What every 互助对子 word needs: the partner, how long a pair has been silent, short dates.

A partner is the active member `pair_member_id` points to (a partner who left or died is no
partner to call). A pair's silence runs from its last contact, whichever of the two gave it,
or from the pairing when there was none: the officers' list and the nudge job read it alike.
"""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from bot.core.i18n import t
from handlers.context import Context
from storage import Tx
from storage.models import Member

SILENT_AFTER = timedelta(days=30)


async def partner_of(tx: Tx, member: Member) -> Member | None:
    """A member's mutual-aid partner, if they have one who is still active."""
    if member.pair_member_id is None:
        return None
    partner = await tx.get_member(member.pair_member_id)
    return partner if partner is not None and partner.status == "active" else None


async def silent_since(tx: Tx, a: int, b: int, tz: ZoneInfo) -> date | None:
    """The local day a pair's silence runs from: its last contact, or its pairing when later
    (a pair made anew starts anew); None when neither is known."""
    days: list[date] = []
    last = await tx.last_pair_contact(a, b)
    if last is not None:
        days.append(date.fromisoformat(last.contacted_on))
    paired = await tx.paired_at(a, b)
    if paired is not None:
        days.append(paired.astimezone(tz).date())
    return max(days, default=None)


def is_silent(since: date | None, today: date) -> bool:
    """Whether a pair has gone 30 days or more without a contact."""
    return since is not None and today - since >= SILENT_AFTER


def short_date(locale: str, day: date) -> str:
    """12月1日: a date short enough for one line per pair."""
    return t(locale, "pair.date", month=day.month, day=day.day)


def kind_words(ctx: Context, kind: str) -> str:
    """生活帮助 / 精神慰藉 / 就近互助."""
    return ctx.t(f"pair.kind.{kind}")


async def partner_line(ctx: Context) -> str | None:
    """One line for 我的: who the partner is and their phone (None: no partner)."""
    partner = await partner_of(ctx.tx, ctx.me())
    if partner is None:
        return None
    return ctx.t("pair.me_line", name=partner.name, phone=partner.phone)
