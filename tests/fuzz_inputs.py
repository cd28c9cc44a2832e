"""Hostile and careless inputs, for the fuzz test (Hypothesis drives the randomness) and for
bench/fuzz.py (a seeded random.Random drives it).

A message is any text up to 4,096 characters — controls, right-to-left overrides, lone
surrogates, emoji, full-width digits — or a word with such arguments, a number of any size,
a sentence members really say, or a button from an old message.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from bot.understanding import Intent, keyword
from tests.corpus.harness import SPEAKERS, STATES, load

ROLES = {**SPEAKERS, "instructor": "赵志刚", "admin": "钱主任", "stranger": "陌生人"}
# Telegram's limit on one message; WeChat's is smaller in bytes but its channel splits.
MAX_REPLY_CHARS = 4096

_POOLS = (
    "签到请假住院出院送学资料我的书记王秀英刘德明张桂兰人民医院病区床今天昨天确认取消跳过"
    "的了吗吧啊嗯那个不没别",
    "簽到請假醫院確認資料書記",
    "0123456789０１２３４５６７８９#＃ -,.，。？！?!",
    "\x00\x01\x07\x08\x0b\x0c\x1b\x7f\u200b\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2066\u2067\u2068\u2069\ufeff\ufffd",
    "\ud800\udbff\udc00\udfff",  # lone surrogates: JSON allows them, UTF-8 does not
    "😀👍🙏🏻🇨🇳\U0001f600\U000e0001",
    "abcXYZ/_<>&\"'\\\n\t\r",
)
_STALE_BUTTONS = ("接受 #{n}", "已走访 #{n}", "已送达 #{n}", "送学单 #{n}", "采纳 #{n}", "确认",
                  "取消", "跳过", "告诉", "不告诉", "self", "partner", "other", "{n}", "指派 {n}",
                  "请书记回电话", "接着", "不用了", "取报表 2026-11", "/start {n}")
_NUMBERS = (0, 1, 2, 3, 9, 14, 15, 99, 2**31, 2**63 - 1, 2**63, 10**20, 10**400)


@dataclass(frozen=True)
class Message:
    """One thing sent: text, or the data of a pressed button."""

    text: str | None
    button: str | None = None


def _junk(rng: random.Random, longest: int) -> str:
    size = rng.choice((0, 1, 2, 5, 12, 40, 200, longest))
    pools = rng.sample(_POOLS, rng.randint(1, len(_POOLS)))
    alphabet = "".join(pools)
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, size)))


def _number(rng: random.Random) -> str:
    value = rng.choice(_NUMBERS) if rng.random() < 0.7 else rng.randint(-10**30, 10**30)
    if rng.random() < 0.2:
        return "9" * rng.randint(19, 600)
    return str(value)


_SENTENCES: list[str] = []


def _sentence(rng: random.Random) -> str:
    if not _SENTENCES:
        _SENTENCES.extend(line.text for line in load("utterances.tsv"))
    return rng.choice(_SENTENCES)


def message(rng: random.Random) -> Message:
    """One message, of a kind chosen at random."""
    kind = rng.randrange(6)
    if kind == 0:
        return Message(_junk(rng, 4096))
    if kind == 1:
        word = keyword(rng.choice(list(Intent)))
        rest = rng.choice((_number(rng), _junk(rng, 300)))
        return Message(f"{word}{rng.choice(('', ' ', '#'))}{rest}")
    if kind == 2:
        return Message(_number(rng))
    if kind == 3:
        return Message(_sentence(rng) + rng.choice(("", _junk(rng, 20))))
    if kind == 4:
        data = rng.choice(_STALE_BUTTONS).format(n=_number(rng))
        return Message(None, data)
    return Message(rng.choice(("", " ", "\n", "\u202e", "\ud800", "0", "？", "1", "确认", "取消")))


def states_for(role: str) -> list[str]:
    """The conversation states a speaker of this role can be in (the corpus harness's)."""
    if role not in SPEAKERS:
        return ["idle"]
    officer = ("proxy", "broadcast", "visit")
    mine = [s for s in STATES if s.startswith(officer) == (role == "secretary")]
    if role == "family":
        mine = [s for s in mine if s.startswith("report.") and s not in ("report.who",
                                                                           "report.name")]
    return ["idle", *mine, *(f"lapsed:{s}" for s in mine[:3])]



