"""住院, 出院, 困难: reporting what the 五必访 rule says needs a visit (by member or family)."""

from __future__ import annotations

from datetime import date, timedelta

from bot.core.messages import Reply
from bot.understanding import Intent, Parsed
from handlers.care.alerts import day_words, parse_day
from handlers.care.record import ReportOutcome, ReportState, record_report
from handlers.common import is_officer
from handlers.context import Context
from handlers.flow import Choice, Flow
from storage.models import Member

_SELF, _PARTNER, _OTHER = "我自己", "互助对象", "其他"
_TELL, _DONT_TELL = "告诉", "不告诉"


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
    state = ReportState(kind)
    if ctx.for_family or (kind == "hardship" and not is_officer(ctx)):
        return await _after_target(ctx, state, ctx.me(), parsed.args)
    if parsed.args:
        first, _, rest = parsed.args.partition(" ")
        named = await _by_name(ctx, first)
        if named is not None:
            return await _after_target(ctx, state, named, rest.strip())
        return await _after_target(ctx, state, ctx.me(), parsed.args)
    partner = await _partner(ctx, ctx.me())
    choices = [Choice(_SELF, ctx.t("care.opt.self"))]
    if partner:
        choices.append(Choice(_PARTNER, ctx.t("care.opt.partner", name=partner.name)))
    choices.append(Choice(_OTHER, ctx.t("care.opt.other")))
    question = "care.who" if kind == "hospitalisation" else f"care.who.{kind}"
    return [ctx.ask("who", state, ctx.t(question), choices)]


async def _after_target(
    ctx: Context, state: ReportState, target: Member, extra: str
) -> list[Reply]:
    state.target = target.id
    if state.kind == "hospitalisation":
        if extra:
            state.hospital = extra
            return _ask_ward(ctx, state)
        return [ctx.ask("hospital", state, ctx.t("care.ask_hospital"))]
    if state.kind in ("hardship", "worry") and not extra:
        return [ctx.ask("note", state, ctx.t("care.hardship.ask_note"))]
    state.note = extra
    return await _readback(ctx, state)


def _ask_ward(ctx: Context, state: ReportState) -> list[Reply]:
    skip = [Choice("跳过", ctx.t("button.skip"))]
    return [ctx.ask("ward", state, ctx.t("care.ask_ward"), skip)]


def _date_choices(ctx: Context) -> list[Choice]:
    return [Choice("今天", ctx.t("care.opt.today")), Choice("昨天", ctx.t("care.opt.yesterday")),
            Choice("前天", ctx.t("care.opt.day_before"))]


async def continue_report(ctx: Context, state: ReportState, parsed: Parsed) -> list[Reply] | None:
    """The steps of a report, each answerable with a button or a number."""
    assert ctx.conversation is not None
    step = ctx.conversation.step
    text = (ctx.message.text or "").strip()
    if step == "who":
        return await _step_who(ctx, state, text)
    if step == "name":
        named = await _by_name(ctx, text)
        if named is None:
            return [ctx.ask("name", state, ctx.t("care.name_not_found", name=text))]
        return await _after_target(ctx, state, named, "")
    if step == "hospital":
        if not text:
            return None
        state.hospital = text
        return _ask_ward(ctx, state)
    if step == "ward":
        state.ward = None if parsed.intent is Intent.SKIP or ctx.choice == "跳过" else text
        return [ctx.ask("date", state, ctx.t("care.ask_date"), _date_choices(ctx))]
    if step == "date":
        return await _step_date(ctx, state, ctx.choice or text)
    if step == "partner":
        state.tell_partner = ctx.choice == _TELL
        return await _readback(ctx, state)
    if step == "note":
        if not text:
            return None
        state.note = text
        return await _readback(ctx, state)
    return await _step_confirm(ctx, state, parsed)


async def _step_who(ctx: Context, state: ReportState, text: str) -> list[Reply] | None:
    me = ctx.me()
    if ctx.choice == _SELF:
        return await _after_target(ctx, state, me, "")
    partner = await _partner(ctx, me)
    if ctx.choice == _PARTNER and partner:
        return await _after_target(ctx, state, partner, "")
    if ctx.choice == _OTHER:
        return [ctx.ask("name", state, ctx.t("care.ask_name"))]
    named = await _by_name(ctx, text) if text else None
    return await _after_target(ctx, state, named, "") if named else None


async def _step_date(ctx: Context, state: ReportState, text: str) -> list[Reply]:
    day = parse_day(text, ctx.local().date())
    if day is None:
        return [ctx.ask("date", state, ctx.t("care.bad_date"), _date_choices(ctx))]
    state.admitted_on = day.isoformat()
    target = await ctx.tx.get_member(state.target) if state.target else None
    partner = await _partner(ctx, target) if target else None
    if partner is None or partner.id == ctx.me().id:
        state.tell_partner = False
        return await _readback(ctx, state)
    choices = [Choice(_TELL, ctx.t("care.opt.yes")), Choice(_DONT_TELL, ctx.t("care.opt.no"))]
    return [ctx.ask("partner", state, ctx.t("care.ask_partner", name=partner.name), choices)]


async def _readback(ctx: Context, state: ReportState) -> list[Reply]:
    target = await ctx.tx.get_member(state.target) if state.target else None
    assert target is not None
    return [ctx.readback("confirm", state, await _summary(ctx, state, target))]


async def _summary(ctx: Context, state: ReportState, target: Member) -> str:
    kind = state.kind
    if kind == "hospitalisation":
        admitted = date.fromisoformat(state.admitted_on or ctx.local().date().isoformat())
        text = ctx.t("care.readback", name=target.name, hospital=state.hospital or "",
                     ward=state.ward or "",
                     date=day_words(ctx.locale, admitted, ctx.local().date()))
        partner = await _partner(ctx, target)
        if state.tell_partner and partner:
            text += ctx.t("care.readback.partner", partner=partner.name)
        return text
    if kind in ("discharge", "death"):
        return ctx.t(f"care.{kind}.readback", name=target.name)
    return ctx.t("care.note_readback", kind=ctx.t(f"care.kind.{kind}"), name=target.name,
                 note=state.note or "")


async def _step_confirm(ctx: Context, state: ReportState,
                        parsed: Parsed) -> list[Reply] | None:
    if parsed.intent is None:
        return await _readback(ctx, state)
    if parsed.intent is not Intent.CONFIRM:
        return None
    ctx.end()
    outcome = await record_report(ctx, state)
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
FLOWS = {"report": Flow(ReportState, continue_report)}
