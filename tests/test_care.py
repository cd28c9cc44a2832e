"""五必访 end to end: reports become visit tasks, alerts, escalations and a record."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path

from bot.core.clock import FakeClock
from handlers.care.jobs import CareJobs
from storage.repo_care import VisitTask
from tests.conftest import SHANGHAI, STUDY_DAY_MORNING, Zhibu, add_person, open_zhibu

BOTH_ENGINES = True  # every `zhibu` test here runs on SQLite and on PostgreSQL

BRANCH = "城关离退休干部党支部"


async def tasks_of(z: Zhibu) -> list[VisitTask]:
    async with z.app.store.transaction() as tx:
        return await tx.tasks(None, unfinished=False)


async def report_own_stay(z: Zhibu, who: str = "王秀英", *, tell_partner: bool = True) -> str:
    """住院 → 我自己 → hospital → ward → 今天 → partner → 确认; returns the final reply."""
    await z.text(who, "住院")
    await z.text(who, "1")
    await z.text(who, "人民医院")
    await z.text(who, "3病区12床")
    readback = await z.text(who, "今天")
    if "互助对象" in readback and "可以告诉" in readback:
        readback = await z.text(who, "1" if tell_partner else "2")
    assert "确认吗" in readback
    return await z.text(who, "确认")


async def test_own_hospitalisation_makes_one_task_and_alerts_each_secretary(zhibu: Zhibu) -> None:
    await add_person(zhibu, "马书记", "13900000001", "secretary", BRANCH)
    reply = await report_own_stay(zhibu)
    assert "已通知：李建国、马书记" in reply and "也已请张桂兰去看看" in reply
    (task,) = await tasks_of(zhibu)
    assert task.kind == "hospitalisation" and task.status == "open"
    assert task.due_at == zhibu.clock.now() + timedelta(days=3)
    for secretary in ("李建国", "马书记"):
        (alert,) = zhibu.sender.to(secretary)
        assert "王秀英住院了：人民医院 3病区12床" in alert and "报告人：本人" in alert
    labels = [[b["data"] for b in buttons] for buttons in zhibu.sender.buttons]
    assert [f"接受 #{task.id}", f"已走访 #{task.id}"] in labels
    (partner_note,) = zhibu.sender.to("张桂兰")
    assert "王秀英住院了" in partner_note
    assert "人民医院" not in partner_note and "病区" not in partner_note


async def test_the_readback_comes_before_anything_is_recorded(zhibu: Zhibu) -> None:
    await zhibu.text("王秀英", "住院 人民医院")
    await zhibu.text("王秀英", "跳过")
    readback = await zhibu.text("王秀英", "昨天")
    readback = await zhibu.text("王秀英", "2") if "可以告诉" in readback else readback
    assert "王秀英，住在人民医院，昨天入院。" in readback
    assert await tasks_of(zhibu) == []
    assert "已取消" in await zhibu.text("王秀英", "取消")
    assert await tasks_of(zhibu) == [] and zhibu.sender.sent == []


async def test_leaving_midway_by_silence_records_nothing(zhibu: Zhibu) -> None:
    await zhibu.text("王秀英", "住院")
    await zhibu.text("王秀英", "1")
    zhibu.clock.advance(timedelta(minutes=31))
    assert "要接着登记住院吗" in await zhibu.text("王秀英", "人民医院")
    assert "已取消" in await zhibu.text("王秀英", "不用了")
    assert await tasks_of(zhibu) == []


async def test_a_restart_in_the_middle_resumes_the_report(tmp_path: Path) -> None:
    clock = FakeClock(STUDY_DAY_MORNING)
    first = await open_zhibu(tmp_path / "z.db", clock, fresh=True)
    await first.text("王秀英", "住院")
    await first.text("王秀英", "1")
    await first.app.close()
    second = await open_zhibu(tmp_path / "z.db", clock, fresh=False)
    try:
        assert "病区" in await second.text("王秀英", "中心医院")
        await second.text("王秀英", "跳过")
        await second.text("王秀英", "今天")
        await second.text("王秀英", "2")
        assert "已记下" in await second.text("王秀英", "确认")
        assert len(await tasks_of(second)) == 1
    finally:
        await second.app.close()


async def test_a_second_report_of_the_same_stay_adds_to_the_open_task(zhibu: Zhibu) -> None:
    await report_own_stay(zhibu)
    await zhibu.text("张桂兰", "住院 王秀英 人民医院")
    await zhibu.text("张桂兰", "5病区3床")
    await zhibu.text("张桂兰", "今天")
    reply = await zhibu.text("张桂兰", "确认")
    assert "会请书记核实" in reply  # the partner adds; only the secretary changes the record
    assert len(await tasks_of(zhibu)) == 1
    update = zhibu.sender.to("李建国")[-1]
    assert "【补充，待核实】王秀英：张桂兰（互助对象）说在人民医院 5病区3床" in update


async def test_a_member_reports_for_their_pair_partner(zhibu: Zhibu) -> None:
    await zhibu.text("张桂兰", "住院")
    await zhibu.text("张桂兰", "2")  # 互助对象王秀英
    await zhibu.text("张桂兰", "人民医院")
    await zhibu.text("张桂兰", "跳过")
    assert "王秀英，住在人民医院，今天入院" in await zhibu.text("张桂兰", "今天")
    await zhibu.text("张桂兰", "确认")
    (task,) = await tasks_of(zhibu)
    assert "报告人：张桂兰（互助对象）" in zhibu.sender.to("李建国")[0]
    async with zhibu.app.store.transaction() as tx:
        (wang,) = await tx.find_members_by_name("王秀英")
    assert task.member_id == wang.id


async def test_a_family_member_reports_for_the_member_only(zhibu: Zhibu) -> None:
    await zhibu.bind_daughter()
    assert "住在哪家医院" in await zhibu.text("刘德明的女儿", "住院")
    await zhibu.text("刘德明的女儿", "中医院")
    await zhibu.text("刘德明的女儿", "跳过")
    await zhibu.text("刘德明的女儿", "前天")
    assert "已记下" in await zhibu.text("刘德明的女儿", "确认")
    assert "报告人：刘德明的女儿" in zhibu.sender.to("李建国")[0]


async def test_a_stranger_cannot_report_anything(zhibu: Zhibu) -> None:
    assert "绑定码" in await zhibu.text("陌生人", "住院")
    assert "绑定码" in await zhibu.text("陌生人", "去世 王秀英")
    assert await tasks_of(zhibu) == []


async def test_accept_shows_the_taker_and_visited_closes_the_task(zhibu: Zhibu) -> None:
    await add_person(zhibu, "马书记", "13900000001", "secretary", BRANCH)
    await report_own_stay(zhibu)
    (task,) = await tasks_of(zhibu)
    assert "您已接受走访任务" in await zhibu.text("李建国", button=f"接受 #{task.id}")
    edits = [text for who, _, text in zhibu.sender.edits if who == "马书记"]
    assert edits and "李建国已接受" in edits[-1]
    assert "已由李建国接受" in await zhibu.text("马书记", f"接受 {task.id}")
    await zhibu.text("李建国", f"已走访 #{task.id}")
    await zhibu.text("李建国", "今天")
    await zhibu.text("李建国", "精神不错")
    assert "已记录走访" in await zhibu.text("李建国", "确认")
    (done,) = await tasks_of(zhibu)
    assert done.status == "done" and done.note == "精神不错"
    assert "李建国已走访" in zhibu.sender.edits[-1][2]
    assert "最近走访" in await zhibu.text("王秀英", "我的")
    assert "现在没有待走访" in await zhibu.text("李建国", "待访")


async def test_others_cannot_see_or_act_on_the_task_and_each_try_is_audited(
    zhibu: Zhibu,
) -> None:
    await add_person(zhibu, "东城书记", "13900000002", "secretary", "东城离退休干部党支部")
    await report_own_stay(zhibu)
    (task,) = await tasks_of(zhibu)
    assert f"没有您能处理的{task.id}号走访任务" in await zhibu.text("东城书记", f"接受 #{task.id}")
    assert "现在没有待走访" in await zhibu.text("东城书记", "待访")
    assert "只有支部书记" in await zhibu.text("孙福海", f"已走访 #{task.id}")  # not a member's word
    assert "只有支部书记" in await zhibu.text("孙福海", "待访")
    assert "绑定码" in await zhibu.text("陌生人", f"接受 #{task.id}")
    async with zhibu.app.store.transaction() as tx:
        denied = await tx.audit_entries("care_denied")
        words = await tx.audit_entries("word_denied")
        assert (await tx.get_task(task.id)) == task
    assert len(denied) == 1 and len(words) == 2  # 东城书记's 接受; 孙福海's 已走访 and 待访
    assert "#1 王秀英 · 住院" in await zhibu.text("赵志刚", "待访")  # the instructor sees it


async def test_escalation_steps_happen_once_each_across_restarts(tmp_path: Path) -> None:
    clock = FakeClock(STUDY_DAY_MORNING)
    path = tmp_path / "z.db"
    z = await open_zhibu(path, clock, fresh=True)
    await report_own_stay(z)
    sent = z.sender

    async def tick(hours: float) -> Zhibu:
        nonlocal z
        clock.advance(timedelta(hours=hours))
        await z.app.close()  # a restart between every step
        z = await open_zhibu(path, clock, fresh=False)
        z.sender.sent = sent.sent
        jobs = CareJobs(z.app.store, clock, z.app.config.timezone, "zh-Hans")
        for _ in range(2):  # the scheduler may run a job more than once
            await jobs.send_escalations()
        await z.app.dispatcher.run_once()
        return z

    await tick(23)
    assert len(sent.to("李建国")) == 1
    await tick(2)   # 25 h: one repeat to the secretary
    assert len(sent.to("李建国")) == 2 and "还没人接受" in sent.to("李建国")[1]
    assert sent.to("赵志刚") == []
    await tick(48)  # 73 h: past the 3-day due date -> the instructor
    assert len(sent.to("赵志刚")) == 1 and "到期还没走访" in sent.to("赵志刚")[0]
    assert sent.to("钱主任") == []
    await tick(72)  # 145 h: twice the due time -> the admin
    assert len(sent.to("钱主任")) == 1
    await tick(24)
    assert (len(sent.to("李建国")), len(sent.to("赵志刚")), len(sent.to("钱主任"))) == (2, 1, 1)
    await z.app.close()


async def test_taking_the_task_stops_the_repeat_to_secretaries(zhibu: Zhibu) -> None:
    await report_own_stay(zhibu)
    (task,) = await tasks_of(zhibu)
    await zhibu.text("李建国", f"接受 {task.id}")
    zhibu.clock.advance(timedelta(hours=30))
    jobs = CareJobs(zhibu.app.store, zhibu.clock, zhibu.app.config.timezone, "zh-Hans")
    assert await jobs.send_escalations() == 0


async def test_discharge_closes_the_stay_and_schedules_a_follow_up(zhibu: Zhibu) -> None:
    await report_own_stay(zhibu)
    await zhibu.text("王秀英", "出院")
    assert "出院了" in await zhibu.text("王秀英", "1")
    await zhibu.text("王秀英", "确认")
    follow_up = [t for t in await tasks_of(zhibu) if t.kind == "discharge"]
    assert len(follow_up) == 1
    assert follow_up[0].due_at == zhibu.clock.now() + timedelta(days=7)
    async with zhibu.app.store.transaction() as tx:
        assert await tx.hospitalised_member_ids() == set()


async def test_worry_is_for_officers_only(zhibu: Zhibu) -> None:
    assert "只有支部书记" in await zhibu.text("王秀英", "思想 张桂兰 情绪低落")
    assert "情绪低落" in await zhibu.text("李建国", "思想 张桂兰 情绪低落")
    await zhibu.text("李建国", "确认")
    (task,) = await tasks_of(zhibu)
    assert task.kind == "worry"
    assert zhibu.sender.to("张桂兰") == [] and zhibu.sender.to("王秀英") == []


async def test_a_deceased_member_receives_nothing_and_is_not_expected(zhibu: Zhibu) -> None:
    await zhibu.text("李建国", "去世 孙福海")
    await zhibu.text("李建国", "确认")
    (task,) = await tasks_of(zhibu)
    assert task.kind == "death"
    assert "应到 8 人" in await zhibu.text("李建国", "出勤")
    assert "孙福海" not in await zhibu.text("李建国", "出勤")
    await zhibu.text("李建国", "代签 孙福海 测试")
    assert "账号已停用" in await zhibu.text("孙福海", "签到")
    assert zhibu.sender.to("孙福海") == []


async def test_hardship_reported_by_the_member_alerts_the_secretary(zhibu: Zhibu) -> None:
    assert "什么困难" in await zhibu.text("陈淑珍", "困难")
    await zhibu.text("陈淑珍", "老伴住院，家里没人做饭")
    await zhibu.text("陈淑珍", "确认")
    assert "【家庭困难】陈淑珍：老伴住院，家里没人做饭" in zhibu.sender.to("李建国")[0]


async def test_holiday_visits_for_chongyang_are_made_a_week_before(tmp_path: Path) -> None:
    clock = FakeClock(datetime(2026, 10, 10, 8, 0, tzinfo=SHANGHAI))
    z = await open_zhibu(tmp_path / "z.db", clock, fresh=True)
    try:
        jobs = CareJobs(z.app.store, clock, z.app.config.timezone, "zh-Hans")
        assert await jobs.create_holiday_visits() == 0  # 10 Oct: too early
        clock.advance(timedelta(days=1))  # 11 Oct 2026, seven days before 重阳 (18 Oct)
        assert await jobs.create_holiday_visits() == 4
        assert await jobs.create_holiday_visits() == 0  # once
        async with z.app.store.transaction() as tx:
            names = sorted([(await tx.get_member(t.member_id)).name  # type: ignore[union-attr]
                            for t in await tx.tasks(None)])
        # lives alone, needs home delivery, 80 or older on 18 Oct 2026
        assert names == sorted(["王秀英", "刘德明", "孙福海", "吴长林"])
        await z.app.dispatcher.run_once()
        (digest,) = z.sender.to("李建国")
        assert digest.startswith("【重阳走访】10月18日（星期日）是重阳")
    finally:
        await z.app.close()


async def test_milestone_birthdays_make_a_greeting_visit(tmp_path: Path) -> None:
    # 王秀英 was born 1943-11-02: she turns 85 on 2028-11-02 — not a milestone in 2026 (83)
    clock = FakeClock(datetime(2028, 10, 27, 8, 0, tzinfo=SHANGHAI))
    z = await open_zhibu(tmp_path / "z.db", clock, fresh=True)
    try:
        jobs = CareJobs(z.app.store, clock, z.app.config.timezone, "zh-Hans")
        assert await jobs.create_birthday_visits() == 1
        assert await jobs.create_birthday_visits() == 0
        await z.app.dispatcher.run_once()
        assert "王秀英11月2日（星期四）满85岁" in z.sender.to("李建国")[0]
    finally:
        await z.app.close()


async def test_the_holiday_set_is_configurable_per_branch(tmp_path: Path) -> None:
    clock = FakeClock(datetime(2026, 10, 11, 8, 0, tzinfo=SHANGHAI))
    z = await open_zhibu(tmp_path / "z.db", clock, fresh=True)
    try:
        async with z.app.store.transaction() as tx:
            branch = await tx.find_branch(BRANCH)
            assert branch is not None
            await tx.set_care_settings(branch.id, None, "lives_alone")
        jobs = CareJobs(z.app.store, clock, z.app.config.timezone, "zh-Hans")
        assert await jobs.create_holiday_visits() == 1
        await z.app.dispatcher.run_once()
        assert z.sender.to("李建国")[0].endswith("请在节前走访：王秀英。")
    finally:
        await z.app.close()


async def test_a_visit_can_be_recorded_with_a_photo(zhibu: Zhibu) -> None:
    from bot.core.messages import Attachment, InboundMessage

    await report_own_stay(zhibu)
    (task,) = await tasks_of(zhibu)
    await zhibu.text("李建国", f"已走访 {task.id}")
    await zhibu.text("李建国", "今天")
    photo = InboundMessage(channel="console", sender="李建国", message_id="photo-1",
                           received_at=zhibu.clock.now(), text="送了水果",
                           attachment=Attachment("visit.jpg", "image/jpeg", b"\xff\xd8jpeg"))
    (readback,) = await zhibu.app.router.handle(photo)
    assert "送了水果" in readback.text and "照片已保存" in readback.text
    await zhibu.text("李建国", "确认")
    (done,) = await tasks_of(zhibu)
    assert done.photo is not None
    assert await asyncio.to_thread(Path(done.photo).read_bytes) == b"\xff\xd8jpeg"
