"""Cleaning a dictated or typed sentence before it is understood.

Voice input writes out what a member says: 嗯，那个，书记你好，我今天签到逗号… Greetings and
fillers at the start of a clause, dictated punctuation, emoji and the spaces inside Chinese
words go; what is left is kept twice, as typed (for values read back to the member and to the
secretary) and folded to Simplified (for matching), position for position.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bot.core.script import convert
from bot.understanding.lexicon import lexicon

_SEPARATORS = frozenset("，,。.！!？?；;、：:…~～ \n\t")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_ADDRESS = re.compile(r"^[\u4e00-\u9fff]?书记(?=[，,。！!\s]|$)(?![，,\s]*在)")


@dataclass(frozen=True)
class Cleaned:
    """A message without greetings, fillers and noise: as typed, and folded to Simplified
    (the same length, so a span found in one is the same span in the other)."""

    typed: str
    simple: str

    def span(self, start: int, end: int) -> str:
        """The typed characters of a span found in `simple`."""
        return self.typed[start:end]

    @property
    def empty(self) -> bool:
        """Nothing left (the message was only a greeting, filler or emoji)."""
        return not self.simple


def is_separator(ch: str) -> bool:
    """Tell whether ch ends a clause (punctuation or a space)."""
    return ch in _SEPARATORS or unicodedata.category(ch).startswith("P")


def _fold(text: str) -> tuple[list[str], list[str]]:
    """Invisible characters and emoji out; the typed characters beside their NFKC, Simplified,
    lower-case form (a character NFKC turns into several is kept in that form in both)."""
    typed, folded = [], []
    for ch in text:
        for part in (ch,) if len(unicodedata.normalize("NFKC", ch)) == 1 else tuple(
                unicodedata.normalize("NFKC", ch)):
            norm = unicodedata.normalize("NFKC", part)
            if norm.isspace():
                typed.append(" ")
                folded.append(" ")
            elif unicodedata.category(norm)[0] not in "CS":
                typed.append(part)
                folded.append(norm)
    simple = convert("".join(folded), "zh-cn").lower()
    if len(simple) != len(typed):  # a rare phrase conversion that changes length
        return list(simple), list(simple)
    return typed, list(simple)


def clean(text: str) -> Cleaned:
    """Drop what carries no meaning; keep the rest in both scripts."""
    typed, simple = _fold(text)
    _dictated(typed, simple)
    _inner_spaces(typed, simple)
    keep = [True] * len(simple)
    _openers(simple, keep)
    t = "".join(c for c, k in zip(typed, keep, strict=True) if k)
    s = "".join(c for c, k in zip(simple, keep, strict=True) if k)
    return _trim(Cleaned(t, s))


def _dictated(typed: list[str], simple: list[str]) -> None:
    """逗号 / 句号 spoken into the microphone become punctuation (a space pads the length)."""
    joined = "".join(simple)
    for word in lexicon().dictated_punctuation:
        start = joined.find(word)
        while start >= 0:
            for i in range(start, start + len(word)):
                typed[i] = simple[i] = "，" if i == start else "\0"
            joined = "".join(simple)
            start = joined.find(word)
    for i, ch in enumerate(simple):
        if ch == "\0":
            typed[i] = simple[i] = " "


def _inner_spaces(typed: list[str], simple: list[str]) -> None:
    """签 到 -> 签到: a space that splits a word (a single character on one side) goes; a
    space between words (请假 腿疼, 代签 刘德明 腿脚不便) stays."""
    for i in range(1, len(simple) - 1):
        if simple[i] != " " or not (_CJK.match(simple[i - 1]) and _CJK.match(_next(simple, i))):
            continue
        if _token(simple, i, -1) == 1 or _token(simple, i, 1) == 1:
            typed[i] = simple[i] = "\0"
    for i, ch in enumerate(simple):
        if ch == "\0":
            typed[i] = simple[i] = ""


def _token(chars: list[str], i: int, step: int) -> int:
    """How many characters the word beside position i has (up to a space or separator)."""
    n, j = 0, i + step
    while 0 <= j < len(chars) and chars[j] and not is_separator(chars[j]):
        n, j = n + 1, j + step
    return n


def _next(chars: list[str], i: int) -> str:
    """The next character that is not a removed space."""
    for ch in chars[i + 1:]:
        if ch:
            return ch
    return ""


def _openers(simple: list[str], keep: list[bool]) -> None:
    """Greetings, the secretary's title and fillers at the start of each clause go."""
    text = "".join(simple)
    lex = lexicon()
    openers = (*lex.greetings, *lex.fillers)
    i, clause_start = 0, True
    while i < len(text):
        if clause_start or is_separator(text[i - 1]):
            dropped = _opener_at(text, i, openers)
            if dropped:  # 嗯那个我住院了: after 嗯, 那个 still opens the clause
                for j in range(i, i + dropped):
                    keep[j] = False
                i, clause_start = i + dropped, True
                continue
        i, clause_start = i + 1, False


def _opener_at(text: str, i: int, openers: tuple[str, ...]) -> int:
    """How many characters at i open a clause without meaning (0: none)."""
    rest = text[i:]
    address = _ADDRESS.match(rest)
    if address and rest[address.end():].strip("，,。！! "):
        return address.end()
    for word in openers:
        if rest.startswith(word) and _rest_of_clause(rest[len(word):]):
            return len(word)
    return 0


def without_opening(text: str, *also: str) -> str:
    """A text as typed, word for word, but for the greetings and fillers it opens with (and
    any of `also`, e.g. 通知一下 before a notice): 嗯，通知一下，下周二… -> 下周二…"""
    lex = lexicon()
    openers = tuple(sorted({*lex.greetings, *lex.fillers, *also}, key=len, reverse=True))
    rest = text.strip()
    while rest:
        lead = len(rest) - len(rest.lstrip("，,。.、：:…~ \t"))
        if lead:
            rest = rest[lead:]
            continue
        head = convert(unicodedata.normalize("NFKC", rest[:12]), "zh-cn").lower()
        word = next((w for w in openers if head.startswith(w) and _rest_of_clause(
            rest[len(w):])), None)
        if word is None:
            return rest
        rest = rest[len(word):]
    return rest


def _rest_of_clause(rest: str) -> bool:
    """A filler counts as one only before a separator or more words (嗯 alone is an answer)."""
    return bool(rest.strip("，,。.！!？? …"))


def _trim(cleaned: Cleaned) -> Cleaned:
    """Separators off both ends; runs of separators to one."""
    typed: list[str] = []
    simple: list[str] = []
    for t, s in zip(cleaned.typed, cleaned.simple, strict=True):
        if is_separator(s) and (not simple or is_separator(simple[-1])):
            continue
        typed.append(t)
        simple.append(s)
    while simple and is_separator(simple[-1]):
        simple.pop()
        typed.pop()
    return Cleaned("".join(typed), "".join(simple))
