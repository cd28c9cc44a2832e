"""Reading an answer against the choices a member was offered.

One matcher for every flow: the button's data, its number, or its label typed in either
script (地址變了 for 地址变了), so typing what the button says is the same as pressing it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.understanding.keywords import normalize, parse_number


@dataclass(frozen=True)
class Picked:
    """Which offered choice an answer names (index), or that it is a number out of range."""

    index: int | None
    out_of_range: bool = False


NOTHING = Picked(None)


def pick(said: str, button: str | None, offered: Sequence[tuple[str, str]]) -> Picked:
    """Match an answer against offered (value, label) pairs: data, number, label, value."""
    if not offered:
        return NOTHING
    values = [value for value, _ in offered]
    if button is not None and button in values:
        return Picked(values.index(button))
    number = parse_number(said)
    if number is not None:
        return Picked(number - 1) if 1 <= number <= len(offered) else Picked(None, True)
    norm = normalize(said)
    if not norm:
        return NOTHING
    for index, (value, label) in enumerate(offered):
        if norm in (normalize(label), normalize(value)):
            return Picked(index)
    return NOTHING
