"""我的活动 / 有什么活动: what is coming up that I may join, and where I stand with each.

Each line says when, what and where, marked 已报名, 候补, 可报名 or 已满; a 报名 button
under the first few open ones signs up in one press. An officer also sees the activities
they organised, with how many signed up and wait.
"""

from __future__ import annotations

from bot.core.messages import Button, Reply
from bot.understanding import Parsed
from handlers.activities.invite import place_text, when_text
from handlers.activities.kinds import parse_kind
from handlers.common import is_officer
from handlers.context import Context
from storage.repo_activities import Activity, MyActivity

MAX_LISTED = 10
MAX_BUTTONS = 3


def mark(ctx: Context, row: MyActivity) -> str:
    """已报名 / 候补 / 已满 / 可报名."""
    if row.state in ("signed", "waiting"):
        return ctx.t(f"activity.mark.{row.state}")
    return ctx.t("activity.mark.full") if row.full else ctx.t("activity.mark.open")


def line(ctx: Context, activity: Activity) -> str:
    """12月12日（星期六） 09:00 帮社区老人理发（社区服务站）."""
    return ctx.t("activity.line", when=when_text(ctx.locale, activity, ctx.tz),
                 title=activity.title, place=place_text(ctx.locale, activity))


async def handle_activities(ctx: Context, parsed: Parsed) -> list[Reply]:
    """The upcoming activities open to the member, marked; an officer's own below."""
    me = ctx.me()
    rows = await ctx.tx.activities_for(me.id, me.branch_id, ctx.now)
    kind = parse_kind(ctx.message.text or "")  # 讲座 / 学手机 alone: what is on of that kind
    if kind is not None:
        rows = [r for r in rows if r.activity.kind == kind]
        if not rows:
            return [Reply(ctx.t("activity.none_kind", kind=ctx.t(f"activity.kind.{kind}")))]
    lines: list[str] = []
    buttons: list[Button] = []
    if rows:
        lines.append(ctx.t("activity.list_head"))
        for i, row in enumerate(rows[:MAX_LISTED], 1):
            lines.append(f"{i}. {line(ctx, row.activity)} — {mark(ctx, row)}")
            if row.state is None and len(buttons) < MAX_BUTTONS:
                buttons.append(Button(ctx.t("activity.button.signup_title",
                                            title=row.activity.title[:12]),
                                      f"报名 #{row.activity.id}"))
        if len(rows) > MAX_LISTED:
            lines.append(ctx.t("activity.list_more", n=len(rows) - MAX_LISTED))
        lines.append(ctx.t("activity.list_hint"))
    if is_officer(ctx):
        organised = await ctx.tx.activity_counts(None, ctx.now, organiser_id=me.id,
                                                 limit=MAX_LISTED)
        if organised:
            lines.append(ctx.t("activity.organised_head"))
            lines += [ctx.t("activity.organised_line", line=line(ctx, c.activity),
                            signed=c.signed, waiting=c.waiting) for c in organised]
    if not lines:
        key = "activity.none_officer" if is_officer(ctx) else "activity.none"
        return [Reply(ctx.t(key))]
    return [Reply("\n".join(lines), buttons=tuple(buttons))]
