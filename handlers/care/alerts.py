"""Who may see a visit task, and what its alert says (rendered per reader's language)."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core.i18n import format_date, format_when, t
from handlers.notify import PushButton, Render, push
from storage import Tx
from storage.models import Member
from storage.repo_care import VisitTask

_DATE = re.compile(r"^(?:(\d{4})\s*[-/.年]\s*)?(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?$")
_RELATIVE = {"今天": 0, "today": 0, "昨天": 1, "yesterday": 1, "前天": 2}


def parse_day(text: str, today: date) -> date | None:
    """今天 / 昨天 / 前天 / 11月20日 / 11-20 / 2026-11-20, never in the future."""
    norm = unicodedata.normalize("NFKC", text).strip().lower()
    if norm in _RELATIVE:
        return today - timedelta(days=_RELATIVE[norm])
    match = _DATE.match(norm)
    if not match:
        return None
    year = int(match.group(1) or today.year)
    try:
        day = date(year, int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None
    if day > today and not match.group(1):
        day = day.replace(year=year - 1)
    return day if day <= today else None


def day_words(locale: str, day: date, today: date) -> str:
    """今天 / 昨天 / 12月6日（星期日）."""
    if day == today:
        return t(locale, "care.opt.today")
    if day == today - timedelta(days=1):
        return t(locale, "care.opt.yesterday")
    return format_date(locale, datetime.combine(day, datetime.min.time()))


def reporter_words(locale: str, details: dict[str, object]) -> str:
    """Who reported: 本人 / 王秀英的女儿 / 张桂兰（互助对象） / 李建国."""
    kind = details.get("reporter_kind")
    name = str(details.get("reporter_name", ""))
    if kind == "self":
        return t(locale, "care.self")
    if kind == "family":
        return t(locale, "care.family", name=name, relation=details.get("relation", ""))
    if kind == "partner":
        return t(locale, "care.partner_of", name=name)
    return name


async def task_render(tx: Tx, task: VisitTask, tz: ZoneInfo) -> Render:
    """The task's alert text as it stands now (who took it, whether it was visited)."""
    member = await tx.get_member(task.member_id)
    event = await tx.get_care_event(task.event_id) if task.event_id else None
    details: dict[str, object] = dict(event.details) if event else {}
    taker = await tx.get_member(task.taken_by) if task.taken_by else None
    doer = await tx.get_member(task.done_by) if task.done_by else None
    name = member.name if member else "?"

    def render(locale: str) -> str:
        lines = [t(locale, f"care.alert.{task.kind}", name=name,
                   hospital=details.get("hospital", ""), ward=_ward(details),
                   date=_admitted(locale, details), reporter=reporter_words(locale, details),
                   due=format_date(locale, task.due_at.astimezone(tz)),
                   note=details.get("note", ""), festival=details.get("festival", ""),
                   age=details.get("age", ""), names="")]
        if taker and task.status == "taken":
            taken_at = (task.taken_at or task.created_at).astimezone(tz)
            lines.append(t(locale, "care.taken_line", who=taker.name,
                           when=format_when(locale, taken_at)))
        if doer and task.status == "done":
            note = f"：{task.note}" if task.note else ""
            visited = _admitted(locale, {"date": task.visited_on})
            lines.append(t(locale, "care.done_line", who=doer.name, date=visited, note=note))
        return "\n".join(lines)

    return render


def _ward(details: dict[str, object]) -> str:
    ward = details.get("ward")
    return f" {ward}" if ward else ""


def _admitted(locale: str, details: dict[str, object]) -> str:
    raw = details.get("admitted_on") or details.get("date")
    if not isinstance(raw, str):
        return ""
    return format_date(locale, datetime.fromisoformat(raw))


def task_buttons(task: VisitTask) -> tuple[PushButton, ...]:
    """接受 while nobody has taken it, 已走访 until it is done."""
    accept = PushButton(lambda locale: t(locale, "care.button.accept"), f"接受 #{task.id}")
    visited = PushButton(lambda locale: t(locale, "care.button.visited"), f"已走访 #{task.id}")
    if task.status == "open":
        return (accept, visited)
    if task.status == "taken":
        return (visited,)
    return ()


async def alert_officers(
    tx: Tx, task: VisitTask, role: str, *, stage: str, now: datetime, tz: ZoneInfo,
    default_locale: str, prefix_key: str | None = None,
) -> list[Member]:
    """Send the task's alert (once per stage and person) to the branch's officers of a role."""
    officers = await tx.officers(task.branch_id, role)
    render = await task_render(tx, task, tz)

    def text(locale: str) -> str:
        body = render(locale)
        return f"{t(locale, prefix_key, branch='')}\n{body}" if prefix_key else body

    for officer in officers:
        await push(tx, officer, text, key=f"task:{task.id}:{stage}:{officer.id}", kind="care_alert",
                   now=now, default_locale=default_locale, buttons=task_buttons(task),
                   urgent=True, ref_key=f"task:{task.id}")
    return officers


async def refresh_alerts(
    tx: Tx, task_id: int, *, now: datetime, tz: ZoneInfo, default_locale: str
) -> None:
    """Rewrite every alert of a task after someone acted on it (one edit per person and state)."""
    task = await tx.get_task(task_id)
    if task is None:
        return
    render = await task_render(tx, task, tz)
    for member_id in await tx.ref_recipients(f"task:{task.id}"):
        member = await tx.get_member(member_id)
        if member is None:
            continue
        await push(tx, member, render, key=f"task:{task.id}:edit:{task.status}:{member.id}",
                   kind="edit", now=now, default_locale=default_locale,
                   buttons=task_buttons(task), ref_key=f"task:{task.id}")
