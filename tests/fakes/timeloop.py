"""An event loop whose clock is virtual: waiting costs no real time, and a stall is a call.

Whenever the loop would wait for its next timer (nothing ready, no I/O), the clock jumps to
that timer instead, so `asyncio.sleep(30)` and a limiter's timers take microseconds and every
instant is exact. `stall(seconds)` moves the clock while nothing runs, as a loop blocked by a
slow call or a GC pause experiences it. For code that paces itself by the loop's clock
(bot/ratelimit.py); it does no real I/O: a loop with nothing scheduled would spin.

The tests under tests/virtual_time/ run on it (that folder's conftest.py hands it to
pytest-asyncio through the pytest_asyncio_loop_factories hook).
"""

from __future__ import annotations

import asyncio
import selectors


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    """A selector event loop on a virtual clock (starts at 1000.0)."""

    def __init__(self) -> None:
        super().__init__()
        self._virtual = 1000.0
        real_select = self._selector.select

        def select(timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
            ready = real_select(0)
            if not ready and timeout is not None and timeout > 0:
                self._virtual += timeout  # the wait passes in no time
            return ready

        self._selector.select = select  # type: ignore[method-assign]

    def time(self) -> float:
        return self._virtual

    def stall(self, seconds: float) -> None:
        """The loop was blocked: the clock moved on, no callback ran meanwhile."""
        self._virtual += seconds
