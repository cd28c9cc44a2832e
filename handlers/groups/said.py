"""The group name a member said: after the word when it came first (加入 书法组), else
after the verb of a dictated sentence (我想加入书法组), as the member wrote it."""

from __future__ import annotations

import re

from bot.understanding import Parsed
from bot.understanding.keywords import normalize
from handlers.context import Context

MAX_NAME = 12  # characters: 书法组, 学智能手机班, 老年大学合唱团
_CUT = re.compile(r"[\s，,。.、；;：:！!？?（）()“”\"'…~]")
_TAIL = "了吧啊呀呢嘛哈里"


def said_text(ctx: Context, parsed: Parsed) -> str:
    """Where to look for the group: the word's arguments, else the whole message."""
    return parsed.args.strip() or (ctx.message.text or "").strip()


def said_name(ctx: Context, parsed: Parsed, verbs: tuple[str, ...]) -> str:
    """The name as typed, in one piece (加入 书法组 -> 书法组, 我想加入书法组吧 -> 书法组);
    "" when nothing that could be a name follows."""
    if parsed.args.strip():
        rest = parsed.args.strip()
    else:
        text = (ctx.message.text or "").strip()
        # Folded character by character, so a place in it is the same place in the text.
        folded = "".join(normalize(ch) or ch for ch in text)
        if len(folded) != len(text):
            return ""
        found = [(folded.find(v), v) for v in verbs if v in folded]
        if not found:
            return ""
        at, verb = min(found, key=lambda f: (f[0], -len(f[1])))
        rest = text[at + len(verb):]
    name = _CUT.split(rest.strip(), maxsplit=1)[0].rstrip(_TAIL)
    if name.isdigit() or len(name) > MAX_NAME or not any(ch.isalpha() for ch in name):
        return ""  # a number, a paragraph or emoji names no group
    return name
