"""Tests for roster parsing (bot.roster.parse) and phone normalisation (bot.core.phone)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from lunardate import LunarDate

from bot.core.phone import normalize_phone, phone_from_cell
from bot.roster.parse import (
    Birthday,
    ParsedRoster,
    RosterError,
    RosterRow,
    RowError,
    parse_birthday,
    read_roster,
)

CN_HEADER = ["姓名", "手机", "支部", "角色", "生日", "住址", "行动不便", "独居", "互助对象", "语言"]

TODAY = date(2026, 12, 3)  # the clock's today, as the importer passes it


def write_csv(
    tmp_path: Path, rows: Sequence[Sequence[object]], encoding: str = "utf-8", name: str = "r.csv"
) -> Path:
    """Write rows as a CSV file in the given encoding."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    path = tmp_path / name
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(tmp_path: Path, rows: Sequence[Sequence[object]]) -> Path:
    """Write rows into the first sheet of an .xlsx workbook."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    path = tmp_path / "r.xlsx"
    workbook.save(path)
    return path


def only_row(parsed: ParsedRoster) -> RosterRow:
    """Return the single valid row, failing on any error."""
    assert parsed.errors == []
    assert len(parsed.rows) == 1
    return parsed.rows[0]


def reasons(parsed: ParsedRoster) -> list[tuple[int, str]]:
    """Return (row number, reason) pairs of all errors."""
    return [(error.row_number, error.reason) for error in parsed.errors]


# --- phones ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13800138000", "13800138000"),
        ("+86 138 0013 8000", "13800138000"),
        ("１３８００１３８０００", "13800138000"),
        ("＋８６ １３８００１３８０００", "13800138000"),
        ("86-138-0013-8000", "13800138000"),
        ("0086 13800138000", "13800138000"),
        ("138.0013.8000", "13800138000"),
        ("13800138000.0", "13800138000"),
        ("0533-4123456", "05334123456"),
        ("(010)12345678", "01012345678"),
        ("（０１０）１２３４５６７８", "01012345678"),
        ("021 87654321", "02187654321"),
    ],
)
def test_valid_phones_are_normalised_to_their_digits(raw: str, expected: str) -> None:
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["", "12345", "1380013800", "138001380001", "23800138000", "12800138000", "+86 0533-4123456",
     "8612345", "0001234567", "138-0013-800x", "13800138000转8"],
)  # fmt: skip
def test_invalid_phones_are_rejected(raw: str) -> None:
    assert normalize_phone(raw) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (13800138000.0, "13800138000"),
        (13800138000, "13800138000"),
        ("+86 13800138000", "13800138000"),
        (5334123456, "05334123456"),
        (None, None),
        (True, None),
        (13800138000.5, None),
        (float("nan"), None),
        (1380013800, None),
        (date(2020, 1, 1), None),
    ],
)
def test_phone_cells_of_any_type_are_normalised(value: object, expected: str | None) -> None:
    assert phone_from_cell(value) == expected


# --- reading files ---------------------------------------------------------------------------


def test_a_chinese_header_csv_yields_every_field(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        [
            CN_HEADER,
            ["王 秀英", "138 0013 8000", "一支部", "书记", "1943-05-12", " 幸福路3号 ", "是", "否",
             "13900139000", "繁体"],
            ["李建国", "13900139000", "一支部", "", "", "", "", "", "", ""],
        ],
    )  # fmt: skip
    parsed = read_roster(path, today=TODAY)
    assert parsed.errors == []
    first, second = parsed.rows
    assert first == RosterRow(
        row_number=2,
        name="王秀英",
        phone="13800138000",
        branches=("一支部",),
        role="secretary",
        birthday=Birthday(5, 12, 1943, lunar=False),
        address="幸福路3号",
        needs_home_delivery=True,
        lives_alone=False,
        pair_phone="13900139000",
        language="zh-Hant",
    )
    assert second.row_number == 3
    assert second.role == "member"
    assert second.birthday is None
    assert second.address is None
    assert (second.needs_home_delivery, second.lives_alone) == (False, False)
    assert second.language is None


def test_english_headers_are_case_insensitive_in_any_order_and_extra_columns_ignored(
    tmp_path: Path,
) -> None:
    path = write_csv(
        tmp_path,
        [
            ["Branch", "PHONE", "Notes", "Name", "Role", "Lives Alone", "Needs_Home_Delivery",
             "language"],
            ["Branch 1", "13800138000", "whatever", "John  Smith", "Instructor", "yes", "N", "en"],
        ],
    )  # fmt: skip
    row = only_row(read_roster(path, today=TODAY))
    assert row.name == "John Smith"
    assert row.branches == ("Branch 1",)
    assert row.role == "instructor"
    assert row.lives_alone is True
    assert row.needs_home_delivery is False
    assert row.language == "en"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_is_read_in_utf8_with_or_without_bom_and_in_gb18030(
    tmp_path: Path, encoding: str
) -> None:
    path = write_csv(
        tmp_path, [["姓名", "手机号", "支部"], ["张卫东", "13800138000", "二支部"]], encoding
    )
    row = only_row(read_roster(path, today=TODAY))
    assert (row.name, row.phone, row.branches) == ("张卫东", "13800138000", ("二支部",))


def test_an_xlsx_roster_accepts_float_phones_and_date_cells(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path,
        [
            ["姓名", "联系电话", "支部", "生日", "独居", "互助对象"],
            ["赵大山", 13800138000.0, "一支部", datetime(1938, 2, 3), True, 13900139000],
            [None, None, None, None, None, None],
            ["钱小红", 13900139000, "一支部", date(1941, 7, 1), "√", None],
        ],
    )
    parsed = read_roster(path, today=TODAY)
    assert parsed.errors == []
    first, second = parsed.rows
    assert (first.row_number, first.phone, first.pair_phone) == (2, "13800138000", "13900139000")
    assert first.birthday == Birthday(2, 3, 1938, lunar=False)
    assert first.lives_alone is True
    assert (second.row_number, second.phone, second.lives_alone) == (4, "13900139000", True)
    assert second.birthday == Birthday(7, 1, 1941, lunar=False)


def test_blank_rows_are_skipped_but_row_numbers_stay_those_of_the_sheet(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        [
            [],
            ["姓名", "手机", "支部"],
            ["", " ", ""],
            ["甲", "", "一支部"],
            ["乙", "13800138000", "一支部"],
        ],
    )
    parsed = read_roster(path, today=TODAY)
    assert reasons(parsed) == [(4, "缺少手机号")]
    assert [row.row_number for row in parsed.rows] == [5]


def test_a_title_row_above_the_header_is_skipped(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        [["某某离退休干部党支部名单"], ["姓名", "手机", "支部"], ["甲", "13800138000", "一支部"]],
    )
    assert only_row(read_roster(path, today=TODAY)).row_number == 3


def test_the_bad_roster_reports_one_error_per_bad_row_and_keeps_the_good_rows(
    tmp_path: Path,
) -> None:
    path = write_csv(
        tmp_path,
        [
            ["姓名", "手机", "支部", "角色"],
            ["王秀英", "13800138000", "一支部", "党员"],
            ["李建国", "", "一支部", "党员"],
            ["张卫东", "13900139000", "一支部", "支部书记"],
            ["赵大山", "138-0013-8000", "一支部", ""],
            ["钱小红", "13700137000", "一支部", "队长"],
            ["孙立", "13600136000", "二支部", "管理员"],
        ],
    )
    parsed = read_roster(path, today=TODAY)
    assert parsed.errors == [
        RowError(3, "缺少手机号"),
        RowError(5, "手机号重复（与第2行相同）"),
        RowError(6, "未知角色：队长"),
    ]
    assert str(parsed.errors[0]) == "第3行：缺少手机号"
    assert [(row.row_number, row.name, row.role) for row in parsed.rows] == [
        (2, "王秀英", "member"),
        (4, "张卫东", "secretary"),
        (7, "孙立", "admin"),
    ]


def test_every_problem_of_one_row_is_reported_and_errors_are_sorted(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        [
            ["姓名", "手机", "支部", "生日", "独居", "语言"],
            ["甲", "13800138000", "一支部", "", "", ""],
            ["", "12345", "", "1940-13-01", "也许", "法语"],
        ],
    )
    assert reasons(read_roster(path, today=TODAY)) == [
        (3, "缺少姓名"),
        (3, "手机号无效：12345"),
        (3, "支部为空"),
        (3, "生日格式无效：1940-13-01"),
        (3, "独居栏只能填 是 或 否：也许"),
        (3, "未知语言：法语"),
    ]


def test_an_instructor_may_list_several_branches(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        [
            ["姓名", "手机", "支部", "角色"],
            ["周老师", "13800138000", "一支部、 二支部；三支部,一支部", "指导员"],
        ],
    )
    assert only_row(read_roster(path, today=TODAY)).branches == ("一支部", "二支部", "三支部")


def test_a_member_with_several_branches_is_rejected(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path, [["姓名", "手机", "支部"], ["吴明", "13800138000", "一支部，二支部"]]
    )
    assert reasons(read_roster(path, today=TODAY)) == [
        (2, "党员和书记只能属于一个支部：一支部、二支部")]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("是", True), ("Y", True), ("true", True), ("1", True), ("✓", True), ("√", True),
     ("否", False), ("n", False), ("NO", False), ("false", False), ("0", False), ("", False)],
)  # fmt: skip
def test_yes_no_cells_accept_the_usual_spellings(tmp_path: Path, cell: str, expected: bool) -> None:
    path = write_csv(
        tmp_path, [["姓名", "手机", "支部", "行动不便"], ["甲", "13800138000", "一支部", cell]]
    )
    assert only_row(read_roster(path, today=TODAY)).needs_home_delivery is expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("简体", "zh-Hans"), ("中文", "zh-Hans"), ("zh-Hans", "zh-Hans"), ("繁體", "zh-Hant"),
     ("繁", "zh-Hant"), ("zh-Hant", "zh-Hant"), ("英文", "en"), ("English", "en"), ("en", "en")],
)  # fmt: skip
def test_language_cells_accept_chinese_names_and_codes(
    tmp_path: Path, cell: str, expected: str
) -> None:
    path = write_csv(
        tmp_path, [["姓名", "手机", "支部", "语言"], ["甲", "13800138000", "一支部", cell]]
    )
    assert only_row(read_roster(path, today=TODAY)).language == expected


# --- mutual-aid partners ---------------------------------------------------------------------


def pair_roster(tmp_path: Path, *rows: Sequence[str]) -> Path:
    """Write a roster with name, phone, branch and partner columns."""
    return write_csv(tmp_path, [["姓名", "手机", "支部", "互助对象"], *rows])


def test_an_unknown_pair_partner_is_reported(tmp_path: Path) -> None:
    path = pair_roster(tmp_path, ["甲", "13800138000", "一支部", "139 0000 0000"])
    parsed = read_roster(path, today=TODAY)
    assert reasons(parsed) == [(2, "互助对象不在名单中：13900000000")]
    assert parsed.rows == []


def test_a_pair_partner_found_in_known_phones_is_accepted(tmp_path: Path) -> None:
    path = pair_roster(tmp_path, ["甲", "13800138000", "一支部", "+86 13900000000"])
    row = only_row(read_roster(path, known_phones=frozenset({"13900000000"}), today=TODAY))
    assert row.pair_phone == "13900000000"


def test_a_pair_partner_later_in_the_file_is_accepted(tmp_path: Path) -> None:
    path = pair_roster(
        tmp_path,
        ["甲", "13800138000", "一支部", "13900000000"],
        ["乙", "13900000000", "一支部", "13800138000"],
    )
    parsed = read_roster(path, today=TODAY)
    assert parsed.errors == []
    assert [row.pair_phone for row in parsed.rows] == ["13900000000", "13800138000"]


def test_a_pair_partner_whose_row_is_rejected_is_not_in_the_roster(tmp_path: Path) -> None:
    path = pair_roster(
        tmp_path,
        ["甲", "13800138000", "一支部", "13900000000"],
        ["乙", "13900000000", "一支部", "13700000000"],
        ["丙", "13600000000", "一支部", "13800138000"],
    )
    parsed = read_roster(path, today=TODAY)
    assert reasons(parsed) == [
        (2, "互助对象不在名单中：13900000000（第3行有误）"),
        (3, "互助对象不在名单中：13700000000"),
        (4, "互助对象不在名单中：13800138000（第2行有误）"),
    ]
    assert parsed.rows == []


def test_a_member_cannot_be_their_own_pair_partner(tmp_path: Path) -> None:
    path = pair_roster(tmp_path, ["甲", "13800138000", "一支部", "13800138000"])
    known = frozenset({"13800138000"})
    assert reasons(read_roster(path, known, today=TODAY)) == [
        (2, "互助对象不能是本人：13800138000")]


def test_an_invalid_pair_phone_is_reported(tmp_path: Path) -> None:
    path = pair_roster(tmp_path, ["甲", "13800138000", "一支部", "王秀英"])
    assert reasons(read_roster(path, today=TODAY)) == [(2, "互助对象手机号无效：王秀英")]


# --- birthdays -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("1943-05-12", Birthday(5, 12, 1943, lunar=False)),
        ("1943/5/12", Birthday(5, 12, 1943, lunar=False)),
        ("1943.5.12", Birthday(5, 12, 1943, lunar=False)),
        ("1943年5月12日", Birthday(5, 12, 1943, lunar=False)),
        ("1943-05-12 00:00:00", Birthday(5, 12, 1943, lunar=False)),
        ("19430512", Birthday(5, 12, 1943, lunar=False)),
        ("05-12", Birthday(5, 12, None, lunar=False)),
        ("02-29", Birthday(2, 29, None, lunar=False)),
        ("农历1940-08-15", Birthday(8, 15, 1940, lunar=True)),
        ("農曆 1940/8/30", Birthday(8, 30, 1940, lunar=True)),
        ("农历8月15", Birthday(8, 15, None, lunar=True)),
        (datetime(1943, 5, 12, 0, 0), Birthday(5, 12, 1943, lunar=False)),
        ("", None),
        (None, None),
    ],
)
def test_birthdays_are_parsed_in_the_usual_forms(cell: object, expected: Birthday | None) -> None:
    assert parse_birthday(cell) == expected


@pytest.mark.parametrize(
    "cell",
    ["1940-13-01", "1941-02-29", "02-30", "农历1940-08-31", "1850-01-01", "明年", "3000-01-01"],
)
def test_impossible_birthdays_are_rejected(cell: str) -> None:
    with pytest.raises(ValueError, match="生日格式无效"):
        parse_birthday(cell, TODAY.year)


def test_a_birth_year_after_the_clocks_year_is_refused() -> None:
    assert parse_birthday("2026-05-01", 2026) == Birthday(5, 1, 2026, lunar=False)
    with pytest.raises(ValueError, match="生日格式无效"):
        parse_birthday("2027-05-01", 2026)


def test_a_lunar_birthday_falls_on_the_lunardate_solar_day() -> None:
    birthday = Birthday(8, 15, 1940, lunar=True)
    expected = LunarDate(2026, 8, 15).to_solar_date()
    assert birthday.solar_in(2026) == expected
    assert expected == date(2026, 9, 25)


def test_a_lunar_day_30_falls_back_to_day_29_in_a_short_month() -> None:
    with pytest.raises(ValueError):
        LunarDate(2026, 2, 30).to_solar_date()
    expected = LunarDate(2026, 2, 29).to_solar_date()
    assert Birthday(2, 30, None, lunar=True).solar_in(2026) == expected


def test_a_february_29_birthday_is_celebrated_on_february_28_in_common_years() -> None:
    birthday = Birthday(2, 29, 1944, lunar=False)
    assert birthday.solar_in(2026) == date(2026, 2, 28)
    assert birthday.solar_in(2028) == date(2028, 2, 29)


def test_age_on_counts_whole_years_for_solar_birthdays() -> None:
    birthday = Birthday(5, 12, 1943, lunar=False)
    assert birthday.age_on(date(2026, 5, 11)) == 82
    assert birthday.age_on(date(2026, 5, 12)) == 83
    assert birthday.age_on(date(1940, 1, 1)) is None
    assert Birthday(5, 12, None, lunar=False).age_on(date(2026, 5, 12)) is None


def test_age_on_counts_lunar_years_for_lunar_birthdays() -> None:
    birthday = Birthday(8, 15, 1940, lunar=True)
    day = LunarDate(2026, 8, 15).to_solar_date()
    assert birthday.age_on(day) == 86
    assert birthday.age_on(date.fromordinal(day.toordinal() - 1)) == 85
    assert birthday.age_on(date(2026, 1, 10)) == 85  # still lunar year 2025


def test_next_on_or_after_finds_a_late_lunar_birthday_in_january() -> None:
    birthday = Birthday(12, 20, None, lunar=True)
    expected = LunarDate(2025, 12, 20).to_solar_date()
    assert expected.year == 2026
    assert birthday.next_on_or_after(date(2026, 1, 1)) == expected
    solar = Birthday(5, 12, None, lunar=False)
    assert solar.next_on_or_after(date(2026, 6, 1)) == date(2027, 5, 12)


# --- whole-file problems ---------------------------------------------------------------------


def test_a_missing_required_column_raises_roster_error_naming_it(tmp_path: Path) -> None:
    path = write_csv(tmp_path, [["姓名", "生日", "支部"], ["甲", "1943-05-12", "一支部"]])
    with pytest.raises(RosterError, match="手机") as caught:
        read_roster(path, today=TODAY)
    assert "姓名" not in str(caught.value)


def test_several_missing_columns_are_all_named(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path, [["name", "birthday"], ["甲", "1943-05-12"]])
    with pytest.raises(RosterError, match=r"手机.*支部"):
        read_roster(path, today=TODAY)


@pytest.mark.parametrize("name", ["r.xls", "r.txt", "roster"])
def test_an_unsupported_file_type_raises_roster_error(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text("姓名,手机,支部\n")
    with pytest.raises(RosterError, match="不支持的文件类型"):
        read_roster(path, today=TODAY)


def test_a_roster_without_data_rows_raises_roster_error(tmp_path: Path) -> None:
    path = write_csv(tmp_path, [["姓名", "手机", "支部"], ["", "", ""]])
    with pytest.raises(RosterError, match="没有数据行"):
        read_roster(path, today=TODAY)


def test_an_empty_file_raises_roster_error(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(b"")
    with pytest.raises(RosterError, match="空"):
        read_roster(path, today=TODAY)


@pytest.mark.parametrize("name", ["r.xlsx", "r.csv"])
def test_a_missing_or_broken_file_raises_roster_error(tmp_path: Path, name: str) -> None:
    with pytest.raises(RosterError):
        read_roster(tmp_path / name, today=TODAY)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip file")
    with pytest.raises(RosterError, match="无法读取"):
        read_roster(broken, today=TODAY)
