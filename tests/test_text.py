"""Tests for bot.understanding: understanding what an elderly member typed."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.script import convert
from bot.understanding import (
    MEMBER_MENU,
    SECRETARY_MENU,
    SLASH_COMMANDS,
    Intent,
    Parsed,
    is_traditional,
    keyword,
    menu_intent,
    normalize,
    parse,
    parse_number,
)


def test_plain_checkin_is_understood() -> None:
    assert parse("签到") == Parsed(Intent.CHECKIN, "", None)


def test_traditional_checkin_is_understood() -> None:
    assert parse("簽到").intent is Intent.CHECKIN


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("請假", Intent.LEAVE),
        ("住院", Intent.HOSPITAL),
        ("資料", Intent.MATERIAL),
        ("幫助", Intent.HELP),
        ("確認", Intent.CONFIRM),
        ("取消", Intent.CANCEL),
        ("出勤", Intent.ATTENDANCE),
        ("代簽", Intent.PROXY),
    ],
)
def test_traditional_keywords_are_understood(text: str, intent: Intent) -> None:
    assert parse(text).intent is intent


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("打卡", Intent.CHECKIN),
        ("我到了", Intent.CHECKIN),
        ("到", Intent.CHECKIN),
        ("来不了", Intent.LEAVE),
        ("送学上门", Intent.DELIVERY),
        ("生病住院", Intent.HOSPITAL),
        ("出院了", Intent.DISCHARGE),
        ("什么时候学习", Intent.NEXT),
        ("学习资料", Intent.MATERIAL),
        ("我的记录", Intent.ME),
        ("菜单", Intent.MENU),
        ("走访任务", Intent.VISITS),
        ("到会情况", Intent.ATTENDANCE),
        ("代签到", Intent.PROXY),
        ("广播", Intent.BROADCAST),
        ("月报", Intent.REPORT),
        ("邀请码", Intent.INVITE),
        ("家庭困难", Intent.HARDSHIP),
        ("思想波动", Intent.WORRY),
        ("逝世", Intent.DEATH),
        ("好的", Intent.CONFIRM),
        ("算了", Intent.CANCEL),
        ("不知道", Intent.SKIP),
        ("已收到", Intent.RECEIVED),
        ("送到了", Intent.DELIVERED),
        ("我去", Intent.ACCEPT),
        ("看过了", Intent.VISITED),
    ],
)
def test_synonyms_are_understood(text: str, intent: Intent) -> None:
    assert parse(text).intent is intent


def test_trailing_punctuation_and_emoji_are_ignored() -> None:
    assert parse("📱签到✅").intent is Intent.CHECKIN
    assert parse("确认！").intent is Intent.CONFIRM
    assert parse("\x00签到\x07").intent is Intent.CHECKIN


def test_a_question_mark_alone_asks_for_help() -> None:
    assert parse("?").intent is Intent.HELP
    assert parse("？").intent is Intent.HELP


def test_a_repeated_answer_is_one_answer() -> None:
    assert parse("好好好").intent is Intent.CONFIRM
    assert parse("好的，好的").intent is Intent.CONFIRM


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("1", 1),
        ("１", 1),
        (" 1 ", 1),
        ("1.", 1),
        ("1。", 1),
        ("1号", 1),
        ("第1个", 1),
        ("第一个", 1),
        ("一", 1),
        ("十", 10),
        ("十四", 14),
        ("0", 0),
        ("①", 1),
        ("1\ufe0f\u20e3", 1),
    ],
)
def test_a_whole_message_number_is_a_number_without_intent(text: str, number: int) -> None:
    assert parse(text) == Parsed(None, "", number)
    assert parse_number(text) == number


@pytest.mark.parametrize("text", ["", "签到", "1.5", "12345", "1 2", "十十", "a1", "1" * 5000])
def test_other_messages_are_not_numbers(text: str) -> None:
    assert parse_number(text) is None


def test_full_width_number_is_understood() -> None:
    assert parse("１").number == 1


def test_a_typo_in_a_keyword_is_forgiven() -> None:
    assert parse("签倒").intent is Intent.CHECKIN
    assert parse("请价").intent is Intent.LEAVE
    assert parse("住员").intent is Intent.HOSPITAL
    assert parse("签倒了").intent is Intent.CHECKIN


def test_a_typo_keeps_its_arguments() -> None:
    assert parse("请价 身体不适") == Parsed(Intent.LEAVE, "身体不适", None)


def test_an_ambiguous_typo_is_not_guessed() -> None:
    # 出差 is one character away from both 出院 and 出勤.
    assert parse("出差").intent is None
    # 报告 is one character away from both 报到 and 报表.
    assert parse("报告").intent is None


@pytest.mark.parametrize(
    "text", ["请问", "请问，明天学习吗？", "住房问题", "待遇", "对不起", "没到"]
)
def test_ordinary_words_are_not_mistaken_for_typos(text: str) -> None:
    assert parse(text).intent is None


def test_longest_keyword_wins() -> None:
    assert parse("送学单").intent is Intent.DELIVERIES
    assert parse("送学单").args == ""
    assert parse("已走访").intent is Intent.VISITED
    assert parse("走访").intent is Intent.VISITS
    assert parse("出院").intent is Intent.DISCHARGE
    assert parse("出勤").intent is Intent.ATTENDANCE
    assert parse("我来不了").intent is Intent.LEAVE


def test_arguments_follow_the_keyword() -> None:
    assert parse("请假 身体不适") == Parsed(Intent.LEAVE, "身体不适", None)
    assert parse("代签 王秀英 腿脚不便") == Parsed(Intent.PROXY, "王秀英 腿脚不便", None)
    assert parse("请假，身体不适").args == "身体不适"
    assert parse("请假身体不适").args == "身体不适"
    assert parse("请假了，身体不好").args == "身体不好"


def test_arguments_keep_the_characters_typed() -> None:
    assert parse("請假 身體不適") == Parsed(Intent.LEAVE, "身體不適", None)
    assert parse("代簽 王秀英 腿腳不便").args == "王秀英 腿腳不便"


def test_arguments_keep_trailing_punctuation_of_a_notice() -> None:
    assert parse("通知：明天上午9点开会。").args == "明天上午9点开会。"


def test_arguments_of_a_long_message_are_kept_whole() -> None:
    notice = "通知 " + "明天开会" * 1000
    assert parse(notice) == Parsed(Intent.BROADCAST, "明天开会" * 1000, None)


@pytest.mark.parametrize(
    ("text", "intent"),
    [("到", Intent.CHECKIN), ("是", Intent.CONFIRM), ("好", Intent.CONFIRM),
     ("对", Intent.CONFIRM), ("不", Intent.CANCEL), ("否", Intent.CANCEL),
     ("y", Intent.CONFIRM), ("n", Intent.CANCEL)],
)  # fmt: skip
def test_single_character_keywords_count_alone(text: str, intent: Intent) -> None:
    assert parse(text).intent is intent


@pytest.mark.parametrize(
    "text", ["不舒服", "到底怎么回事", "是谁", "好久不见", "对面", "否则", "yo", "no1"]
)
def test_single_character_keywords_do_not_start_sentences(text: str) -> None:
    assert parse(text).intent is None


@pytest.mark.parametrize("text", ["不要紧", "没有人来", "我的腿疼", "我来不及"])
def test_answers_do_not_start_ordinary_sentences(text: str) -> None:
    assert parse(text).intent is None


def test_an_answer_followed_by_punctuation_keeps_its_arguments() -> None:
    assert parse("是的，我明天来") == Parsed(Intent.CONFIRM, "我明天来", None)


@pytest.mark.parametrize(
    ("text", "intent"),
    [("checkin", Intent.CHECKIN), ("Check in", Intent.CHECKIN), ("leave", Intent.LEAVE),
     ("HELP", Intent.HELP), ("yes", Intent.CONFIRM), ("No", Intent.CANCEL),
     ("confirm", Intent.CONFIRM), ("cancel", Intent.CANCEL), ("ｃｈｅｃｋｉｎ", Intent.CHECKIN)],
)  # fmt: skip
def test_english_words_are_understood(text: str, intent: Intent) -> None:
    assert parse(text).intent is intent


def test_english_words_must_be_whole_words() -> None:
    assert parse("checking").intent is None
    assert parse("nothing").intent is None
    assert parse("help me") == Parsed(Intent.HELP, "me", None)


def test_slash_commands_are_understood() -> None:
    assert parse("/checkin") == Parsed(Intent.CHECKIN, "", None)
    assert parse("/menu").intent is Intent.MENU


def test_slash_commands_with_bot_name_and_arguments() -> None:
    assert parse("/checkin@ZhibuBot") == Parsed(Intent.CHECKIN, "", None)
    assert parse("/leave 身体不适") == Parsed(Intent.LEAVE, "身体不适", None)
    assert parse("/leave@ZhibuBot 身體不適") == Parsed(Intent.LEAVE, "身體不適", None)


def test_unknown_slash_commands_have_no_intent() -> None:
    assert parse("/start").intent is None
    assert parse("/frobnicate now").intent is None
    assert parse("/").intent is None


def test_slash_command_table_leaves_start_to_the_channels() -> None:
    assert "start" not in SLASH_COMMANDS
    assert SLASH_COMMANDS["menu"] is Intent.MENU
    assert SLASH_COMMANDS["help"] is Intent.HELP


def test_is_traditional_spots_traditional_characters() -> None:
    assert is_traditional("簽到")
    assert is_traditional("請假")
    assert not is_traditional("签到")
    assert not is_traditional("ok")
    assert not is_traditional("")
    assert not is_traditional("「你好」")


def test_normalize_folds_width_case_script_space_and_edges() -> None:
    assert normalize("  ＯＫ！ ") == "ok"
    assert normalize("請假   身體\t不適。") == "请假 身体 不适"
    assert normalize("✅签到📱") == "签到"
    assert normalize("/Leave@Bot") == "/leave@bot"
    assert normalize("") == ""


def test_every_intent_has_a_keyword_that_parses_back_to_it() -> None:
    for intent in Intent:
        assert parse(keyword(intent)).intent is intent


def test_canonical_keywords() -> None:
    assert keyword(Intent.CHECKIN) == "签到"
    assert keyword(Intent.DELIVERED) == "已送达"
    assert keyword(Intent.VISITED) == "已走访"


def test_menu_numbers_for_members() -> None:
    assert menu_intent(0, is_secretary=False) is Intent.MENU
    assert [menu_intent(n, is_secretary=False) for n in range(1, 8)] == list(MEMBER_MENU)
    assert MEMBER_MENU[0] is Intent.CHECKIN
    assert MEMBER_MENU[6] is Intent.ME
    assert menu_intent(8, is_secretary=False) is None
    assert menu_intent(14, is_secretary=False) is None


def test_menu_numbers_for_secretaries() -> None:
    assert menu_intent(1, is_secretary=True) is Intent.CHECKIN
    assert [menu_intent(n, is_secretary=True) for n in range(8, 15)] == list(SECRETARY_MENU)
    assert menu_intent(8, is_secretary=True) is Intent.VISITS
    assert menu_intent(14, is_secretary=True) is Intent.INVITE
    assert menu_intent(15, is_secretary=True) is None
    assert menu_intent(-1, is_secretary=True) is None


@pytest.mark.parametrize("text", ["", " ", "\n\t", "😀😀", "\ud800", "\x00" * 50, "?" * 10_000])
def test_awkward_input_never_raises(text: str) -> None:
    assert isinstance(parse(text), Parsed)


_ALPHABET = st.one_of(
    st.characters(codec=None, min_codepoint=0, max_codepoint=0x7F),
    st.characters(min_codepoint=0x3000, max_codepoint=0x303F),
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
    st.characters(min_codepoint=0xFF00, max_codepoint=0xFFEF),
    st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF),
    st.characters(categories=["Cs", "Cc", "Cf"]),
    st.characters(),
)
_WORDS = st.sampled_from(["", "签到", "簽到", "请假 腿疼", "住院 人民医院", "接受 3", "代签 刘德明",
                          "１", "送学单", "出勤", "/checkin"])


@settings(max_examples=400, deadline=None, derandomize=True)
@given(word=_WORDS, rest=st.text(_ALPHABET, max_size=60))
def test_parsing_is_stable_under_width_and_script_and_keeps_the_words_typed(
        word: str, rest: str) -> None:
    """Any text: the same meaning after NFKC or Traditional→Simplified, arguments that are
    the member's own characters, and a number only when the whole text is one."""
    text = word + rest
    parsed = parse(text)
    assert parse(unicodedata.normalize("NFKC", text)).intent == parsed.intent
    assert parse(convert(text, "zh-cn")).intent == parsed.intent
    if parsed.intent is not None and parsed.args:
        assert parsed.args in text or parsed.args in unicodedata.normalize("NFKC", text)
    if parsed.number is not None:
        assert parsed.intent is None and parsed.number >= 0 and parse_number(text) is not None


def test_a_huge_message_keeps_its_word_and_all_its_arguments() -> None:
    """What a 10,000-character message means (how long it takes: bench/understanding.py)."""
    huge = "签到" + "啊" * 10_000
    assert parse(huge).intent is Intent.CHECKIN
    assert parse("x" * 10_000).intent is None
    assert parse("请假 " + "腿疼" * 5_000).args == "腿疼" * 5_000
