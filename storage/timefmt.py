"""How instants are written to and read from the database (UTC ISO-8601 text)."""

from __future__ import annotations

from datetime import UTC, datetime


def ts(moment: datetime) -> str:
    """Render an aware instant as sortable UTC text (always with microseconds).

    isoformat() without `timespec` (which costs as much again as the whole conversion; this
    runs several times for every message) gives the same text whenever there are
    microseconds; only a whole second needs them written out.
    """
    if moment.tzinfo is None:
        raise ValueError("naive datetime reached storage")
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    text = moment.isoformat()
    return text if moment.microsecond else f"{text[:19]}.000000{text[19:]}"


def parse_ts(text: str) -> datetime:
    """Read an instant written by ts()."""
    return datetime.fromisoformat(text)
