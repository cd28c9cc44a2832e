"""The lexicon (lexicon.toml beside this file), read once and compiled for matching."""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any

from bot.understanding.keywords import Intent, normalize


@dataclass(frozen=True)
class Rule:
    """One intent's phrases (anywhere), exact forms (the whole message), and what rules it out."""

    intent: Intent | None  # None: "not yet", which is never a check-in
    phrases: tuple[str, ...]
    exact: frozenset[str]
    weak: tuple[str, ...]
    patterns: tuple[re.Pattern[str], ...]
    weak_patterns: tuple[re.Pattern[str], ...]
    unless: tuple[str, ...]
    unless_patterns: tuple[re.Pattern[str], ...]
    officer: bool


@dataclass(frozen=True)
class Lexicon:
    """Everything the understanding layer matches against, folded to Simplified."""

    greetings: tuple[str, ...]
    fillers: tuple[str, ...]
    dictated_punctuation: tuple[str, ...]
    particles: str
    rules: tuple[Rule, ...]
    confirm: frozenset[str]
    cancel: frozenset[str]
    skip: frozenset[str]
    change: frozenset[str]
    correction_cues: tuple[str, ...]
    choices: dict[str, tuple[str, ...]]
    relations: dict[str, tuple[str, ...]]
    stopwords: tuple[str, ...]
    time_words: dict[str, tuple[str, ...]]


def _words(items: list[str]) -> tuple[str, ...]:
    """Folded phrases, longest first (so 请个假 is tried before 请假)."""
    return tuple(sorted({normalize(w) for w in items}, key=lambda w: (-len(w), w)))


def _rule(raw: dict[str, Any], not_yet: list[str]) -> Rule:
    phrases = not_yet if raw.get("from") == "not_yet" else raw.get("phrases", [])
    intent = raw["intent"]
    return Rule(
        intent=None if intent == "none" else Intent(intent),
        phrases=_words(phrases),
        exact=frozenset(normalize(w) for w in raw.get("exact", [])),
        weak=_words(raw.get("weak", [])),
        patterns=tuple(re.compile(p) for p in raw.get("patterns", [])),
        weak_patterns=tuple(re.compile(p) for p in raw.get("weak_patterns", [])),
        unless=_words(raw.get("unless", [])),
        unless_patterns=tuple(re.compile(p) for p in raw.get("unless_patterns", [])),
        officer=bool(raw.get("officer", False)),
    )


def _choices(raw: dict[str, list[str]],
             answers: dict[str, list[str]]) -> dict[str, tuple[str, ...]]:
    """Words per choice value; 确认 and 取消 take every confirming and cancelling answer."""
    merged = {**raw, "确认": [*raw["确认"], *answers["confirm"]],
              "取消": [*raw["取消"], *answers["cancel"]]}
    return {k: _words(v) for k, v in merged.items()}


@functools.cache
def lexicon() -> Lexicon:
    """The lexicon, read from the package on first use."""
    text = resources.files("bot.understanding").joinpath("lexicon.toml").read_text("utf-8")
    data = tomllib.loads(text)
    clean, answers, slots = data["clean"], data["answers"], data["slots"]
    not_yet = data["not_yet"]["phrases"]
    return Lexicon(
        greetings=_words(clean["greetings"]),
        fillers=_words(clean["fillers"]),
        dictated_punctuation=_words(clean["dictated_punctuation"]),
        particles=clean["particles"],
        rules=tuple(_rule(r, not_yet) for r in data["rule"]),
        confirm=frozenset(normalize(w) for w in answers["confirm"]),
        cancel=frozenset(normalize(w) for w in answers["cancel"]),
        skip=frozenset(normalize(w) for w in answers["skip"]),
        change=frozenset(normalize(w) for w in answers["change"]),
        correction_cues=_words(answers["correction_cues"]),
        choices=_choices(data["choices"], answers),
        relations={k: _words(v) for k, v in data["relations"].items()},
        stopwords=_words(slots["stopwords"]),
        time_words={k: _words(v) for k, v in slots["time_words"].items()},
    )
