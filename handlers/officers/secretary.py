"""出勤, 代签 and 邀请: the branch secretary's side of the study day."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.i18n import format_date, hhmm
from bot.core.messages import Reply
from bot.understanding import Intent, Parsed
from handlers.binding import create_invite, format_code
from handlers.common import is_officer, officer_only
from handlers.context import Context
from handlers.delivery.common import made_up_in
from handlers.flow import Flow, FlowState
from handlers.sessions import branch_and_rule, branch_rule, home_branch, session_at, today_start
from storage.models import Attendance, Member


async def handle_attendance(ctx: Context, parsed: Parsed) -> list[Reply]:
    """出勤: today's 应到 / 实到 / 请假 / 缺席 with names (or the latest session's)."""
    if not is_officer(ctx):
        return officer_only(ctx)
    found = await branch_and_rule(ctx)
    if found is None:
        return [Reply(ctx.t("rule.none"))]
    branch, rule = found
    start = today_start(ctx, rule)
    note = None
    if start is None:
        past = rule.sessions_between(ctx.now.replace(year=ctx.now.year - 1), ctx.now, ctx.tz)
        if not past:
            return [Reply(ctx.t("attendance.never"))]
        start, note = past[-1], ctx.t("attendance.no_session")
    session = await session_at(ctx, branch, start)
    expected = await ctx.tx.branch_members(branch.id)
    report = await ctx.tx.attendance(session, expected)
    report, made_up = await made_up_in(ctx.tx, branch.id, session, report, ctx.tz)
    lines = [note] if note else []
    lines += _attendance_lines(ctx, branch.name, report)
    if made_up:
        lines.insert(len(lines) - 2, ctx.t("delivery.attendance", n=len(made_up),
                                           names="、".join(m.name for m in made_up)))
    return [Reply("\n".join(lines))]


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


async def _branch_member(ctx: Context, name: str) -> tuple[Member | None, str | None]:
    """A member of the secretary's own branch by name, or the reason there is none."""
    me = ctx.me()
    found = await ctx.tx.find_members_by_name(name, me.branch_id) if me.branch_id else []
    found = [m for m in found if m.status == "active"]
    if not found:
        return None, ctx.t("proxy.not_found", name=name)
    if len(found) > 1:
        return None, ctx.t("proxy.ambiguous", name=name)
    return found[0], None


async def handle_proxy(ctx: Context, parsed: Parsed) -> list[Reply]:
    """代签 姓名 原因: check a member in on their behalf, recorded with who and why."""
    if not is_officer(ctx):
        return officer_only(ctx)
    parts = parsed.args.split(maxsplit=1)
    if len(parts) < 2:
        return [Reply(ctx.t("proxy.usage"))]
    member, problem = await _branch_member(ctx, parts[0])
    if member is None:
        return [Reply(problem or "")]
    branch = await home_branch(ctx)
    rule = branch_rule(branch)
    start = today_start(ctx, rule) if rule else None
    if branch is None or start is None:
        return [Reply(ctx.t("proxy.not_today"))]
    session = await session_at(ctx, branch, start)
    existing = await ctx.tx.get_checkin(session.id, member.id)
    if existing:
        when = hhmm(ctx.local(existing.checked_in_at))
        return [Reply(ctx.t("proxy.already", name=member.name, time=when))]
    state = ProxyState(session.id, member.id, parts[1])
    date = format_date(ctx.locale, ctx.local(start))
    return [ctx.readback("confirm", state, ctx.t("proxy.readback", name=member.name, date=date,
                                                 reason=parts[1]))]


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
    parts = parsed.args.split(maxsplit=1)
    if not parts:
        return [Reply(ctx.t("invite.usage"))]
    member, problem = await _branch_member(ctx, parts[0])
    if member is None:
        return [Reply(problem or "")]
    relation = parts[1].strip() if len(parts) > 1 else None
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
FLOWS = {"proxy": Flow(ProxyState, continue_proxy)}
