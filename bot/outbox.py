"""The outbox dispatcher: hands queued pushes to the channel that reaches each recipient."""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from bot.clock import Clock
from storage import SqliteStore
from storage.models import Binding, OutboxRow

log = logging.getLogger(__name__)


class SendError(Exception):
    """A push failed; `permanent` means trying again cannot help (blocked, no such user)."""

    def __init__(self, reason: str, *, permanent: bool = False,
                 retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.retry_after = retry_after


class Sender(Protocol):
    """One channel's way of pushing a text to an account."""

    channel: str

    async def send(
        self, external_id: str, text: str, buttons: list[dict[str, str]]
    ) -> str | None:
        """Deliver, returning the platform's id for the message if it has one; or SendError."""

    async def edit(
        self, external_id: str, platform_ref: str, text: str, buttons: list[dict[str, str]]
    ) -> None:
        """Rewrite a message sent before (e.g. an alert after someone acted on it)."""


@dataclass
class DispatchResult:
    """How one pass went."""

    sent: int = 0
    retried: int = 0
    dead: int = 0


class Dispatcher:
    """Claims due rows, sends each through the recipient's channel, records the outcome."""

    def __init__(self, store: SqliteStore, clock: Clock, senders: dict[str, Sender],
                 *, max_attempts: int = 5, base_delay: float = 5.0) -> None:
        self.store = store
        self.clock = clock
        self.senders = senders
        self.max_attempts = max_attempts
        self.base_delay = base_delay

    async def resume(self) -> int:
        """At start-up: rows left in flight by a stopped process go back in the queue."""
        async with self.store.transaction() as tx:
            return await tx.release_inflight()

    async def run_once(self, limit: int = 100) -> DispatchResult:
        """Send what is due now (at most `limit` rows)."""
        result = DispatchResult()
        async with self.store.transaction() as tx:
            rows = await tx.claim_due(self.clock.now(), limit)
        for row in rows:
            await self._deliver(row, result)
        return result

    async def _deliver(self, row: OutboxRow, result: DispatchResult) -> None:
        async with self.store.transaction() as tx:
            bindings = await tx.bindings_for(row.member_id)
        target = _pick(bindings, self.senders)
        if target is None:
            await self._fail(row, "no reachable chat account", permanent=True, result=result)
            return
        try:
            ref = await self._send(row, target)
        except SendError as err:
            await self._fail(row, err.reason, permanent=err.permanent, result=result,
                             retry_after=err.retry_after)
            return
        except Exception:  # boundary: a sender bug must not lose the row
            log.exception("outbox row %s: unexpected send failure", row.id)
            await self._fail(row, "internal error", permanent=False, result=result)
            return
        async with self.store.transaction() as tx:
            await tx.mark_sent(row.id, target.channel, self.clock.now(), target.external_id, ref)
        result.sent += 1

    async def _send(self, row: OutboxRow, target: Binding) -> str | None:
        """Send a row, or for an "edit" row rewrite the message it refers to where we can."""
        sender = self.senders[target.channel]
        if row.kind == "edit" and row.ref_key:
            async with self.store.transaction() as tx:
                earlier = await tx.sent_ref(row.member_id, row.ref_key)
            if earlier and earlier[0] in self.senders:
                channel, external_id, platform_ref = earlier
                await self.senders[channel].edit(external_id, platform_ref, row.body, row.buttons)
                return platform_ref
        return await sender.send(target.external_id, row.body, row.buttons)

    async def _fail(self, row: OutboxRow, reason: str, *, permanent: bool,
                    result: DispatchResult, retry_after: float | None = None) -> None:
        give_up = permanent or row.attempts >= self.max_attempts
        retry_at = None
        if not give_up:
            delay = retry_after or self.base_delay * 2 ** (row.attempts - 1)
            retry_at = self.clock.now() + timedelta(seconds=delay * random.uniform(1.0, 1.25))
        async with self.store.transaction() as tx:
            await tx.mark_failed(row.id, reason, retry_at)
        if give_up:
            result.dead += 1
            log.warning("outbox row %s (%s) is dead: %s", row.id, row.kind, reason)
        else:
            result.retried += 1


def _pick(bindings: list[Binding], senders: dict[str, Sender]) -> Binding | None:
    """The member's own most recent account on a channel we run, else a family member's."""
    return next((b for b in bindings if b.channel in senders), None)
