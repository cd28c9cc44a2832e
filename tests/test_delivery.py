"""送学上门: automatic and asked-for requests, assignment, proof of receipt, make-up study."""

from __future__ import annotations

from datetime import timedelta

from storage.repo_delivery import DeliveryRequest
from tests.conftest import Zhibu

BOTH_ENGINES = True  # every `zhibu` test here runs on SQLite and on PostgreSQL

MONTH = "2026-12"
TEXT = "十二月学习要点：学习党的二十届四中全会精神，坚定理想信念，发挥老同志作用。"
LIU_ADDRESS = "城关镇南关村17号"  # 刘德明 is marked 行动不便 in the demo roster


async def publish_text(z: Zhibu) -> None:
    """The secretary publishes December's text material."""
    await z.say("李建国", f"资料 发布 {TEXT}")
    assert "已发布" in await z.text("李建国", "确认")


async def request_of(z: Zhibu, name: str) -> DeliveryRequest | None:
    async with z.app.store.transaction() as tx:
        (member,) = await tx.find_members_by_name(name)
        return await tx.delivery_for(member.id, MONTH)


async def open_requests(z: Zhibu) -> list[DeliveryRequest]:
    async with z.app.store.transaction() as tx:
        return await tx.open_deliveries(None)


async def assign(z: Zhibu, request_id: int, *answers: str) -> str:
    """The secretary assigns a request through 送学单 and its questions."""
    await z.say("李建国", button=f"送学单 #{request_id}")
    replies = [await z.text("李建国", answer) for answer in answers]
    return replies[-1]


async def test_publishing_gives_each_homebound_member_one_request_and_送学_finds_it(
    zhibu: Zhibu,
) -> None:
    await publish_text(zhibu)
    (request,) = await open_requests(zhibu)
    liu = await request_of(zhibu, "刘德明")
    assert liu is not None and liu.id == request.id
    assert liu.reason == "needs_home_delivery" and liu.address == LIU_ADDRESS
    assert any("送学上门" in text for text in zhibu.sender.to("刘德明"))
    again = await zhibu.text("刘德明", "送学")  # the member sees no request number
    assert "已经登记过送学上门，再核对一下" in again and f"#{liu.id}" not in again
    await zhibu.say("刘德明", "1")
    await zhibu.say("刘德明", "1")
    assert "书记李建国会安排" in await zhibu.text("刘德明", "确认")
    (same,) = await open_requests(zhibu)
    assert same.id == liu.id and same.preferred_time == "morning"


async def test_a_member_asks_with_a_readback_and_is_told_who_will_come(zhibu: Zhibu) -> None:
    assert "城关镇新华路5号" in await zhibu.text("陈淑珍", "送学")
    assert "什么时间" in await zhibu.text("陈淑珍", "1")
    readback = await zhibu.text("陈淑珍", "2")
    assert "送到城关镇新华路5号，时间：下午" in readback
    assert await request_of(zhibu, "陈淑珍") is None
    assert "书记李建国会安排同志送来" in await zhibu.text("陈淑珍", "确认")
    request = await request_of(zhibu, "陈淑珍")
    assert request is not None and request.reason == "asked" and not request.address_changed
    (alert,) = zhibu.sender.to("李建国")
    assert "陈淑珍申请2026年12月送学上门" in alert


async def test_a_new_address_is_flagged_for_the_secretary(zhibu: Zhibu) -> None:
    await zhibu.say("陈淑珍", "送学")
    assert "地址" in await zhibu.text("陈淑珍", "地址变了")
    await zhibu.say("陈淑珍", "城关镇幸福路1号")
    await zhibu.say("陈淑珍", "上午")
    await zhibu.say("陈淑珍", "确认")
    listing = await zhibu.text("李建国", "送学单")
    assert "陈淑珍 · 2026年12月 · 城关镇幸福路1号（新地址） · 上午 · 待指派" in listing


async def test_an_address_and_a_time_may_be_typed_instead_of_pressed(zhibu: Zhibu) -> None:
    await zhibu.say("陈淑珍", "送学")
    assert "什么时间" in await zhibu.text("陈淑珍", "城关镇幸福路1号")
    assert "送到城关镇幸福路1号（新地址），时间：下午" in await zhibu.text("陈淑珍", "下午三点以后")


async def test_a_traditional_answer_picks_the_same_choice(zhibu: Zhibu) -> None:
    await zhibu.say("周玉蘭", "送學")
    assert "請寫上要送到的地址" in await zhibu.text("周玉蘭", "地址變了")


async def test_cancelling_a_request_midway_records_nothing(zhibu: Zhibu) -> None:
    await zhibu.say("陈淑珍", "送学")
    await zhibu.say("陈淑珍", "1")
    assert "已取消" in await zhibu.text("陈淑珍", "取消")
    assert await request_of(zhibu, "陈淑珍") is None


async def test_a_hospitalised_member_gets_a_request_for_the_ward(zhibu: Zhibu) -> None:
    async with zhibu.app.store.transaction() as tx:
        (wang,) = await tx.find_members_by_name("王秀英")
        stay = {"hospital": "人民医院", "ward": "3病区12床"}
        await tx.add_care_event(wang.id, "hospitalisation", zhibu.clock.now(), reported_by=None,
                                relation=None, details=stay)
    await publish_text(zhibu)
    request = await request_of(zhibu, "王秀英")
    assert request is not None and request.reason == "hospitalised"
    assert request.address == "人民医院 3病区12床"


async def test_leave_offers_home_delivery_with_one_tap(zhibu: Zhibu) -> None:
    await zhibu.say("陈淑珍", "请假 腿疼")
    (reply,) = await zhibu.say("陈淑珍", "确认")
    assert [(b.label, b.data) for b in reply.buttons] == [("送学上门", "送学")]
    assert "送到哪里" in await zhibu.text("陈淑珍", button="送学")


async def test_leave_for_next_months_study_day_asks_delivery_for_that_month(
    zhibu: Zhibu,
) -> None:
    zhibu.clock.advance(timedelta(days=12))  # 20 December: the next study day is in January
    await zhibu.say("陈淑珍", "请假 腿疼")
    await zhibu.say("陈淑珍", "确认")
    for step in ("送学", "1", "1"):
        await zhibu.say("陈淑珍", step)
    assert "2027年1月学习资料" in await zhibu.text("陈淑珍", "确认")
    async with zhibu.app.store.transaction() as tx:
        (chen,) = await tx.find_members_by_name("陈淑珍")
        assert await tx.delivery_for(chen.id, "2027-01") is not None


async def test_assigning_sends_the_address_to_the_volunteer_and_delivery_counts_as_make_up(
    zhibu: Zhibu,
) -> None:
    await publish_text(zhibu)
    (request,) = await open_requests(zhibu)
    listing, printing = await zhibu.say("李建国", "送学单")  # the files after the commit
    assert f"#{request.id} 刘德明" in listing.text and LIU_ADDRESS in listing.text
    assert [b.data for b in listing.buttons] == [f"送学单 #{request.id}"]
    assert not listing.files and printing.files[0].endswith("大字版.pdf")
    readback = await assign(zhibu, request.id, "其他", "孙福海")
    assert "请孙福海给刘德明送学上门" in readback
    assert "已安排孙福海送" in await zhibu.text("李建国", "确认")
    (task,) = zhibu.sender.to("孙福海")
    assert LIU_ADDRESS in task and "已送达" in task
    assert any("孙福海会给您送" in text for text in zhibu.sender.to("刘德明"))
    address_seen_by = {who for who, text in zhibu.sender.sent if LIU_ADDRESS in text}
    assert address_seen_by <= {"孙福海", "刘德明"}  # the member's own notice names their home
    assert "算作送学补学" in await zhibu.text("孙福海", "已送达")
    zhibu.clock.advance(timedelta(hours=1))  # the session has begun
    attendance = await zhibu.text("李建国", "出勤")
    assert "送学补学 1 人：刘德明" in attendance and "实到 0 人" in attendance
    assert "刘德明" not in attendance.split("缺席")[1]
    assert "送学补学1次" in await zhibu.text("刘德明", "我的")
    assert "没有待送" in await zhibu.text("李建国", "送学单")


async def test_the_pair_partner_is_suggested_first(zhibu: Zhibu) -> None:
    await zhibu.say("王秀英", "送学")
    await zhibu.say("王秀英", "1")
    await zhibu.say("王秀英", "3")
    await zhibu.say("王秀英", "确认")
    request = await request_of(zhibu, "王秀英")
    assert request is not None
    (whom,) = await zhibu.say("李建国", button=f"送学单 #{request.id}")
    assert [b.label for b in whom.buttons] == [
        "1 我自己送", "2 互助对象张桂兰（推荐）", "3 其他同志（写名字）"]
    assert "请张桂兰给王秀英送学上门" in await zhibu.text("李建国", "2")
    await zhibu.say("李建国", "确认")
    assert "城关镇和平街8号1楼" in zhibu.sender.to("张桂兰")[0]


async def test_the_secretary_may_deliver_themself(zhibu: Zhibu) -> None:
    await publish_text(zhibu)
    (request,) = await open_requests(zhibu)
    await assign(zhibu, request.id, "1")
    task = await zhibu.text("李建国", "确认")
    assert "【送学任务】" in task and LIU_ADDRESS in task
    assert "算作送学补学" in await zhibu.text("李建国", f"已送达 {request.id}")


async def test_an_unassigned_request_older_than_three_days_is_flagged(zhibu: Zhibu) -> None:
    await publish_text(zhibu)
    zhibu.clock.advance(timedelta(days=2, hours=23))
    assert "超过3天未指派" not in await zhibu.text("李建国", "送学单")
    zhibu.clock.advance(timedelta(hours=2))
    assert "刘德明 · 2026年12月 · 城关镇南关村17号 · 上午下午都行 · 待指派 · ⚠️超过3天未指派" in (
        await zhibu.text("李建国", "送学单"))
    async with zhibu.app.store.transaction() as tx:
        branch = await tx.find_branch("城关离退休干部党支部")
        assert branch is not None
        (row,) = await tx.delivery_report(branch.id, MONTH, zhibu.clock.now() - timedelta(days=3))
    assert row.member_name == "刘德明" and row.unassigned_overdue


async def test_a_member_cannot_assign_or_mark_deliveries(zhibu: Zhibu) -> None:
    await publish_text(zhibu)
    (request,) = await open_requests(zhibu)
    assert "只有支部书记" in await zhibu.text("王秀英", "送学单")
    assert "只有支部书记" in await zhibu.text("王秀英", f"送学单 {request.id}")
    assert "没有交给您的" in await zhibu.text("王秀英", f"已送达 {request.id}")
    assert "没有要送的" in await zhibu.text("王秀英", "已送达")
    (unchanged,) = await open_requests(zhibu)
    assert unchanged == request
    async with zhibu.app.store.transaction() as tx:
        assert len(await tx.audit_entries("delivery_denied")) == 1


async def test_a_volunteer_can_mark_only_the_deliveries_assigned_to_them(zhibu: Zhibu) -> None:
    await publish_text(zhibu)
    for step in ("送学", "1", "1", "确认"):
        await zhibu.say("陈淑珍", step)
    liu, chen = await open_requests(zhibu)
    await assign(zhibu, liu.id, "其他", "孙福海")
    await zhibu.say("李建国", "确认")
    await assign(zhibu, chen.id, "其他", "吴长林")
    await zhibu.say("李建国", "确认")
    assert "没有交给您的" in await zhibu.text("孙福海", f"已送达 #{chen.id}")
    assert "刘德明的2026年12月学习资料已送到" in await zhibu.text("孙福海", "已送达")
    (left,) = await open_requests(zhibu)
    assert left.id == chen.id and left.status == "assigned"


async def test_the_member_confirms_receipt_with_收到(zhibu: Zhibu) -> None:
    await publish_text(zhibu)
    (request,) = await open_requests(zhibu)
    await assign(zhibu, request.id, "其他", "孙福海")
    await zhibu.say("李建国", "确认")
    assert "已收到" in await zhibu.text("刘德明", "收到")
    done = await request_of(zhibu, "刘德明")
    assert done is not None and done.status == "delivered" and done.proof == "member"
    assert any("刘德明的2026年12月学习资料已送到" in t for t in zhibu.sender.to("孙福海"))
    assert "已经记录送达" in await zhibu.text("孙福海", f"已送达 {request.id}")
    assert "已经在12月8日（星期二）送到了" in await zhibu.text("刘德明", "送学")
    assert "没有等着送来" in await zhibu.text("刘德明", "收到")


async def test_reassigning_tells_the_first_volunteer(zhibu: Zhibu) -> None:
    await publish_text(zhibu)
    (request,) = await open_requests(zhibu)
    await assign(zhibu, request.id, "其他", "孙福海")
    await zhibu.say("李建国", "确认")
    await zhibu.say("李建国", f"送学单 {request.id}")
    await zhibu.say("李建国", "吴长林")
    await zhibu.say("李建国", "确认")
    assert "已改由吴长林送" in zhibu.sender.to("孙福海")[-1]
    assert LIU_ADDRESS in zhibu.sender.to("吴长林")[0]
    assert "没有交给您的" in await zhibu.text("孙福海", f"已送达 {request.id}")
