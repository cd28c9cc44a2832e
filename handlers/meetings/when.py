"""The day and the time of a meeting as an officer says them: 明天, 12月20日, 下周二, 下午2点半.

Only days ahead (today included) and times of day; anything else is None, and the question
is asked again.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.understanding import normalize

_DATE = re.compile(r"^(?:(\d{4})\s*[-/.年]\s*)?(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?")
_RELATIVE = {"今天": 0, "今日": 0, "明天": 1, "明日": 1, "后天": 2, "大后天": 3}
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6,
             "1": 0, "2": 1, "3": 2, "4": 3, "5": 4, "6": 5, "7": 6}
_WEEK = re.compile(r"^(下下|下个?|这个?|本)?(?:周|星期|礼拜)([一二三四五六日天1-7])")
_NUMERALS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
             "八": 8, "九": 9, "十": 10, "十一": 11, "十二": 12}
_CLOCK = re.compile(r"(\d{1,2})\s*[:：点]\s*(\d{1,2})?")
_SPOKEN = re.compile(r"(十[一二]?|[一二两三四五六七八九])点(半|(?:(\d{1,2})分?))?")


def _plain(text: str) -> str:
    return normalize(unicodedata.normalize("NFKC", text)).replace(" ", "")


def parse_future_day(text: str, today: date) -> date | None:
    """今天 / 明天 / 后天 / 12月20日 / 12-20 / 2026-12-20 / 周二 / 下周二, today or later
    (a month and day already past this year is next year's)."""
    said = _plain(text)
    for word in sorted(_RELATIVE, key=len, reverse=True):
        if said.startswith(word):
            return today + timedelta(days=_RELATIVE[word])
    week = _WEEK.match(said)
    if week:
        target = _WEEKDAYS[week.group(2)]
        monday = today - timedelta(days=today.weekday())
        weeks = {"下下": 2}.get(week.group(1) or "", 1 if (week.group(1) or "").startswith("下")
                                else 0)
        day = monday + timedelta(weeks=weeks, days=target)
        if weeks == 0 and day < today:  # 周二 said on a Thursday: next week's
            day += timedelta(weeks=1)
        return day
    match = _DATE.match(said)
    if not match:
        return None
    year = int(match.group(1) or today.year)
    try:
        day = date(year, int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None
    if day < today and not match.group(1):
        day = day.replace(year=year + 1)
    return day if day >= today else None


def parse_clock(text: str) -> time | None:
    """09:00 / 9点 / 9点30 / 上午九点 / 下午2点半 / 晚上7点 -> a time of day (1-6 o'clock
    without 上午 is the afternoon: nobody meets at half past two at night)."""
    said = _plain(text)
    afternoon = any(w in said for w in ("下午", "晚上", "傍晚", "中午"))
    hour = minute = None
    match = _CLOCK.search(said)
    if match:
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        if "半" in said[match.end():match.end() + 1]:
            minute = 30
    else:
        spoken = _SPOKEN.search(said)
        if spoken:
            hour = _NUMERALS[spoken.group(1)]
            minute = 30 if spoken.group(2) == "半" else int(spoken.group(3) or 0)
    if hour is None or minute is None:
        return None
    morning = any(w in said for w in ("上午", "早上", "早晨", "凌晨"))
    if afternoon and hour < 12 and not (said.count("中午") and hour >= 11):
        hour += 12
    elif not morning and 1 <= hour <= 6:  # 两点半 for a meeting is the afternoon
        hour += 12
    if not (0 <= hour < 24 and 0 <= minute < 60):
        return None
    return time(hour, minute)


class SaidWhen(Protocol):
    """A flow's state that collects a day (YYYY-MM-DD) and a time (HH:MM) as they are said."""

    day: str | None
    at: str | None


def take_when(state: SaidWhen, text: str, today: date) -> bool:
    """Fill in a day or a time the words say (only what is still missing); True if one was."""
    taken = False
    if state.day is None:
        day = parse_future_day(text, today)
        if day is not None:
            state.day, taken = day.isoformat(), True
    if state.at is None:
        clock = parse_clock(text)
        if clock is not None:
            state.at, taken = clock.strftime("%H:%M"), True
    return taken


def start_of(state: SaidWhen, tz: ZoneInfo) -> datetime | None:
    """The instant the day and time said make, once both are there."""
    if state.day is None or state.at is None:
        return None
    return datetime.combine(date.fromisoformat(state.day), time.fromisoformat(state.at),
                            tzinfo=tz)
