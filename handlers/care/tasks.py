"""接受, 已走访 and 待访: officers acting on visit tasks; 思想 and 去世 (officers only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from bot.core.i18n import format_date
from bot.core.messages import Button, Reply
from bot.understanding import Intent, Parsed, keyword
from bot.understanding import slots as find
from bot.understanding.clean import Cleaned, without_opening
from handlers.care.alerts import day_words, parse_day, refresh_alerts
from handlers.care.record import adopt_addition
from handlers.care.report import start_report
from handlers.common import is_officer, may_handle, number_in, officer_only
from handlers.context import Context
from handlers.flow import Choice, Flow, FlowState
from handlers.officers.branch_scope import officer_branch
from handlers.pairs.contact import visited_partner
from handlers.people import scope_branch_ids
from storage.files import safe_name, save_file
from storage.repo_care import VisitTask

MAX_PHOTO_BYTES = 10 * 1024 * 1024

_LIST_BUTTONS = 5


async def _task_for(ctx: Context, parsed: Parsed, word: str) -> tuple[VisitTask | None, Reply]:
    """The task named in the message, if the speaker may act on it (else the reason)."""
    number = number_in(parsed.args)
    if number is None:
        return None, Reply(ctx.t("care.task_usage", word=word))
    task = await ctx.tx.get_task(number.value) if number.value else None
    # "No such task" and "not yours" read the same, so numbers cannot be probed.
    unknown = Reply(ctx.t("care.task_unknown", id=number.shown))
    if task is None:
        return None, unknown
    if not is_officer(ctx) or not await may_handle(ctx.tx, ctx.me(), task.branch_id):
        await ctx.tx.audit("care_denied", ctx.now, actor_member_id=ctx.me().id, actor=ctx.actor,
                           subject_member_id=task.member_id, detail={"task": task.id})
        return None, unknown
    return task, Reply("")


async def handle_accept(ctx: Context, parsed: Parsed) -> list[Reply]:
    """接受 #12: take a visit task; the other officers' alerts show who took it."""
    task, refusal = await _task_for(ctx, parsed, keyword(Intent.ACCEPT))
    if task is None:
        return [refusal]
    if task.status == "done":
        return [Reply(ctx.t("care.already_done"))]
    if not await ctx.tx.take_task(task.id, ctx.me().id, ctx.now):
        taker = await ctx.tx.get_member(task.taken_by) if task.taken_by else None
        return [Reply(ctx.t("care.taken_by_other", who=taker.name if taker else "?"))]
    await ctx.tx.audit("care_take", ctx.now, actor_member_id=ctx.me().id, actor=ctx.actor,
                       subject_member_id=task.member_id, detail={"task": task.id})
    await refresh_alerts(ctx.tx, task.id, now=ctx.now, tz=ctx.tz,
                         default_locale=ctx.default_locale)
    member = await ctx.tx.get_member(task.member_id)
    return [Reply(ctx.t("care.taken_ok", id=task.id, name=member.name if member else "?",
                        kind=ctx.t(f"care.kind.{task.kind}")))]


async def handle_visited(ctx: Context, parsed: Parsed) -> list[Reply]:
    """已走访 #12: record the visit (date, a short note), with a read-back."""
    if number_in(parsed.args) is None:  # 今天去看了张桂兰: the officer's own pair partner?
        handed = await visited_partner(ctx, parsed)
        if handed is not None:
            return handed
    task, refusal = await _task_for(ctx, parsed, keyword(Intent.VISITED))
    if task is None:
        return [refusal]
    if task.status == "done":
        return [Reply(ctx.t("care.already_done"))]
    return [ctx.ask("date", VisitState(task.id), ctx.t("care.ask_visit_date"),
                    _visit_days(ctx))]


@dataclass
class VisitState(FlowState):
    """已走访: which task, the day of the visit, a note and a photo."""

    flow = "visit"
    task: int
    day: str | None = None
    note: str = ""
    photo: str | None = None


def _visit_days(ctx: Context) -> list[Choice]:
    return [Choice("今天", ctx.t("care.opt.today")), Choice("昨天", ctx.t("care.opt.yesterday"))]


async def continue_visit(ctx: Context, state: VisitState, parsed: Parsed) -> list[Reply] | None:
    """The steps of 已走访: date, note, 确认."""
    assert ctx.conversation is not None
    step = ctx.conversation.step
    text = (ctx.message.text or "").strip()
    if step == "date":
        day = parse_day(ctx.choice or text, ctx.local().date())
        if day is None:
            return [ctx.ask("date", state, ctx.t("care.bad_date"), _visit_days(ctx))]
        state.day = day.isoformat()
        ago = (ctx.local().date() - day).days
        if ago in (0, 1, 2):
            ctx.note_slots(day=("today", "yesterday", "day_before")[ago])
        skip = [Choice("跳过", ctx.t("button.skip"))]
        return [ctx.ask("note", state, ctx.t("care.ask_note"), skip)]
    if step == "note":
        skipped = parsed.intent is Intent.SKIP or ctx.choice == "跳过"
        state.note = "" if skipped else without_opening(text)
        if state.note:
            ctx.note_slots(text=state.note)
        state.photo = await _keep_photo(ctx)
        if state.photo is None and ctx.message.attachment is not None:
            return [Reply(ctx.t("care.photo_refused"))]
        return await _visit_readback(ctx, state)
    if parsed.intent is None:
        return await _visit_readback(ctx, state)
    if parsed.intent is not Intent.CONFIRM:
        return None
    ctx.end()
    return await _record_visit(ctx, state)


async def _keep_photo(ctx: Context) -> str | None:
    """A photo sent with the note is kept by content hash (its path goes on the task)."""
    attachment = ctx.message.attachment
    if attachment is None or not attachment.mime.startswith("image/"):
        return None
    if len(attachment.data) > MAX_PHOTO_BYTES:
        return None
    folder = await ctx.tx.files_dir()
    if folder is None:
        return None
    _, path = await save_file(folder, attachment.data, safe_name(attachment.filename, "visit.jpg"))
    return str(path)


async def correct_visit(ctx: Context, state: VisitState, value: Cleaned) -> list[Reply] | None:
    """At the read-back: 不对，是昨天去的 (the day) or a new note."""
    said = find.day(value)
    if said is not None:
        state.day = (ctx.local().date() - timedelta(days=_DAYS[said])).isoformat()
        ctx.note_slots(day=said)
    elif value.typed:
        state.note = value.typed
        ctx.note_slots(text=value.typed)
    else:
        return None
    return await _visit_readback(ctx, state)


_DAYS = {"today": 0, "yesterday": 1, "day_before": 2}


async def _visit_readback(ctx: Context, state: VisitState) -> list[Reply]:
    task = await ctx.tx.get_task(state.task)
    member = await ctx.tx.get_member(task.member_id) if task else None
    day = date.fromisoformat(state.day or ctx.local().date().isoformat())
    text = ctx.t("care.visit_readback", name=member.name if member else "?",
                 date=day_words(ctx.locale, day, ctx.local().date()), note=state.note)
    if state.photo:
        text += ctx.t("care.photo_kept")
    return [ctx.readback("confirm", state, text)]


async def _record_visit(ctx: Context, state: VisitState) -> list[Reply]:
    task_id = state.task
    note = state.note or None
    photo = state.photo
    if not await ctx.tx.finish_task(task_id, ctx.me().id, ctx.now, state.day or "", note,
                                    photo):
        return [Reply(ctx.t("care.already_done"))]
    task = await ctx.tx.get_task(task_id)
    await ctx.tx.audit("care_visit", ctx.now, actor_member_id=ctx.me().id, actor=ctx.actor,
                       subject_member_id=task.member_id if task else None,
                       detail={"task": task_id})
    await refresh_alerts(ctx.tx, task_id, now=ctx.now, tz=ctx.tz,
                         default_locale=ctx.default_locale)
    return [Reply(ctx.t("care.visit_ok"), show_menu=True)]


async def handle_visits(ctx: Context, parsed: Parsed) -> list[Reply]:
    """待访 [支部]: open visit tasks in the officer's scope (or the branch named), overdue
    first."""
    if not is_officer(ctx):
        return officer_only(ctx)
    branch_ids = await scope_branch_ids(ctx.tx, ctx.me())
    if parsed.args.strip():
        scoped = await officer_branch(ctx, parsed.args, action="care_list", word="待访",
                                      intent=Intent.VISITS, anywhere=True)
        if scoped.branch is None:
            return scoped.refusal
        branch_ids = [scoped.branch.id]
    tasks = await ctx.tx.tasks(branch_ids)
    await ctx.tx.audit("care_list", ctx.now, actor_member_id=ctx.me().id, actor=ctx.actor,
                       detail={"count": len(tasks)})
    if not tasks:
        return [Reply(ctx.t("care.visits.none"))]
    tasks.sort(key=lambda task: (task.due_at >= ctx.now, task.due_at, task.id))
    lines = [ctx.t("care.visits.title")]
    for task in tasks:
        lines.append(await _task_line(ctx, task))
    lines.append(ctx.t("care.visits.hint"))
    buttons = tuple(
        Button(f"{ctx.t('care.button.accept' if task.status == 'open' else 'care.button.visited')}"
               f" #{task.id}", f"{'接受' if task.status == 'open' else '已走访'} #{task.id}")
        for task in tasks[:_LIST_BUTTONS]
    )
    return [Reply("\n".join(lines), buttons=buttons)]


async def _task_line(ctx: Context, task: VisitTask) -> str:
    member = await ctx.tx.get_member(task.member_id)
    overdue = task.due_at < ctx.now
    due = ctx.t("care.visits.overdue") if overdue else ctx.t(
        "care.visits.due", date=format_date(ctx.locale, ctx.local(task.due_at)))
    status = ""
    if task.status == "taken" and task.taken_by:
        taker = await ctx.tx.get_member(task.taken_by)
        status = ctx.t("care.visits.taken", who=taker.name if taker else "?")
    return ctx.t("care.visits.line", id=task.id, name=member.name if member else "?",
                 kind=ctx.t(f"care.kind.{task.kind}"), due=due, status=status)


async def _officer_report(ctx: Context, parsed: Parsed, kind: str, example: str) -> list[Reply]:
    if not is_officer(ctx):
        return officer_only(ctx)
    word = keyword(Intent.WORRY if kind == "worry" else Intent.DEATH)
    if not parsed.args:
        return [Reply(ctx.t("care.occasion_usage", word=word, example=example))]
    return await start_report(ctx, parsed, kind)


async def handle_worry(ctx: Context, parsed: Parsed) -> list[Reply]:
    """思想 NAME 情况: troubled in thought — created by, and visible to, officers only."""
    return await _officer_report(ctx, parsed, "worry", "老伴去世后情绪低落")


async def handle_death(ctx: Context, parsed: Parsed) -> list[Reply]:
    """去世 NAME: the member is marked deceased and a condolence visit is arranged."""
    return await _officer_report(ctx, parsed, "death", "")


async def handle_adopt(ctx: Context, parsed: Parsed) -> list[Reply]:
    """采纳 #12: another member's addition to a hospital stay becomes the record."""
    task, refusal = await _task_for(ctx, parsed, keyword(Intent.ADOPT))
    if task is None:
        return [refusal]
    adopted = await adopt_addition(ctx, task)
    if adopted is None:
        return [Reply(ctx.t("care.adopt.none", id=task.id))]
    await ctx.tx.audit("care_adopt", ctx.now, actor_member_id=ctx.me().id, actor=ctx.actor,
                       subject_member_id=task.member_id, detail={"task": task.id})
    member = await ctx.tx.get_member(task.member_id)
    ward = f" {adopted['ward']}" if adopted.get("ward") else ""
    return [Reply(ctx.t("care.adopt.ok", name=member.name if member else "?",
                        hospital=adopted.get("hospital", ""), ward=ward))]


INTENTS = {
    Intent.ADOPT: handle_adopt,
    Intent.ACCEPT: handle_accept,
    Intent.VISITED: handle_visited,
    Intent.VISITS: handle_visits,
    Intent.WORRY: handle_worry,
    Intent.DEATH: handle_death,
}
FLOWS = {"visit": Flow(VisitState, continue_visit, correct_visit)}
