"""Reading an answer against the choices a member was offered.

One matcher for every flow: the button's data, its number, its label typed in either script
(地址變了 for 地址变了), the label said in a sentence (嗯，我自己吧), or a word that means the
choice (本人 for 我自己, 行 for 可以: lexicon.toml's [choices]). Typing what a button says is
the same as pressing it; a number that is not offered is reported, never read as a menu item.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.understanding.clean import clean
from bot.understanding.keywords import normalize, parse_number
from bot.understanding.lexicon import lexicon


@dataclass(frozen=True)
class Picked:
    """Which offered choice an answer names (index), or that it is a number out of range."""

    index: int | None
    out_of_range: bool = False


NOTHING = Picked(None)
_NEGATIONS = "不别没"
_PICKING = re.compile(r"^(?:我?选|就选|选择|按|点)?(.+?)(?:吧|了|个|号)?$")


def pick(said: str, button: str | None, offered: Sequence[tuple[str, str]]) -> Picked:
    """Match an answer against offered (value, label) pairs."""
    if not offered:
        return NOTHING
    values = [value for value, _ in offered]
    if button is not None and button in values:
        return Picked(values.index(button))
    number = _number(said)
    if number is not None:
        return Picked(number - 1) if 1 <= number <= len(offered) else Picked(None, True)
    norm = normalize(said)
    if not norm:
        return NOTHING
    found = _exact(norm, offered)
    if found is not None:
        return Picked(found)
    cleaned = clean(said).simple
    for core in dict.fromkeys((cleaned, cleaned.rstrip(lexicon().particles))):
        if not core:
            continue
        for match in (_exact, _by_synonym, _by_part):
            found = match(core, offered)
            if found is not None:
                return Picked(found)
    return NOTHING


def _number(said: str) -> int | None:
    """A number answer: 2, ２, 第二个, 选2, 2号."""
    number = parse_number(said)
    if number is not None:
        return number
    found = _PICKING.match(normalize(said).replace(" ", ""))
    return parse_number(found.group(1)) if found and found.group(1) != said else None


def _exact(text: str, offered: Sequence[tuple[str, str]]) -> int | None:
    for index, (value, label) in enumerate(offered):
        if text in (normalize(label), normalize(value)):
            return index
    return None


def _only(found: list[int]) -> int | None:
    unique = sorted(set(found))
    return unique[0] if len(unique) == 1 else None


def _by_synonym(text: str, offered: Sequence[tuple[str, str]]) -> int | None:
    """A word that means a choice: the whole answer, or (two characters or more) inside it."""
    synonyms = lexicon().choices
    whole = [i for i, (value, _) in enumerate(offered) if text in synonyms.get(value, ())]
    if whole:
        return _only(whole)
    # Inside a longer answer a word counts unless negated (别告诉她 is no 告诉她); where 跳过
    # is the only choice, only if it is most of the answer (三病区，几床不清楚 is a ward).
    alone = len(offered) == 1
    inside = [(len(word), i) for i, (value, _) in enumerate(offered)
              for word in synonyms.get(value, ())
              if len(word) >= 2 and _unnegated(text, word)
              and (not alone or 2 * len(word) >= len(text))]
    if not inside:
        return None
    longest = max(n for n, _ in inside)  # 不用麻烦她: 不用麻烦 (不告诉), not 麻烦她 (告诉)
    return _only([i for n, i in inside if n == longest])


def _unnegated(text: str, word: str) -> bool:
    """The word stands somewhere without 不/别/没 in the two characters before it (不要麻烦她)."""
    if word[0] in _NEGATIONS:
        return word in text
    at = text.find(word)
    while at >= 0:
        if not any(ch in _NEGATIONS for ch in text[max(0, at - 2):at]):
            return True
        at = text.find(word, at + 1)
    return False


def _by_part(text: str, offered: Sequence[tuple[str, str]]) -> int | None:
    """The label said within a sentence, or a good part of the label (其他同志)."""
    found = []
    for index, (value, label) in enumerate(offered):
        folded = normalize(label)
        if len(folded) >= 2 and folded in text:
            found.append(index)
        elif len(text) >= 2 and (text in folded or normalize(value) in text):
            found.append(index)
    return _only(found)
