"""Publishing an activity and inviting its people: one path for the chat flow and the CLI.

Invited are the members of the activity's branches, or only its group's members; each
reachable one gets one invitation with a 报名 button (keyed, so a redelivered 确认 or a CLI
run twice never invites twice); those no chat reaches are named to the organiser to phone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.i18n import format_when, t
from handlers.notify import PushButton, push, reachable
from storage import Tx
from storage.models import Member
from storage.repo_activities import Activity


@dataclass(frozen=True)
class NewActivity:
    """What an officer (or `zhibu activity add`) said of an activity."""

    branch_id: int  # the organiser's branch (the group's, for a group activity)
    kind: str
    title: str
    starts_at: datetime
    place: str | None
    capacity: int | None
    group_id: int | None
    branch_ids: list[int]  # invited branches (ignored for a group activity: the group's)
    organiser_id: int | None


@dataclass(frozen=True)
class Published:
    """The stored activity, how many were invited, and who must be phoned instead."""

    activity: Activity
    told: int
    unbound: list[Member]


def when_text(locale: str, activity: Activity, tz: ZoneInfo) -> str:
    """12月12日（星期六） 09:00 in the reader's language."""
    return format_when(locale, activity.starts_at.astimezone(tz))


def place_text(locale: str, activity: Activity) -> str:
    """Where, or that it will be said later."""
    return activity.place or t(locale, "activity.place_later")


def limit_text(locale: str, capacity: int | None) -> str:
    """限20人 / 不限人数."""
    return t(locale, "activity.limit", n=capacity) if capacity else t(locale, "activity.no_limit")


def signup_button(activity: Activity) -> PushButton:
    """报名, sending `报名 #id` (what the router reads as SIGNUP of that activity)."""
    return PushButton(lambda locale: t(locale, "activity.button.signup"), f"报名 #{activity.id}")


async def invitees(tx: Tx, activity: Activity) -> list[Member]:
    """Who the activity is for: its group's active members, or its branches' members."""
    if activity.group_id is not None:
        found = [await tx.get_member(i) for i in await tx.group_member_ids(activity.group_id)]
        return [m for m in found if m is not None and m.status == "active"]
    people: list[Member] = []
    for branch_id in await tx.activity_branch_ids(activity.id):
        people += await tx.branch_members(branch_id)
    return people


async def publish(tx: Tx, new: NewActivity, *, now: datetime, tz: ZoneInfo,
                  default_locale: str) -> Published:
    """Store the activity and invite everyone it is for except its organiser."""
    month = new.starts_at.astimezone(tz).strftime("%Y-%m")
    branch_ids = [new.branch_id] if new.group_id is not None else new.branch_ids
    activity = await tx.add_activity(
        branch_id=new.branch_id, kind=new.kind, title=new.title, starts_at=new.starts_at,
        place=new.place, capacity=new.capacity, group_id=new.group_id,
        organiser_id=new.organiser_id, branch_ids=branch_ids, month=month, now=now)
    told = 0
    unbound: list[Member] = []
    for member in await invitees(tx, activity):
        if member.id == new.organiser_id:
            continue
        if not await reachable(tx, member):
            unbound.append(member)
            continue

        def render(locale: str) -> str:
            return t(locale, "activity.invite", kind=t(locale, f"activity.kind.{activity.kind}"),
                     title=activity.title, when=when_text(locale, activity, tz),
                     place=place_text(locale, activity),
                     limit=limit_text(locale, activity.capacity))

        told += await push(tx, member, render, key=f"activity:{activity.id}:invite:{member.id}",
                           kind="activity_invite", now=now, default_locale=default_locale,
                           buttons=(signup_button(activity),))
    return Published(activity, told, unbound)
