"""Officer words about a branch: named whole, by a part, by a number from the list, or asked.

The demo's instructor 赵志刚 oversees 城关 and 东城; its secretary 李建国 has 城关 only.
"""

from __future__ import annotations

from tests.conftest import Zhibu

BOTH_ENGINES = True  # every `zhibu` test here runs on SQLite and on PostgreSQL

CHENGGUAN = "城关离退休干部党支部"


async def _another_branch(z: Zhibu, name: str, member: str) -> None:
    async with z.app.store.transaction() as tx:
        branch, _ = await tx.ensure_branch(name, z.clock.now())
        await tx.set_study_rule(branch.id, "每月第二个星期二 09:00")
        from storage import MemberData

        await tx.upsert_member(MemberData(name=member, phone="13912345678", role="member",
                                          home_branch_id=branch.id, birthday=None,
                                          address=None, needs_home_delivery=False,
                                          lives_alone=False, language=None),
                               [branch.id], z.clock.now())


async def test_an_instructor_names_a_branch_by_a_part_of_its_name(zhibu: Zhibu) -> None:
    await zhibu.text("王秀英", "签到")
    reply = await zhibu.text("赵志刚", "出勤 城关")
    assert CHENGGUAN in reply and "实到 1 人：王秀英" in reply


async def test_an_instructor_who_names_none_is_asked_which_and_answers_by_number(
        zhibu: Zhibu) -> None:
    await zhibu.text("王秀英", "签到")
    question = await zhibu.text("赵志刚", "出勤")
    assert "1. 东城离退休干部党支部" in question and f"2. {CHENGGUAN}" in question
    reply = await zhibu.text("赵志刚", "2")
    assert CHENGGUAN in reply and "实到 1 人：王秀英" in reply


async def test_the_list_takes_a_typed_name_and_a_number_in_the_word(zhibu: Zhibu) -> None:
    await zhibu.text("赵志刚", "出勤")
    assert "东城离退休干部党支部还没有定学习日" in await zhibu.text("赵志刚", "东城")
    assert CHENGGUAN in await zhibu.text("赵志刚", "出勤 2")


async def test_a_branch_one_does_not_oversee_is_refused_without_names(zhibu: Zhibu) -> None:
    await _another_branch(zhibu, "西城离退休干部党支部", "钱多多")
    for who, word in [("赵志刚", "出勤 西城"), ("李建国", "出勤 西城离退休干部党支部"),
                      ("李建国", "待访 西城"), ("赵志刚", "报表 西城 本月")]:
        reply = await zhibu.text(who, word)
        assert reply == "您只能为自己负责的支部做这件事。", (who, word, reply)
    async with zhibu.app.store.transaction() as tx:
        denied = await tx._all("SELECT action FROM audit_log WHERE action LIKE '%_denied'")
    assert sorted(r["action"] for r in denied) == [
        "attendance_denied", "attendance_denied", "care_list_denied", "report_denied"]


async def test_a_secretary_needs_no_name_and_the_word_for_every_branch_is_no_name(
        zhibu: Zhibu) -> None:
    await zhibu.text("王秀英", "签到")
    assert CHENGGUAN in await zhibu.text("李建国", "出勤")
    # 支部 is in every branch's name: it names none of them
    assert CHENGGUAN in await zhibu.text("李建国", "出勤 支部")


async def test_an_admin_picks_from_every_branch(zhibu: Zhibu) -> None:
    await _another_branch(zhibu, "西城离退休干部党支部", "钱多多")
    question = await zhibu.text("钱主任", "出勤")
    assert "西城离退休干部党支部" in question
    reply = await zhibu.text("钱主任", "西城")
    assert "西城离退休干部党支部" in reply and "缺席 1 人：钱多多" in reply


async def _guidance(z: Zhibu) -> list[tuple[str, str, str]]:
    async with z.app.store.transaction() as tx:
        rows = await tx._all("SELECT b.name, g.visited_on, g.note FROM guidance_visits g "
                             "JOIN branches b ON b.id = g.branch_id ORDER BY g.id")
    return [(r[0], r[1], r[2]) for r in rows]


async def test_an_instructor_records_a_guidance_visit_after_a_read_back(zhibu: Zhibu) -> None:
    readback = await zhibu.text("赵志刚", "指导 城关 参加了学习日，讲了党史")
    assert CHENGGUAN in readback and "参加了学习日，讲了党史" in readback
    assert await _guidance(zhibu) == []  # nothing before the yes
    assert "已记录" in await zhibu.text("赵志刚", "确认")
    assert await _guidance(zhibu) == [(CHENGGUAN, "2026-12-08", "参加了学习日，讲了党史")]


async def test_a_dictated_sentence_names_the_branch_before_the_word(zhibu: Zhibu) -> None:
    readback = await zhibu.text("赵志刚", "去城关指导了，讲了党课")
    assert CHENGGUAN in readback and "内容：讲了党课" in readback
    await zhibu.text("赵志刚", "对")
    assert await _guidance(zhibu) == [(CHENGGUAN, "2026-12-08", "讲了党课")]


async def test_a_guidance_visit_step_by_step_the_way_it_is_dictated(zhibu: Zhibu) -> None:
    assert "1. 东城离退休干部党支部" in await zhibu.text("赵志刚", "指导")
    assert "做了些什么" in await zhibu.text("赵志刚", "2")
    assert "帮助支部整理了党员名册" in await zhibu.text("赵志刚", "帮助支部整理了党员名册")
    await zhibu.text("赵志刚", "好的")
    assert await _guidance(zhibu) == [(CHENGGUAN, "2026-12-08", "帮助支部整理了党员名册")]


async def test_guidance_is_the_instructors_word_and_thanks_are_not_a_record(
        zhibu: Zhibu) -> None:
    assert await zhibu.text("李建国", "指导 城关 讲了党课") == (
        "“指导”不是您这个角色用的功能（代签、邀请归支部书记，指导归指导员）。")
    assert "东城" not in await zhibu.text("王秀英", "谢谢书记指导")
    assert await _guidance(zhibu) == []
