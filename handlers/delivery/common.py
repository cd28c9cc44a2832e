"""What materials and deliveries share: months, how a material is shown, its printable copy."""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.core.i18n import MONTH_NAMES, t
from bot.understanding import normalize, parse_number
from storage import Tx
from storage.files import safe_name, stored_path, write_file
from storage.models import Attendance, Member, StudySession
from storage.repo_delivery import DeliveryRequest, Material

UNASSIGNED_FLAG_AFTER = timedelta(days=3)
LARGE_PRINT_VERSION = "1"  # in a kept copy's name: bump when bot/largeprint.py's layout changes
TIMES = {"上午": "morning", "下午": "afternoon", "都行": "any"}
_MONTH = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
_RELATIVE = {"本月": 0, "这个月": 0, "这月": 0, "当月": 0, "上月": -1, "上个月": -1,
             "上上月": -2, "上上个月": -2, "下月": 1, "下个月": 1}


def month_key(day: date | datetime) -> str:
    """'2026-12' for any instant or day in December 2026."""
    return f"{day.year:04d}-{day.month:02d}"


def shift_month(month: str, delta: int) -> str:
    """The month `delta` months after (or before) another."""
    year, mon = (int(x) for x in month.split("-"))
    index = year * 12 + mon - 1 + delta
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def parse_month(text: str, current: str, *, ahead: bool = False) -> str | None:
    """本月 / 上月 / 2026-10 / 2026年10月 / 10月 / 十月 (a bare month: the latest not later,
    or with `ahead` the next not earlier); None when it is not a month."""
    norm = normalize(text).replace(" ", "")
    if not norm:
        return current
    if norm in _RELATIVE:
        return shift_month(current, _RELATIVE[norm])
    match = _MONTH.match(norm)
    if match:
        year, mon = int(match.group(1)), int(match.group(2))
        return f"{year:04d}-{mon:02d}" if 1 <= mon <= 12 else None
    number = parse_number(norm[:-1]) if norm.endswith("月") else None
    if number is None or not 1 <= number <= 12:
        return None
    year = int(current[:4])
    candidate = f"{year:04d}-{number:02d}"
    if ahead and candidate < current:
        return f"{year + 1:04d}-{number:02d}"
    if not ahead and candidate > current:
        return f"{year - 1:04d}-{number:02d}"
    return candidate


def month_words(locale: str, month: str) -> str:
    """2026年12月 / December 2026."""
    year, mon = (int(x) for x in month.split("-"))
    return t(locale, "delivery.month", year=year, month=mon,
             month_name=MONTH_NAMES[mon])


def time_words(locale: str, preferred: str | None) -> str:
    """上午 / 下午 / 都行."""
    return t(locale, f"delivery.time.{preferred or 'any'}")


def size_words(size: int) -> str:
    """1.2 MB / 850 KB."""
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


def kind_words(locale: str, kind: str, mime: str | None) -> str:
    """文字 / PDF文件 / Word文件 / 图片 / 链接."""
    if kind != "file":
        return t(locale, f"material.kind.{kind}")
    mime = mime or ""
    shown = "pdf" if mime == "application/pdf" else "image" if mime.startswith("image/") else "doc"
    return t(locale, f"material.kind.{shown}")


def is_overdue(request: DeliveryRequest, now: datetime) -> bool:
    """Unassigned for longer than the branch allows: flagged in 送学单 and the monthly report."""
    return request.status == "requested" and now - request.created_at >= UNASSIGNED_FLAG_AFTER


async def material_path(tx: Tx, material: Material) -> Path | None:
    """Where a file material is stored (None for text and links, or a missing store)."""
    folder = await tx.files_dir()
    if folder is None or material.file_sha256 is None or material.filename is None:
        return None
    return stored_path(folder, material.file_sha256, material.filename)


def print_name(material: Material) -> str:
    """The large-print copy's file name."""
    return safe_name(f"{material.title}-大字版.pdf", "学习资料-大字版.pdf")


async def large_print(material: Material, subtitle: str) -> bytes:
    """The large-print PDF of a text material, rendered off the event loop."""
    from bot.documents.largeprint import render  # fpdf takes most of a second to import: only now

    year, month = (int(x) for x in material.month.split("-"))
    dated = datetime(year, month, 1, tzinfo=UTC)  # the same text gives the same bytes
    return await asyncio.to_thread(render, material.title, subtitle, material.body or "", dated)


async def print_copy(folder: Path | None, material: Material, subtitle: str) -> Path | None:
    """What a volunteer prints: the large-print PDF of a text (kept once rendered), a document
    as it is, nothing for a link. Drawing takes a second: call it after the commit."""
    if folder is None:
        return None
    if material.kind == "file":
        if material.file_sha256 is None or material.filename is None:
            return None
        return stored_path(folder, material.file_sha256, material.filename)
    if material.kind != "text":
        return None
    source = "\n".join([LARGE_PRINT_VERSION, material.title, subtitle, material.body or ""])
    key = hashlib.sha256(source.encode()).hexdigest()
    path = folder / f"print-{key}" / print_name(material)
    if not await asyncio.to_thread(path.is_file):
        await write_file(path, await large_print(material, subtitle))
    return path


def print_subtitle(locale: str, material: Material, branch_name: str | None) -> str:
    """城关离退休干部党支部 · 2026年12月 · 大字版."""
    parts = [branch_name] if branch_name and material.branch_id is not None else []
    parts += [month_words(locale, material.month), t(locale, "material.print_label")]
    return " · ".join(parts)


def without_made_up(report: Attendance, made_up: set[int]) -> tuple[Attendance, list[Member]]:
    """Attendance with 送学补学 members taken out of 请假 and 缺席, and those members."""
    present = {m.id for m, _ in report.present}
    members = [m for m in report.expected if m.id in made_up and m.id not in present]
    ids = {m.id for m in members}
    return replace(
        report,
        on_leave=[(m, why) for m, why in report.on_leave if m.id not in ids],
        absent=[m for m in report.absent if m.id not in ids],
    ), members


async def made_up_in(tx: Tx, branch_id: int, session: StudySession, report: Attendance,
                     tz: ZoneInfo) -> tuple[Attendance, list[Member]]:
    """出勤's split for one session: whose material of that month was delivered."""
    month = month_key(session.starts_at.astimezone(tz))
    return without_made_up(report, await tx.made_up_member_ids(branch_id, month))


async def made_up_sessions(tx: Tx, member_id: int, sessions: Iterable[StudySession],
                           present: set[int], tz: ZoneInfo) -> set[int]:
    """我的: the sessions a member missed but made up by a delivered material."""
    months = await tx.made_up_months(member_id)
    return {s.id for s in sessions
            if s.id not in present and month_key(s.starts_at.astimezone(tz)) in months}
