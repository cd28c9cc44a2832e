"""Tests for bot.core.rules: monthly study-day rules, against fixed dates only."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.rules import RuleError, StudyDayRule, parse_rule

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
EXAMPLE = "每月10日 09:00"

TENTH = StudyDayRule("day", day=10)
SECOND_TUESDAY = StudyDayRule("nth_weekday", nth=2, weekday=calendar.TUESDAY)
LAST_DAY = StudyDayRule("last_day")
LAST_FRIDAY = StudyDayRule("last_weekday", weekday=calendar.FRIDAY)

SECOND_TUESDAY_1430 = StudyDayRule("nth_weekday", nth=2, weekday=calendar.TUESDAY, at=time(14, 30))

MONTHS = [(year, month) for year in (2026, 2027, 2028) for month in range(1, 13)]


def _weekdays_in(year: int, month: int, weekday: int) -> list[int]:
    """Days of the month falling on `weekday`, according to the calendar module."""
    return [week[weekday] for week in calendar.monthcalendar(year, month) if week[weekday]]


def _nth(nth: int, weekday: int, at: time) -> StudyDayRule:
    """Shorthand for an nth-weekday rule."""
    return StudyDayRule("nth_weekday", nth=nth, weekday=weekday, at=at)


# --- date_in_month -------------------------------------------------------------------------


def test_the_tenth_rule_is_the_tenth_of_every_month() -> None:
    for year, month in MONTHS:
        assert TENTH.date_in_month(year, month) == date(year, month, 10)


def test_second_tuesday_of_november_and_december_2026() -> None:
    assert _weekdays_in(2026, 11, calendar.TUESDAY)[1] == 10
    assert _weekdays_in(2026, 12, calendar.TUESDAY)[1] == 8
    assert SECOND_TUESDAY.date_in_month(2026, 11) == date(2026, 11, 10)
    assert SECOND_TUESDAY.date_in_month(2026, 12) == date(2026, 12, 8)


@pytest.mark.parametrize("nth", [1, 2, 3, 4])
@pytest.mark.parametrize("weekday", range(7))
def test_nth_weekday_matches_the_calendar_module_for_three_years(nth: int, weekday: int) -> None:
    rule = StudyDayRule("nth_weekday", nth=nth, weekday=weekday)
    for year, month in MONTHS:
        expected = date(year, month, _weekdays_in(year, month, weekday)[nth - 1])
        assert rule.date_in_month(year, month) == expected


def test_last_day_of_february_is_28th_in_2026_and_29th_in_2028() -> None:
    assert calendar.monthrange(2026, 2)[1] == 28
    assert calendar.monthrange(2028, 2)[1] == 29
    assert LAST_DAY.date_in_month(2026, 2) == date(2026, 2, 28)
    assert LAST_DAY.date_in_month(2028, 2) == date(2028, 2, 29)


def test_last_day_matches_the_calendar_module_for_three_years() -> None:
    for year, month in MONTHS:
        assert LAST_DAY.date_in_month(year, month) == date(
            year, month, calendar.monthrange(year, month)[1]
        )


def test_last_friday_of_november_and_december_2026() -> None:
    assert LAST_FRIDAY.date_in_month(2026, 11) == date(2026, 11, 27)
    assert LAST_FRIDAY.date_in_month(2026, 12) == date(2026, 12, 25)


@pytest.mark.parametrize("weekday", range(7))
def test_last_weekday_matches_the_calendar_module_for_three_years(weekday: int) -> None:
    rule = StudyDayRule("last_weekday", weekday=weekday)
    for year, month in MONTHS:
        expected = date(year, month, _weekdays_in(year, month, weekday)[-1])
        assert rule.date_in_month(year, month) == expected


def test_the_31st_clamps_to_the_last_day_of_short_months() -> None:
    rule = StudyDayRule("day", day=31)
    assert rule.date_in_month(2026, 2) == date(2026, 2, 28)
    assert rule.date_in_month(2028, 2) == date(2028, 2, 29)
    assert rule.date_in_month(2026, 4) == date(2026, 4, 30)
    assert rule.date_in_month(2026, 1) == date(2026, 1, 31)


def test_the_30th_clamps_in_february_but_not_in_march() -> None:
    rule = StudyDayRule("day", day=30)
    assert rule.date_in_month(2026, 2) == date(2026, 2, 28)
    assert rule.date_in_month(2026, 3) == date(2026, 3, 30)


def test_a_clamped_day_is_never_skipped_across_three_years() -> None:
    rule = StudyDayRule("day", day=31)
    start = datetime(2026, 1, 1, tzinfo=SHANGHAI)
    sessions = rule.sessions_between(start, datetime(2029, 1, 1, tzinfo=SHANGHAI), SHANGHAI)
    assert len(sessions) == 36


# --- next_session ----------------------------------------------------------------------------


def test_next_session_exactly_at_a_session_start_moves_to_next_month() -> None:
    at_start = datetime(2026, 11, 10, 9, 0, tzinfo=SHANGHAI)
    assert SECOND_TUESDAY.next_session(at_start, SHANGHAI) == datetime(
        2026, 12, 8, 9, 0, tzinfo=SHANGHAI
    )


def test_next_session_one_second_before_the_start_is_that_session() -> None:
    just_before = datetime(2026, 11, 10, 8, 59, 59, tzinfo=SHANGHAI)
    assert SECOND_TUESDAY.next_session(just_before, SHANGHAI) == datetime(
        2026, 11, 10, 9, 0, tzinfo=SHANGHAI
    )


def test_next_session_earlier_in_the_month_is_this_months_session() -> None:
    first = datetime(2026, 11, 1, 0, 0, tzinfo=SHANGHAI)
    assert TENTH.next_session(first, SHANGHAI) == datetime(2026, 11, 10, 9, 0, tzinfo=SHANGHAI)


def test_next_session_after_the_last_session_of_the_year_rolls_into_january() -> None:
    after = datetime(2026, 12, 31, 12, 0, tzinfo=SHANGHAI)
    assert TENTH.next_session(after, SHANGHAI) == datetime(2027, 1, 10, 9, 0, tzinfo=SHANGHAI)


def test_next_session_accepts_after_in_another_zone_and_answers_in_the_rule_zone() -> None:
    # 2026-11-10 00:30 UTC is 08:30 in Shanghai: the 09:00 session is still ahead.
    after = datetime(2026, 11, 10, 0, 30, tzinfo=UTC)
    result = TENTH.next_session(after, SHANGHAI)
    assert result == datetime(2026, 11, 10, 9, 0, tzinfo=SHANGHAI)
    assert result.tzinfo is SHANGHAI


def test_next_session_uses_the_local_month_not_the_utc_month() -> None:
    # 2026-10-31 23:00 UTC is already 2026-11-01 07:00 in Shanghai.
    after = datetime(2026, 10, 31, 23, 0, tzinfo=UTC)
    assert LAST_DAY.next_session(after, SHANGHAI) == datetime(2026, 11, 30, 9, 0, tzinfo=SHANGHAI)


def test_next_session_defaults_to_shanghai() -> None:
    after = datetime(2026, 11, 1, tzinfo=UTC)
    assert TENTH.next_session(after).tzinfo == SHANGHAI


def test_nine_oclock_stays_nine_oclock_local_across_the_new_york_dst_change() -> None:
    # US DST 2026 starts on Sunday 2026-03-08.
    february = TENTH.next_session(datetime(2026, 2, 1, tzinfo=NEW_YORK), NEW_YORK)
    march = TENTH.next_session(february, NEW_YORK)
    november = TENTH.next_session(datetime(2026, 11, 1, 12, 0, tzinfo=NEW_YORK), NEW_YORK)
    assert (february.hour, march.hour, november.hour) == (9, 9, 9)
    assert february.utcoffset() == timedelta(hours=-5)
    assert march.utcoffset() == timedelta(hours=-4)
    assert november.utcoffset() == timedelta(hours=-5)
    assert march.astimezone(UTC) == datetime(2026, 3, 10, 13, 0, tzinfo=UTC)


def test_a_session_inside_the_spring_forward_gap_moves_forward_by_the_gap() -> None:
    # 2026-03-08 is the 2nd Sunday of March; 02:30 does not exist in New York that day.
    rule = StudyDayRule("nth_weekday", nth=2, weekday=calendar.SUNDAY, at=time(2, 30))
    session = rule.next_session(datetime(2026, 3, 1, tzinfo=NEW_YORK), NEW_YORK)
    assert session.astimezone(UTC) == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)
    assert (session.hour, session.minute) == (3, 30)


def test_an_ambiguous_fall_back_session_means_the_first_occurrence() -> None:
    # 2026-11-01 is the 1st Sunday of November; 01:30 happens twice in New York that night.
    assert _weekdays_in(2026, 11, calendar.SUNDAY)[0] == 1
    rule = StudyDayRule("nth_weekday", nth=1, weekday=calendar.SUNDAY, at=time(1, 30))
    session = rule.next_session(datetime(2026, 10, 31, tzinfo=NEW_YORK), NEW_YORK)
    assert session.astimezone(UTC) == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
    # 01:10 of the second pass (fold=1, EST) is already later than that first 01:30 (EDT).
    later = datetime(2026, 11, 1, 1, 10, fold=1, tzinfo=NEW_YORK)
    assert rule.next_session(later, NEW_YORK).date() == date(2026, 12, 6)


def test_next_session_rejects_a_naive_datetime() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        TENTH.next_session(datetime(2026, 1, 1), SHANGHAI)


# --- sessions_between ------------------------------------------------------------------------


def test_sessions_between_across_a_year_returns_twelve() -> None:
    start = datetime(2026, 1, 1, tzinfo=SHANGHAI)
    end = datetime(2027, 1, 1, tzinfo=SHANGHAI)
    for rule in (TENTH, SECOND_TUESDAY, LAST_DAY, LAST_FRIDAY):
        sessions = rule.sessions_between(start, end, SHANGHAI)
        assert len(sessions) == 12
        assert [s.month for s in sessions] == list(range(1, 13))
        assert all(s.tzinfo is SHANGHAI and s.time() == time(9, 0) for s in sessions)


def test_sessions_between_includes_start_and_excludes_end() -> None:
    first = datetime(2026, 1, 10, 9, 0, tzinfo=SHANGHAI)
    end = datetime(2026, 3, 10, 9, 0, tzinfo=SHANGHAI)
    assert TENTH.sessions_between(first, end, SHANGHAI) == [
        first,
        datetime(2026, 2, 10, 9, 0, tzinfo=SHANGHAI),
    ]


def test_sessions_between_an_empty_or_reversed_range_is_empty() -> None:
    moment = datetime(2026, 1, 10, 9, 0, tzinfo=SHANGHAI)
    assert TENTH.sessions_between(moment, moment, SHANGHAI) == []
    assert TENTH.sessions_between(moment, moment - timedelta(days=40), SHANGHAI) == []


def test_sessions_between_across_a_year_in_new_york_keeps_local_nine_oclock() -> None:
    start = datetime(2026, 1, 1, tzinfo=NEW_YORK)
    sessions = TENTH.sessions_between(start, datetime(2027, 1, 1, tzinfo=NEW_YORK), NEW_YORK)
    assert len(sessions) == 12
    assert {s.time() for s in sessions} == {time(9, 0)}
    assert {s.utcoffset() for s in sessions} == {timedelta(hours=-5), timedelta(hours=-4)}


# --- parsing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("每月10日 09:00", TENTH),
        ("每月10号 9:00", TENTH),
        ("每月10日", TENTH),
        ("每月十日", TENTH),
        ("  每月 10 日   09 : 00 ", TENTH),
        ("每月10日09:00", TENTH),
        ("每月第二个周二 09:00", SECOND_TUESDAY),
        ("每月第二周的周二", SECOND_TUESDAY),
        ("每月第2个礼拜二 9点", SECOND_TUESDAY),
        ("每月最后一天 09:00", LAST_DAY),
        ("每月末 09:00", LAST_DAY),
        ("每月最后一个周五 09:00", LAST_FRIDAY),
        ("每月最后一个星期五", LAST_FRIDAY),
    ],
)
def test_simplified_chinese_forms_are_accepted(text: str, expected: StudyDayRule) -> None:
    assert parse_rule(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("每月第2个星期二 14:30", SECOND_TUESDAY_1430),
        ("每月十五日 上午9点", StudyDayRule("day", day=15)),
        ("每月二十日 下午2点半", StudyDayRule("day", day=20, at=time(14, 30))),
        ("每月三十一日 14:30", StudyDayRule("day", day=31, at=time(14, 30))),
        ("每月1日 晚上8点", StudyDayRule("day", day=1, at=time(20, 0))),
        ("每月1日 9点15分", StudyDayRule("day", day=1, at=time(9, 15))),
        ("每月1日 九点三刻", StudyDayRule("day", day=1, at=time(9, 45))),
        ("每月第一个周日 中午12点", StudyDayRule("nth_weekday", nth=1, weekday=6, at=time(12))),
    ],
)
def test_chinese_numerals_and_spoken_times_are_accepted(text: str, expected: StudyDayRule) -> None:
    assert parse_rule(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("每月第二個週二 09:00", SECOND_TUESDAY),
        ("每月第二個禮拜二 9點", SECOND_TUESDAY),
        ("每月最後一天 09:00", LAST_DAY),
        ("每月最後一個星期五 09:00", LAST_FRIDAY),
        ("每月10號 下午2點半", StudyDayRule("day", day=10, at=time(14, 30))),
    ],
)
def test_traditional_chinese_forms_are_accepted(text: str, expected: StudyDayRule) -> None:
    assert parse_rule(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("每月１０日　０９：００", TENTH),
        ("每月第２個週二　１４：３０", SECOND_TUESDAY_1430),
        ("ｍｏｎｔｈｌｙ　２ｎｄ　ｔｕｅ　０９：００", SECOND_TUESDAY),
    ],
)
def test_full_width_digits_colons_and_spaces_are_accepted(
    text: str, expected: StudyDayRule
) -> None:
    assert parse_rule(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("monthly day 10 09:00", TENTH),
        ("monthly 10 09:00", TENTH),
        ("monthly 10th", TENTH),
        ("Monthly 2nd Tue 09:00", SECOND_TUESDAY),
        ("monthly second tuesday 9:30", _nth(2, 1, time(9, 30))),
        ("MONTHLY 2ND TUES 9am", SECOND_TUESDAY),
        ("monthly last 09:00", LAST_DAY),
        ("monthly last day", LAST_DAY),
        ("monthly last fri 09:00", LAST_FRIDAY),
        ("monthly last friday 2:30pm", StudyDayRule("last_weekday", weekday=4, at=time(14, 30))),
        ("monthly on the 1st monday at 14:00", _nth(1, 0, time(14))),
        ("monthly 4th sun 12am", StudyDayRule("nth_weekday", nth=4, weekday=6, at=time(0))),
    ],
)
def test_english_forms_are_accepted_case_insensitively(text: str, expected: StudyDayRule) -> None:
    assert parse_rule(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "每月0日 09:00",
        "每月32日 09:00",
        "每月第五个周二 09:00",
        "每月第5個週五",
        "每月第0个周二",
        "每月10日 24:00",
        "每月10日 9:60",
        "每月10日 25点",
        "每月10日 abc",
        "每周二 09:00",
        "明天开会",
        "hello world",
        "monthly",
        "monthly day",
        "monthly 0 09:00",
        "monthly 32 09:00",
        "monthly 5th tue 09:00",
        "monthly fifth friday",
        "monthly 2nd tue 24:00",
        "monthly 2nd tue 9:75",
        "monthly 13pm",
        "monthly 2nd xyz 09:00",
    ],
)
def test_invalid_rules_raise_rule_error_with_an_example(text: str) -> None:
    with pytest.raises(RuleError) as caught:
        parse_rule(text)
    assert EXAMPLE in str(caught.value)
    assert "monthly 2nd tue 09:00" in str(caught.value)


def test_rule_error_is_a_value_error() -> None:
    assert issubclass(RuleError, ValueError)


def test_a_fifth_weekday_is_refused_with_an_explanation() -> None:
    with pytest.raises(RuleError, match="不是每个月都有第五个"):
        parse_rule("每月第五个周二 09:00")


def test_an_unrecognised_rule_message_quotes_the_input() -> None:
    with pytest.raises(RuleError, match='无法识别的学习日规则 "明天开会"'):
        parse_rule("明天开会")


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "day"},
        {"kind": "day", "day": 10, "weekday": 1},
        {"kind": "nth_weekday", "nth": 2},
        {"kind": "nth_weekday", "nth": 5, "weekday": 1},
        {"kind": "last_weekday", "weekday": 7},
        {"kind": "last_day", "day": 31},
        {"kind": "weekly"},
    ],
)
def test_inconsistent_direct_construction_raises_rule_error(fields: dict[str, object]) -> None:
    with pytest.raises(RuleError):
        StudyDayRule(**fields)  # type: ignore[arg-type]


def test_a_time_with_seconds_is_refused() -> None:
    with pytest.raises(RuleError):
        StudyDayRule("day", day=1, at=time(9, 0, 30))


# --- describe --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "locale", "text"),
    [
        (TENTH, "zh-Hans", "每月10日 09:00"),
        (SECOND_TUESDAY, "zh-Hans", "每月第二个周二 09:00"),
        (LAST_DAY, "zh-Hans", "每月最后一天 09:00"),
        (LAST_FRIDAY, "zh-Hans", "每月最后一个周五 09:00"),
        (TENTH, "zh-Hant", "每月10日 09:00"),
        (SECOND_TUESDAY, "zh-Hant", "每月第二個週二 09:00"),
        (LAST_DAY, "zh-Hant", "每月最後一天 09:00"),
        (LAST_FRIDAY, "zh-Hant", "每月最後一個週五 09:00"),
        (TENTH, "en", "monthly day 10 09:00"),
        (SECOND_TUESDAY, "en", "monthly 2nd tue 09:00"),
        (LAST_DAY, "en", "monthly last 09:00"),
        (LAST_FRIDAY, "en", "monthly last fri 09:00"),
    ],
)
def test_describe_gives_the_canonical_text(rule: StudyDayRule, locale: str, text: str) -> None:
    assert rule.describe(locale) == text


def _all_rule_shapes() -> list[StudyDayRule]:
    """Every day, every nth weekday, last day and every last weekday, at two times."""
    rules: list[StudyDayRule] = []
    for at in (time(9, 0), time(14, 30)):
        rules += [StudyDayRule("day", day=day, at=at) for day in range(1, 32)]
        rules += [
            StudyDayRule("nth_weekday", nth=nth, weekday=weekday, at=at)
            for nth in range(1, 5)
            for weekday in range(7)
        ]
        rules.append(StudyDayRule("last_day", at=at))
        rules += [StudyDayRule("last_weekday", weekday=weekday, at=at) for weekday in range(7)]
    return rules


@pytest.mark.parametrize("locale", ["zh-Hans", "zh-Hant", "en"])
def test_describe_round_trips_through_parse_rule_for_every_rule(locale: str) -> None:
    for rule in _all_rule_shapes():
        assert parse_rule(rule.describe(locale)) == rule, rule.describe(locale)


@pytest.mark.parametrize(
    ("locale", "text"),
    [
        ("zh", "每月第二个周二 09:00"),
        ("zh_CN", "每月第二个周二 09:00"),
        ("zh-TW", "每月第二個週二 09:00"),
        ("zh-Hant-HK", "每月第二個週二 09:00"),
        ("en-US", "monthly 2nd tue 09:00"),
    ],
)
def test_describe_accepts_common_locale_variants(locale: str, text: str) -> None:
    assert SECOND_TUESDAY.describe(locale) == text


def test_describe_refuses_an_unknown_locale() -> None:
    with pytest.raises(ValueError, match="locale"):
        TENTH.describe("fr")
