"""Which interest group a member means: 书法组, 书法, 书法班, 書法組, 我想参加书法班.

Members say a group's name the way they always have — "书法班", "练书法的小组", "门球" — so
a group is found by its *stem* (its name without the 组/队/班 ending) as well as by its
full name. A guess is never made: when nothing fits, or two groups do (书法组 and 门球队 in
one sentence), there is no answer and the member is shown the list to pick from.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.understanding.keywords import normalize
from storage.repo_groups import InterestGroup

# Endings a group's name may carry, longest first (兴趣小组 before 小组 before 组).
SUFFIXES = ("兴趣小组", "俱乐部", "兴趣班", "小组", "协会", "组", "队", "班", "团", "社", "会")


def fold(text: str) -> str:
    """Text as names are compared: Simplified, lower case, without spaces."""
    return normalize(text).replace(" ", "")


def stem(name: str) -> str:
    """A group's name without its ending (书法组 -> 书法, 门球队 -> 门球); the whole name
    when less than two characters would be left (棋社 stays 棋社: 棋 alone is in too many
    sentences to name a group)."""
    folded = fold(name)
    for suffix in SUFFIXES:
        if folded.endswith(suffix) and len(folded) - len(suffix) >= 2:
            return folded[: -len(suffix)]
    return folded


def match_group(groups: Sequence[InterestGroup], text: str) -> InterestGroup | None:
    """The one group the text names (its full name or its stem, anywhere in the text);
    None when none does or more than one does.

    A name found inside a longer name that is also found (书法 inside 书法提高班) does not
    count as a second group: the longer one is meant.
    """
    said = fold(text)
    if not said:
        return None
    spans: list[tuple[int, int, InterestGroup]] = []
    for group in groups:
        for key in {fold(group.name), stem(group.name)}:
            if not key:
                continue
            at = said.find(key)
            while at >= 0:
                spans.append((at, at + len(key), group))
                at = said.find(key, at + 1)
    found = {
        g.id: g for start, end, g in spans
        if not any(o.id != g.id and s <= start and end <= e and e - s > end - start
                   for s, e, o in spans)
    }
    return next(iter(found.values())) if len(found) == 1 else None


def group_named(groups: Sequence[InterestGroup], word: str) -> InterestGroup | None:
    """The group a single word *is* (书法组, 书法, 书法班, 書法組), not one it mentions.

    For the first word of a notice: 合唱比赛 mentions 合唱队 but names no group, and a
    notice must not be narrowed to a group by a word of its body.
    """
    said = fold(word)
    if not said:
        return None
    exact = [g for g in groups if said == fold(g.name)]
    if len(exact) == 1:
        return exact[0]
    fits = [g for g in groups
            if stem(g.name) and (said == stem(g.name)
                                 or any(said == stem(g.name) + s for s in SUFFIXES))]
    return fits[0] if len(fits) == 1 else None
