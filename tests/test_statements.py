"""What a message costs the database, counted in statements (not timed): the check-in path
stays at a fixed, small number of statements whatever the size of the branch."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from tests.conftest import Zhibu


@contextmanager
def statements(z: Zhibu) -> Iterator[list[str]]:
    """Every SQL statement the store's connection runs inside the block."""
    seen: list[str] = []
    z.app.store._db.set_trace_callback(seen.append)
    try:
        yield seen
    finally:
        z.app.store._db.set_trace_callback(None)


def _writes_to(seen: list[str], table: str) -> int:
    return sum(1 for s in seen if s.startswith(("UPDATE", "INSERT")) and f" {table} " in s)


async def test_a_checkin_is_a_fixed_handful_of_statements(zhibu: Zhibu) -> None:
    await zhibu.text("张桂兰", "签到")  # the study session exists from here on
    await zhibu.text("王秀英", "学习日")  # and 王秀英 is known to write Simplified
    with statements(zhibu) as seen:
        assert "签到成功" in await zhibu.text("王秀英", "签到")
    work = [s for s in seen if s not in ("BEGIN IMMEDIATE", "COMMIT")]
    # who is speaking (one query), the branch's calendar (its rules of other kinds and its
    # one-off and moved meetings, one query), the activities open for check-in (one probe of
    # activities_starts, #17), the session, the check-in, the processed message (the
    # outbox's look at due rows after the reply is its own transaction)
    assert _writes_to(work, "check_ins") == 1
    assert _writes_to(work, "processed_messages") == 1
    assert sum(1 for s in work if "FROM processed_messages" in s) == 1  # folded in speaker
    assert len([s for s in work if "outbox" not in s]) == 6


async def test_last_seen_is_written_at_most_once_a_minute(zhibu: Zhibu) -> None:
    await zhibu.text("王秀英", "学习日")
    with statements(zhibu) as seen:
        await zhibu.text("王秀英", "学习日")
        await zhibu.text("王秀英", "帮助")
    assert _writes_to(seen, "bindings") == 0  # the same minute, the same script
    zhibu.clock.advance(timedelta(minutes=1))
    with statements(zhibu) as seen:
        await zhibu.text("王秀英", "帮助")
    assert _writes_to(seen, "bindings") == 1
    async with zhibu.app.store.transaction() as tx:
        binding = await tx.get_binding("console", "王秀英")
    assert binding is not None and binding.last_seen_at == zhibu.clock.now()


async def test_a_change_of_script_is_remembered_at_once(zhibu: Zhibu) -> None:
    await zhibu.text("王秀英", "你好")
    with statements(zhibu) as seen:
        assert "學習日" in await zhibu.text("王秀英", "學習日")
    assert _writes_to(seen, "bindings") == 1
    async with zhibu.app.store.transaction() as tx:
        binding = await tx.get_binding("console", "王秀英")
    assert binding is not None and binding.locale == "zh-Hant"

