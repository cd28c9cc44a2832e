"""Who runs next: at most N updates at once, one at a time per account, in the order they came.

PTB's BaseUpdateProcessor takes one of its own slots *before* it calls do_process_update, so a
processor that queues an account behind its own earlier updates there lets a chatty account
sit on slots while it waits for itself: 40 messages from one member held all 8 slots and
everyone else's 签到 waited 32 s behind them. Here PTB's bound is set out of reach and the
real one is taken only once an update's turn has come in its own account's line: waiting for
one's own turn costs no slot, so a busy account delays the others by at most one update.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

UNBOUNDED = sys.maxsize  # PTB's own semaphore: never the one that waits


class PerChatProcessor(BaseUpdateProcessor):
    """At most `concurrency` updates at once, and one at a time per account, in order.

    An account's line is an asyncio.Lock (FIFO: waiters are woken in the order they came);
    the shared bound is a semaphore taken inside it, so only the head of each line competes
    for a slot.
    """

    def __init__(self, concurrency: int) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        super().__init__(UNBOUNDED)
        self.concurrency = concurrency
        self._slots = asyncio.Semaphore(concurrency)
        self._lines: dict[int, asyncio.Lock] = {}
        self._queued: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for this account's earlier updates (no slot held), then for a slot, then run."""
        key = account(update)
        if key is None:
            async with self._slots:
                await coroutine
            return
        line = self._lines.setdefault(key, asyncio.Lock())
        self._queued[key] = self._queued.get(key, 0) + 1
        try:
            async with line, self._slots:
                await coroutine
        finally:
            self._queued[key] -= 1
            if not self._queued[key]:
                del self._queued[key], self._lines[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""


def account(update: object) -> int | None:
    """Whose line an update joins: the person's id, else the chat's (None: no line)."""
    if not isinstance(update, Update):
        return None
    if update.effective_user is not None:
        return update.effective_user.id
    return update.effective_chat.id if update.effective_chat else None
