"""What chat channels keep beyond bindings: branch group chats and unreachable accounts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.repo_base import RepoBase, Row
from storage.timefmt import parse_ts, ts


@dataclass(frozen=True)
class BranchChat:
    """A group chat that a branch's broadcasts and reminders may be posted into."""

    channel: str
    chat_id: str
    branch_id: int
    title: str | None
    created_at: datetime


def _branch_chat(row: Row) -> BranchChat:
    return BranchChat(
        channel=row["channel"],
        chat_id=row["chat_id"],
        branch_id=row["branch_id"],
        title=row["title"],
        created_at=parse_ts(row["created_at"]),
    )


class ChannelRepo(RepoBase):
    """Group chats per branch, and accounts a platform says it can no longer reach."""

    async def officer_accounts(self, channel: str) -> list[tuple[str, str | None]]:
        """(account, language) of every active officer's own account on a channel: the
        roster language, else the script they last wrote in (None: the default)."""
        rows = await self._all(
            "SELECT b.external_id, COALESCE(m.language, b.locale) AS lang FROM bindings b "
            "JOIN members m ON m.id = b.member_id WHERE b.channel = ? AND b.relation IS NULL "
            "AND m.status = 'active' AND m.role IN ('secretary', 'instructor', 'admin') "
            "ORDER BY b.external_id",
            (channel,),
        )
        return [(str(r["external_id"]), r["lang"]) for r in rows]

    async def set_branch_chat(
        self, channel: str, chat_id: str, branch_id: int, title: str | None, now: datetime
    ) -> bool:
        """Register a group chat as a branch's group (again: its branch and title are updated).

        Returns True when something changed. (The title comparison is null-safe without
        `IS NOT`, which PostgreSQL has only for NULL and IS DISTINCT FROM, which older SQLite
        lacks: titles differ, or exactly one of them is NULL.)
        """
        changed = await self._run(
            "INSERT INTO branch_chats (channel, chat_id, branch_id, title, created_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (channel, chat_id) DO UPDATE SET "
            "branch_id = excluded.branch_id, title = excluded.title "
            "WHERE branch_chats.branch_id <> excluded.branch_id "
            "OR branch_chats.title <> excluded.title "
            "OR (branch_chats.title IS NULL) <> (excluded.title IS NULL)",
            (channel, chat_id, branch_id, title, ts(now)),
        )
        return changed > 0

    async def branch_chats(self, branch_id: int, channel: str | None = None) -> list[BranchChat]:
        """The group chats a branch posts into (on one channel when given), oldest first."""
        sql = "SELECT * FROM branch_chats WHERE branch_id = ?"
        params: list[object] = [branch_id]
        if channel is not None:
            sql += " AND channel = ?"
            params.append(channel)
        return [_branch_chat(r) for r in await self._all(sql + " ORDER BY created_at", params)]

    async def get_branch_chat(self, channel: str, chat_id: str) -> BranchChat | None:
        """A registered group chat, if this one is."""
        row = await self._one(
            "SELECT * FROM branch_chats WHERE channel = ? AND chat_id = ?", (channel, chat_id)
        )
        return _branch_chat(row) if row else None

    async def move_branch_chat(self, channel: str, old_id: str, new_id: str) -> bool:
        """A group got a new id (Telegram: upgraded to a supergroup); True when one moved."""
        # the new id may be registered already (a second update): the old row then goes
        await self._run("DELETE FROM branch_chats WHERE channel = ? AND chat_id = ? AND EXISTS "
                        "(SELECT 1 FROM branch_chats WHERE channel = ? AND chat_id = ?)",
                        (channel, new_id, channel, old_id))
        changed = await self._run(
            "UPDATE branch_chats SET chat_id = ? WHERE channel = ? AND chat_id = ?",
            (new_id, channel, old_id),
        )
        return changed > 0

    async def drop_branch_chat(self, channel: str, chat_id: str) -> bool:
        """Forget a group chat (the bot was removed from it); True when one was registered."""
        changed = await self._run(
            "DELETE FROM branch_chats WHERE channel = ? AND chat_id = ?", (channel, chat_id)
        )
        return changed > 0

    async def newly_unreachable(self, channel: str, external_id: str, now: datetime) -> bool:
        """Mark an account unreachable; True only when it was reachable until now."""
        changed = await self._run(
            "UPDATE bindings SET unreachable_at = ? WHERE channel = ? AND external_id = ? "
            "AND unreachable_at IS NULL",
            (ts(now), channel, external_id),
        )
        return changed > 0

    async def reachable_again(self, channel: str, external_id: str) -> bool:
        """The account wrote to us again: pushes may go to it; True when it was unreachable."""
        changed = await self._run(
            "UPDATE bindings SET unreachable_at = NULL WHERE channel = ? AND external_id = ? "
            "AND unreachable_at IS NOT NULL",
            (channel, external_id),
        )
        return changed > 0
