"""通知: a secretary's notice reaches every member of the branch once, after a read-back."""

from __future__ import annotations

from tests.conftest import Zhibu, count_rows

BOTH_ENGINES = True  # every `zhibu` test here runs on SQLite and on PostgreSQL

BRANCH = "城关离退休干部党支部"
NOTICE = "今天的学习改到下午两点，地点不变。"
PUSHED = f"【{BRANCH}通知】\n{NOTICE}\n——李建国"


async def _audits(zhibu: Zhibu, action: str) -> int:
    async with zhibu.app.store.transaction() as tx:
        row = await tx._one("SELECT COUNT(*) AS n FROM audit_log WHERE action = ?", (action,))
    return int(row["n"]) if row else 0


async def test_a_notice_is_read_back_then_reaches_every_member_once(zhibu: Zhibu) -> None:
    readback = await zhibu.text("李建国", f"通知 {NOTICE}")
    assert readback.startswith(f"将把下面这条通知发给{BRANCH}8位同志：\n{NOTICE}")
    assert await count_rows(zhibu.app.store, "outbox") == 0  # nothing before 确认

    done = await zhibu.text("李建国", "确认", message_id="ok")
    assert done == f"已发出：{BRANCH}8位同志会收到这条通知。"
    await zhibu.text("李建国", "确认", message_id="ok")  # the same message redelivered

    await zhibu.app.dispatcher.run_once(limit=100)
    assert zhibu.sender.to("王秀英") == [PUSHED]
    assert zhibu.sender.to("周玉蘭") == [PUSHED]
    assert zhibu.sender.to("李建国") == []  # not to the sender
    assert len([text for _, text in zhibu.sender.sent if text == PUSHED]) == 8
    assert await _audits(zhibu, "broadcast") == 1


async def test_without_the_text_it_is_asked_for_and_cancel_sends_nothing(zhibu: Zhibu) -> None:
    assert "请发来要通知" in await zhibu.text("李建国", "通知")
    assert "将把下面这条通知" in await zhibu.text("李建国", "明天停水，学习照常。")
    assert "取消" in await zhibu.text("李建国", "取消")
    await zhibu.app.dispatcher.run_once(limit=100)
    assert zhibu.sender.sent == []
    assert await count_rows(zhibu.app.store, "outbox") == 0


async def test_a_changed_text_is_read_back_again_before_it_is_sent(zhibu: Zhibu) -> None:
    await zhibu.text("李建国", "通知 明天停水")
    assert "明天下午停水" in await zhibu.text("李建国", "明天下午停水")
    await zhibu.text("李建国", "1")  # the 确认 button's number
    await zhibu.app.dispatcher.run_once(limit=100)
    assert zhibu.sender.to("王秀英") == [f"【{BRANCH}通知】\n明天下午停水\n——李建国"]


async def test_members_without_a_chat_are_listed_to_phone_and_the_deceased_skipped(
    zhibu: Zhibu,
) -> None:
    async with zhibu.app.store.transaction() as tx:
        [wu] = await tx.find_members_by_name("吴长林")
        [sun] = await tx.find_members_by_name("孙福海")
        await tx._run("DELETE FROM bindings WHERE member_id = ?", (wu.id,))
        await tx.set_status(sun.id, "deceased", zhibu.clock.now())

    assert "发给城关离退休干部党支部6位同志" in await zhibu.text("李建国", f"通知 {NOTICE}")
    done = await zhibu.text("李建国", "确认")
    assert done == (f"已发出：{BRANCH}6位同志会收到这条通知。\n"
                    "这几位没有绑定聊天账号，请电话通知：吴长林")
    await zhibu.app.dispatcher.run_once(limit=100)
    assert zhibu.sender.to("孙福海") == [] and zhibu.sender.to("吴长林") == []


async def test_members_and_other_branches_secretaries_are_refused(zhibu: Zhibu) -> None:
    assert "只有支部书记" in await zhibu.text("王秀英", "通知 明天停水")
    refused = await zhibu.text("李建国", "通知 东城离退休干部党支部 明天停水")
    assert refused == "您只能为自己负责的支部做这件事。"
    assert await _audits(zhibu, "broadcast_denied") == 1
    assert await count_rows(zhibu.app.store, "outbox") == 0


async def test_a_long_notice_is_refused_with_its_length(zhibu: Zhibu) -> None:
    answer = await zhibu.text("李建国", "通知 " + "学" * 1001)
    assert answer == "通知太长了（1001字），请控制在1000字以内，再发一次。"
    assert "将把下面这条通知" in await zhibu.text("李建国", "短一点的通知")
