"""投稿 and their review, 征文主题, 点赞, the monthly digest.

A piece (submissions row) belongs to its author's branch and to the local month it was sent
in; that month's digest shows the branch's accepted pieces of the month. Likes are rows, never
points: a piece's count is how many members tapped it, and 身边点赞 are listed by name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.repo_base import RepoBase, Row
from storage.timefmt import parse_ts, ts

SECTIONS = ("witness", "join", "praise", "advice")
# A piece waiting for an officer (a 建言献策 also once it went up to the admins).
WAITING = ("submitted",)
ADVICE_OPEN = ("submitted", "forwarded")

_PIECE_COLS = (
    "s.id, s.branch_id, s.member_id, m.name AS author, s.section, s.theme, s.body, s.photo, "
    "s.photo_public, s.status, s.review_note, s.month, s.created_at, "
    "(SELECT COUNT(*) FROM likes l WHERE l.submission_id = s.id) AS likes"
)
_PIECES = f"SELECT {_PIECE_COLS} FROM submissions s JOIN members m ON m.id = s.member_id"


@dataclass(frozen=True)
class Piece:
    """One submission with its author's name and how many likes it has."""

    id: int
    branch_id: int
    member_id: int
    author: str
    section: str
    theme: str | None
    body: str
    photo: str | None
    photo_public: bool
    status: str
    review_note: str | None
    month: str
    created_at: datetime
    likes: int


@dataclass(frozen=True)
class Praise:
    """A 身边点赞: who praised whom, for what (the note may be empty)."""

    id: int
    branch_id: int
    from_member_id: int
    to_member_id: int
    to_name: str
    note: str | None
    month: str


def _piece(row: Row) -> Piece:
    """A piece from a row of _PIECES."""
    return Piece(
        id=row["id"], branch_id=row["branch_id"], member_id=row["member_id"],
        author=row["author"], section=row["section"], theme=row["theme"], body=row["body"],
        photo=row["photo"], photo_public=bool(row["photo_public"]), status=row["status"],
        review_note=row["review_note"], month=row["month"],
        created_at=parse_ts(row["created_at"]), likes=int(row["likes"]))


class SubmissionRepo(RepoBase):
    """投稿 and their review, 征文主题, 点赞, the monthly digest."""

    # -- pieces ----------------------------------------------------------------------------
    async def add_submission(self, branch_id: int, member_id: int, section: str, body: str,
                             month: str, now: datetime, *, theme: str | None = None,
                             photo: str | None = None, photo_public: bool = False) -> int:
        """Record a member's piece (status submitted); its id."""
        if section not in SECTIONS:
            raise ValueError(f"unknown section {section!r}")
        return await self._insert(
            "INSERT INTO submissions (branch_id, member_id, section, theme, body, photo, "
            "photo_public, status, month, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'submitted', "
            "?, ?)",
            (branch_id, member_id, section, theme, body, photo, int(photo_public), month,
             ts(now)))

    async def get_piece(self, piece_id: int) -> Piece | None:
        """A piece by id."""
        row = await self._one(f"{_PIECES} WHERE s.id = ?", (piece_id,))
        return _piece(row) if row else None

    async def waiting_pieces(self, branch_id: int,
                             statuses: tuple[str, ...] = WAITING) -> list[Piece]:
        """A branch's pieces in these states, oldest first (the review queue)."""
        marks = ",".join("?" * len(statuses))
        rows = await self._all(
            f"{_PIECES} WHERE s.branch_id = ? AND s.status IN ({marks}) ORDER BY s.id",
            (branch_id, *statuses))
        return [_piece(r) for r in rows]

    async def member_pieces(self, member_id: int, limit: int = 10) -> list[Piece]:
        """A member's own pieces, newest first."""
        rows = await self._all(
            f"{_PIECES} WHERE s.member_id = ? ORDER BY s.id DESC LIMIT ?", (member_id, limit))
        return [_piece(r) for r in rows]

    async def review_piece(self, piece_id: int, status: str, by_member_id: int, now: datetime,
                           *, note: str | None = None, was: tuple[str, ...] = WAITING) -> bool:
        """Move a piece on (accepted, returned, forwarded, answered) if it is still in one of
        the states `was`; False when someone else (or a redelivered message) was first."""
        marks = ",".join("?" * len(was))
        changed = await self._run(
            "UPDATE submissions SET status = ?, review_note = COALESCE(?, review_note), "
            f"reviewed_by = ?, reviewed_at = ? WHERE id = ? AND status IN ({marks})",
            (status, note, by_member_id, ts(now), piece_id, *was))
        return changed > 0

    async def accepted_pieces(self, branch_id: int, month: str) -> list[Piece]:
        """The pieces of a month a digest shows: accepted, never advice, oldest first."""
        rows = await self._all(
            f"{_PIECES} WHERE s.branch_id = ? AND s.month = ? AND s.status = 'accepted' "
            "AND s.section <> 'advice' ORDER BY s.id", (branch_id, month))
        return [_piece(r) for r in rows]

    # -- themes ----------------------------------------------------------------------------
    async def set_theme(self, branch_id: int, month: str, theme: str,
                        by_member_id: int | None) -> None:
        """The month's theme of a branch (a second one replaces the first)."""
        await self._run(
            "INSERT INTO themes (branch_id, month, theme, set_by) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (branch_id, month) DO UPDATE SET theme = excluded.theme, "
            "set_by = excluded.set_by", (branch_id, month, theme, by_member_id))

    async def theme_of(self, branch_id: int, month: str) -> str | None:
        """The month's theme of a branch, if an officer set one."""
        row = await self._one("SELECT theme FROM themes WHERE branch_id = ? AND month = ?",
                              (branch_id, month))
        return str(row["theme"]) if row else None

    # -- likes -----------------------------------------------------------------------------
    async def like_piece(self, branch_id: int, member_id: int, piece_id: int, month: str,
                         now: datetime) -> bool:
        """One like of a piece by a member; False when they had liked it already."""
        changed = await self._run(
            "INSERT INTO likes (branch_id, from_member_id, submission_id, month, created_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (branch_id, member_id, piece_id, month, ts(now)))
        return changed > 0

    async def add_praise(self, branch_id: int, from_member_id: int, to_member_id: int,
                         note: str | None, month: str, now: datetime) -> int:
        """A 身边点赞 of a person for a deed; its id."""
        return await self._insert(
            "INSERT INTO likes (branch_id, from_member_id, to_member_id, note, month, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (branch_id, from_member_id, to_member_id, note, month, ts(now)))

    async def praises_in(self, branch_id: int, month: str) -> list[Praise]:
        """A branch's 身边点赞 of a month, oldest first."""
        rows = await self._all(
            "SELECT l.id, l.branch_id, l.from_member_id, l.to_member_id, m.name, l.note, "
            "l.month FROM likes l JOIN members m ON m.id = l.to_member_id "
            "WHERE l.branch_id = ? AND l.month = ? AND l.to_member_id IS NOT NULL "
            "ORDER BY l.id", (branch_id, month))
        return [Praise(r[0], r[1], r[2], r[3], r[4], r[5], r[6]) for r in rows]

    # -- digests ---------------------------------------------------------------------------
    async def mark_digest_sent(self, branch_id: int, month: str, by_member_id: int | None,
                               now: datetime) -> bool:
        """Note a month's digest as sent; False when it had been sent already."""
        changed = await self._run(
            "INSERT INTO digests (branch_id, month, sent_at, sent_by) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (branch_id, month) DO NOTHING",
            (branch_id, month, ts(now), by_member_id))
        return changed > 0

    async def digest_sent_at(self, branch_id: int, month: str) -> datetime | None:
        """When a month's digest went out (None: not yet)."""
        row = await self._one("SELECT sent_at FROM digests WHERE branch_id = ? AND month = ?",
                              (branch_id, month))
        return parse_ts(row["sent_at"]) if row else None

    async def latest_digest_month(self, branch_id: int) -> str | None:
        """The month of the branch's latest sent digest."""
        row = await self._one("SELECT MAX(month) AS month FROM digests WHERE branch_id = ?",
                              (branch_id,))
        return str(row["month"]) if row and row["month"] else None
