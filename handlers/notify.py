"""Queueing pushes for other people, rendered in each recipient's language."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from storage import Tx
from storage.models import Member

Render = Callable[[str], str]


@dataclass(frozen=True)
class PushButton:
    """A button under a push; `label` is rendered per recipient locale."""

    label: Render
    data: str


async def recipient_locale(tx: Tx, member: Member, default: str) -> str:
    """The language to write to a member in: roster first, then how they last wrote."""
    if member.language:
        return member.language
    for binding in await tx.bindings_for(member.id):
        if binding.relation is None and binding.locale:
            return binding.locale
    return default


async def reachable(tx: Tx, member: Member) -> bool:
    """Bound on at least one channel account that has not blocked us."""
    return any(b.unreachable_at is None for b in await tx.bindings_for(member.id))


async def push(
    tx: Tx,
    recipient: Member,
    render: Render,
    *,
    key: str,
    kind: str,
    now: datetime,
    default_locale: str,
    buttons: tuple[PushButton, ...] = (),
    urgent: bool = False,
    ref_key: str | None = None,
    not_before: datetime | None = None,
) -> bool:
    """Queue one push (once per key) unless the recipient no longer receives anything."""
    if recipient.status != "active":
        return False
    locale = await recipient_locale(tx, recipient, default_locale)
    rendered = [{"label": b.label(locale), "data": b.data} for b in buttons]
    return await tx.enqueue(key, recipient.id, kind, render(locale), now, buttons=rendered,
                            urgent=urgent, ref_key=ref_key, not_before=not_before)
