"""Every cell of handlers/permissions.py, through the real router (issue #14).

Speakers: a stranger, 刘德明's daughter (family), 王秀英 (member), 李建国 (城关's secretary),
赵志刚 (instructor of 城关 and 东城), 钱主任 (admin), and two who do not reach 城关: 东城书记
(secretary of 东城) and 东城指导员 (instructor of 东城 only). Each word is tried on 城关's
people and records: 孙福海 by name, 王秀英's visit task, 刘德明's delivery. 东城 has a 陈淑珍
of its own (a homonym; which one an officer reaches is tested in tests/test_trust.py). A cell
is right when the answer is what the table promises: the binding hint, "secretaries only",
an answer that reads exactly like "no such" (out of reach), or the word's work.
docs/security.md must show the same table.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.understanding import Intent
from handlers.permissions import PERMISSIONS, Reach, Role, table_markdown
from tests.conftest import Zhibu, add_person

ROOT = Path(__file__).resolve().parent.parent
SPEAKERS: dict[str, Role] = {
    "陌生人": Role.STRANGER, "刘德明的女儿": Role.FAMILY, "王秀英": Role.MEMBER,
    "李建国": Role.SECRETARY, "赵志刚": Role.INSTRUCTOR, "钱主任": Role.ADMIN,
    "东城书记": Role.SECRETARY, "东城指导员": Role.INSTRUCTOR,
}
OUT_OF_CHENGGUAN = {"东城书记", "东城指导员"}
# The words that act on the speaker's own branch without naming anyone.
OWN_BRANCH_WORDS = {Intent.VISITS, Intent.DELIVERIES, Intent.ATTENDANCE, Intent.BROADCAST,
                    Intent.PAIRS, Intent.ACTIVITY, Intent.HOURS, Intent.PIECES, Intent.THEME,
                    Intent.DIGEST}
SAMPLES = {
    Intent.CHECKIN: "签到", Intent.LEAVE: "请假", Intent.NEXT: "学习日", Intent.ME: "我的",
    Intent.MATERIAL: "资料", Intent.DELIVERY: "送学", Intent.RECEIVED: "收到",
    Intent.HELP: "帮助", Intent.MENU: "菜单", Intent.CONTACT: "书记电话",
    Intent.CALLBACK: "请书记回电话", Intent.HOSPITAL: "住院 孙福海 人民医院",
    Intent.DISCHARGE: "出院 孙福海", Intent.HARDSHIP: "困难 孙福海 老伴瘫痪",
    Intent.DELIVERED: "已送达 {delivery}", Intent.VISITS: "待访", Intent.DELIVERIES: "送学单",
    Intent.ATTENDANCE: "出勤", Intent.PROXY: "代签 孙福海 腿脚不便",
    Intent.BROADCAST: "通知 明天上午学习", Intent.REPORT: "报表 城关离退休干部党支部",
    Intent.INVITE: "邀请 孙福海", Intent.WORRY: "思想 孙福海 情绪低落",
    Intent.DEATH: "去世 孙福海", Intent.ACCEPT: "接受 {task}", Intent.VISITED: "已走访 {task}",
    Intent.ADOPT: "采纳 {task}", Intent.GUIDANCE: "指导 城关离退休干部党支部 参加了学习日",
    Intent.MEETING: "开会 城关离退休干部党支部 党课",
    Intent.RESCHEDULE: "改期 城关离退休干部党支部",
    Intent.MY_PAIR: "我的对子", Intent.PAIRS: "对子", Intent.PAIR_UP: "结对 孙福海 吴长林",
    Intent.PAIR_CONTACT: "互助 今天去看了张桂兰", Intent.ACTIVITY: "活动",
    Intent.ACTIVITIES: "我的活动", Intent.SIGNUP: "报名", Intent.UNSIGN: "取消报名",
    Intent.HOURS: "时长 2小时", Intent.JOIN_GROUP: "加入 书法组", Intent.QUIT_GROUP: "退出 书法组",
    Intent.SUBMIT: "投稿", Intent.PIECES: "稿件", Intent.THEME: "征文主题",
    Intent.DIGEST: "简报", Intent.LIKE: "点赞 孙福海 帮邻居买菜",
    Intent.ANSWER: "答复 {advice} 谢谢您的建议，已经安排",
}
_REFUSED = ("只有支部书记", "不是您这个角色用的")
_UNBOUND = "请输入支部书记给您的8位绑定码"
_OUT_OF_REACH = ("没有找到", "没有您能", "没有交给您", "您只能为自己负责的支部")


def test_every_word_has_a_row_and_a_sample() -> None:
    assert set(SAMPLES) == set(PERMISSIONS)
    for cells in PERMISSIONS.values():
        assert set(cells) == set(Role) and cells[Role.STRANGER] is Reach.NO


def test_docs_security_shows_the_table_in_the_code() -> None:
    doc = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    assert table_markdown() in doc, "regenerate it: python -m handlers.permissions"


async def _world(zhibu: Zhibu) -> dict[str, int]:
    """东城's people (a homonym among them), a visit task and a delivery in 城关."""
    await add_person(zhibu, "东城书记", "13900000002", "secretary", "东城离退休干部党支部")
    await add_person(zhibu, "东城指导员", "13900000012", "instructor", "东城离退休干部党支部")
    await add_person(zhibu, "陈淑珍", "13900000010", "member", "东城离退休干部党支部")
    await zhibu.bind_daughter()
    await zhibu.converse("张桂兰", "住院", "2", "人民医院", "跳过", "今天", "确认")
    await zhibu.say("李建国", "资料 发布 十二月学习要点：学习全会精神。")
    await zhibu.say("李建国", "确认")
    async with zhibu.app.store.transaction() as tx:
        (wang,) = await tx.find_members_by_name("王秀英")
        (liu,) = await tx.find_members_by_name("刘德明")
        (task,) = [t for t in await tx.tasks(None, unfinished=True) if t.member_id == wang.id]
        (delivery,) = [d for d in await tx.open_deliveries(None) if d.member_id == liu.id]
        (sun,) = await tx.find_members_by_name("孙福海")
        advice = await tx.add_submission(sun.branch_id, sun.id, "advice",
                                         "活动室冬天太冷，能否装空调", "2026-12",
                                         zhibu.clock.now())
    zhibu.sender.sent.clear()
    return {"task": task.id, "delivery": delivery.id, "advice": advice}


def _expected(who: str, intent: Intent) -> str:
    role = SPEAKERS[who]
    reach = PERMISSIONS[intent][role]
    if role is Role.STRANGER:
        return "unbound"
    if reach is Reach.NO:
        return "refused"
    if reach is Reach.ASSIGNED:  # 刘德明's delivery was given to nobody yet
        return "out of reach"
    if reach in (Reach.OVERSEEN, Reach.ALL) and who in OUT_OF_CHENGGUAN:
        return "done" if intent in OWN_BRANCH_WORDS else "out of reach"
    return "done"


def _outcome(reply: str) -> str:
    if any(marker in reply for marker in _REFUSED):
        return "refused"
    if any(marker in reply for marker in _OUT_OF_REACH):
        return "out of reach"
    if _UNBOUND in reply:
        return "unbound"
    return "done"


@pytest.mark.parametrize("intent", list(SAMPLES), ids=lambda i: i.value)
@pytest.mark.parametrize("who", list(SPEAKERS))
async def test_the_table_holds_for_every_speaker_and_word(
        zhibu: Zhibu, who: str, intent: Intent) -> None:
    ids = await _world(zhibu)
    sent = SAMPLES[intent].format(**ids)
    reply = await zhibu.text(who, sent)
    assert _outcome(reply) == _expected(who, intent), reply
    if who in OUT_OF_CHENGGUAN:  # nothing of 城关's people reaches another branch's officers
        others = [n for n in ("孙福海", "刘德明", "张桂兰", "王秀英") if n not in sent]
        assert not any(name in reply for name in others), reply
