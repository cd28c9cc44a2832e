"""The monthly digest (简报) of a branch: its text, its 点赞 buttons, and sending it once.

The digest shows only what was published on purpose: the accepted pieces of the month (never
advice), each with its author, column, theme and how many liked it, a photo mentioned only
where its author agreed, and the month's 身边点赞 by name (a note about illness is left out).
No ranking, no points. Sending is one push per active member of the branch, once per
(branch, month, member); the officer's 发送 and the job on the 1st share this code.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.core.i18n import t
from handlers.delivery.common import month_words
from handlers.notify import PushButton, push
from handlers.submissions.shared import mentions_health
from storage import Tx
from storage.models import Branch
from storage.repo_submissions import Piece, Praise

MAX_LIKE_BUTTONS = 10  # the first pieces get a button; the rest are liked by typing 点赞 N


def digest_text(locale: str, branch: str, month: str, pieces: list[Piece],
                praises: list[Praise]) -> str:
    """The digest as a member reads it, in their language (the pieces as their authors
    wrote them)."""
    lines = [t(locale, "digest.title", branch=branch, month=month_words(locale, month))]
    for n, piece in enumerate(pieces, 1):
        theme = t(locale, "digest.item_theme", theme=piece.theme) if piece.theme else ""
        photo = t(locale, "digest.item_photo") if piece.photo and piece.photo_public else ""
        likes = t(locale, "digest.item_likes", n=piece.likes) if piece.likes else ""
        lines.append(t(locale, "digest.item", n=n, author=piece.author,
                       section=t(locale, f"piece.section.{piece.section}"), theme=theme,
                       body=piece.body, photo=photo, likes=likes))
    if praises:
        named = [t(locale, "digest.praise_for", name=p.to_name, note=p.note)
                 if p.note and not mentions_health(p.note) else p.to_name for p in praises]
        lines.append(t(locale, "digest.praises", names="、".join(named)))
    if pieces:
        lines.append(t(locale, "digest.like_hint"))
    return "\n".join(lines)


def like_data(piece: Piece) -> str:
    """What a digest item's button sends: the router reads it as 点赞 of that piece."""
    return f"点赞 #{piece.id}"


def like_buttons(pieces: list[Piece]) -> tuple[PushButton, ...]:
    """One 点赞 button per item (the first MAX_LIKE_BUTTONS), labelled by its number."""
    return tuple(PushButton(_label(n), like_data(piece))
                 for n, piece in enumerate(pieces[:MAX_LIKE_BUTTONS], 1))


def _label(n: int) -> Callable[[str], str]:
    """The n-th like button's label, rendered in each recipient's language."""
    return lambda locale: t(locale, "digest.button.like", n=n)


async def send_digest(tx: Tx, branch: Branch, month: str, *, by_member_id: int | None,
                      now: datetime, default_locale: str) -> int | None:
    """Send a month's digest to every active member of the branch; how many were queued
    (None when it had been sent already, so nothing went out again)."""
    pieces = await tx.accepted_pieces(branch.id, month)
    praises = await tx.praises_in(branch.id, month)
    if not await tx.mark_digest_sent(branch.id, month, by_member_id, now):
        return None
    buttons = like_buttons(pieces)
    sent = 0
    for member in await tx.branch_members(branch.id):
        if await push(tx, member,
                      lambda locale: digest_text(locale, branch.name, month, pieces, praises),
                      key=f"digest:{branch.id}:{month}:{member.id}", kind="digest", now=now,
                      default_locale=default_locale, buttons=buttons):
            sent += 1
    return sent
