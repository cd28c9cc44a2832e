"""Looking up user-facing text by key in the reader's language."""

from __future__ import annotations

from datetime import datetime
from functools import cache

from bot.core.locales import en, zh_hans
from bot.core.script import convert

LOCALES = ("zh-Hans", "zh-Hant", "en")
# English month names, fixed: calendar.month_name follows the process's C locale and builds
# all twelve with strftime at every lookup (a tenth of a check-in's Python work).
MONTH_NAMES = ("", "January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December")


# Where OpenCC's phrase table picks the other sense: in these texts 回复 is always "reply".
_TRADITIONAL_FIXES = (("回復", "回覆"),)


@cache
def _template(locale: str, key: str) -> str:
    """The raw template; zh-Hant is converted from zh-Hans by phrase (OpenCC s2tw)."""
    if locale == "en":
        return en.MESSAGES.get(key) or zh_hans.MESSAGES[key]
    source = zh_hans.MESSAGES[key]
    if locale != "zh-Hant":
        return source
    text = convert(source, "zh-hant")
    for wrong, right in _TRADITIONAL_FIXES:
        text = text.replace(wrong, right)
    return text


def t(locale: str, key: str, **params: object) -> str:
    """The text for `key` in `locale`, with params filled in (names are never converted)."""
    return _template(locale, key).format(**params)


def format_date(locale: str, moment: datetime) -> str:
    """A date as an elderly reader says it: 11月10日（星期二） / Tue 10 November."""
    return t(
        locale,
        "date.format",
        month=moment.month,
        day=moment.day,
        weekday=t(locale, f"weekday.{moment.weekday()}"),
        month_name=MONTH_NAMES[moment.month],
    )


def format_when(locale: str, moment: datetime) -> str:
    """Date and time of day: 11月10日（星期二）09:00."""
    return f"{format_date(locale, moment)} {hhmm(moment)}"


def hhmm(moment: datetime) -> str:
    """09:05 (strftime costs four times as much, on every check-in)."""
    return f"{moment.hour:02d}:{moment.minute:02d}"
