"""What the words of 投稿, 稿件, 简报 and 点赞 share: the columns, the speaker's branch, a
piece's short form, and the words that keep health out of the digest."""

from __future__ import annotations

import re

from bot.understanding import normalize
from bot.understanding.clean import is_separator
from handlers.context import Context

MAX_BODY = 1000  # characters of a piece
SHORT = 24  # characters of a piece shown in a list
# The column a message names (Simplified, as normalize() folds), advice first: 我有个建议
# is never a 见证 even if the suggestion mentions one.
_SECTION_WORDS = (
    ("advice", ("建言献策", "建言", "献策", "建议", "意见")),
    ("witness", ("见证",)),
    ("join", ("参与",)),
    ("praise", ("点赞", "表扬")),
)
# Words that make a text health-related: a 身边点赞 note with one of them is listed by name
# only in a digest, and an officer is reminded before 采用 of a piece that has one.
HEALTH_WORDS = (
    "住院", "出院", "医院", "病", "手术", "癌", "瘫", "药", "治疗", "诊断", "卧床", "血压",
    "血糖", "心脏", "中风", "脑梗", "骨折", "化疗", "透析", "去世", "病故", "逝世", "痴呆",
)
_NUMBER = re.compile(r"\d+")


def section_in(text: str) -> str | None:
    """The column a text names (我见证 → witness, 有个建议 → advice), if any."""
    said = normalize(text)
    for section, words in _SECTION_WORDS:
        if any(word in said for word in words):
            return section
    return None


def mentions_health(text: str) -> bool:
    """Whether a text speaks of illness, hospital or death (kept out of digests)."""
    said = normalize(text)
    return any(word in said for word in HEALTH_WORDS)


def short(text: str, limit: int = SHORT) -> str:
    """The first characters of a text, on one line, with … when cut."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[:limit] + "…"


def trimmed(text: str) -> str:
    """A text without the separators around it (，好的。 → 好的)."""
    start, end = 0, len(text)
    while start < end and is_separator(text[start]):
        start += 1
    while end > start and is_separator(text[end - 1]):
        end -= 1
    return text[start:end]


def after_number(text: str) -> tuple[int | None, str, str]:
    """The first number in a text (答复 12 已经安排), as typed, and the words after it."""
    match = _NUMBER.search(text)
    if match is None:
        return None, "", text
    digits = match.group()
    value = int(digits) if len(digits) <= 18 else 0
    rest = text[match.end():].lstrip("号#＃条：:，,。 ")
    return value, digits[:12], rest.strip()


def section_label(ctx: Context, section: str) -> str:
    """我见证 / 我参与 / 我点赞 / 建言献策 in the speaker's language."""
    return ctx.t(f"piece.section.{section}")
