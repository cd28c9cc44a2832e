"""The console channel: type as any person, see what everyone receives (the embedded demo)."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable

from bot.core.clock import Clock
from bot.core.i18n import t
from bot.core.messages import InboundMessage, Reply
from bot.outbox import Sender
from bot.router import Router

log = logging.getLogger(__name__)
CHANNEL = "console"


class ConsoleSender(Sender):
    """Pushes are printed under the recipient's name as they arrive."""

    channel = CHANNEL

    def __init__(self, write: Callable[[str], None]) -> None:
        self.write = write
        self._sent = 0

    async def send(
        self, external_id: str, text: str, buttons: list[dict[str, str]]
    ) -> str | None:
        """Print a push for a console persona."""
        self.write(_indent(f"📨 发给 {external_id}：", text))
        self._buttons(buttons)
        self._sent += 1
        return str(self._sent)

    async def edit(
        self, external_id: str, platform_ref: str, text: str, buttons: list[dict[str, str]]
    ) -> None:
        """The console cannot rewrite what it printed: print the new version."""
        self.write(_indent(f"✏️ 更新给 {external_id}：", text))
        self._buttons(buttons)

    def _buttons(self, buttons: list[dict[str, str]]) -> None:
        if buttons:
            self.write("     " + "  ".join(f"[{b['label']}]" for b in buttons))


class ConsoleChannel:
    """Turns typed lines into inbound messages from the current persona."""

    def __init__(self, router: Router, clock: Clock, write: Callable[[str], None]) -> None:
        self.router = router
        self.clock = clock
        self.write = write
        self.persona = ""
        self._ids = itertools.count(1)

    async def say(self, text: str) -> list[Reply]:
        """Send one line as the current persona and print the replies."""
        msg = InboundMessage(channel=CHANNEL, sender=self.persona, text=text,
                             message_id=f"console-{next(self._ids)}",
                             received_at=self.clock.now())
        try:
            replies = await self.router.handle(msg)
        except Exception:  # boundary: the person sees a friendly line, the log keeps the trace
            log.exception("console message failed")
            replies = [Reply(t(self.router.locale, "error"))]
        for reply in replies:
            self.write(_indent("  ↳ ", reply.text))
            if reply.buttons:
                self.write("     " + "  ".join(f"[{b.label}]" for b in reply.buttons))
        return replies


def _indent(head: str, text: str) -> str:
    pad = " " * 5
    lines = text.splitlines() or [""]
    return "\n".join([head + lines[0], *(pad + line for line in lines[1:])])
