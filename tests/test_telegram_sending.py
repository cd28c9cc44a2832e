"""Pushes and replies on Telegram: alerts edited in place, 429s, 5xx, blocked members, groups."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from storage.models import OutboxRow
from tests.fakes.botapi import TelegramRig, telegram_rig

WANG, LI = 5001, 7001
BUTTONS = [{"label": "接受", "data": "接受 #1"}, {"label": "已走访", "data": "已走访 #1"}]


async def _push(rig: TelegramRig, member_id: int, key: str, body: str, *, kind: str = "alert",
                buttons: list[dict[str, str]] | None = None, ref_key: str | None = None) -> None:
    async with rig.store.transaction() as tx:
        await tx.enqueue(key, member_id, kind, body, rig.clock.now(), buttons=buttons,
                         ref_key=ref_key)
    assert rig.runtime.app is not None
    rig.runtime.app.dispatcher.notify()


def _settled(rows: list[OutboxRow]) -> bool:
    return all(row.state in ("sent", "dead") for row in rows)


async def test_an_alert_sent_with_buttons_is_later_edited_in_place(tmp_path: Path) -> None:
    async with telegram_rig(tmp_path / "z.db") as rig:
        secretary = await rig.bind(LI, "李建国")
        await _push(rig, secretary, "alert:1", "王秀英住院了，请安排走访。", buttons=BUTTONS,
                    ref_key="task:1")
        [alert] = await rig.api.wait_sent(LI)
        assert alert.inline == [("接受", "接受 #1"), ("已走访", "已走访 #1")]
        await _push(rig, secretary, "alert:1:edit", "李建国已接受走访王秀英。", kind="edit",
                    buttons=BUTTONS[1:], ref_key="task:1")
        [edit] = await rig.api.wait_sent(LI, 1, "editMessageText")
        assert edit.params["message_id"] == alert.result["message_id"]
        assert edit.text == "李建国已接受走访王秀英。" and edit.inline == [("已走访", "已走访 #1")]
        assert len(rig.api.sent(LI)) == 1
        rows = await rig.outbox_until(_settled)
        assert [r.state for r in rows] == ["sent", "sent"]


async def test_a_reply_after_a_429_waits_for_retry_after_and_is_delivered_once(
    tmp_path: Path,
) -> None:
    async with telegram_rig(tmp_path / "z.db") as rig:
        await rig.bind(WANG, "王秀英")
        rig.api.flood("sendMessage", retry_after=1, chat_id=WANG)
        [reply] = await rig.say(WANG, "签到")
        assert "签到成功" in reply.text
        tries = [c for c in rig.api.calls if c.method == "sendMessage" and c.chat_id == WANG]
        assert [c.status for c in tries] == [429, 200]
        assert tries[1].at - tries[0].at >= 0.95
        assert await rig.count("check_ins") == 1


async def test_a_push_after_a_429_goes_back_to_the_outbox_and_is_delivered_once(
    tmp_path: Path,
) -> None:
    async with telegram_rig(tmp_path / "z.db") as rig:
        member = await rig.bind(WANG, "王秀英")
        rig.api.flood("sendMessage", retry_after=1, chat_id=WANG)
        await _push(rig, member, "reminder:1", "明天上午九点学习日。")
        [row] = await rig.outbox_until(lambda rows: rows[0].attempts == 1 and
                                       rows[0].state == "pending")
        assert row.last_error == "telegram: flood control"
        assert row.not_before >= rig.clock.now() + timedelta(seconds=1)
        rig.clock.advance(timedelta(seconds=2))
        await rig.outbox_until(_settled)
        [push] = rig.api.sent(WANG)
        assert push.text == "明天上午九点学习日。"
        statuses = [c.status for c in rig.api.calls if c.chat_id == WANG]
        assert statuses == [429, 200]


async def test_server_errors_are_retried_with_backoff(tmp_path: Path) -> None:
    async with telegram_rig(tmp_path / "z.db") as rig:
        await rig.bind(WANG, "王秀英")
        rig.api.fail("sendMessage", 500, "Internal Server Error", chat_id=WANG, times=2)
        [reply] = await rig.say(WANG, "签到")
        assert "签到成功" in reply.text
        statuses = [c.status for c in rig.api.calls if c.method == "sendMessage"]
        assert statuses == [500, 500, 200]


async def test_a_member_who_blocked_the_bot_is_marked_unreachable_and_the_secretary_told(
    tmp_path: Path,
) -> None:
    async with telegram_rig(tmp_path / "z.db") as rig:
        member = await rig.bind(WANG, "王秀英")
        await rig.bind(LI, "李建国")
        rig.api.forbid(WANG)
        await _push(rig, member, "reminder:1", "明天上午九点学习日。")
        [note] = await rig.api.wait_sent(LI)
        assert "王秀英" in note.text and "Telegram上联系不到" in note.text
        rows = await rig.outbox_until(_settled)
        assert [r.state for r in rows] == ["dead", "sent"]
        async with rig.store.transaction() as tx:
            binding = await tx.get_binding("telegram", str(WANG))
        assert binding is not None and binding.unreachable_at is not None


async def test_a_reply_to_a_blocked_member_marks_them_unreachable_once(tmp_path: Path) -> None:
    async with telegram_rig(tmp_path / "z.db") as rig:
        await rig.bind(WANG, "王秀英")
        await rig.bind(LI, "李建国")
        rig.api.forbid(WANG)
        rig.api.message(WANG, "签到")
        rig.api.message(WANG, "学习日")
        [note] = await rig.api.wait_sent(LI)
        assert note.text.startswith("王秀英在Telegram上联系不到了")
        await rig.api.wait_until(
            lambda: len([c for c in rig.api.calls if c.chat_id == WANG]) == 2)
        assert await rig.count("check_ins") == 1
        async with rig.store.transaction() as tx:
            notes = [r for r in await tx.outbox_rows() if r.kind == "unreachable_notice"]
        assert len(notes) == 1


async def test_a_group_that_became_a_supergroup_keeps_its_place(tmp_path: Path) -> None:
    old, new = -100300, -1001234567890123
    async with telegram_rig(tmp_path / "z.db") as rig:
        async with rig.store.transaction() as tx:
            branch = await tx.find_branch("城关离退休干部党支部")
            assert branch is not None
            await tx.set_branch_chat("telegram", str(old), branch.id, "支部群", rig.clock.now())
        rig.api.fail("sendMessage", 400, "Bad Request: group chat was upgraded to a supergroup "
                     "chat", migrate_to=new, chat_id=old)
        assert rig.runtime.telegram is not None
        ref = await rig.runtime.telegram.sender.send(str(old), "本月学习日改到10日。", [])
        [sent] = rig.api.sent(new)
        assert ref == str(sent.result["message_id"]) and sent.text == "本月学习日改到10日。"
        async with rig.store.transaction() as tx:
            [chat] = await tx.branch_chats(branch.id, "telegram")
        assert chat.chat_id == str(new)


async def test_a_long_push_is_split_and_its_buttons_ride_on_the_last_part(
    tmp_path: Path,
) -> None:
    async with telegram_rig(tmp_path / "z.db") as rig:
        assert rig.runtime.telegram is not None
        body = "\n".join(f"第{i}条：学习资料的内容，请仔细阅读。" for i in range(300))
        await rig.runtime.telegram.sender.send(str(LI), body, BUTTONS)
        parts = rig.api.sent(LI)
        assert len(parts) == 2 and all(len(p.text) <= 4096 for p in parts)
        assert "\n".join(p.text for p in parts) == body
        assert not parts[0].inline and parts[1].inline == [(b["label"], b["data"])
                                                          for b in BUTTONS]
