"""Committing a confirmed care report: the event, its visit task and the alerts, together."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from bot.core.i18n import t
from handlers.care.alerts import alert_officers, reporter_words
from handlers.common import is_officer, may_handle
from handlers.context import Context
from handlers.flow import FlowState
from handlers.notify import PushButton, push
from storage.models import Branch, Member
from storage.repo_care import VisitTask

FOLLOW_UP_AFTER_DISCHARGE = timedelta(days=7)
_DETAIL_KEYS = ("hospital", "ward", "admitted_on", "note")


@dataclass
class ReportState(FlowState):
    """住院 / 出院 / 困难 / 思想 / 去世: about whom, and what has been said so far."""

    flow = "report"
    kind: str
    target: int | None = None
    hospital: str | None = None
    ward: str | None = None
    admitted_on: str | None = None
    tell_partner: bool = False
    note: str | None = None
    ward_asked: bool = False
    date_asked: bool = False
    partner_asked: bool = False
    candidates: list[int] | None = None  # a name that two members answer to


@dataclass
class ReportOutcome:
    """What the reporter is told: who was alerted, whether the partner was asked."""

    member: str
    told: list[str] = field(default_factory=list)
    partner: str | None = None
    merged: bool = False
    pending: bool = False  # an addition the secretary confirms before it counts
    no_stay: bool = False


def _reporter(ctx: Context, target: Member) -> dict[str, Any]:
    me = ctx.me()
    if ctx.for_family and ctx.binding:
        return {"reporter_kind": "family", "reporter_name": me.name,
                "relation": ctx.binding.relation}
    if me.id == target.id:
        return {"reporter_kind": "self", "reporter_name": me.name}
    if target.pair_member_id == me.id:
        return {"reporter_kind": "partner", "reporter_name": me.name}
    return {"reporter_kind": "other", "reporter_name": me.name}


def _details(state: ReportState) -> dict[str, Any]:
    """What was said, as stored on the event (only what was said)."""
    said = {k: getattr(state, k) for k in _DETAIL_KEYS if getattr(state, k) is not None}
    return {**said, "tell_partner": state.tell_partner} if state.kind == "hospitalisation" else said


async def record_report(ctx: Context, state: ReportState) -> ReportOutcome:
    """Record the event and its task in this transaction, and queue every alert with it."""
    target = await ctx.tx.get_member(state.target) if state.target else None
    assert target is not None and target.branch_id is not None
    branch = await ctx.tx.get_branch(target.branch_id)
    assert branch is not None
    kind = state.kind
    details = {**_reporter(ctx, target), **_details(state)}
    outcome = ReportOutcome(member=target.name)
    if kind == "hospitalisation" and await _merge_into_open_stay(ctx, target, details, outcome):
        return outcome
    task = await _create(ctx, kind, target, branch, details, outcome)
    told = await alert_officers(ctx.tx, task, "secretary", stage="alert", now=ctx.now,
                                tz=ctx.tz, default_locale=ctx.default_locale)
    outcome.told = [m.name for m in told]
    if kind == "hospitalisation" and details.get("tell_partner"):
        outcome.partner = await _ask_partner(ctx, target, task)
    await ctx.tx.audit("care_report", ctx.now, actor_member_id=ctx.me().id, actor=ctx.actor,
                       subject_member_id=target.id, detail={"kind": kind, "task": task.id})
    return outcome


async def _create(
    ctx: Context, kind: str, target: Member, branch: Branch, details: dict[str, Any],
    outcome: ReportOutcome,
) -> VisitTask:
    due = ctx.now + timedelta(days=branch.visit_due_days)
    if kind == "discharge":
        stay = await ctx.tx.open_stay(target.id)
        if stay is None:
            outcome.no_stay = True
        else:
            await ctx.tx.close_care_event(stay.id, ctx.now)
        due = ctx.now + FOLLOW_UP_AFTER_DISCHARGE
    if kind == "death":
        await ctx.tx.set_status(target.id, "deceased", ctx.now)
    event = await ctx.tx.add_care_event(
        target.id, kind, ctx.now, reported_by=ctx.me().id,
        relation=ctx.binding.relation if ctx.binding else None, details=details,
    )
    task = await ctx.tx.add_visit_task(branch.id, target.id, kind, ctx.now, due,
                                       event_id=event.id)
    assert task is not None
    return task


async def _merge_into_open_stay(
    ctx: Context, target: Member, details: dict[str, Any], outcome: ReportOutcome
) -> bool:
    """A second report of the same stay adds to the open task instead of creating another.

    The member, their family and the branch's officers correct the record; anyone else's
    words are kept beside it for the secretary to confirm (采纳), never written over it.
    """
    stay = await ctx.tx.open_stay(target.id)
    task = await ctx.tx.open_task_for_event(stay.id) if stay else None
    if stay is None or task is None:
        return False
    trusted = details["reporter_kind"] in ("self", "family") or (
        is_officer(ctx) and await may_handle(ctx.tx, ctx.me(), task.branch_id))
    said = {k: v for k, v in details.items() if v}
    if trusted:
        shown = {**stay.details, **said}
        await ctx.tx.update_care_details(stay.id, shown)
        key, buttons = "care.alert.update", tuple[PushButton, ...]()
    else:
        additions = [*stay.details.get("additions", []), {**said, "at": ctx.now.isoformat()}]
        await ctx.tx.update_care_details(stay.id, {**stay.details, "additions": additions})
        shown = said
        key = "care.alert.addition"
        buttons = (PushButton(lambda locale: t(locale, "care.button.adopt"), f"采纳 #{task.id}"),)
    officers = await ctx.tx.officers(task.branch_id, "secretary")
    for officer in officers:
        await push(
            ctx.tx, officer,
            lambda locale: t(locale, key, name=target.name, id=task.id,
                             hospital=shown.get("hospital", ""),
                             ward=f" {shown['ward']}" if shown.get("ward") else "",
                             reporter=reporter_words(locale, details)),
            key=f"task:{task.id}:update:{ctx.message.channel}:{ctx.message.message_id}:"
                f"{officer.id}",
            kind="care_update", now=ctx.now, default_locale=ctx.default_locale, urgent=True,
            buttons=buttons,
        )
    outcome.merged = True
    outcome.pending = not trusted
    outcome.told = [m.name for m in officers]
    await ctx.tx.audit("care_report", ctx.now, actor_member_id=ctx.me().id, actor=ctx.actor,
                       subject_member_id=target.id, detail={
                           "kind": "hospitalisation", "task": task.id,
                           "merged": trusted, "addition": not trusted})
    return True


async def adopt_addition(ctx: Context, task: VisitTask) -> dict[str, Any] | None:
    """采纳: the latest addition to a stay becomes its record; None when there is none."""
    stay = await ctx.tx.get_care_event(task.event_id) if task.event_id else None
    additions = list(stay.details.get("additions", [])) if stay else []
    if stay is None or not additions:
        return None
    latest = {k: v for k, v in additions.pop().items() if k in _DETAIL_KEYS}
    await ctx.tx.update_care_details(stay.id, {**stay.details, **latest, "additions": additions})
    return latest


async def _ask_partner(ctx: Context, target: Member, task: VisitTask) -> str | None:
    """The pair partner gets a short note — never the ward or the hospital."""
    if target.pair_member_id is None:
        return None
    partner = await ctx.tx.get_member(target.pair_member_id)
    if partner is None or partner.id == ctx.me().id:
        return None
    sent = await push(ctx.tx, partner,
                      lambda locale: t(locale, "care.partner_notice", name=target.name),
                      key=f"task:{task.id}:partner", kind="care_partner", now=ctx.now,
                      default_locale=ctx.default_locale)
    return partner.name if sent else None
