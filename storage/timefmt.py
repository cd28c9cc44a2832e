"""How instants are written to and read from the database (UTC ISO-8601 text)."""

from __future__ import annotations

from datetime import UTC, datetime


def ts(moment: datetime) -> str:
    """Render an aware instant as sortable UTC text (always with microseconds).

    isoformat() without `timespec` (which costs as much again as the whole conversion; this
    runs several times for every message) gives the same text whenever there are
    microseconds; only a whole second needs them written out.
    """
    global _last
    last = _last
    if last[0] is moment:  # a message writes its one `now` three or four times
        return last[1]
    if moment.tzinfo is None:
        raise ValueError("naive datetime reached storage")
    utc = moment if moment.tzinfo is UTC else moment.astimezone(UTC)
    text = utc.isoformat()
    if not utc.microsecond:
        text = f"{text[:19]}.000000{text[19:]}"
    _last = (moment, text)
    return text


_last: tuple[datetime | None, str] = (None, "")


def parse_ts(text: str) -> datetime:
    """Read an instant written by ts()."""
    return datetime.fromisoformat(text)
