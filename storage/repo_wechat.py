"""What the WeChat and WeCom channels need to know about an account before pushing to it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.repo_base import RepoBase
from storage.timefmt import parse_ts, ts


@dataclass(frozen=True)
class PushTarget:
    """A bound chat account with what decides how (and whether) it can be reached."""

    channel: str
    external_id: str
    member_id: int
    member_name: str
    branch_id: int | None
    last_seen_at: datetime
    unreachable_at: datetime | None
    wecom_userid: str | None


class WechatRepo(RepoBase):
    """Push targets and followers who unsubscribed."""

    async def push_target(self, channel: str, external_id: str) -> PushTarget | None:
        """The member behind an account, when it last wrote, and (for their own account) the
        WeCom userid they are bound to, if any."""
        row = await self._one(
            "SELECT b.member_id, b.last_seen_at, b.unreachable_at, m.name, m.branch_id, "
            "CASE WHEN b.relation IS NULL THEN (SELECT w.external_id FROM bindings w "
            " WHERE w.member_id = b.member_id AND w.channel = 'wecom' AND w.relation IS NULL "
            " AND w.unreachable_at IS NULL ORDER BY w.last_seen_at DESC LIMIT 1) END AS wecom "
            "FROM bindings b JOIN members m ON m.id = b.member_id "
            "WHERE b.channel = ? AND b.external_id = ?",
            (channel, external_id),
        )
        if row is None:
            return None
        return PushTarget(
            channel=channel,
            external_id=external_id,
            member_id=int(row["member_id"]),
            member_name=str(row["name"]),
            branch_id=row["branch_id"],
            last_seen_at=parse_ts(row["last_seen_at"]),
            unreachable_at=parse_ts(row["unreachable_at"]) if row["unreachable_at"] else None,
            wecom_userid=row["wecom"],
        )

    async def set_unreachable(
        self, channel: str, external_id: str, at: datetime | None
    ) -> None:
        """Mark an account unreachable (it unsubscribed) or, with None, reachable again."""
        await self._run(
            "UPDATE bindings SET unreachable_at = ? WHERE channel = ? AND external_id = ?",
            (ts(at) if at else None, channel, external_id),
        )
