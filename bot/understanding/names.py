"""Names as voice input writes them: 王秀音 for 王秀英, 刘德民 for 刘德明, 周玉兰 for 周玉蘭.

A name is matched against the roster the caller passes (the speaker's own branch, or the
branches an officer oversees — never more): exactly first, then by sound (pypinyin, tones
ignored), then by one different character. The caller decides what an ambiguous answer means
(a choice between the candidates); nothing here reads the store.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from bot.understanding.keywords import normalize

Roster = Sequence[tuple[int, str]]  # (member id, roster name)
_HONORIFICS = ("同志", "老师", "书记")


@functools.lru_cache(maxsize=4096)
def _sound(text: str) -> tuple[str, ...]:
    """The syllables of a name, tones ignored (pypinyin is imported on first use: ~0.2 s)."""
    from pypinyin import lazy_pinyin

    return tuple(lazy_pinyin(text))


def _bare(name: str) -> str:
    """A said name without 同志 and spaces, folded to Simplified."""
    norm = normalize(name).replace(" ", "")
    for suffix in _HONORIFICS:
        if norm.endswith(suffix) and len(norm) > len(suffix) + 1:
            norm = norm[: -len(suffix)]
    return norm


def match_name(said: str, roster: Roster) -> list[int]:
    """The members a said name can mean: exact, else same sound, else one character apart."""
    bare = _bare(said)
    if not 2 <= len(bare) <= 4:
        return []
    folded = [(member_id, normalize(name)) for member_id, name in roster]
    exact = [i for i, name in folded if name == bare]
    if exact:
        return exact
    sound = [i for i, name in folded if len(name) == len(bare) and _sound(name) == _sound(bare)]
    if sound:
        return sound
    return [i for i, name in folded if _one_apart(name, bare)]


def _one_apart(a: str, b: str) -> bool:
    """Same length, exactly one character different (and not the surname alone)."""
    if len(a) != len(b) or len(a) < 3:
        return False
    return sum(x != y for x, y in zip(a, b, strict=True)) == 1


def name_at_start(text: str, roster: Roster) -> tuple[list[int], int]:
    """A name glued to what follows (刘德明腿脚不便): the members and the name's length."""
    bare = normalize(text)
    for length in (3, 2, 4):
        if len(bare) >= length:
            found = match_name(bare[:length], roster)
            if found:
                rest = bare[length:]
                if rest.startswith("同志"):
                    length += 2
                return found, length
    return [], 0

