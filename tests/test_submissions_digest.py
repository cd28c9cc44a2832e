"""The monthly digest (简报) and 点赞 (issue #17, items 3–4): the officer's preview and 发送,
each member once, the job on the 1st, one like per member and piece, 身边点赞, and nothing of
health in a digest. The clock starts at 08:30 on Tuesday 8 December 2026."""

from __future__ import annotations

from datetime import datetime, timedelta

from handlers.submissions.jobs import SubmissionJobs
from storage.repo_submissions import Piece
from tests.conftest import SHANGHAI, Zhibu, add_person, count_rows
from tests.test_submissions import pieces_of, send_photo, submit

BOTH_ENGINES = True  # every `zhibu` test here runs on SQLite and on PostgreSQL

BRANCH = "城关离退休干部党支部"
TITLE = f"【{BRANCH} 2026年12月简报】"
# The active members and secretary whose home branch is 城关 in the demo roster.
READERS = ("李建国", "王秀英", "张桂兰", "刘德明", "陈淑珍", "孙福海", "周玉蘭", "吴长林", "郑丽华")


async def accepted(z: Zhibu, *texts: tuple[str, str]) -> list[Piece]:
    """Pieces sent by (who, text) and accepted by the secretary, in order."""
    for who, text in texts:
        await submit(z, who, text)
    await z.say("李建国", "稿件")
    for _ in texts:
        await z.say("李建国", button="采用")
    return [(await pieces_of(z, who))[0] for who, _ in texts]


def digests_to(z: Zhibu, who: str) -> list[str]:
    return [t for t in z.sender.to(who) if "简报】" in t or "簡報】" in t]


async def test_the_preview_shows_accepted_pieces_only_and_发送_reaches_each_member_once(
        zhibu: Zhibu) -> None:
    await send_photo(zhibu, "王秀英", "我见证 社区新修的路")
    await zhibu.say("王秀英", "可以")
    await zhibu.say("王秀英", "确认")
    await send_photo(zhibu, "刘德明", "我参与 社区义务植树")
    await zhibu.say("刘德明", "不要")
    await zhibu.say("刘德明", "确认")
    await submit(zhibu, "孙福海", "建言献策 活动室冬天太冷")
    await submit(zhibu, "张桂兰", "我参与 社区义诊")
    await zhibu.say("李建国", "稿件")
    for pressed in ("采用", "采用", "上报", "退回", "跳过"):
        await zhibu.say("李建国", button=pressed)
    (preview,) = await zhibu.say("李建国", "简报")
    lines = preview.text.split("\n")
    assert lines[:3] == [TITLE, "1. 王秀英（我见证）：社区新修的路（附照片，可向书记索取）",
                         "2. 刘德明（我参与）：社区义务植树"]
    assert "活动室" not in preview.text and "社区义诊" not in preview.text  # advice, returned
    assert "发送给全支部9位同志吗" in preview.text
    assert [b.label for b in preview.buttons] == ["1 发送", "2 取消"]
    assert digests_to(zhibu, "张桂兰") == []
    zhibu.sender.sent.clear()
    zhibu.sender.buttons.clear()
    assert "2026年12月简报已发给9位同志" in await zhibu.text("李建国", button="发送")
    for who in READERS:
        (digest,) = digests_to(zhibu, who)
        assert "社区新修的路" in digest
    assert await count_rows(zhibu.app.store, "digests") == 1
    # the like buttons came with the push, one per item, as data the router understands
    pushed = [b for (who, text), b in zip(zhibu.sender.sent, zhibu.sender.buttons,
                                          strict=True) if who == "张桂兰" and "简报】" in text]
    assert [[x["data"] for x in row] for row in pushed] == [["点赞 #1", "点赞 #2"]]
    # a second 发送 sends nothing: the preview now says when it went
    assert "已在12月8日（星期二）发出" in await zhibu.text("李建国", "发简报")
    assert len(digests_to(zhibu, "张桂兰")) == 1


async def test_a_second_send_of_the_same_month_does_nothing(zhibu: Zhibu) -> None:
    await accepted(zhibu, ("王秀英", "我见证 社区新修了路"))
    await zhibu.say("李建国", "简报")
    # another officer previewed it too, and presses 发送 after the first
    await zhibu.say("赵志刚", "简报 城关")
    await zhibu.say("李建国", button="发送")
    assert "已经发过了，不会重复发送" in await zhibu.text("赵志刚", button="发送")
    assert len(digests_to(zhibu, "王秀英")) == 1


async def test_nothing_accepted_means_an_empty_preview_without_buttons(zhibu: Zhibu) -> None:
    await submit(zhibu, "王秀英", "我见证 社区新修了路")  # waiting, not accepted
    (reply,) = await zhibu.say("李建国", "简报")
    assert "还没有采用的稿件" in reply.text and reply.buttons == ()
    assert "还没有发过简报" in await zhibu.text("王秀英", "简报")


async def test_a_member_reads_the_latest_digest_with_today_s_counts(zhibu: Zhibu) -> None:
    first, _ = await accepted(zhibu, ("王秀英", "我见证 社区新修了路"),
                              ("张桂兰", "我参与 社区义诊"))
    await zhibu.say("李建国", "简报")
    await zhibu.say("李建国", "发送")
    await zhibu.say("刘德明", button=f"点赞 #{first.id}")
    (digest,) = await zhibu.say("陈淑珍", "简报")
    assert "1. 王秀英（我见证）：社区新修了路（1人点赞）" in digest.text
    assert [(b.label, b.data) for b in digest.buttons] == [
        ("点赞第1篇", f"点赞 #{first.id}"), ("点赞第2篇", f"点赞 #{first.id + 1}")]
    assert "點贊第1篇" in [b.label for b in (await zhibu.say("周玉蘭", "簡報"))[0].buttons]


async def test_the_job_on_the_1st_sends_last_month_once(zhibu: Zhibu) -> None:
    await accepted(zhibu, ("王秀英", "我见证 社区新修了路"))
    jobs = SubmissionJobs(zhibu.app.store, zhibu.clock, SHANGHAI, "zh-Hans")
    assert await jobs.send_monthly_digests() == 0  # not the 1st
    zhibu.clock.advance(datetime(2027, 1, 1, 9, 0, tzinfo=SHANGHAI) - zhibu.clock.now())
    assert await jobs.send_monthly_digests() == 1
    assert await jobs.send_monthly_digests() == 0
    await zhibu.app.dispatcher.run_once()
    for who in READERS:
        (digest,) = digests_to(zhibu, who)
        assert "2026年12月" in digest and "社区新修了路" in digest
    # January has nothing yet; December's digest is what a member reads
    assert "社区新修了路" in await zhibu.text("吴长林", "简报")
    assert "2027年1月还没有采用的稿件" in await zhibu.text("李建国", "简报")


async def test_the_job_leaves_a_month_the_officer_sent(zhibu: Zhibu) -> None:
    await accepted(zhibu, ("王秀英", "我见证 社区新修了路"))
    await zhibu.say("李建国", "简报")
    await zhibu.say("李建国", "发送")
    zhibu.clock.advance(timedelta(days=24))  # 1 January
    jobs = SubmissionJobs(zhibu.app.store, zhibu.clock, SHANGHAI, "zh-Hans")
    assert await jobs.send_monthly_digests() == 0
    assert len(digests_to(zhibu, "王秀英")) == 1


# -- 点赞 ------------------------------------------------------------------------------------

async def test_a_digest_item_is_liked_once_per_member(zhibu: Zhibu) -> None:
    (piece,) = await accepted(zhibu, ("王秀英", "我见证 社区新修了路"))
    await zhibu.say("李建国", "简报")
    await zhibu.say("李建国", "发送")
    assert "已为王秀英的稿件点赞" in await zhibu.text("张桂兰", button=f"点赞 #{piece.id}")
    assert "您已点过赞了" in await zhibu.text("张桂兰", button=f"点赞 #{piece.id}")
    assert "已为王秀英的稿件点赞" in await zhibu.text("刘德明", "点赞 1")  # item 1, typed
    assert "自己的稿件" in await zhibu.text("王秀英", button=f"点赞 #{piece.id}")
    assert await count_rows(zhibu.app.store, "likes") == 2
    assert "（2人点赞）" in await zhibu.text("孙福海", "简报")


async def test_only_accepted_pieces_of_the_own_branch_can_be_liked(zhibu: Zhibu) -> None:
    await add_person(zhibu, "东城党员", "13900000021", "member", "东城离退休干部党支部")
    (piece,) = await accepted(zhibu, ("王秀英", "我见证 社区新修了路"))
    waiting = await submit(zhibu, "张桂兰", "我参与 社区义诊")
    advice = await submit(zhibu, "孙福海", "建言献策 活动室太冷")
    assert "没有找到" in await zhibu.text("东城党员", f"点赞 #{piece.id}")
    assert "没有找到" in await zhibu.text("刘德明", f"点赞 #{waiting.id}")
    assert "没有找到" in await zhibu.text("刘德明", f"点赞 #{advice.id}")
    assert "没有找到" in await zhibu.text("刘德明", "点赞 #99999999999999999999999")
    assert await count_rows(zhibu.app.store, "likes") == 0


async def test_身边点赞_is_read_back_and_tells_the_person(zhibu: Zhibu) -> None:
    readback = await zhibu.text("王秀英", "点赞 张桂兰 帮邻居买菜")
    assert "为张桂兰点赞：帮邻居买菜。" in readback and "确认吗" in readback
    assert zhibu.sender.to("张桂兰") == []
    assert "已为张桂兰点赞" in await zhibu.text("王秀英", "确认")
    assert zhibu.sender.to("张桂兰") == ["王秀英为您点赞：帮邻居买菜"]
    # a sentence, and Traditional
    assert "为刘德明点赞：帮邻居买菜" in await zhibu.text("王秀英", "给刘德明点个赞，他帮邻居买菜")
    await zhibu.say("王秀英", "确认")
    assert "王秀英做了什麼好事" in await zhibu.text("周玉蘭", "點讚 王秀英")
    assert "為王秀英點贊。" in await zhibu.text("周玉蘭", "跳過")
    await zhibu.say("周玉蘭", "確認")
    assert "周玉蘭为您点了个赞" in zhibu.sender.to("王秀英")[-1]
    assert await count_rows(zhibu.app.store, "likes") == 3


async def test_点赞_without_a_name_asks_and_a_cancel_records_nothing(zhibu: Zhibu) -> None:
    assert "给谁点赞" in await zhibu.text("刘德明", "点赞")
    assert "没有找到李四" in await zhibu.text("刘德明", "李四")
    assert "陈淑珍做了什么好事" in await zhibu.text("刘德明", "陈淑珍")
    assert "为陈淑珍点赞：天天打扫楼道" in await zhibu.text("刘德明", "天天打扫楼道")
    await zhibu.say("刘德明", "取消")
    assert await count_rows(zhibu.app.store, "likes") == 0 and zhibu.sender.to("陈淑珍") == []


async def test_nobody_praises_themself_nor_anyone_out_of_reach(zhibu: Zhibu) -> None:
    await add_person(zhibu, "东城书记", "13900000002", "secretary", "东城离退休干部党支部")
    assert "给自己点赞就不用啦" in await zhibu.text("王秀英", "点赞 王秀英 帮人买菜")
    reply = await zhibu.text("东城书记", "点赞 孙福海 帮邻居买菜")
    assert "没有找到孙福海" in reply
    await zhibu.bind_daughter()
    assert "请刘德明本人来点" in await zhibu.text("刘德明的女儿", "点赞 张桂兰 帮邻居买菜")
    assert await count_rows(zhibu.app.store, "likes") == 0


async def test_a_redelivered_身边点赞_confirm_records_once(zhibu: Zhibu) -> None:
    await zhibu.say("王秀英", "点赞 张桂兰 帮邻居买菜")
    first = await zhibu.text("王秀英", "确认", message_id="like-ok")
    assert first == await zhibu.text("王秀英", "确认", message_id="like-ok")
    assert await count_rows(zhibu.app.store, "likes") == 1
    assert len(zhibu.sender.to("张桂兰")) == 1


async def test_the_digest_lists_身边点赞_and_never_health(zhibu: Zhibu) -> None:
    # 张桂兰 reports her partner 王秀英 in hospital; 王秀英 is in the digest and praised
    await zhibu.converse("张桂兰", "住院", "2", "人民医院", "跳过", "今天", "确认")
    await accepted(zhibu, ("王秀英", "我见证 社区新修了路"))
    await zhibu.say("刘德明", "点赞 张桂兰 帮邻居买菜")
    await zhibu.say("刘德明", "确认")
    await zhibu.say("孙福海", "点赞 王秀英 住院时还惦记着大家")
    await zhibu.say("孙福海", "确认")
    (preview,) = await zhibu.say("李建国", "简报")
    assert "身边点赞：张桂兰（帮邻居买菜）、王秀英" in preview.text
    await zhibu.say("李建国", "发送")
    for who in READERS:
        (digest,) = digests_to(zhibu, who)
        assert not any(word in digest for word in ("住院", "医院", "人民医院", "惦记"))
    assert "点数" not in preview.text and "排名" not in preview.text
