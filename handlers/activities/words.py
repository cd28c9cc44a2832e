"""Reading what an officer or member says about an activity: its parts in one message
(志愿服务 12月12日上午9点 帮社区老人理发 地点社区服务站 限20人), a number of places or of
hours as said (二十人, 两个半小时), and which activity some words mean (书法班 -> the 书法组's).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from bot.core.script import convert
from bot.understanding import Intent, normalize, parse_number
from bot.understanding.clean import clean
from bot.understanding.lexicon import lexicon
from handlers.activities.kinds import kind_words
from handlers.groups.find import stem
from storage.repo_activities import Activity

_SPLIT = re.compile(r"[\s，,。；;、]+")
# 12月12日 上午 9点 said with spaces: one piece.
_GLUE = re.compile(r"(?<=[日号天一二三四五六])\s+"
                   r"(?=上午|下午|晚上|早上|早晨|中午|傍晚|\d{1,2}\s*[:：点])"
                   r"|(?<=上午|下午|晚上|早上|早晨|中午|傍晚)\s+(?=\d|[一二两三四五六七八九十])")
# A day and a time of day said at the start of some words (12月12日上午9点帮老人理发).
_WHEN = re.compile(
    r"^((?:今天|今日|明天|明日|大后天|后天|(?:下下|下个?|这个?|本)?(?:周|星期|礼拜)[一二三四五六日天1-7]"
    r"|(?:\d{4}\s*[-/.年]\s*)?\d{1,2}\s*[-/.月]\s*\d{1,2}\s*[日号]?)?"
    r"(?:上午|下午|晚上|早上|早晨|中午|傍晚)?"
    r"(?:\d{1,2}\s*[:：点]\s*(?:\d{1,2}\s*分?|半)?|(?:十[一二]?|[一二两三四五六七八九])点(?:半|\d{1,2}分?)?)?)"
    r"(.*)$")
_PLACE = ("地点是", "地点在", "地点：", "地点:", "地点", "地址是", "地址", "地方是", "地方在", "在")
_NO_LIMIT = ("不限人数", "人数不限", "不限", "没有限制", "不限制", "无限制", "随便", "都行")
_LIMIT = re.compile(r"^(?:限报|限额|限|名额|最多|人数|共)?[:：]?\s*"
                    r"(\d{1,4}|[一二两三四五六七八九十]{1,3})\s*个?(人|名|位)?(?:以内)?$")
_HOURS = re.compile(r"(\d{1,2}(?:\.\d{1,2})?|[一二两三四五六七八九十]{1,3})?\s*个?\s*(半)?\s*"
                    r"(?:小时|钟头|个钟)")
_STOP = frozenset({"活动", "报名", "参加", "我想", "我要", "取消", "签到", "一下", "我的", "想报",
                   "要报", "个名", "报个", "不去", "去了", "时长", "小时"})


@dataclass
class Details:
    """What one message said of a new activity (None: not said)."""

    kind: str | None = None
    day: str | None = None
    at: str | None = None
    place: str | None = None
    capacity: int | None = None
    no_limit: bool = False
    title: str = ""


def tokens(text: str) -> list[str]:
    """The message cut at spaces and punctuation."""
    typed, simple = folded(text.strip())
    dropped = {i for m in _GLUE.finditer(simple) for i in range(m.start(), m.end())}
    glued = "".join(ch for i, ch in enumerate(typed) if i not in dropped)
    return [t for t in _SPLIT.split(glued) if t]


def folded(token: str) -> tuple[str, str]:
    """A token as typed and in Simplified, character for character (幫社區 / 帮社区), so a
    part found in the one is cut from the other; both Simplified in the rare case a phrase
    converts to another length."""
    typed = unicodedata.normalize("NFKC", token)
    simple = convert(typed, "zh-cn")
    return (typed, simple) if len(simple) == len(typed) else (simple, simple)


def when_prefix(token: str) -> tuple[str, str]:
    """The day-and-time words at the start of a token (in Simplified), and the rest as typed."""
    typed, simple = folded(token)
    match = _WHEN.match(simple)
    if match is None:
        return "", token
    return match.group(1), typed[match.end(1):].strip()


def place_in(token: str) -> str | None:
    """地点社区服务站 / 在社区服务站 -> 社区服务站 as typed (None: the token names no place)."""
    typed, simple = folded(token)
    for opening in _PLACE:
        if simple.startswith(opening) and len(simple) > len(opening) + (opening == "在"):
            return typed[len(opening):].lstrip("：: ").strip() or None
    return None


def limit_in(token: str) -> int | None:
    """限20人 / 20人 / 二十名 / 名额30 -> the number of places (None: not a limit)."""
    said = normalize(token).replace(" ", "")
    match = _LIMIT.match(said)
    if match is None or not (match.group(2) or said[0] in "限名最人共"):
        return None
    number = parse_number(match.group(1))
    return number if number and number > 0 else None


def no_limit(token: str) -> bool:
    """不限 / 人数不限: no limit on places."""
    said = normalize(token)
    return any(said.startswith(w) for w in _NO_LIMIT)


def hours_in(text: str) -> tuple[float, str] | None:
    """2小时 / 两个半小时 / 半小时 / 1.5小时 -> (hours, the text without them)."""
    said = normalize(text)
    for match in _HOURS.finditer(said):
        number, half = match.group(1), match.group(2)
        if number is None and not half:
            continue
        whole = 0.0
        if number is not None:
            value = float(number) if number[0].isdigit() else parse_number(number)
            if value is None:
                continue
            whole = float(value)
        rest = (text[:match.start()] + " " + text[match.end():]).strip()
        return whole + (0.5 if half else 0.0), rest
    return None


def said_after(text: str, intent: Intent) -> str:
    """A dictated sentence's details: what follows the word that said the intent
    (我要组织一次志愿服务，明天上午9点 -> 志愿服务，明天上午9点); nothing when no such word
    is in it (the bare keyword)."""
    said = clean(text)
    best: tuple[int, int] | None = None
    for phrase in _phrases(intent):
        at = said.simple.find(phrase)
        if at >= 0 and (best is None or at < best[0]):
            best = (at, len(phrase))
    if best is None:
        return ""
    return said.typed[best[0] + best[1]:].strip("，,。：: ")


@cache
def _phrases(intent: Intent) -> tuple[str, ...]:
    found = [p for r in lexicon().rules if r.intent is intent for p in r.phrases]
    return tuple(sorted(found, key=len, reverse=True))


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)} - _STOP


def number_said(text: str) -> int | None:
    """报名 #12 / 报名 12: the activity's number as a button sends it."""
    said = normalize(text).replace(" ", "").lstrip("#＃")
    match = re.fullmatch(r"(\d{1,12})", said) or re.search(r"[#＃]\s*(\d{1,12})", text)
    return int(match.group(1)) if match else None


def matching(activities: Sequence[Activity], text: str) -> list[Activity]:
    """The activities some words mean best: a group's name (书法班 for 书法组), the title or
    part of it, the kind (讲座). Empty when the words name none of them."""
    said = normalize(text).replace(" ", "")
    if not said:
        return []
    scored: list[tuple[int, Activity]] = []
    for activity in activities:
        score = 0
        if activity.group_name and stem(activity.group_name) in said:
            score += 10
        title = normalize(activity.title).replace(" ", "")
        if len(title) >= 2 and title in said:
            score += 10
        score += 3 * any(len(w) >= 2 and w in said for w in kind_words(activity.kind))
        score += len(_bigrams(title) & _bigrams(said))
        if score:
            scored.append((score, activity))
    if not scored:
        return []
    best = max(score for score, _ in scored)
    return [a for score, a in scored if score == best]


def leftover(text: str, intent: Intent) -> str:
    """What is left of a sentence without its cue and small words (我想报名书法班 -> 书法班):
    the name of something the member meant, or nothing."""
    said = normalize(text).replace(" ", "")
    for phrase in _phrases(intent):
        said = said.replace(phrase, " ")
    for word in ("我想", "我要", "我也", "想", "要", "一下", "的", "了", "吧", "呢", "啊", "活动",
                 "那个", "这个", "请", "帮我", "给我", "我"):
        said = said.replace(word, " ")
    return " ".join(said.split())
