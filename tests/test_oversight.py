"""Officer words about a branch: named whole, by a part, by a number from the list, or asked.

The demo's instructor 赵志刚 oversees 城关 and 东城; its secretary 李建国 has 城关 only.
"""

from __future__ import annotations

from tests.conftest import Zhibu

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
