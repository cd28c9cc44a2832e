"""The people a pair sentence names, wherever they stand in it.

`给张桂兰打了电话`, `今天去看了張桂蘭`, `让孙福海和吴长林结成对子`: the names sit in the middle
or at the end, glued to the verbs, so they are looked for inside the sentence — a roster name
written out (either script), else a three-character stretch that sounds like one (王秀音 for
王秀英). Only the speaker's reach is searched (handlers.people.reachable), so a name out of
reach reads exactly like no name at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.understanding.clean import Cleaned, clean
from bot.understanding.names import match_name
from handlers.context import Context
from handlers.people import reachable
from storage.models import Member

# Characters that are never part of a name in these sentences: a stretch holding one is no
# name said by sound (去看了, 帮她买, 打电话 never stand for 张桂兰).
_NOT_IN_NAMES = frozenset("了她他我您你给帮替陪跟和与同去看打电话买送的对子结成让把请今昨前天在家")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_SOUNDED = 3  # names said by sound: three characters, the common length


@dataclass(frozen=True)
class Named:
    """One name in a sentence: as typed, where it stands, and the members it can mean."""

    said: str
    at: int
    members: tuple[Member, ...]


def named_in(said: Cleaned, roster: list[Member]) -> list[Named]:
    """The names of `roster` a cleaned sentence holds, in the order they stand."""
    taken = [False] * len(said.simple)
    found: list[Named] = []
    by_name: dict[str, list[Member]] = {}
    for member in roster:
        by_name.setdefault(clean(member.name).simple, []).append(member)
    for name in sorted(by_name, key=len, reverse=True):
        if len(name) < 2:
            continue
        at = said.simple.find(name)
        while at >= 0:
            if not any(taken[at:at + len(name)]):
                taken[at:at + len(name)] = [True] * len(name)
                found.append(Named(said.span(at, at + len(name)), at, tuple(by_name[name])))
            at = said.simple.find(name, at + 1)
    found += _by_sound(said, roster, taken)
    return sorted(found, key=lambda n: n.at)


def _by_sound(said: Cleaned, roster: list[Member], taken: list[bool]) -> list[Named]:
    """Three-character stretches not yet read that sound like (or are one character off)
    a roster name."""
    pairs = [(m.id, m.name) for m in roster]
    found: list[Named] = []
    for run in _CJK.finditer(said.simple):
        i = run.start()
        while i + _SOUNDED <= run.end():
            window = said.simple[i:i + _SOUNDED]
            if any(taken[i:i + _SOUNDED]) or any(ch in _NOT_IN_NAMES for ch in window):
                i += 1
                continue
            ids = match_name(window, pairs)
            if not ids:
                i += 1
                continue
            taken[i:i + _SOUNDED] = [True] * _SOUNDED
            found.append(Named(said.span(i, i + _SOUNDED), i,
                               tuple(m for m in roster if m.id in ids)))
            i += _SOUNDED
    return found


async def names_in(ctx: Context, text: str, *also: Member) -> list[Named]:
    """The members within the speaker's reach (and `also`: a partner out of it) that a
    sentence names."""
    roster = await reachable(ctx)
    known = {m.id for m in roster}
    roster += [m for m in also if m.id not in known]
    return named_in(clean(text), roster)
