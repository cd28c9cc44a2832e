"""Parse and validate a party-branch roster spreadsheet (.xlsx or .csv).

This module only reads and checks the file; applying the rows to the database is done elsewhere.
Bad cells never raise: they become `RowError`s. Only whole-file problems raise `RosterError`.
"""

from __future__ import annotations

import calendar
import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import TypeVar

from lunardate import LunarDate

from bot.core.phone import normalize_phone, phone_from_cell

__all__ = [
    "LANGUAGES",
    "ROLES",
    "Birthday",
    "ParsedRoster",
    "RosterError",
    "RosterRow",
    "RowError",
    "parse_birthday",
    "read_roster",
]

_T = TypeVar("_T")
RawRow = Sequence[object]

ROLES: dict[str, str] = {
    "党员": "member",
    "书记": "secretary",
    "支部书记": "secretary",
    "指导员": "instructor",
    "党建指导员": "instructor",
    "管理员": "admin",
    "member": "member",
    "secretary": "secretary",
    "instructor": "instructor",
    "admin": "admin",
}
_SINGLE_BRANCH_ROLES = frozenset({"member", "secretary"})

LANGUAGES: dict[str, str] = {
    "zh-hans": "zh-Hans",
    "zh-cn": "zh-Hans",
    "简体": "zh-Hans",
    "简": "zh-Hans",
    "简体中文": "zh-Hans",
    "中文": "zh-Hans",
    "zh-hant": "zh-Hant",
    "zh-tw": "zh-Hant",
    "zh-hk": "zh-Hant",
    "繁体": "zh-Hant",
    "繁體": "zh-Hant",
    "繁": "zh-Hant",
    "繁体中文": "zh-Hant",
    "繁體中文": "zh-Hant",
    "en": "en",
    "english": "en",
    "英文": "en",
    "英语": "en",
}

_YES = frozenset({"是", "y", "yes", "true", "1", "√", "✓", "✔"})
_NO = frozenset({"否", "n", "no", "false", "0", "空", "无", "×", "✗", "✘"})

# Column -> accepted header texts, best first (a sheet with both 手机 and 电话 uses 手机).
_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "name"),
    "phone": ("手机", "手机号", "手机号码", "手機", "phone", "mobile", "联系电话", "電話", "电话"),
    "branch": ("支部", "所在支部", "branch"),
    "role": ("角色", "role"),
    "birthday": ("生日", "出生日期", "birthday"),
    "address": ("住址", "地址", "家庭住址", "address"),
    "needs_home_delivery": ("行动不便", "行動不便", "needs_home_delivery"),
    "lives_alone": ("独居", "獨居", "lives_alone"),
    "pair": ("互助对象", "互助對象", "pair", "pair_phone"),
    "language": ("语言", "語言", "language"),
    "status": ("状态", "狀態", "在册状态", "status"),
}
# A 状态 cell: still on the roll, gone (left, moved away), or died. Blank: as it is.
_STATUSES = {
    "active": ("在册", "正常", "在", "active"),
    "inactive": ("离开", "離開", "调出", "調出", "退出", "迁出", "遷出", "离开支部", "inactive",
                 "left"),
    "deceased": ("去世", "已故", "逝世", "病故", "deceased"),
}
_REQUIRED = ("name", "phone", "branch")
_LABELS = {"name": "姓名", "phone": "手机", "branch": "支部"}
_HEADER_SCAN_ROWS = 10

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_GAP = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")
_BRANCH_SPLIT = re.compile(r"[、;,]")  # after NFKC, ； and ， have become ; and ,
_LUNAR_PREFIXES = ("农历", "農曆", "阴历", "陰曆")
_TIME_SUFFIX = r"(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?"
_FULL_DATE = re.compile(
    rf"(\d{{4}})\s*[-/.年]\s*(\d{{1,2}})\s*[-/.月]\s*(\d{{1,2}})\s*日?{_TIME_SUFFIX}"
)
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_MONTH_DAY = re.compile(r"(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


class RosterError(Exception):
    """A problem with the whole roster file (unreadable, wrong type, missing columns, no rows)."""


@dataclass(frozen=True)
class Birthday:
    """A birthday; `year` is None when unknown, and is the lunar year for lunar birthdays."""

    month: int
    day: int
    year: int | None
    lunar: bool

    def solar_in(self, year: int) -> date | None:
        """Return the solar date of this birthday in `year` (the lunar year for lunar ones)."""
        if self.lunar:
            return _lunar_to_solar(year, self.month, self.day)
        day = self.day
        if (self.month, day) == (2, 29) and not calendar.isleap(year):
            day = 28
        try:
            return date(year, self.month, day)
        except ValueError:
            return None

    def age_on(self, d: date) -> int | None:
        """Return the age in whole years on `d`, or None if the birth year is unknown."""
        if self.year is None:
            return None
        current_year = _lunar_year_of(d) if self.lunar else d.year
        if current_year is None:
            return None
        birthday = self.solar_in(current_year)
        if birthday is None:
            return None
        age = current_year - self.year - (1 if d < birthday else 0)
        return age if age >= 0 else None

    def next_on_or_after(self, d: date) -> date | None:
        """Return the first solar date on or after `d` on which this birthday falls."""
        candidates = (self.solar_in(year) for year in (d.year - 1, d.year, d.year + 1))
        upcoming = [c for c in candidates if c is not None and c >= d]
        return min(upcoming, default=None)


@dataclass(frozen=True)
class RosterRow:
    """One valid roster row, with normalised phone numbers."""

    row_number: int
    name: str
    phone: str
    branches: tuple[str, ...]
    role: str
    birthday: Birthday | None
    address: str | None
    needs_home_delivery: bool
    lives_alone: bool
    pair_phone: str | None
    language: str | None
    status: str | None = None  # active / inactive / deceased; None: leave as it is


@dataclass(frozen=True)
class RowError:
    """One reason why a spreadsheet row was rejected."""

    row_number: int
    reason: str

    def __str__(self) -> str:
        """Return the error as shown to people, e.g. "第5行：缺少姓名"."""
        return f"第{self.row_number}行：{self.reason}"


@dataclass(frozen=True)
class ParsedRoster:
    """The valid rows of a roster and every error found in the other rows."""

    rows: list[RosterRow]
    errors: list[RowError]
    # The optional columns the file has: a column it lacks leaves that field as it is.
    columns: frozenset[str] = frozenset()


class _CellError(ValueError):
    """A bad cell; the message is the Chinese reason."""


@dataclass
class _Parsed:
    """A data row while it is being checked."""

    number: int
    phone: str | None
    row: RosterRow | None
    reasons: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether the row is still valid."""
        return self.row is not None and not self.reasons


def read_roster(path: Path, known_phones: frozenset[str] = frozenset(), *,
                today: date) -> ParsedRoster:
    """Read and validate a roster file; `known_phones` are members already in the database,
    `today` (from the caller's clock) bounds birth years."""
    table = _read_table(path)
    header_index, columns = _locate_header(table)
    parsed = [
        _parse_row(number, _cells(row, columns), today.year)
        for number, row in enumerate(table[header_index + 1 :], start=header_index + 2)
        if not _is_blank(row)
    ]
    if not parsed:
        raise RosterError("名单里没有数据行")
    first_seen = _mark_duplicates(parsed)
    known = frozenset(normalize_phone(p) or p for p in known_phones)
    _check_pairs(parsed, known, first_seen)
    return replace(_result(parsed), columns=frozenset(columns))


# --- reading files ---------------------------------------------------------------------------


def _read_table(path: Path) -> list[RawRow]:
    """Return all rows of the file, row 1 first."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    if suffix == ".csv":
        return _read_csv(path)
    shown = suffix or "（无扩展名）"
    raise RosterError(f"不支持的文件类型：{shown}，请另存为 .xlsx 或 .csv")


def _read_xlsx(path: Path) -> list[RawRow]:
    """Return the rows of the active sheet of an .xlsx workbook."""
    # Imported here: openpyxl pulls in numpy (and its BLAS threads), ~30 MB and 0.15 s that
    # `zhibu run` would carry for an import it does from the command line.
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds of errors for broken files
        raise RosterError(f"无法读取 Excel 文件：{path.name}") from exc
    try:
        sheet = workbook.active
        if sheet is None or not hasattr(sheet, "iter_rows"):
            sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some writers record wrong dimensions; read every row
        return [tuple(row) for row in sheet.iter_rows(min_row=1, values_only=True)]
    except Exception as exc:
        raise RosterError(f"无法读取 Excel 文件：{path.name}") from exc
    finally:
        workbook.close()


def _read_csv(path: Path) -> list[RawRow]:
    """Return the rows of a CSV file in UTF-8 (with or without BOM) or GB18030."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RosterError(f"无法读取文件：{path.name}") from exc
    text = _decode(data)
    try:
        return [tuple(row) for row in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as exc:
        raise RosterError(f"CSV 文件格式有误：{exc}") from exc


def _decode(data: bytes) -> str:
    """Decode CSV bytes as UTF-8, falling back to GB18030 (Chinese Excel's "CSV")."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise RosterError("无法识别文件编码，请保存为 UTF-8 编码的 CSV")


# --- header ----------------------------------------------------------------------------------


def _locate_header(table: Sequence[RawRow]) -> tuple[int, dict[str, int]]:
    """Return the header row's index and the column index of each recognised column."""
    non_blank = [i for i, row in enumerate(table) if not _is_blank(row)]
    if not non_blank:
        raise RosterError("文件是空的")
    # The header is the first non-empty row, unless a title row sits above it.
    index = next((i for i in non_blank[:_HEADER_SCAN_ROWS] if _map_columns(table[i])), non_blank[0])
    columns = _map_columns(table[index])
    missing = [_LABELS[name] + f"（{name}）" for name in _REQUIRED if name not in columns]
    if missing:
        raise RosterError(f"缺少必需的列：{'、'.join(missing)}")
    return index, columns


def _map_columns(header: RawRow) -> dict[str, int]:
    """Map column names to indexes, choosing the best-ranked header text, then the leftmost."""
    keys = [_header_key(cell) for cell in header]
    columns: dict[str, int] = {}
    for name, aliases in _COLUMNS.items():
        ranked = [(aliases.index(key), i) for i, key in enumerate(keys) if key in aliases]
        if ranked:
            columns[name] = min(ranked)[1]
    return columns


def _header_key(cell: object) -> str:
    """Normalise a header cell: NFKC, lower case, no notes in brackets or '*' markers."""
    text = _nfkc(_cell_text(cell)).lower()
    text = re.sub(r"\(.*?\)|\[.*?\]", "", text).strip(" *:")
    if re.search(r"[a-z]", text):
        return re.sub(r"[\s\-]+", "_", text)
    return re.sub(r"\s+", "", text)


# --- cells -----------------------------------------------------------------------------------


def _cells(row: RawRow, columns: dict[str, int]) -> dict[str, object]:
    """Return the row's value for each recognised column."""
    return {name: row[i] if i < len(row) else None for name, i in columns.items()}


def _is_blank(row: RawRow) -> bool:
    """Whether every cell of the row is empty."""
    return all(_cell_text(cell) == "" for cell in row)


def _cell_text(value: object) -> str:
    """Return a cell's value as trimmed text ("" for empty)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _nfkc(text: str) -> str:
    """Return NFKC-normalised, trimmed text."""
    return unicodedata.normalize("NFKC", text).strip()


def _clean_name(text: str) -> str:
    """NFKC, collapse spaces, and drop spaces typed between Chinese characters."""
    collapsed = re.sub(r"\s+", " ", _nfkc(text))
    return _CJK_GAP.sub("", collapsed)


def _check(reasons: list[str], parse: Callable[[], _T]) -> _T | None:
    """Run one cell parser, recording its reason and returning None if the cell is bad."""
    try:
        return parse()
    except _CellError as exc:
        reasons.append(str(exc))
        return None


# --- one row ---------------------------------------------------------------------------------


def _parse_row(number: int, cells: dict[str, object], this_year: int) -> _Parsed:
    """Check every cell of one data row."""
    reasons: list[str] = []
    name = _check(reasons, lambda: _parse_name(cells.get("name")))
    phone = _check(reasons, lambda: _parse_phone(cells.get("phone")))
    role = _check(reasons, lambda: _parse_role(cells.get("role")))
    branches = _check(reasons, lambda: _parse_branches(cells.get("branch"), role))
    birthday = _check(reasons, lambda: parse_birthday(cells.get("birthday"), this_year))
    delivery = _check(reasons, lambda: _parse_yes_no(cells.get("needs_home_delivery"), "行动不便"))
    alone = _check(reasons, lambda: _parse_yes_no(cells.get("lives_alone"), "独居"))
    pair = _check(reasons, lambda: _parse_pair(cells.get("pair")))
    language = _check(reasons, lambda: _parse_language(cells.get("language")))
    status = _check(reasons, lambda: _parse_status(cells.get("status")))
    if reasons or name is None or phone is None or role is None or branches is None:
        return _Parsed(number, phone, None, reasons)
    row = RosterRow(
        row_number=number,
        name=name,
        phone=phone,
        branches=branches,
        role=role,
        birthday=birthday,
        address=_cell_text(cells.get("address")) or None,
        needs_home_delivery=bool(delivery),
        lives_alone=bool(alone),
        pair_phone=pair,
        language=language,
        status=status,
    )
    return _Parsed(number, phone, row)


def _parse_status(value: object) -> str | None:
    """在册 / 离开 / 去世 (or blank: unchanged)."""
    text = _nfkc(_cell_text(value)).lower()
    if not text:
        return None
    for status, words in _STATUSES.items():
        if text in words:
            return status
    raise _CellError(f"状态只能是在册、离开或去世：{_cell_text(value)}")


def _parse_name(value: object) -> str:
    """Return the cleaned name."""
    name = _clean_name(_cell_text(value))
    if not name:
        raise _CellError("缺少姓名")
    return name


def _parse_phone(value: object) -> str:
    """Return the normalised phone number."""
    raw = _cell_text(value)
    if not raw:
        raise _CellError("缺少手机号")
    phone = phone_from_cell(value)
    if phone is None:
        raise _CellError(f"手机号无效：{raw}")
    return phone


def _parse_role(value: object) -> str:
    """Return the role code; an empty cell means an ordinary member."""
    raw = _nfkc(_cell_text(value))
    if not raw:
        return "member"
    role = ROLES.get(raw) or ROLES.get(raw.lower())
    if role is None:
        raise _CellError(f"未知角色：{raw}")
    return role


def _parse_branches(value: object, role: str | None) -> tuple[str, ...]:
    """Return the branch names; members and secretaries may have only one."""
    parts = (_clean_name(part) for part in _BRANCH_SPLIT.split(_nfkc(_cell_text(value))))
    branches = tuple(dict.fromkeys(part for part in parts if part))
    if not branches:
        raise _CellError("支部为空")
    if role in _SINGLE_BRANCH_ROLES and len(branches) > 1:
        raise _CellError(f"党员和书记只能属于一个支部：{'、'.join(branches)}")
    return branches


def _parse_yes_no(value: object, label: str) -> bool:
    """Return a yes/no cell's value; an empty cell means no."""
    if isinstance(value, bool):
        return value
    raw = _cell_text(value)
    key = _nfkc(raw).lower()
    if key in _YES:
        return True
    if not key or key in _NO:
        return False
    raise _CellError(f"{label}栏只能填 是 或 否：{raw}")


def _parse_pair(value: object) -> str | None:
    """Return the normalised phone of the mutual-aid partner, if any."""
    raw = _cell_text(value)
    if not raw:
        return None
    phone = phone_from_cell(value)
    if phone is None:
        raise _CellError(f"互助对象手机号无效：{raw}")
    return phone


def _parse_language(value: object) -> str | None:
    """Return the language code ("zh-Hans", "zh-Hant" or "en"), if any."""
    raw = _cell_text(value)
    if not raw:
        return None
    language = LANGUAGES.get(_nfkc(raw).lower().replace("_", "-"))
    if language is None:
        raise _CellError(f"未知语言：{raw}")
    return language


# --- birthdays -------------------------------------------------------------------------------


def parse_birthday(value: object, this_year: int | None = None) -> Birthday | None:
    """Parse a birthday cell ("1943/5/12", "农历1940-08-15", "05-12", a date); ValueError if bad.
    A birth year after `this_year` (the caller's clock) is refused; None: a stored value."""
    if isinstance(value, datetime):
        value = value.date()
    raw = _cell_text(value)
    if not raw:
        return None
    if isinstance(value, date):
        birthday = _checked(value.month, value.day, value.year, False, this_year)
    else:
        birthday = _birthday_from_text(_nfkc(raw), this_year)
    if birthday is None:
        raise _CellError(f"生日格式无效：{raw}")
    return birthday


def _birthday_from_text(text: str, this_year: int | None) -> Birthday | None:
    """Parse a birthday written as text, or return None."""
    lunar = text.startswith(_LUNAR_PREFIXES)
    if lunar:
        text = text[2:].strip()
    year: int | None = None
    match = _FULL_DATE.fullmatch(text) or _COMPACT_DATE.fullmatch(text)
    if match:
        year, month, day = (int(part) for part in match.groups())
    elif match := _MONTH_DAY.fullmatch(text):
        month, day = (int(part) for part in match.groups())
    else:
        return None
    return _checked(month, day, year, lunar, this_year)


def _checked(month: int, day: int, year: int | None, lunar: bool,
             this_year: int | None) -> Birthday | None:
    """Return the birthday if it can exist, else None."""
    valid = _is_valid(month, day, year, lunar, this_year)
    return Birthday(month, day, year, lunar) if valid else None


def _is_valid(month: int, day: int, year: int | None, lunar: bool, this_year: int | None) -> bool:
    """Whether the birthday can exist (a plausible birth year, a real month and day)."""
    if year is not None and not 1900 <= year <= (this_year or 9999):
        return False
    if lunar:
        return 1 <= month <= 12 and 1 <= day <= 30
    try:
        date(2000 if year is None else year, month, day)  # 2000 is a leap year: 02-29 is fine
    except ValueError:
        return False
    return True


def _lunar_to_solar(year: int, month: int, day: int) -> date | None:
    """Return the solar date of a lunar date; day 30 falls back to 29 in a short month."""
    for lunar_day in (day, 29) if day == 30 else (day,):
        try:
            solar: date = LunarDate(year, month, lunar_day).to_solar_date()
        except ValueError:
            continue
        return solar
    return None


def _lunar_year_of(d: date) -> int | None:
    """Return the lunar year that contains the solar date `d`, or None out of range."""
    try:
        year: int = LunarDate.from_solar_date(d.year, d.month, d.day).year
    except (ValueError, IndexError):
        return None
    return year


# --- whole-file checks -----------------------------------------------------------------------


def _mark_duplicates(parsed: Iterable[_Parsed]) -> dict[str, int]:
    """Reject later rows repeating a phone; return each phone's first row number."""
    first_seen: dict[str, int] = {}
    for item in parsed:
        if item.phone is None:
            continue
        if item.phone in first_seen:
            item.reasons.append(f"手机号重复（与第{first_seen[item.phone]}行相同）")
        else:
            first_seen[item.phone] = item.number
    return first_seen


def _check_pairs(parsed: list[_Parsed], known: frozenset[str], first_seen: dict[str, int]) -> None:
    """Reject rows whose partner is neither a valid row nor a known member, until stable."""
    changed = True
    while changed:
        changed = False
        valid = known | {item.phone for item in parsed if item.ok and item.phone}
        for item in parsed:
            reason = _pair_problem(item, valid, first_seen)
            if reason:
                item.reasons.append(reason)
                changed = True


def _pair_problem(item: _Parsed, valid: frozenset[str], first_seen: dict[str, int]) -> str | None:
    """Return why the row's partner is unacceptable, or None if it is fine."""
    if not item.ok or item.row is None or item.row.pair_phone is None:
        return None
    pair = item.row.pair_phone
    if pair == item.phone:
        return f"互助对象不能是本人：{pair}"
    if pair in valid:
        return None
    if pair in first_seen:
        return f"互助对象不在名单中：{pair}（第{first_seen[pair]}行有误）"
    return f"互助对象不在名单中：{pair}"


def _result(parsed: Iterable[_Parsed]) -> ParsedRoster:
    """Split checked rows into valid rows and errors sorted by row number."""
    items = list(parsed)
    rows = [item.row for item in items if item.ok and item.row is not None]
    errors = [RowError(item.number, reason) for item in items for reason in item.reasons]
    errors.sort(key=lambda error: error.row_number)
    return ParsedRoster(rows=rows, errors=errors)
