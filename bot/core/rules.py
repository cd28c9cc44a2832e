"""Monthly study-day (学习日) rules: parsing, canonical text and occurrence computation.

A branch studies once a month.  The rule is written by people in Chinese (Simplified or
Traditional, half- or full-width) or in short English, e.g. ``"每月10日 09:00"``,
``"每月第二个周二 09:00"``, ``"每月最后一天 09:00"`` or ``"monthly 2nd tue 09:00"``.

Accepted input (case-, whitespace- and width-insensitive; Traditional characters such as
個/週/禮拜/後/點/號 are accepted too):

* Chinese: ``每月`` + ``10日``/``10号``/``十五日`` | ``第二个周二``/``第2个星期二``/``第二周的周二``
  | ``最后一天``/``月末`` | ``最后一个周五``, then an optional time ``09:00``, ``9点``,
  ``上午9点``, ``下午2点半`` (14:30), ``9点15分``, ``九点三刻``.  No time means 09:00.
* English: ``monthly`` + ``day 10``/``10``/``10th`` | ``2nd tue``/``second tuesday`` | ``last``
  | ``last fri``, then an optional time ``09:00``, ``9:30``, ``9am``, ``2:30pm``.

Semantics worth knowing:

* A fixed day that a month does not have (the 31st in February, the 30th in February,
  the 31st in April, ...) is CLAMPED to that month's last day, because a monthly study day
  must never be skipped: day 31 gives 2026-02-28, 2028-02-29 and 2026-04-30.
* "The n-th weekday" is limited to n = 1..4, since not every month has a fifth Tuesday;
  use "最后一个周二" / "last tue" instead.
* All computation happens in the ``ZoneInfo`` passed in.  A session time that does not
  exist locally (inside a DST spring-forward gap) moves forward by the gap; an ambiguous
  time (DST fall-back) means its first occurrence.

This module performs no I/O and never reads the wall clock.
"""

from __future__ import annotations

import calendar
import functools
import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
from typing import Literal
from zoneinfo import ZoneInfo

__all__ = ["DEFAULT_TZ", "EXAMPLES", "RuleError", "StudyDayRule", "parse_rule"]

Kind = Literal["day", "nth_weekday", "last_day", "last_weekday"]

DEFAULT_TZ = ZoneInfo("Asia/Shanghai")
EXAMPLES: tuple[str, ...] = (
    "每月10日 09:00",
    "每月第二个周二 09:00",
    "每月最后一天 09:00",
    "monthly 2nd tue 09:00",
)
_EXAMPLES_TEXT = "示例：" + "、".join(f'"{e}"' for e in EXAMPLES)
_DEFAULT_AT = time(9, 0)


class RuleError(ValueError):
    """A study-day rule that cannot be understood; the message always lists accepted examples."""

    def __init__(self, reason: str) -> None:
        """Build the friendly message from a Chinese+English reason plus the examples."""
        super().__init__(f"{reason}。{_EXAMPLES_TEXT}")


def _unrecognised(text: str) -> RuleError:
    """Error for text that matches no accepted form."""
    shown = text if len(text) <= 40 else text[:40] + "…"
    return RuleError(f'无法识别的学习日规则 "{shown}"（unrecognised study-day rule）')


# ---------------------------------------------------------------------------
# The rule
# ---------------------------------------------------------------------------

_ZH_NTH = {1: "一", 2: "二", 3: "三", 4: "四"}
_ZH_WEEKDAY = ("一", "二", "三", "四", "五", "六", "日")
_EN_NTH = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th"}
_EN_WEEKDAY = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class StudyDayRule:
    """When a branch's monthly study day falls; day numbers past month end clamp to its last day."""

    kind: Kind
    day: int | None = None
    nth: int | None = None
    weekday: int | None = None
    at: time = _DEFAULT_AT

    def __post_init__(self) -> None:
        """Reject inconsistent or out-of-range fields with a RuleError."""
        _check_shape(self.kind, {"day": self.day, "nth": self.nth, "weekday": self.weekday})
        if self.day is not None:
            _check_day(self.day)
        if self.nth is not None:
            _check_nth(self.nth)
        if self.weekday is not None and not 0 <= self.weekday <= 6:
            raise RuleError(
                f"星期必须是 0（周一）到 6（周日），而不是 {self.weekday}"
                "（weekday must be 0=Monday..6=Sunday）"
            )
        if self.at.tzinfo is not None or self.at.second or self.at.microsecond:
            raise RuleError("学习时间只需写到分钟，且不带时区（time must be a naive HH:MM）")

    def date_in_month(self, year: int, month: int) -> date:
        """Return this rule's study date in the given month."""
        last = calendar.monthrange(year, month)[1]
        if self.kind == "day":
            assert self.day is not None
            return date(year, month, min(self.day, last))
        if self.kind == "last_day":
            return date(year, month, last)
        assert self.weekday is not None
        if self.kind == "nth_weekday":
            assert self.nth is not None
            offset = (self.weekday - date(year, month, 1).weekday()) % 7
            return date(year, month, 1 + offset + 7 * (self.nth - 1))
        offset = (date(year, month, last).weekday() - self.weekday) % 7
        return date(year, month, last - offset)

    def session_in_month(self, year: int, month: int, tz: ZoneInfo = DEFAULT_TZ) -> datetime:
        """Return the aware session start of the given month in ``tz``."""
        return _session_in_month(self, year, month, tz)

    def next_session(self, after: datetime, tz: ZoneInfo = DEFAULT_TZ) -> datetime:
        """Return the first session start (aware, in ``tz``) strictly after ``after``."""
        _require_aware(after, "after")
        year, month = _shift_month(*_local_month(after, tz), -1)
        while True:
            session = self.session_in_month(year, month, tz)
            if _instant(session) > _instant(after):
                return session
            year, month = _shift_month(year, month, 1)

    def sessions_between(
        self, start: datetime, end: datetime, tz: ZoneInfo = DEFAULT_TZ
    ) -> list[datetime]:
        """Return every session start ``s`` (aware, in ``tz``) with ``start <= s < end``."""
        _require_aware(start, "start")
        _require_aware(end, "end")
        if _instant(end) <= _instant(start):
            return []
        year, month = _shift_month(*_local_month(start, tz), -1)
        stop = _shift_month(*_local_month(end, tz), 1)
        found: list[datetime] = []
        while (year, month) <= stop:
            session = self.session_in_month(year, month, tz)
            if _instant(start) <= _instant(session) < _instant(end):
                found.append(session)
            year, month = _shift_month(year, month, 1)
        return found

    def describe(self, locale: str) -> str:
        """Return the canonical rule text for ``zh-Hans``, ``zh-Hant`` or ``en`` (parseable)."""
        lang = _locale_family(locale)
        hhmm = self.at.strftime("%H:%M")
        if lang == "en":
            return f"monthly {self._describe_en()} {hhmm}"
        text = self._describe_zh()
        if lang == "zh-Hant":
            text = text.translate(_TO_HANT)
        return f"每月{text} {hhmm}"

    def _describe_zh(self) -> str:
        """Simplified-Chinese date part, e.g. ``第二个周二``."""
        if self.kind == "day":
            return f"{self.day}日"
        if self.kind == "last_day":
            return "最后一天"
        assert self.weekday is not None
        weekday = "周" + _ZH_WEEKDAY[self.weekday]
        if self.kind == "nth_weekday":
            assert self.nth is not None
            return f"第{_ZH_NTH[self.nth]}个{weekday}"
        return f"最后一个{weekday}"

    def _describe_en(self) -> str:
        """English date part, e.g. ``2nd tue``."""
        if self.kind == "day":
            return f"day {self.day}"
        if self.kind == "last_day":
            return "last"
        assert self.weekday is not None
        if self.kind == "nth_weekday":
            assert self.nth is not None
            return f"{_EN_NTH[self.nth]} {_EN_WEEKDAY[self.weekday]}"
        return f"last {_EN_WEEKDAY[self.weekday]}"


_FIELDS_BY_KIND: dict[str, frozenset[str]] = {
    "day": frozenset({"day"}),
    "nth_weekday": frozenset({"nth", "weekday"}),
    "last_day": frozenset(),
    "last_weekday": frozenset({"weekday"}),
}


def _check_shape(kind: str, fields: dict[str, int | None]) -> None:
    """Each kind needs exactly its own fields (day / nth+weekday / none / weekday)."""
    expected = _FIELDS_BY_KIND.get(kind)
    if expected is None:
        raise RuleError(f"未知的规则类型 {kind!r}（unknown rule kind）")
    given = {name for name, value in fields.items() if value is not None}
    if given != expected:
        raise RuleError(
            f"规则类型 {kind} 需要字段 {sorted(expected)}，实际为 {sorted(given)}"
            f"（kind {kind} needs fields {sorted(expected)}, got {sorted(given)}）"
        )


def _check_day(day: int) -> None:
    """Day of month must be 1..31."""
    if not 1 <= day <= 31:
        raise RuleError(f"日期必须在 1 到 31 之间，而不是 {day}（day of month must be 1–31）")


def _check_nth(nth: int) -> None:
    """The n-th weekday must be 1..4 (not every month has a fifth one)."""
    if nth >= 5:
        raise RuleError(
            f"不支持“第{nth}个”：不是每个月都有第五个同一星期，请改用“最后一个”"
            f"（not every month has a {nth}th weekday; use “last” instead）"
        )
    if nth < 1:
        raise RuleError(f"“第几个”必须在 1 到 4 之间，而不是 {nth}（nth must be 1–4）")


def _check_time(hour: int, minute: int) -> time:
    """Build a time, rejecting hours over 23 and minutes over 59."""
    if not 0 <= hour <= 23:
        raise RuleError(f"小时必须在 0 到 23 之间，而不是 {hour}（hour must be 0–23）")
    if not 0 <= minute <= 59:
        raise RuleError(f"分钟必须在 0 到 59 之间，而不是 {minute}（minute must be 0–59）")
    return time(hour, minute)


def _require_aware(moment: datetime, name: str) -> None:
    """Refuse naive datetimes: the caller must say which instant it means."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")


def _instant(moment: datetime) -> datetime:
    """The UTC instant of an aware datetime (same-zone comparisons ignore DST ``fold``)."""
    return moment.astimezone(UTC)


def _local_month(moment: datetime, tz: ZoneInfo) -> tuple[int, int]:
    """(year, month) of ``moment`` as seen in ``tz``."""
    local = moment.astimezone(tz)
    return local.year, local.month


def _shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    """Move (year, month) by ``delta`` months."""
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def _locale_family(locale: str) -> Literal["zh-Hans", "zh-Hant", "en"]:
    """Map a locale tag (zh-Hans, zh_CN, zh-TW, en-US, ...) to one of the three outputs."""
    tag = locale.strip().replace("_", "-").lower()
    if tag == "en" or tag.startswith("en-"):
        return "en"
    if tag == "zh" or tag.startswith("zh-"):
        parts = set(tag.split("-")[1:])
        return "zh-Hant" if parts & {"hant", "tw", "hk", "mo"} else "zh-Hans"
    raise ValueError(f"unsupported locale {locale!r}; use zh-Hans, zh-Hant or en")


# ---------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------

_TO_HANS = str.maketrans(
    {"個": "个", "週": "周", "禮": "礼", "後": "后", "點": "点", "號": "号", "時": "时", "兩": "两"}
)
_TO_HANT = str.maketrans({"个": "個", "周": "週", "后": "後"})

_CN_DIGITS = {ch: i for i, ch in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
_NUM = r"[0-9]+|[零〇一二两三四五六七八九十]+"
_WD = r"(?:周|星期|礼拜)(?P<wd>[一二三四五六日天七1-7])"

_ZH_PREFIX = re.compile(r"每个?月的?")
_ZH_DATES: tuple[tuple[Kind, re.Pattern[str]], ...] = (
    ("day", re.compile(rf"(?P<day>{_NUM})[日号]")),
    ("nth_weekday", re.compile(rf"第(?P<nth>{_NUM})(?:个|周的?)?{_WD}")),
    ("last_weekday", re.compile(rf"最后一?个?{_WD}")),
    ("last_day", re.compile(r"最后一[天日]|月?[末底]")),
)
_ZH_TIME = re.compile(
    r"(?P<period>上午|早上|早晨|凌晨|中午|下午|晚上|傍晚)?"
    r"(?:(?P<h>[0-9]{1,2}):(?P<m>[0-9]{2})"
    rf"|(?P<h2>{_NUM})[点时](?:(?P<half>半)|(?P<q>[一三])刻|(?P<m2>{_NUM})分?)?)"
)
_EN_TIME = re.compile(r"(?P<h>[0-9]{1,2})(?::(?P<m>[0-9]{2}))?(?P<ampm>am|pm|a\.m\.|p\.m\.)?")

_EN_WEEKDAYS = {
    **{name: i for i, name in enumerate(_EN_WEEKDAY)},
    # Spelled out rather than calendar.day_name, which follows the process locale.
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
    "tues": 1,
    "weds": 2,
    "thur": 3,
    "thurs": 3,
}
_EN_ORDINAL_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5}
_EN_ORDINAL = re.compile(r"(?P<n>[0-9]{1,3})(?:st|nd|rd|th)?")
_EN_FILLERS = {"on", "the", "at", "of", "every", "month"}


def parse_rule(text: str) -> StudyDayRule:
    """Parse a Chinese (Simplified/Traditional) or English monthly study-day rule."""
    normalized = unicodedata.normalize("NFKC", text).strip()
    if not normalized:
        raise RuleError("学习日规则不能为空（the study-day rule is empty）")
    lowered = normalized.lower()
    if lowered.startswith("monthly"):
        return _parse_en(lowered, text)
    compact = re.sub(r"[\s,，。.、]+", "", normalized).translate(_TO_HANS)
    return _parse_zh(compact, text)


def _cn_int(token: str) -> int:
    """Convert ASCII digits or a Chinese numeral below 100 (十五, 二十, 三十一) to int."""
    if token.isascii():
        return int(token)
    if token in _CN_DIGITS:
        return _CN_DIGITS[token]
    if len(token) == 2 and token[0] in "零〇" and token[1] in _CN_DIGITS:
        return _CN_DIGITS[token[1]]  # 九点零五 -> 5 minutes
    tens, sep, units = token.partition("十")
    if sep and len(tens) <= 1 and len(units) <= 1 and "十" not in units:
        high = _CN_DIGITS.get(tens, -1) if tens else 1
        low = _CN_DIGITS.get(units, -1) if units else 0
        if high >= 1 and low >= 0:
            return high * 10 + low
    raise RuleError(f'无法识别的数字 "{token}"（unrecognised number）')


def _zh_weekday(token: str) -> int:
    """Chinese weekday character (一..六, 日/天/七) or digit 1..7 to 0..6."""
    if token in "日天七7":
        return 6
    return _cn_int(token) - 1


def _parse_zh(compact: str, original: str) -> StudyDayRule:
    """Parse whitespace-free Simplified Chinese rule text."""
    prefix = _ZH_PREFIX.match(compact)
    if prefix is None:
        raise _unrecognised(original)
    rest = compact[prefix.end() :]
    for kind, pattern in _ZH_DATES:
        found = pattern.match(rest)
        if found is None:
            continue
        at = _parse_zh_time(rest[found.end() :], original)
        groups = found.groupdict()
        return StudyDayRule(
            kind=kind,
            day=_cn_int(groups["day"]) if groups.get("day") else None,
            nth=_cn_int(groups["nth"]) if groups.get("nth") else None,
            weekday=_zh_weekday(groups["wd"]) if groups.get("wd") else None,
            at=at,
        )
    raise _unrecognised(original)


def _parse_zh_time(rest: str, original: str) -> time:
    """Parse the optional time tail: 09:00, 9点, 上午9点, 下午2点半, 14点30分."""
    if not rest:
        return _DEFAULT_AT
    found = _ZH_TIME.fullmatch(rest)
    if found is None:
        raise _unrecognised(original)
    g = found.groupdict()
    if g["h"] is not None:
        hour, minute = int(g["h"]), int(g["m"])
    else:
        hour, minute = _cn_int(g["h2"]), _zh_minutes(g["half"], g["q"], g["m2"])
    period = g["period"]
    if period in ("下午", "晚上", "傍晚") and hour < 12:
        hour += 12
    elif period == "中午" and hour < 6:
        hour += 12
    return _check_time(hour, minute)


def _zh_minutes(half: str | None, quarters: str | None, minutes: str | None) -> int:
    """Minutes after 点: 半 = 30, 一刻/三刻 = 15/45, or an explicit number (default 0)."""
    if half:
        return 30
    if quarters:
        return 15 * _cn_int(quarters)
    return _cn_int(minutes) if minutes else 0


def _parse_en(lowered: str, original: str) -> StudyDayRule:
    """Parse an English rule such as ``monthly 2nd tue 09:00`` or ``monthly last 9am``."""
    spaced = re.sub(r"\s*:\s*", ":", lowered.replace(",", " "))
    tokens = [t for t in spaced.split()[1:] if t not in _EN_FILLERS]
    if spaced.split()[0] != "monthly" or not tokens:
        raise _unrecognised(original)
    head, nxt = tokens[0], tokens[1] if len(tokens) > 1 else ""
    rule, used = _en_date(head, nxt, original)
    return replace(rule, at=_parse_en_time("".join(tokens[used:]), original))


def _en_date(head: str, nxt: str, original: str) -> tuple[StudyDayRule, int]:
    """Parse the date tokens; return the rule (time 09:00) and how many tokens it used."""
    if head == "day":
        return StudyDayRule("day", day=_en_ordinal(nxt, original)), 2
    if head == "last" and nxt in _EN_WEEKDAYS:
        return StudyDayRule("last_weekday", weekday=_EN_WEEKDAYS[nxt]), 2
    if head == "last":
        return StudyDayRule("last_day"), 2 if nxt == "day" else 1
    if nxt in _EN_WEEKDAYS:
        nth = _en_ordinal(head, original)
        return StudyDayRule("nth_weekday", nth=nth, weekday=_EN_WEEKDAYS[nxt]), 2
    return StudyDayRule("day", day=_en_ordinal(head, original)), 1


def _en_ordinal(token: str, original: str) -> int:
    """``10``, ``10th``, ``2nd`` or ``second`` to int."""
    if token in _EN_ORDINAL_WORDS:
        return _EN_ORDINAL_WORDS[token]
    found = _EN_ORDINAL.fullmatch(token)
    if found is None:
        raise _unrecognised(original)
    return int(found["n"])


def _parse_en_time(tail: str, original: str) -> time:
    """Parse ``09:00``, ``9:30``, ``9am`` or ``2:30pm``; empty means 09:00."""
    if not tail:
        return _DEFAULT_AT
    found = _EN_TIME.fullmatch(tail)
    if found is None or (found["m"] is None and found["ampm"] is None):
        raise _unrecognised(original)
    hour, minute = int(found["h"]), int(found["m"] or 0)
    if found["ampm"] is not None:
        if not 1 <= hour <= 12:
            raise RuleError(
                f"12 小时制的小时必须在 1 到 12 之间，而不是 {hour}（am/pm hour must be 1–12）"
            )
        hour = hour % 12 + (12 if found["ampm"].startswith("p") else 0)
    return _check_time(hour, minute)


@functools.lru_cache(maxsize=1024)
def _session_in_month(rule: StudyDayRule, year: int, month: int, tz: ZoneInfo) -> datetime:
    """A rule's session start in a month: asked by every 签到 and every scheduler tick, for
    a handful of distinct answers (rules are frozen, so they key a cache)."""
    naive_local = datetime.combine(rule.date_in_month(year, month), rule.at, tzinfo=tz)
    # Round-trip through UTC so a time inside a DST gap becomes a real local time.
    return naive_local.astimezone(UTC).astimezone(tz)
