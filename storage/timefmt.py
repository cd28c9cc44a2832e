"""How instants are written to and read from the database (UTC ISO-8601 text)."""

from __future__ import annotations

from datetime import UTC, datetime


def ts(moment: datetime) -> str:
    """Render an aware instant as sortable UTC text."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime reached storage")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def parse_ts(text: str) -> datetime:
    """Read an instant written by ts()."""
    return datetime.fromisoformat(text)
