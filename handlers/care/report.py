"""住院, 出院, 困难: reporting what the 五必访 rule says needs a visit (by member or family)."""

from __future__ import annotations

from datetime import date, timedelta

from bot.core.messages import Reply
from bot.understanding import Intent, Parsed
from bot.understanding import slots as find
from bot.understanding.clean import Cleaned, clean
from handlers.care.alerts import day_words, parse_day
from handlers.care.record import ReportOutcome, ReportState, record_report
from handlers.common import is_officer
from handlers.context import Context
from handlers.flow import Choice, Flow
from handlers.people import find_glued, find_member
from storage.models import Member

_SELF, _PARTNER, _OTHER = "我自己", "互助对象", "其他"
_TELL, _DONT_TELL = "告诉", "不告诉"


async def _partner(ctx: Context, member: Member) -> Member | None:
    if member.pair_member_id is None:
        return None
    partner = await ctx.tx.get_member(member.pair_member_id)
    return partner if partner and partner.status == "active" else None


async def start_report(ctx: Context, parsed: Parsed, kind: str) -> list[Reply]:
    """First step of 住院 / 出院 / 困难 / 思想 / 去世: for whom, and what the message said."""
    state = ReportState(kind)
    _fill(ctx, state, parsed)
    if ctx.for_family or (kind == "hardship" and not is_officer(ctx)):
        _note_target(ctx, state, parsed.slot("target") or "self")
        return await _after_target(ctx, state, ctx.me(), _extra(parsed, state))
    said = parsed.slot("target")
    if said is None and parsed.args:
        found = await find_glued(ctx, parsed.args)
        if found.members:
            return await _named(ctx, state, found.members, found.rest)
        if _names_someone(kind, parsed.args):  # never the speaker in place of a name
            name = parsed.args.split()[0][:8]
            return [ctx.ask("name", state, ctx.t("care.name_not_found", name=name))]
        state.hospital = state.hospital or (parsed.args if kind == "hospitalisation" else None)
        return await _after_target(ctx, state, ctx.me(), _extra(parsed, state))
    if said in ("self", "partner"):
        target = ctx.me() if said == "self" else await _partner(ctx, ctx.me())
        if target is not None:
            _note_target(ctx, state, said)
            return await _after_target(ctx, state, target, _extra(parsed, state))
    elif said is not None and said not in ("father", "mother", "spouse"):
        found = await find_member(ctx, said)
        if not found.members:
            return [ctx.ask("name", state, ctx.t("care.name_not_found", name=said))]
        return await _named(ctx, state, found.members, _extra(parsed, state))
    return _ask_who(ctx, state, await _partner(ctx, ctx.me()))


def _names_someone(kind: str, args: str) -> bool:
    """Whether the words after the keyword start with a person (思想 X, 去世 X, 住院 X 人民医院),
    not with what happened to the speaker (住院 人民医院, 困难 老伴瘫痪)."""
    if kind in ("worry", "death"):
        return True
    first, _, rest = args.strip().partition(" ")
    looks_like_name = 2 <= len(first) <= 4 and all("\u4e00" <= ch <= "\u9fff" for ch in first)
    return bool(rest) and looks_like_name and find.hospital(clean(first)) is None and (
        kind != "hardship")


def _fill(ctx: Context, state: ReportState, parsed: Parsed) -> None:
    """What the sentence already said: nothing said is asked again."""
    state.hospital = parsed.slot("hospital")
    state.ward = parsed.slot("ward")
    state.ward_asked = state.ward is not None
    day = parsed.slot("day")
    if day:
        state.admitted_on = (ctx.local().date() - timedelta(days=_DAYS[day])).isoformat()
    state.note = parsed.slot("text")
    for key in ("hospital", "ward", "day", "text"):
        value = parsed.slot(key)
        if value:
            ctx.note_slots(**{key: value})


_DAYS = {"today": 0, "yesterday": 1, "day_before": 2}


def _extra(parsed: Parsed, state: ReportState) -> str:
    """The free words after a name (困难 陈淑珍 老伴瘫痪 -> 老伴瘫痪), unless already taken."""
    if state.hospital or state.note:
        return ""
    if " " not in parsed.args.strip():
        return parsed.args.strip() if state.kind == "hardship" else ""
    return parsed.args.partition(" ")[2].strip()


def _note_target(ctx: Context, state: ReportState, value: str) -> None:
    ctx.note_slots(**{"name" if state.kind in ("worry", "death") else "target": value})


def _ask_who(ctx: Context, state: ReportState, partner: Member | None) -> list[Reply]:
    if ctx.me().branch_id is None:  # an instructor or admin on no branch's roster
        return [ctx.ask("name", state, ctx.t("care.ask_name"))]
    choices = [Choice(_SELF, ctx.t("care.opt.self"))]
    if partner:
        choices.append(Choice(_PARTNER, ctx.t("care.opt.partner", name=partner.name)))
    choices.append(Choice(_OTHER, ctx.t("care.opt.other")))
    kind = state.kind
    question = "care.who" if kind == "hospitalisation" else f"care.who.{kind}"
    if not ctx.has_text(question):
        question = "care.ask_name"
        return [ctx.ask("name", state, ctx.t(question))]
    return [ctx.ask("who", state, ctx.t(question), choices)]


async def _named(ctx: Context, state: ReportState, members: list[Member],
                 extra: str) -> list[Reply]:
    """One member: go on; several (a homophone of two): ask which, by name."""
    if len(members) == 1:
        target = members[0]
        _note_target(ctx, state, target.name if target.id != ctx.me().id else "self")
        return await _after_target(ctx, state, target, extra)
    state.candidates = [m.id for m in members]
    choices = [Choice(str(m.id), m.name) for m in members]
    return [ctx.ask("pick", state, ctx.t("care.which", names="、".join(m.name for m in members)),
                    choices)]


async def _after_target(
    ctx: Context, state: ReportState, target: Member, extra: str
) -> list[Reply]:
    if target.branch_id is None:  # reports go to a branch's secretary; this person has none
        return [ctx.ask("name", state, ctx.t("care.no_branch"))]
    state.target = target.id
    if state.kind == "hospitalisation" and extra and not state.hospital:
        state.hospital = extra
    elif state.kind in ("hardship", "worry") and extra:
        state.note = extra
        ctx.note_slots(text=extra)
    elif state.kind in ("discharge", "death") and state.note is None:
        state.note = extra
    return await _next(ctx, state)


async def _next(ctx: Context, state: ReportState) -> list[Reply]:
    """The first thing not yet known is asked; when all is known, the read-back."""
    if state.kind == "hospitalisation":
        if not state.hospital:
            return [ctx.ask("hospital", state, ctx.t("care.ask_hospital"))]
        if not state.ward_asked:
            skip = [Choice("跳过", ctx.t("button.skip"))]
            return [ctx.ask("ward", state, ctx.t("care.ask_ward"), skip)]
        if state.admitted_on is None and not state.date_asked:
            return [ctx.ask("date", state, ctx.t("care.ask_date"), _date_choices(ctx))]
        if not state.partner_asked:
            asked = await _ask_partner(ctx, state)
            if asked is not None:
                return asked
    if state.kind in ("hardship", "worry") and not state.note:
        return [ctx.ask("note", state, ctx.t("care.hardship.ask_note"))]
    return await _readback(ctx, state)


def _date_choices(ctx: Context) -> list[Choice]:
    return [Choice("今天", ctx.t("care.opt.today")), Choice("昨天", ctx.t("care.opt.yesterday")),
            Choice("前天", ctx.t("care.opt.day_before"))]


async def continue_report(ctx: Context, state: ReportState, parsed: Parsed) -> list[Reply] | None:
    """The steps of a report, each answerable with a button, a number or in words."""
    assert ctx.conversation is not None
    step = ctx.conversation.step
    answer = ctx.answer()
    if step == "who":
        return await _step_who(ctx, state, answer.typed)
    if step == "pick":
        chosen = await ctx.tx.get_member(int(ctx.choice)) if ctx.choice else None
        return await _after_target(ctx, state, chosen, "") if chosen else None
    if step == "name":
        return await _step_name(ctx, state, answer)
    if step == "hospital":
        return await _step_hospital(ctx, state, answer, parsed)
    if step == "ward":
        state.ward_asked = True
        skipped = parsed.intent is Intent.SKIP or ctx.choice == "跳过"
        state.ward = None if skipped else (find.ward(answer) or answer.typed or None)
        if state.ward:
            ctx.note_slots(ward=state.ward)
        return await _next(ctx, state)
    if step == "date":
        return await _step_date(ctx, state, parsed, ctx.choice or answer.typed)
    if step == "partner":
        state.tell_partner = ctx.choice == _TELL
        return await _readback(ctx, state)
    if step == "note":
        if not answer.typed:
            return None
        state.note = answer.typed
        ctx.note_slots(text=answer.typed)
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
    found = await find_member(ctx, text) if text else None
    if found is None or not found.members:
        relation = find.relation(text) if text else None
        if relation in ("father", "mother", "spouse"):  # 我老伴: not a member of the branch
            ctx.note_slots(target=relation)
            return [ctx.ask("name", state, ctx.t("care.not_a_member"))]
        return None
    if partner is not None and found.one is not None and found.one.id == partner.id:
        ctx.note("choose", choice=ctx.t("care.opt.partner", name=partner.name))
        return await _after_target(ctx, state, partner, "")
    return await _named(ctx, state, found.members, "")


async def _step_name(ctx: Context, state: ReportState, answer: Cleaned) -> list[Reply] | None:
    """A name written (or dictated: 是老吴，吴长林) — any clause of it may be the name."""
    if not answer.typed:
        return None
    for start, end in [(0, len(answer.simple)), *find.clauses(answer.simple)]:
        said = answer.typed[start:end].removeprefix("是").strip()
        found = await find_member(ctx, said) if said else None
        if found is not None and found.members:
            return await _named(ctx, state, found.members, "")
    return [ctx.ask("name", state, ctx.t("care.name_not_found", name=answer.typed[:8]))]


async def _step_hospital(ctx: Context, state: ReportState, answer: Cleaned,
                         parsed: Parsed) -> list[Reply] | None:
    if parsed.intent is Intent.SKIP:
        state.hospital = ctx.t("care.unknown")
        return await _next(ctx, state)
    if not answer.typed:
        return None
    named = find.hospital(answer)
    state.hospital = named[0] if named else answer.typed
    ctx.note_slots(hospital=state.hospital)
    ward = find.ward(answer)
    if ward:
        state.ward, state.ward_asked = ward, True
        ctx.note_slots(ward=ward)
    return await _next(ctx, state)


async def _step_date(ctx: Context, state: ReportState, parsed: Parsed,
                     text: str) -> list[Reply]:
    state.date_asked = True
    if parsed.intent is Intent.SKIP:
        state.admitted_on = None
        return await _next(ctx, state)
    day = parse_day(text, ctx.local().date()) or _said_day(ctx, text)
    if day is None:
        return [ctx.ask("date", state, ctx.t("care.bad_date"), _date_choices(ctx))]
    state.admitted_on = day.isoformat()
    return await _next(ctx, state)


def _said_day(ctx: Context, text: str) -> date | None:
    said = find.day(clean(text))
    return ctx.local().date() - timedelta(days=_DAYS[said]) if said else None


async def _ask_partner(ctx: Context, state: ReportState) -> list[Reply] | None:
    """Ask whether to tell the pair partner (unless the partner is the one reporting)."""
    state.partner_asked = True
    target = await ctx.tx.get_member(state.target) if state.target else None
    partner = await _partner(ctx, target) if target else None
    if partner is None or partner.id == ctx.me().id:
        state.tell_partner = False
        return None
    choices = [Choice(_TELL, ctx.t("care.opt.yes")), Choice(_DONT_TELL, ctx.t("care.opt.no"))]
    return [ctx.ask("partner", state, ctx.t("care.ask_partner", name=partner.name), choices)]


async def correct_report(ctx: Context, state: ReportState, value: Cleaned) -> list[Reply] | None:
    """At the read-back: 改成中医院 / 是昨天住的 / 3病区15床 / 不是我，是张桂兰 / a new note."""
    changed: dict[str, str] = {}
    named = find.hospital(value)
    if named and state.kind == "hospitalisation":
        state.hospital = changed["hospital"] = named[0]
    ward = find.ward(value)
    if ward and state.kind == "hospitalisation":
        state.ward = changed["ward"] = ward
    day = find.day(value)
    if day and state.kind == "hospitalisation":
        state.admitted_on = (ctx.local().date() - timedelta(days=_DAYS[day])).isoformat()
        changed["day"] = day
    if not changed:
        who = await _corrected_target(ctx, value)
        if who is not None:
            state.target = who.id
            changed["target"] = "self" if who.id == ctx.me().id else who.name
        elif state.kind in ("hardship", "worry"):
            state.note = changed["text"] = value.typed
    if not changed:
        return None
    ctx.note_slots(**changed)
    return await _readback(ctx, state)


async def _corrected_target(ctx: Context, value: Cleaned) -> Member | None:
    if ctx.for_family:
        return None
    said = find.relation(value.simple)
    if said == "self":
        return ctx.me()
    found = await find_glued(ctx, value.typed)
    return found.one


async def _readback(ctx: Context, state: ReportState) -> list[Reply]:
    target = await ctx.tx.get_member(state.target) if state.target else None
    assert target is not None
    return [ctx.readback("confirm", state, await _summary(ctx, state, target))]


async def _summary(ctx: Context, state: ReportState, target: Member) -> str:
    kind = state.kind
    if kind == "hospitalisation":
        today = ctx.local().date()
        when = day_words(ctx.locale, date.fromisoformat(state.admitted_on), today) if (
            state.admitted_on) else ctx.t("care.day_unknown")
        text = ctx.t("care.readback", name=target.name, hospital=state.hospital or "",
                     ward=state.ward or "", date=when)
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
    key = ("care.added_for_check" if outcome.pending
           else "care.added_to_task" if outcome.merged else "care.recorded")
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
FLOWS = {"report": Flow(ReportState, continue_report, correct_report)}
