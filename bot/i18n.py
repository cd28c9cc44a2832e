"""Looking up user-facing text by key in the reader's language."""

from __future__ import annotations

import calendar
from datetime import datetime
from functools import cache

from bot.locales import en, zh_hans
from bot.text import convert

LOCALES = ("zh-Hans", "zh-Hant", "en")


@cache
def _template(locale: str, key: str) -> str:
    """The raw template; zh-Hant is converted from zh-Hans (zhconv, character level)."""
    if locale == "en":
        return en.MESSAGES.get(key) or zh_hans.MESSAGES[key]
    source = zh_hans.MESSAGES[key]
    return convert(source, "zh-hant") if locale == "zh-Hant" else source


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
        month_name=calendar.month_name[moment.month],
    )


def format_when(locale: str, moment: datetime) -> str:
    """Date and time of day: 11月10日（星期二）09:00."""
    return f"{format_date(locale, moment)} {moment:%H:%M}"
