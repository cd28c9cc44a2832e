"""出勤, 代签 and 邀请: the branch secretary's side of the study day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.i18n import format_date, hhmm
from bot.core.messages import Reply
from bot.understanding import Intent, Parsed
from bot.understanding.clean import Cleaned
from bot.understanding.names import match_name, name_at_start
from bot.understanding.slots import trim_leading
from handlers.binding import create_invite, format_code
from handlers.calendar import Meeting, calendar_of, expected_for, kind_in, kind_words
from handlers.common import is_officer, officer_only
from handlers.context import Context
from handlers.delivery.common import made_up_in
from handlers.flow import Flow, FlowState
from handlers.officers.branch_scope import officer_branch
from handlers.sessions import CHECKIN_OPENS_BEFORE, expected_at, home_branch
from storage.models import Attendance, Branch, Member


async def handle_attendance(ctx: Context, parsed: Parsed) -> list[Reply]:
    """出勤 [支部] [党课…]: today's 应到 / 实到 / 请假 / 缺席 with names, each of today's
    meetings (or the latest one's)."""
    scoped = await officer_branch(ctx, parsed.args, action="attendance", word="出勤",
                                  intent=Intent.ATTENDANCE, anywhere=True)
    if scoped.branch is None:
        return scoped.refusal
    branch = scoped.branch
    calendar = await calendar_of(ctx.tx, branch, around=ctx.now)
    if not calendar:
        return [Reply(ctx.t("rule.none_named", branch=branch.name))]
    wanted, _ = kind_in(scoped.rest)
    meetings = [m for m in calendar.today(ctx.now, ctx.tz) if wanted in (None, m.kind)]
    note = None
    if not meetings:
        past = [m for m in calendar.meetings_between(ctx.now - timedelta(days=400), ctx.now,
                                                     ctx.tz) if wanted in (None, m.kind)]
        if not past:
            return [Reply(ctx.t("attendance.never"))]
        meetings, note = past[-1:], ctx.t("attendance.no_session")
    blocks = [await _attendance_block(ctx, branch, m) for m in meetings]
    return [Reply("\n\n".join(([note] if note else []) + blocks))]


async def _attendance_block(ctx: Context, branch: Branch, meeting: Meeting) -> str:
    session = await ctx.tx.ensure_session(branch.id, meeting.starts_at, meeting.place,
                                          meeting.kind)
    belonged = await expected_at(ctx.tx, branch.id, session, ctx.tz)
    report = await ctx.tx.attendance(session, expected_for(session.kind, belonged))
    report, made_up = await made_up_in(ctx.tx, branch.id, session, report, ctx.tz)
    name = branch.name if session.kind == "study" else f"{branch.name}{kind_words(session.kind)}"
    lines = _attendance_lines(ctx, name, report)
    if made_up:
        lines.insert(len(lines) - 2, ctx.t("delivery.attendance", n=len(made_up),
                                           names="、".join(m.name for m in made_up)))
    return "\n".join(lines)


def _attendance_lines(ctx: Context, branch: str, report: Attendance) -> list[str]:
    none = ctx.t("attendance.none")
    present = [
        m.name + (ctx.t("attendance.proxy_mark") if c.by_member_id else "")
        for m, c in report.present
    ]
    leave = [f"{m.name}（{reason}）" for m, reason in report.on_leave]
    absent = [m.name for m in report.absent]
    return [
        ctx.t("attendance.title", date=format_date(ctx.locale, ctx.local(report.session.starts_at)),
              branch=branch),
        ctx.t("attendance.expected", n=len(report.expected)),
        ctx.t("attendance.present", n=len(present), names="、".join(present) or none),
        ctx.t("attendance.leave", n=len(leave), names="、".join(leave) or none),
        ctx.t("attendance.absent", n=len(absent), names="、".join(absent) or none),
    ]


async def _branch_member(ctx: Context, said: str) -> tuple[Member | None, str, str | None]:
    """A member of the secretary's own branch named at the start of `said` (as typed, by
    sound, or one character apart; glued or spaced), what follows the name, or the reason
    there is none. Never anyone of another branch."""
    me = ctx.me()
    members = await ctx.tx.branch_members(me.branch_id) if me.branch_id else []
    roster = [(m.id, m.name) for m in members]
    first, _, rest = said.strip().partition(" ")
    ids = match_name(first, roster) if rest else []
    if not ids:
        ids, length = name_at_start(said.strip(), roster)
        first, rest = said.strip()[:length], said.strip()[length:]
    rest = rest.strip().lstrip("的，, ").strip()
    found = [m for m in members if m.id in ids]
    if not found:
        unknown, _, after = said.strip().partition(" ")
        return None, after.strip(), ctx.t("proxy.not_found", name=unknown[:8])
    if len(found) > 1:
        return None, rest, ctx.t("proxy.ambiguous", name=first,
                                 names="、".join(m.name for m in found))
    return found[0], rest, None


async def handle_proxy(ctx: Context, parsed: Parsed) -> list[Reply]:
    """代签 姓名 原因: check a member in on their behalf, recorded with who and why."""
    if not is_officer(ctx):
        return officer_only(ctx)
    if not parsed.args.strip():
        return [Reply(ctx.t("proxy.usage"))]
    member, reason, problem = await _branch_member(ctx, parsed.args)
    if member is None:
        if reason:
            ctx.note_slots(reason=trim_leading(reason))
        return [Reply(problem or "")]
    reason = trim_leading(reason) or ctx.t("proxy.no_reason")
    ctx.note_slots(name=member.name, reason=reason)
    branch = await home_branch(ctx)
    calendar = await calendar_of(ctx.tx, branch, around=ctx.now) if branch else None
    opened = [m for m in calendar.today(ctx.now, ctx.tz)
              if ctx.now >= m.starts_at - CHECKIN_OPENS_BEFORE] if calendar else []
    if branch is None or not opened:
        return [Reply(ctx.t("proxy.not_today"))]
    meeting = opened[-1]  # the one under way (the latest begun, when two are today)
    start = meeting.starts_at
    session = await ctx.tx.ensure_session(branch.id, start, meeting.place, meeting.kind)
    existing = await ctx.tx.get_checkin(session.id, member.id)
    if existing:
        when = hhmm(ctx.local(existing.checked_in_at))
        return [Reply(ctx.t("proxy.already", name=member.name, time=when))]
    return [_proxy_readback(ctx, ProxyState(session.id, member.id, reason), member, start)]


def _proxy_readback(ctx: Context, state: ProxyState, member: Member, start: datetime) -> Reply:
    date = format_date(ctx.locale, ctx.local(start))
    return ctx.readback("confirm", state, ctx.t("proxy.readback", name=member.name, date=date,
                                                reason=state.reason))


async def correct_proxy(ctx: Context, state: ProxyState, value: Cleaned) -> list[Reply] | None:
    """不对，是孙福海 (another member) / 原因改成住院 (another reason)."""
    session = await ctx.tx.get_session(state.session_id)
    if session is None or not value.typed:
        return None
    member, rest, _ = await _branch_member(ctx, value.typed)
    if member is not None and not rest:
        state.member_id = member.id
        ctx.note_slots(name=member.name)
    else:
        state.reason = trim_leading(value.typed)
        ctx.note_slots(reason=state.reason)
    target = await ctx.tx.get_member(state.member_id)
    assert target is not None
    return [_proxy_readback(ctx, state, target, session.starts_at)]


@dataclass
class ProxyState(FlowState):
    """代签: whom, for which session, why."""

    flow = "proxy"
    session_id: int
    member_id: int
    reason: str


async def continue_proxy(ctx: Context, state: ProxyState, parsed: Parsed) -> list[Reply] | None:
    """代签's read-back: only 确认 records it."""
    if parsed.intent is not Intent.CONFIRM:
        return None
    ctx.end()
    session = await ctx.tx.get_session(state.session_id)
    member = await ctx.tx.get_member(state.member_id)
    if session is None or member is None:
        return None
    reason = state.reason
    secretary = ctx.me()
    if not await ctx.tx.add_checkin(session.id, member.id, ctx.now, ctx.message.channel,
                                    by_member_id=secretary.id, reason=reason):
        existing = await ctx.tx.get_checkin(session.id, member.id)
        when = hhmm(ctx.local(existing.checked_in_at if existing else ctx.now))
        return [Reply(ctx.t("proxy.already", name=member.name, time=when))]
    await ctx.tx.audit("proxy_checkin", ctx.now, actor_member_id=secretary.id, actor=ctx.actor,
                       subject_member_id=member.id, detail={"session": session.id})
    date = format_date(ctx.locale, ctx.local(session.starts_at))
    await ctx.push(member, "proxy.notice", f"proxy:{session.id}:{member.id}", "proxy_notice",
                   secretary=secretary.name, date=date, reason=reason)
    return [Reply(ctx.t("proxy.ok", name=member.name, reason=reason))]


async def handle_invite(ctx: Context, parsed: Parsed) -> list[Reply]:
    """邀请 姓名 [家属关系]: a one-time binding code for a member of the secretary's branch."""
    if not is_officer(ctx):
        return officer_only(ctx)
    if not parsed.args.strip():
        return [Reply(ctx.t("invite.usage"))]
    member, rest, problem = await _branch_member(ctx, parsed.args)
    if member is None:
        return [Reply(problem or "")]
    ctx.note_slots(name=member.name)
    relation = rest.strip() or None
    code = await create_invite(ctx.tx, member.id, relation, ctx.me().id, ctx.now)
    await ctx.tx.audit("invite", ctx.now, actor_member_id=ctx.me().id, actor=ctx.actor,
                       subject_member_id=member.id, detail={"family": bool(relation)})
    if relation:
        return [Reply(ctx.t("invite.ok_family", name=member.name, relation=relation,
                            code=format_code(code)))]
    return [Reply(ctx.t("invite.ok", name=member.name, code=format_code(code)))]


INTENTS = {
    Intent.ATTENDANCE: handle_attendance,
    Intent.PROXY: handle_proxy,
    Intent.INVITE: handle_invite,
}
FLOWS = {"proxy": Flow(ProxyState, continue_proxy, correct_proxy)}
