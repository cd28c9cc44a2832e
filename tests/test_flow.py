"""One way to offer a choice and read the answer; typed conversation state."""

from __future__ import annotations

import pytest

from bot.understanding.choices import pick
from handlers.care.record import ReportState
from handlers.flow import Choice, OpenConversation, Prompt, choice_buttons
from storage.models import Conversation
from tests.conftest import Zhibu

BOTH_ENGINES = True  # every `zhibu` test here runs on SQLite and on PostgreSQL

WHO = [("我自己", "我自己"), ("互助对象", "互助对象张桂兰"), ("其他", "其他同志（写名字）")]


@pytest.mark.parametrize(
    ("said", "button", "index"),
    [("2", None, 1), ("２", None, 1), ("第三个", None, 2), ("", "其他", 2),
     ("互助对象张桂兰", None, 1), ("互助對象張桂蘭", None, 1), ("我自己", None, 0),
     ("  我自己 ", None, 0)],
)
def test_a_button_a_number_or_the_typed_label_picks_the_same_choice(
    said: str, button: str | None, index: int
) -> None:
    assert pick(said, button, WHO).index == index


def test_a_number_beyond_the_choices_is_out_of_range_not_a_choice() -> None:
    picked = pick("5", None, WHO)
    assert picked.index is None and picked.out_of_range
    assert pick("人民医院", None, WHO).index is None


def test_buttons_are_numbered_and_send_the_value() -> None:
    buttons = choice_buttons([Choice("告诉", "可以"), Choice("不告诉", "不要")])
    assert [(b.label, b.data) for b in buttons] == [("1 可以", "告诉"), ("2 不要", "不告诉")]


def test_a_state_with_a_key_it_does_not_have_does_not_load() -> None:
    with pytest.raises(TypeError):
        ReportState.load({"kind": "hospitalisation", "hopsital": "人民医院"})
    assert ReportState.load(ReportState("hospitalisation", hospital="人民医院").dump()) == (
        ReportState("hospitalisation", hospital="人民医院"))


def test_a_conversation_keeps_its_choices_and_question_through_the_store() -> None:
    prompt = Prompt("可以告诉吗？", (("1 可以", "告诉"),))
    conv = OpenConversation("report", "partner", {"kind": "hospitalisation"},
                            (Choice("告诉", "可以"),), prompt)
    stored = conv.to_stored()
    assert OpenConversation.from_stored(stored) == conv
    old = Conversation("leave", "reason", {"session_id": 3, "options": ["跳过"]})
    assert OpenConversation.from_stored(old) == OpenConversation(
        "leave", "reason", {"session_id": 3}, (Choice("跳过", "跳过"),))


async def test_a_typed_label_in_traditional_picks_the_choice(zhibu: Zhibu) -> None:
    await zhibu.say("刘德明", "送学")
    assert "什麼時間" in await zhibu.text("刘德明", "就是這裡")
    assert "下午" in await zhibu.text("刘德明", "下午")


async def test_a_stored_state_that_no_longer_loads_ends_quietly(zhibu: Zhibu) -> None:
    await zhibu.say("陈淑珍", "请假")
    async with zhibu.app.store.transaction() as tx:
        await tx.save_conversation("console", "陈淑珍", Conversation(
            "leave", "reason", {"state": {"sesion": 1}, "choices": []}), zhibu.clock.now())
    reply = await zhibu.text("陈淑珍", "我的")
    assert "陈淑珍" in reply and "学习日" in reply
