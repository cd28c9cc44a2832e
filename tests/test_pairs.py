"""互助对子 as a living feature (issue #17, item 1), through the real router.

The demo pairs 王秀英 (born 1943) with 张桂兰 (1949); everyone else is unpaired. 刘德明 needs
home delivery and has a lunar birthday. The clock starts on Tuesday 8 December 2026, 08:30.
"""

from __future__ import annotations

from datetime import timedelta

from handlers.pairs.jobs import PairJobs
from tests.conftest import DAUGHTER, Zhibu, add_person, count_rows

BOTH_ENGINES = True  # every `zhibu` test here runs on SQLite and on PostgreSQL

BRANCH = "城关离退休干部党支部"


async def _contacts(z: Zhibu) -> list[tuple[str, str, str, str, str, str]]:
    """(helper, partner, kind, note, day, month) of every recorded contact, oldest first."""
    async with z.app.store.transaction() as tx:
        rows = await tx._all(
            "SELECT m.name, p.name, c.kind, c.note, c.contacted_on, c.month FROM pair_contacts c "
            "JOIN members m ON m.id = c.member_id JOIN members p ON p.id = c.partner_id "
            "ORDER BY c.id")
    return [(r[0], r[1], r[2], r[3], r[4], r[5]) for r in rows]


async def _partner(z: Zhibu, name: str) -> str | None:
    async with z.app.store.transaction() as tx:
        (member,) = await tx.find_members_by_name(name)
        partner = await tx.get_member(member.pair_member_id) if member.pair_member_id else None
    return partner.name if partner else None


async def _pair(z: Zhibu, a: str, b: str) -> None:
    assert "结成互助对子" in await z.text("李建国", f"结对 {a} {b}")
    assert "结成了互助对子" in await z.text("李建国", "确认")


def _nudges(z: Zhibu, name: str) -> list[str]:
    return [text for text in z.sender.to(name) if text.startswith("好久没")]


def _jobs(z: Zhibu) -> PairJobs:
    return PairJobs(z.app.store, z.clock, z.app.config.timezone, "zh-Hans")


# -- 我的对子 -----------------------------------------------------------------------------


async def test_my_pair_as_a_word_a_sentence_and_in_traditional(zhibu: Zhibu) -> None:
    for said in ("我的对子", "我的互助对象是谁", "对子是谁", "我的對子", "对子"):
        reply = await zhibu.text("王秀英", said)
        assert "张桂兰" in reply and "13800000004" in reply, (said, reply)
    assert "还没有互助记录" in await zhibu.text("王秀英", "我的对子")
    assert "王秀英" in await zhibu.text("张桂兰", "谁是我的对子")


async def test_no_partner_gets_a_kind_word_about_the_secretary(zhibu: Zhibu) -> None:
    reply = await zhibu.text("孙福海", "我的对子")
    assert "还没有互助对子" in reply and "书记" in reply
    assert not any(word in reply for word in ("没有找到", "只有支部书记", "不是您这个角色"))


async def test_a_family_member_is_told_the_members_partner(zhibu: Zhibu) -> None:
    await zhibu.bind_daughter()
    assert "刘德明现在还没有互助对子" in await zhibu.text(DAUGHTER, "我的对子")
    await _pair(zhibu, "刘德明", "孙福海")
    reply = await zhibu.text(DAUGHTER, "我爸的对子是谁")
    assert "刘德明的互助对子是孙福海" in reply and "13800000007" in reply


async def test_the_last_contact_shows_in_my_pair_and_me_shows_the_partner(zhibu: Zhibu) -> None:
    await zhibu.text("张桂兰", "昨天给王秀英打了电话")
    await zhibu.text("张桂兰", "确认")
    assert "上次互助：昨天（精神慰藉）" in await zhibu.text("王秀英", "我的对子")
    assert "互助对子：张桂兰，电话 13800000004" in await zhibu.text("王秀英", "我的")
    assert "互助对子" not in await zhibu.text("刘德明", "我的")


async def test_a_traditional_writer_reads_her_partner_in_traditional(zhibu: Zhibu) -> None:
    await _pair(zhibu, "周玉兰", "郑丽华")  # typed in Simplified: the roster has 周玉蘭
    reply = await zhibu.text("周玉蘭", "我的對子")
    assert "互助對子是郑丽华" in reply and "13800000010" in reply


# -- 互助: recording help -------------------------------------------------------------------


async def test_help_is_read_back_and_recorded_on_yes(zhibu: Zhibu) -> None:
    readback = await zhibu.text("王秀英", "今天去看了张桂兰")
    assert "您今天去看了张桂兰（精神慰藉）" in readback and "确认" in readback
    assert await _contacts(zhibu) == []  # nothing before the yes
    assert await zhibu.text("王秀英", "确认") == "记下了，谢谢您对张桂兰的关心。"
    assert await _contacts(zhibu) == [
        ("王秀英", "张桂兰", "comfort", "去看了张桂兰", "2026-12-08", "2026-12")]
    async with zhibu.app.store.transaction() as tx:
        rows = await tx._all("SELECT b.name FROM pair_contacts c "
                             "JOIN branches b ON b.id = c.branch_id")
    assert [r[0] for r in rows] == [BRANCH]


async def test_every_way_of_saying_it_reaches_the_same_read_back(zhibu: Zhibu) -> None:
    said = {
        "给张桂兰打了电话": ("给张桂兰打了电话", "精神慰藉"),
        "帮她买了药": ("帮张桂兰买了药", "生活帮助"),
        "互助 陪张桂兰去了医院": ("陪张桂兰去了医院", "生活帮助"),
        "今天去看了張桂蘭": ("去看了张桂兰", "精神慰藉"),
        "昨天陪张桂兰去了医院": ("陪张桂兰去了医院", "生活帮助"),
        "顺路帮张桂兰取了快递": ("顺路帮张桂兰取了快递", "就近互助"),
        "我去张桂兰家坐了坐": ("去张桂兰家坐了坐", "精神慰藉"),
        "和张桂兰视频了": ("和张桂兰视频了", "精神慰藉"),
    }
    for text, (note, kind) in said.items():
        readback = await zhibu.text("王秀英", text)
        assert note in readback and kind in readback, (text, readback)
        assert "取消" in await zhibu.text("王秀英", "取消")
    assert await _contacts(zhibu) == []


async def test_yesterday_and_a_changed_kind_are_what_is_recorded(zhibu: Zhibu) -> None:
    replies = await zhibu.say("王秀英", "昨天帮她买了菜")
    assert "您昨天帮张桂兰买了菜（生活帮助）" in replies[0].text
    assert "kind:nearby" in [b.data for b in replies[0].buttons]
    again = await zhibu.text("王秀英", button="kind:nearby")
    assert "（就近互助）" in again
    await zhibu.text("王秀英", "对")
    assert await _contacts(zhibu) == [
        ("王秀英", "张桂兰", "nearby", "帮张桂兰买了菜", "2026-12-07", "2026-12")]


async def test_a_correction_changes_the_kind_or_the_day(zhibu: Zhibu) -> None:
    await zhibu.text("张桂兰", "给王秀英打了电话")
    assert "（生活帮助）" in await zhibu.text("张桂兰", "不对，是生活帮助")
    assert "您12月6日（星期日）给王秀英打了电话" in await zhibu.text("张桂兰", "不对，是前天")
    await zhibu.text("张桂兰", "确认")
    assert await _contacts(zhibu) == [
        ("张桂兰", "王秀英", "life", "给王秀英打了电话", "2026-12-06", "2026-12")]


async def test_the_word_alone_asks_what_was_done(zhibu: Zhibu) -> None:
    assert "您为张桂兰做了什么" in await zhibu.text("王秀英", "互助 张桂兰")
    assert "取消" in await zhibu.text("王秀英", "取消")
    assert "您为张桂兰做了什么" in await zhibu.text("王秀英", "互助")
    assert "您今天帮张桂兰打扫了卫生（生活帮助）" in await zhibu.text("王秀英", "帮她打扫了卫生")
    await zhibu.text("王秀英", "1")
    assert [c[2:4] for c in await _contacts(zhibu)] == [("life", "帮张桂兰打扫了卫生")]


async def test_a_cancelled_contact_records_nothing(zhibu: Zhibu) -> None:
    await zhibu.text("王秀英", "今天去看了张桂兰")
    assert "什么也没有记录" in await zhibu.text("王秀英", "取消")
    assert "没有需要确认" in await zhibu.text("王秀英", "确认")
    assert await count_rows(zhibu.app.store, "pair_contacts") == 0


async def test_a_redelivered_yes_records_once(zhibu: Zhibu) -> None:
    await zhibu.text("王秀英", "今天去看了张桂兰")
    first = await zhibu.text("王秀英", "确认", message_id="x")
    second = await zhibu.text("王秀英", "确认", message_id="x")
    assert first == second == "记下了，谢谢您对张桂兰的关心。"
    assert await count_rows(zhibu.app.store, "pair_contacts") == 1


async def test_someone_who_is_not_the_partner_is_not_recorded(zhibu: Zhibu) -> None:
    reply = await zhibu.text("王秀英", "今天去看了孙福海")
    assert "孙福海不是您的互助对子" in reply and "张桂兰" in reply
    assert "没有找到" not in reply
    assert "没有需要确认" in await zhibu.text("王秀英", "确认")
    assert "还没有互助对子" in await zhibu.text("孙福海", "今天去看了张桂兰")
    assert await count_rows(zhibu.app.store, "pair_contacts") == 0


async def test_the_partner_is_not_told(zhibu: Zhibu) -> None:
    await zhibu.text("王秀英", "今天去看了张桂兰")
    await zhibu.text("王秀英", "确认")
    assert zhibu.sender.to("张桂兰") == []


# -- an officer's own partner, heard as 已走访 ---------------------------------------------


async def test_an_officer_visiting_their_partner_records_a_pair_contact(zhibu: Zhibu) -> None:
    await _pair(zhibu, "李建国", "刘德明")
    readback = await zhibu.text("李建国", "今天去看了刘德明")
    assert "您今天去看了刘德明（精神慰藉）" in readback
    await zhibu.text("李建国", "确认")
    assert await _contacts(zhibu) == [
        ("李建国", "刘德明", "comfort", "去看了刘德明", "2026-12-08", "2026-12")]
    assert await count_rows(zhibu.app.store, "visit_tasks") == 0


async def test_an_open_visit_task_keeps_the_sentence_a_visit(zhibu: Zhibu) -> None:
    # 张桂兰 reports her partner 王秀英 in hospital: a visit task for 王秀英
    await zhibu.converse("张桂兰", "住院", "2", "人民医院", "跳过", "今天", "确认")
    assert await count_rows(zhibu.app.store, "visit_tasks") == 1
    await _pair(zhibu, "李建国", "王秀英")
    reply = await zhibu.text("李建国", "今天去看了王秀英")
    assert "精神慰藉" not in reply and "已走访" in reply
    assert await count_rows(zhibu.app.store, "pair_contacts") == 0


async def test_an_officer_visiting_someone_else_is_still_a_visit(zhibu: Zhibu) -> None:
    await _pair(zhibu, "李建国", "刘德明")
    reply = await zhibu.text("李建国", "今天去看了孙福海")
    assert "已走访" in reply and "互助" not in reply
    assert await count_rows(zhibu.app.store, "pair_contacts") == 0


# -- 结对 -----------------------------------------------------------------------------------


async def test_pair_up_reads_back_releases_the_former_partner_and_tells_everyone(
        zhibu: Zhibu) -> None:
    readback = await zhibu.text("李建国", "结对 孙福海 王秀英")
    assert "孙福海 和 王秀英 结成互助对子" in readback
    assert "王秀英原来的对子张桂兰将解除" in readback
    assert await _partner(zhibu, "孙福海") is None  # nothing before the yes
    assert "结成了互助对子" in await zhibu.text("李建国", "确认")
    assert await _partner(zhibu, "孙福海") == "王秀英"
    assert await _partner(zhibu, "王秀英") == "孙福海"
    assert await _partner(zhibu, "张桂兰") is None
    assert zhibu.sender.to("孙福海") == [
        "支部为您安排了互助对子：王秀英，电话 13800000003。平时多联系，互相照应。"]
    assert zhibu.sender.to("王秀英") == [
        "支部为您安排了互助对子：孙福海，电话 13800000007。平时多联系，互相照应。"]
    assert "和王秀英的对子解除了" in zhibu.sender.to("张桂兰")[0]
    async with zhibu.app.store.transaction() as tx:
        rows = await tx._all("SELECT member_id, partner_id, paired_by FROM pairings")
        (audit,) = await tx.audit_entries("pair_up")
    assert len(rows) == 2 and all(r[2] is not None for r in rows)
    assert audit["actor_member_id"] is not None


async def test_pair_up_as_a_sentence_and_in_traditional(zhibu: Zhibu) -> None:
    readback = await zhibu.text("李建国", "让孙福海和吴长林结成对子")
    assert "孙福海 和 吴长林 结成互助对子" in readback
    assert "取消" in await zhibu.text("李建国", "取消")
    assert await _partner(zhibu, "孙福海") is None
    readback = await zhibu.text("李建国", "結對 孫福海 吳長林")
    assert "孙福海" in readback and "吴长林" in readback and "確認" in readback
    await zhibu.text("李建国", "確認")
    assert await _partner(zhibu, "吴长林") == "孙福海"


async def test_pair_up_refuses_what_does_not_fit_and_changes_nothing(zhibu: Zhibu) -> None:
    assert "只找到了孙福海" in await zhibu.text("李建国", "结对 孙福海")
    assert "两位不同的同志" in await zhibu.text("李建国", "结对 孙福海 孙福海")
    assert "没有找到“钱多多”" in await zhibu.text("李建国", "结对 孙福海 钱多多")
    assert "已经是互助对子" in await zhibu.text("李建国", "结对 张桂兰 王秀英")
    assert "要给哪两位同志结对" in await zhibu.text("李建国", "结对")
    assert await _partner(zhibu, "孙福海") is None
    assert await count_rows(zhibu.app.store, "pairings") == 0


async def test_another_branchs_officer_cannot_pair_our_members(zhibu: Zhibu) -> None:
    await add_person(zhibu, "东城书记", "13900000002", "secretary", "东城离退休干部党支部")
    reply = await zhibu.text("东城书记", "结对 孙福海 吴长林")
    assert "没有找到" in reply and "吴长林" not in reply
    assert "没有找到" in await zhibu.text("东城书记", "让孙福海和吴长林结成对子")
    assert "没有需要确认" in await zhibu.text("东城书记", "确认")
    assert await _partner(zhibu, "孙福海") is None
    pairs = await zhibu.text("东城书记", "对子")
    assert "还没有互助对子" in pairs and "王秀英" not in pairs


async def test_a_member_cannot_pair_anyone(zhibu: Zhibu) -> None:
    assert "只有支部书记" in await zhibu.text("王秀英", "结对 孙福海 吴长林")
    assert await _partner(zhibu, "孙福海") is None


# -- 对子: the officers' list -----------------------------------------------------------------


async def test_the_list_puts_silent_pairs_first_and_marks_committee_pairs(zhibu: Zhibu) -> None:
    await _pair(zhibu, "孙福海", "吴长林")
    await _pair(zhibu, "李建国", "刘德明")
    zhibu.clock.advance(timedelta(days=31))
    await zhibu.text("孙福海", "给吴长林打了电话")
    await zhibu.text("孙福海", "确认")
    await zhibu.text("李建国", "给刘德明打了电话")
    await zhibu.text("李建国", "确认")
    for said in ("对子", "对子名单", "对子情况"):
        lines = (await zhibu.text("李建国", said)).splitlines()
        assert lines == [
            f"{BRANCH}的互助对子（3对）：",
            "⚠王秀英 — 张桂兰：还没有联系记录",
            "李建国 — 刘德明（支委结对）：上次1月8日，本月1次",
            "孙福海 — 吴长林：上次1月8日，本月1次",
            "⚠ 表示30天以上没有联系，可以打个电话问问。",
        ], said
    traditional = (await zhibu.text("李建国", "對子名單")).splitlines()
    assert traditional[1].startswith("⚠王秀英") and "支委結對" in traditional[2]


async def test_an_instructor_names_the_branch_of_the_list(zhibu: Zhibu) -> None:
    assert "要看哪一个" in await zhibu.text("赵志刚", "对子")
    reply = await zhibu.text("赵志刚", "2")
    assert f"{BRANCH}的互助对子（1对）" in reply and "王秀英 — 张桂兰" in reply
    assert "王秀英 — 张桂兰" in await zhibu.text("赵志刚", "对子 城关")


# -- the nudge of a silent pair ---------------------------------------------------------------


async def test_a_silent_pair_is_nudged_once_per_silence(zhibu: Zhibu) -> None:
    jobs = _jobs(zhibu)
    zhibu.clock.advance(timedelta(days=29))
    assert await jobs.nudge_silent_pairs() == 0
    zhibu.clock.advance(timedelta(days=1))  # 30 days since the pair was made
    assert await jobs.nudge_silent_pairs() == 1
    assert await jobs.nudge_silent_pairs() == 0  # the scheduler may run it twice
    assert await _jobs(zhibu).nudge_silent_pairs() == 0  # a restart
    zhibu.clock.advance(timedelta(days=10))
    assert await jobs.nudge_silent_pairs() == 0  # still the same silence
    await zhibu.app.dispatcher.run_once()
    # 张桂兰 (born 1949) is younger than 王秀英 (1943): she is asked to reach out
    assert zhibu.sender.to("张桂兰") == [
        "好久没和王秀英联系了，有空打个电话问个好吧。联系过了就告诉我：给王秀英打了电话"]
    assert zhibu.sender.to("王秀英") == []
    # she does as the nudge says; a new silence of 30 days brings one new nudge
    await zhibu.text("张桂兰", "给王秀英打了电话")
    await zhibu.text("张桂兰", "确认")
    zhibu.clock.advance(timedelta(days=29))
    assert await jobs.nudge_silent_pairs() == 0
    zhibu.clock.advance(timedelta(days=1))
    assert await jobs.nudge_silent_pairs() == 1
    assert await jobs.nudge_silent_pairs() == 0
    assert await count_rows(zhibu.app.store, "pair_nudges") == 2


async def test_the_nudge_goes_to_the_officer_or_the_one_who_gets_about(zhibu: Zhibu) -> None:
    await _pair(zhibu, "刘德明", "孙福海")  # 刘德明 needs home delivery (lunar birthday)
    await _pair(zhibu, "郑丽华", "李建国")  # 李建国 is the secretary, older than 郑丽华
    zhibu.clock.advance(timedelta(days=30))
    assert await _jobs(zhibu).nudge_silent_pairs() == 3
    await zhibu.app.dispatcher.run_once()
    assert [text[:10] for text in _nudges(zhibu, "孙福海")] == ["好久没和刘德明联系了"]
    assert [text[:10] for text in _nudges(zhibu, "李建国")] == ["好久没和郑丽华联系了"]
    assert _nudges(zhibu, "刘德明") == _nudges(zhibu, "郑丽华") == []


async def test_a_pair_that_was_in_touch_is_not_nudged(zhibu: Zhibu) -> None:
    zhibu.clock.advance(timedelta(days=20))
    await zhibu.text("王秀英", "今天去看了张桂兰")
    await zhibu.text("王秀英", "确认")
    zhibu.clock.advance(timedelta(days=20))  # 40 days paired, 20 since the visit
    assert await _jobs(zhibu).nudge_silent_pairs() == 0
