"""住院, 出院, 困难: reporting what the 五必访 rule says needs a visit (by member or family)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from bot.core.messages import Button, Reply
from bot.understanding import Intent, Parsed
from handlers.care.alerts import day_words, parse_day
from handlers.care.record import ReportOutcome, record_report
from handlers.common import is_officer
from handlers.context import Context
from storage.models import Member

_WHO_OPTIONS = {"self": "我自己", "partner": "互助对象", "other": "其他"}


def _buttons(ctx: Context, options: list[tuple[str, str]]) -> tuple[Button, ...]:
    return tuple(Button(f"{i} {label}", data) for i, (label, data) in enumerate(options, 1))


async def _partner(ctx: Context, member: Member) -> Member | None:
    if member.pair_member_id is None:
        return None
    partner = await ctx.tx.get_member(member.pair_member_id)
    return partner if partner and partner.status == "active" else None


async def _by_name(ctx: Context, name: str) -> Member | None:
    """An active member of the speaker's branch (any branch in scope for officers)."""
    me = ctx.me()
    branch_id = me.branch_id if me.role in ("member", "secretary") else None
    found = [m for m in await ctx.tx.find_members_by_name(name.strip(), branch_id)
             if m.status == "active" and m.role in ("member", "secretary")]
    return found[0] if len(found) == 1 else None


async def start_report(ctx: Context, parsed: Parsed, kind: str) -> list[Reply]:
    """First step of 住院 / 出院 / 困难: find out for whom."""
    data: dict[str, Any] = {"kind": kind}
    if ctx.for_family or (kind == "hardship" and not is_officer(ctx)):
        return await _after_target(ctx, data, ctx.me(), parsed.args)
    if parsed.args:
        first, _, rest = parsed.args.partition(" ")
        named = await _by_name(ctx, first)
        if named is not None:
            return await _after_target(ctx, data, named, rest.strip())
        return await _after_target(ctx, data, ctx.me(), parsed.args)
    partner = await _partner(ctx, ctx.me())
    options = [(ctx.t("care.opt.self"), _WHO_OPTIONS["self"])]
    if partner:
        options.append((ctx.t("care.opt.partner", name=partner.name), _WHO_OPTIONS["partner"]))
    options.append((ctx.t("care.opt.other"), _WHO_OPTIONS["other"]))
    ctx.goto("report", "who", data, options=[d for _, d in options])
    question = "care.who" if kind == "hospitalisation" else f"care.who.{kind}"
    return [Reply(ctx.t(question), buttons=_buttons(ctx, options))]


async def _after_target(
    ctx: Context, data: dict[str, Any], target: Member, extra: str
) -> list[Reply]:
    data = {**data, "target": target.id}
    if data["kind"] == "hospitalisation":
        if extra:
            return _ask_ward(ctx, {**data, "hospital": extra})
        ctx.goto("report", "hospital", data, options=[])
        return [Reply(ctx.t("care.ask_hospital"))]
    if data["kind"] in ("hardship", "worry") and not extra:
        ctx.goto("report", "note", data, options=[])
        return [Reply(ctx.t("care.hardship.ask_note"))]
    return await _readback(ctx, {**data, "note": extra})


def _ask_ward(ctx: Context, data: dict[str, Any]) -> list[Reply]:
    ctx.goto("report", "ward", data, options=["跳过"])
    return [Reply(ctx.t("care.ask_ward"), buttons=_buttons(ctx, [(ctx.t("button.skip"), "跳过")]))]


def _ask_date(ctx: Context, data: dict[str, Any]) -> list[Reply]:
    options = [(ctx.t("care.opt.today"), "今天"), (ctx.t("care.opt.yesterday"), "昨天"),
               (ctx.t("care.opt.day_before"), "前天")]
    ctx.goto("report", "date", data, options=[d for _, d in options])
    return [Reply(ctx.t("care.ask_date"), buttons=_buttons(ctx, options))]


async def continue_report(ctx: Context, parsed: Parsed) -> list[Reply] | None:
    """The steps of a report, each answerable with a button or a number."""
    assert ctx.conversation is not None
    step, data = ctx.conversation.step, dict(ctx.conversation.data)
    text = (ctx.message.text or "").strip()
    if step == "who":
        return await _step_who(ctx, data, text)
    if step == "name":
        named = await _by_name(ctx, text)
        if named is None:
            ctx.goto("report", "name", data, options=[])
            return [Reply(ctx.t("care.name_not_found", name=text))]
        return await _after_target(ctx, data, named, "")
    if step == "hospital":
        return _ask_ward(ctx, {**data, "hospital": text}) if text else None
    if step == "ward":
        ward = None if parsed.intent is Intent.SKIP or ctx.choice == "跳过" else text
        return _ask_date(ctx, {**data, "ward": ward})
    if step == "date":
        return await _step_date(ctx, data, ctx.choice or text)
    if step == "partner":
        return await _readback(ctx, {**data, "tell_partner": ctx.choice == "告诉"})
    if step == "note":
        return await _readback(ctx, {**data, "note": text}) if text else None
    return await _step_confirm(ctx, data, parsed)


async def _step_who(ctx: Context, data: dict[str, Any], text: str) -> list[Reply] | None:
    me = ctx.me()
    if ctx.choice == _WHO_OPTIONS["self"]:
        return await _after_target(ctx, data, me, "")
    partner = await _partner(ctx, me)
    if ctx.choice == _WHO_OPTIONS["partner"] and partner:
        return await _after_target(ctx, data, partner, "")
    if ctx.choice == _WHO_OPTIONS["other"]:
        ctx.goto("report", "name", data, options=[])
        return [Reply(ctx.t("care.ask_name"))]
    named = await _by_name(ctx, text) if text else None
    return await _after_target(ctx, data, named, "") if named else None


async def _step_date(ctx: Context, data: dict[str, Any], text: str) -> list[Reply]:
    day = parse_day(text, ctx.local().date())
    if day is None:
        ctx.goto("report", "date", data, options=list(ctx.conversation.data["options"])
                 if ctx.conversation else [])
        return [Reply(ctx.t("care.bad_date"))]
    data = {**data, "admitted_on": day.isoformat()}
    target = await ctx.tx.get_member(int(data["target"]))
    partner = await _partner(ctx, target) if target else None
    if partner is None or partner.id == ctx.me().id:
        return await _readback(ctx, {**data, "tell_partner": False})
    options = [(ctx.t("care.opt.yes"), "告诉"), (ctx.t("care.opt.no"), "不告诉")]
    ctx.goto("report", "partner", data, options=[d for _, d in options])
    return [Reply(ctx.t("care.ask_partner", name=partner.name), buttons=_buttons(ctx, options))]


async def _readback(ctx: Context, data: dict[str, Any]) -> list[Reply]:
    target = await ctx.tx.get_member(int(data["target"]))
    assert target is not None
    ctx.goto("report", "confirm", data, options=["确认", "取消"])
    return [ctx.confirm_reply(await _summary(ctx, data, target))]


async def _summary(ctx: Context, data: dict[str, Any], target: Member) -> str:
    kind = data["kind"]
    if kind == "hospitalisation":
        admitted = date.fromisoformat(data["admitted_on"])
        ward = data.get("ward")
        text = ctx.t("care.readback", name=target.name, hospital=data["hospital"],
                     ward=ward or "", date=day_words(ctx.locale, admitted, ctx.local().date()))
        partner = await _partner(ctx, target)
        if data.get("tell_partner") and partner:
            text += ctx.t("care.readback.partner", partner=partner.name)
        return text
    if kind in ("discharge", "death"):
        return ctx.t(f"care.{kind}.readback", name=target.name)
    return ctx.t("care.note_readback", kind=ctx.t(f"care.kind.{kind}"), name=target.name,
                 note=data.get("note", ""))


async def _step_confirm(ctx: Context, data: dict[str, Any], parsed: Parsed) -> list[Reply] | None:
    if parsed.intent is None:
        return await _readback(ctx, data)
    if parsed.intent is not Intent.CONFIRM:
        return None
    ctx.end()
    outcome = await record_report(ctx, data)
    return [Reply(_outcome_text(ctx, outcome), show_menu=True)]


def _outcome_text(ctx: Context, outcome: ReportOutcome) -> str:
    officers = "、".join(outcome.told) or ctx.t("care.recorded.none")
    key = "care.added_to_task" if outcome.merged else "care.recorded"
    text = ctx.t(key, officers=officers)
    if outcome.partner:
        text += ctx.t("care.recorded.partner", partner=outcome.partner)
    if outcome.no_stay:
        text = ctx.t("care.discharge.no_stay", name=outcome.member) + text
    return text


async def handle_hospital(ctx: Context, parsed: Parsed) -> list[Reply]:
    """住院: report a hospitalisation (one's own, a partner's, another member's)."""
    return await start_report(ctx, parsed, "hospitalisation")


async def handle_discharge(ctx: Context, parsed: Parsed) -> list[Reply]:
    """出院: the stay ends; a follow-up visit within a week."""
    return await start_report(ctx, parsed, "discharge")


async def handle_hardship(ctx: Context, parsed: Parsed) -> list[Reply]:
    """困难: family hardship, reported by the member (or a secretary naming them)."""
    return await start_report(ctx, parsed, "hardship")


FOLLOW_UP_DAYS = timedelta(days=7)
INTENTS = {
    Intent.HOSPITAL: handle_hospital,
    Intent.DISCHARGE: handle_discharge,
    Intent.HARDSHIP: handle_hardship,
}
FLOWS = {"report": continue_report}
