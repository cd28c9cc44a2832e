"""我见证 / 我参与 / 建言献策: 投稿 in every way a member says it, the officers' 稿件 queue,
上报 and 答复, 征文主题 (issue #17, item 3). The digest and 点赞 are in
tests/test_submissions_digest.py. The clock starts at 08:30 on Tuesday 8 December 2026."""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path

from bot.core.messages import Attachment, InboundMessage, Reply
from storage.repo_submissions import Piece
from tests.conftest import Zhibu, add_person, count_rows

BOTH_ENGINES = True  # every `zhibu` test here runs on SQLite and on PostgreSQL

BRANCH = "城关离退休干部党支部"
PHOTO = b"\xff\xd8\xff\xe0 a photo of the new road"
_PHOTO_IDS = itertools.count(1)


async def send_photo(z: Zhibu, who: str, caption: str | None,
                     data: bytes = PHOTO, mime: str = "image/jpeg") -> list[Reply]:
    """A picture sent in chat, as a channel hands it over (the caption is the text)."""
    msg = InboundMessage(channel="console", sender=who, message_id=f"photo-{next(_PHOTO_IDS)}",
                         received_at=z.clock.now(), text=caption,
                         attachment=Attachment("p.jpg", mime, data))
    replies = await z.app.router.handle(msg)
    await z.app.dispatcher.run_once()
    return replies


async def pieces_of(z: Zhibu, name: str) -> list[Piece]:
    """A member's pieces, newest first."""
    async with z.app.store.transaction() as tx:
        (member,) = await tx.find_members_by_name(name)
        return await tx.member_pieces(member.id)


async def submit(z: Zhibu, who: str, text: str) -> Piece:
    """A piece sent in one message and confirmed."""
    assert "确认" in await z.text(who, text)
    assert "收到您的" in await z.text(who, "确认")
    return (await pieces_of(z, who))[0]


# -- 投稿 -----------------------------------------------------------------------------------

async def test_投稿_asks_the_column_then_the_text_and_records_only_on_确认(zhibu: Zhibu) -> None:
    (question,) = await zhibu.say("王秀英", "投稿")
    assert "您想投哪个栏目" in question.text
    assert [b.label for b in question.buttons] == ["1 我见证", "2 我参与", "3 我点赞",
                                                   "4 建言献策"]
    assert "请说说您想写的内容" in await zhibu.text("王秀英", "1")
    readback = await zhibu.text("王秀英", "社区新修了路，出门方便多了")
    assert "栏目：我见证" in readback and "内容：社区新修了路，出门方便多了" in readback
    assert await count_rows(zhibu.app.store, "submissions") == 0
    assert zhibu.sender.to("李建国") == []
    assert "收到您的稿件，书记看过后会告诉您" in await zhibu.text("王秀英", "确认")
    (piece,) = await pieces_of(zhibu, "王秀英")
    assert (piece.section, piece.body, piece.status, piece.month) == (
        "witness", "社区新修了路，出门方便多了", "submitted", "2026-12")
    assert zhibu.sender.to("李建国") == ["有新稿件，回复“稿件”查看。"]


async def test_typed_labels_and_a_text_said_before_the_column_work(zhibu: Zhibu) -> None:
    await zhibu.say("张桂兰", "我要投稿")
    assert "请说说您想写的内容" in await zhibu.text("张桂兰", "参与")
    await zhibu.say("张桂兰", "取消")
    await zhibu.say("张桂兰", "写稿")
    # the text first, the column after: the text is kept
    assert "内容记下了" in await zhibu.text("张桂兰", "嗯，那个，社区义诊很热闹，来了很多医生。")
    readback = await zhibu.text("张桂兰", "我参与")
    assert "栏目：我参与" in readback and "内容：社区义诊很热闹，来了很多医生" in readback


async def test_the_words_of_a_sentence_preset_the_column_and_count_as_the_text(
        zhibu: Zhibu) -> None:
    # 想写几句: the text is asked for, and what was said comes first in it
    assert "请说说您想写的内容" in await zhibu.text("王秀英", "我参与了社区的义诊，想写几句")
    readback = await zhibu.text("王秀英", "来了三十多位医生，给大家量血压")
    assert "栏目：我参与" in readback
    assert "内容：我参与了社区的义诊。来了三十多位医生，给大家量血压" in readback
    await zhibu.say("王秀英", "取消")
    # a dictated sentence is the text
    readback = await zhibu.text("王秀英", "我见证了社区采纳群众建议修了路")
    assert "栏目：我见证" in readback and "内容：我见证了社区采纳群众建议修了路" in readback
    await zhibu.say("王秀英", "取消")
    for said in ("我有个建议，活动室太冷", "建言献策 活动室太冷", "提建议：活动室太冷"):
        readback = await zhibu.text("孙福海", said)
        assert "栏目：建言献策" in readback and "内容：活动室太冷" in readback, said
        await zhibu.say("孙福海", "取消")
    assert "请说说您的建议" in await zhibu.text("孙福海", "我有个建议")
    await zhibu.say("孙福海", "取消")
    readback = await zhibu.text("刘德明", "投稿 见证 村里通了公交")
    assert "栏目：我见证" in readback and "内容：村里通了公交" in readback
    assert await count_rows(zhibu.app.store, "submissions") == 0


async def test_traditional_writing_gets_traditional_answers(zhibu: Zhibu) -> None:
    assert "請說說您想寫的內容" in await zhibu.text("周玉蘭", "我見證")
    readback = await zhibu.text("周玉蘭", "社區新開了老年食堂")
    assert "欄目：我見證" in readback and "內容：社區新開了老年食堂" in readback
    assert "收到您的稿件" in await zhibu.text("周玉蘭", "確認")
    (piece,) = await pieces_of(zhibu, "周玉蘭")
    assert piece.body == "社區新開了老年食堂"  # as she wrote it
    assert "您的投稿" in await zhibu.text("周玉蘭", "我的稿件")


async def test_a_correction_at_the_readback_changes_the_column_or_the_text(
        zhibu: Zhibu) -> None:
    await zhibu.say("王秀英", "我参与 社区义诊")
    readback = await zhibu.text("王秀英", "不对，是见证")
    assert "栏目：我见证" in readback and "内容：社区义诊" in readback
    readback = await zhibu.text("王秀英", "不对，是社区义诊很热闹")
    assert "内容：社区义诊很热闹" in readback
    await zhibu.say("王秀英", "确认")
    (piece,) = await pieces_of(zhibu, "王秀英")
    assert (piece.section, piece.body) == ("witness", "社区义诊很热闹")


async def test_a_cancelled_piece_records_nothing_and_tells_nobody(zhibu: Zhibu) -> None:
    await zhibu.say("王秀英", "投稿")
    await zhibu.say("王秀英", "2")
    await zhibu.say("王秀英", "去社区帮忙包饺子")
    assert "什么也没有记录" in await zhibu.text("王秀英", "取消")
    await zhibu.say("孙福海", "建言献策 活动室太冷")
    await zhibu.say("孙福海", "算了")
    assert await count_rows(zhibu.app.store, "submissions") == 0
    assert zhibu.sender.to("李建国") == []


async def test_a_redelivered_确认_records_the_piece_once(zhibu: Zhibu) -> None:
    await zhibu.say("王秀英", "我见证 社区新修了路")
    first = await zhibu.text("王秀英", "确认", message_id="confirm-1")
    again = await zhibu.text("王秀英", "确认", message_id="confirm-1")
    assert first == again and "收到您的稿件" in first
    assert await count_rows(zhibu.app.store, "submissions") == 1
    assert len(zhibu.sender.to("李建国")) == 1


async def test_bad_input_gets_a_short_answer_and_changes_nothing(zhibu: Zhibu) -> None:
    await zhibu.say("王秀英", "投稿")
    assert "请回复下面的数字（1到4）" in await zhibu.text("王秀英", "9")  # not offered
    assert "没听明白" in await zhibu.text("王秀英", "确认")
    await zhibu.say("王秀英", "1")
    assert "没听明白" in await zhibu.text("王秀英", "好的")  # no text yet
    assert "最多1000个字" in await zhibu.text("王秀英", "路" * 1200)
    assert "请核对" in await zhibu.text("王秀英", "社区新修了路")
    assert await count_rows(zhibu.app.store, "submissions") == 0


# -- a photo ---------------------------------------------------------------------------------

async def test_a_members_photo_with_a_caption_is_a_piece_and_asks_about_the_digest(
        zhibu: Zhibu) -> None:
    (question,) = await send_photo(zhibu, "王秀英", "我见证 社区新修的路，真宽敞")
    assert "照片收到了" in question.text and "照片可以放进简报给大家看吗？" in question.text
    assert [b.label for b in question.buttons] == ["1 可以", "2 不要"]
    readback = await zhibu.text("王秀英", "行")
    assert "内容：社区新修的路，真宽敞" in readback and "照片：放进简报给大家看" in readback
    await zhibu.say("王秀英", "确认")
    (piece,) = await pieces_of(zhibu, "王秀英")
    assert piece.photo is not None and piece.photo_public
    assert await asyncio.to_thread(Path(piece.photo).read_bytes) == PHOTO


async def test_a_photo_without_a_caption_asks_the_rest_and_may_stay_private(
        zhibu: Zhibu) -> None:
    (question,) = await send_photo(zhibu, "张桂兰", None)
    assert "照片收到了" in question.text and "您想投哪个栏目" in question.text
    assert "请说说您想写的内容" in await zhibu.text("张桂兰", "2")
    assert "照片可以放进简报" in await zhibu.text("张桂兰", "重阳节社区敬老活动")
    assert "照片：只给书记看" in await zhibu.text("张桂兰", "不用")
    await zhibu.say("张桂兰", "确认")
    (piece,) = await pieces_of(zhibu, "张桂兰")
    assert piece.photo is not None and not piece.photo_public


async def test_a_photo_at_the_text_question_goes_with_the_piece(zhibu: Zhibu) -> None:
    await zhibu.say("刘德明", "我参与")
    (question,) = await send_photo(zhibu, "刘德明", "社区义务植树")
    assert "照片可以放进简报" in question.text
    assert "照片：放进简报" in await zhibu.text("刘德明", "1")
    await zhibu.say("刘德明", "确认")
    (piece,) = await pieces_of(zhibu, "刘德明")
    assert piece.body == "社区义务植树" and piece.photo_public


async def test_a_file_that_is_no_photo_or_too_big_is_not_kept(zhibu: Zhibu) -> None:
    (reply,) = await send_photo(zhibu, "王秀英", "我见证 社区", data=b"x" * (11 * 1024 * 1024))
    assert "照片太大了" in reply.text and "请核对" in reply.text
    await zhibu.say("王秀英", "确认")
    (piece,) = await pieces_of(zhibu, "王秀英")
    assert piece.photo is None


async def test_an_officers_picture_is_still_a_material(zhibu: Zhibu) -> None:
    (readback,) = await send_photo(zhibu, "李建国", "资料 学习通知")
    assert "《学习通知》" in readback.text and "图片" in readback.text
    assert await count_rows(zhibu.app.store, "submissions") == 0


# -- 征文主题 --------------------------------------------------------------------------------

async def test_an_officer_sets_the_theme_and_pieces_carry_it_but_advice_does_not(
        zhibu: Zhibu) -> None:
    assert "这个月还没有征文主题" in await zhibu.text("王秀英", "征文主题")
    assert "还没有征文主题" in await zhibu.text("李建国", "征文主题")
    readback = await zhibu.text("李建国", "征文主题 我眼中的新变化")
    assert "2026年12月征文主题定为：我眼中的新变化" in readback
    assert "征文主题已定好" in await zhibu.text("李建国", "确认")
    assert "2026年12月征文主题：我眼中的新变化" in await zhibu.text("王秀英", "主题是什么")
    assert "徵文主題：我眼中的新变化" in await zhibu.text("周玉蘭", "征文主題是什麼")
    # a member's words do not set it
    assert "我眼中的新变化" in await zhibu.text("张桂兰", "征文主题 别的")
    # a sentence sets it anew
    assert "定为：喜迎新年" in await zhibu.text("李建国", "这个月主题定为喜迎新年")
    await zhibu.say("李建国", "确认")
    assert "征文主题：喜迎新年" in await zhibu.text("王秀英", "我见证 社区新修了路")
    await zhibu.say("王秀英", "确认")
    assert "征文主题" not in await zhibu.text("孙福海", "建言献策 活动室太冷")
    await zhibu.say("孙福海", "确认")
    assert (await pieces_of(zhibu, "王秀英"))[0].theme == "喜迎新年"
    assert (await pieces_of(zhibu, "孙福海"))[0].theme is None


# -- 稿件: the officers' queue ---------------------------------------------------------------

async def test_采用_and_退回_tell_the_author(zhibu: Zhibu) -> None:
    await submit(zhibu, "王秀英", "我见证 社区新修了路")
    await submit(zhibu, "张桂兰", "我参与 社区义诊")
    (card,) = await zhibu.say("李建国", "稿件")
    assert "待看稿件还有2篇" in card.text and "王秀英（我见证）" in card.text
    assert [b.label for b in card.buttons] == ["1 采用", "2 退回", "3 下一篇"]
    after = await zhibu.text("李建国", button="采用")
    assert "已采用王秀英的稿件" in after and "张桂兰（我参与）" in after
    assert "请说一句退回的原因" in await zhibu.text("李建国", "退回")
    assert "稿件都看完了" in await zhibu.text("李建国", "内容再具体一些")
    assert any("您的稿件已采用，将放进本月简报" in t for t in zhibu.sender.to("王秀英"))
    assert any("您的稿件退回了：内容再具体一些" in t for t in zhibu.sender.to("张桂兰"))
    assert "（已采用）" in await zhibu.text("王秀英", "我的投稿")
    assert "退回了：内容再具体一些" in await zhibu.text("张桂兰", "稿件")
    assert "目前没有待看的稿件" in await zhibu.text("李建国", "稿件")


async def test_下一篇_passes_over_a_piece_and_退回_may_skip_the_note(zhibu: Zhibu) -> None:
    await submit(zhibu, "王秀英", "我见证 社区新修了路")
    await submit(zhibu, "张桂兰", "我参与 社区义诊")
    await zhibu.say("李建国", "审稿")
    assert "张桂兰（我参与）" in await zhibu.text("李建国", "下一篇")
    await zhibu.say("李建国", "2")
    assert "其余的稿件先放着" in await zhibu.text("李建国", "跳过")
    assert any("您的稿件退回了，有疑问" in t for t in zhibu.sender.to("张桂兰"))
    assert "王秀英（我见证）" in await zhibu.text("李建国", "稿件")


async def test_a_member_sees_only_their_own_pieces_and_cannot_review(zhibu: Zhibu) -> None:
    await submit(zhibu, "王秀英", "我见证 社区新修了路")
    await submit(zhibu, "张桂兰", "我参与 社区义诊")
    mine = await zhibu.text("王秀英", "稿件")
    assert "社区新修了路（书记还在看）" in mine and "社区义诊" not in mine
    assert "您还没有投过稿" in await zhibu.text("刘德明", "稿件")
    await zhibu.say("王秀英", "采用")
    assert "只有支部书记" in await zhibu.text("王秀英", "答复 1 好的")
    assert [p.status for p in await pieces_of(zhibu, "张桂兰")] == ["submitted"]


async def test_an_officer_of_another_branch_sees_none_of_its_pieces(zhibu: Zhibu) -> None:
    await add_person(zhibu, "东城书记", "13900000002", "secretary", "东城离退休干部党支部")
    await submit(zhibu, "王秀英", "我见证 社区新修了路")
    reply = await zhibu.text("东城书记", "稿件")
    assert "目前没有待看的稿件" in reply and "王秀英" not in reply
    # an instructor of both is asked which; 城关 shows the piece
    assert "要看哪一个" in await zhibu.text("赵志刚", "稿件")
    assert "王秀英（我见证）" in await zhibu.text("赵志刚", "稿件 城关")


# -- 建言献策: 上报 and 答复 -------------------------------------------------------------------

async def test_上报_reaches_the_admin_and_答复_reaches_the_member(zhibu: Zhibu) -> None:
    advice = await submit(zhibu, "孙福海", "建言献策 活动室冬天太冷，能否装空调")
    (card,) = await zhibu.say("李建国", "稿件")
    assert [b.label for b in card.buttons] == ["1 上报", "2 答复", "3 下一篇"]
    assert "已上报管理员" in await zhibu.text("李建国", "上报")
    (up,) = zhibu.sender.to("钱主任")
    assert "活动室冬天太冷，能否装空调" in up and BRANCH in up and f"答复 {advice.id}" in up
    assert "孙福海" not in up  # the text and the branch only
    assert any("已转给上级" in t for t in zhibu.sender.to("孙福海"))
    readback = await zhibu.text("钱主任", f"答复 {advice.id} 已经安排装空调")
    assert "答复孙福海的建议" in readback and "已经安排装空调" in readback
    assert not any("已经安排" in t for t in zhibu.sender.to("孙福海"))
    assert "已答复，孙福海会收到" in await zhibu.text("钱主任", "确认")
    assert any("您提的建议有了答复：\n已经安排装空调" in t for t in zhibu.sender.to("孙福海"))
    (piece,) = await pieces_of(zhibu, "孙福海")
    assert (piece.status, piece.review_note) == ("answered", "已经安排装空调")
    assert "第" in await zhibu.text("李建国", f"答复 {advice.id} 再说")  # answered already
    assert "已答复：已经安排装空调" in await zhibu.text("孙福海", "我的投稿")


async def test_the_secretary_answers_from_the_queue(zhibu: Zhibu) -> None:
    await submit(zhibu, "孙福海", "我有个建议，学习日能否提供茶水")
    await zhibu.say("李建国", "稿件")
    assert "请写下给孙福海的答复" in await zhibu.text("李建国", "答复")
    readback = await zhibu.text("李建国", "下次学习日起备好茶水")
    assert "下次学习日起备好茶水" in readback and "确认吗" in readback
    assert "已答复，孙福海会收到" in await zhibu.text("李建国", "确认")
    assert any("下次学习日起备好茶水" in t for t in zhibu.sender.to("孙福海"))
    assert zhibu.sender.to("钱主任") == []


async def test_答复_outside_reach_reads_as_not_found(zhibu: Zhibu) -> None:
    await add_person(zhibu, "东城书记", "13900000002", "secretary", "东城离退休干部党支部")
    advice = await submit(zhibu, "孙福海", "建言献策 活动室太冷")
    witness = await submit(zhibu, "王秀英", "我见证 社区新修了路")
    reply = await zhibu.text("东城书记", f"答复 {advice.id} 已经安排")
    assert f"没有找到{advice.id}号建议" in reply and "孙福海" not in reply
    assert "没有找到999号建议" in await zhibu.text("李建国", "答复 999 好的")
    assert f"没有找到{witness.id}号建议" in await zhibu.text("李建国", f"答复 {witness.id} 好")
    assert "请说答复哪一条建议" in await zhibu.text("李建国", "答复")
    assert [p.status for p in await pieces_of(zhibu, "孙福海")] == ["submitted"]
