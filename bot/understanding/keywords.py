"""Understanding what an elderly member typed: keywords, slash commands and menu numbers.

Members are 70-90 years old and type short Chinese messages, sometimes in Traditional
characters, with full-width digits, trailing punctuation, emoji or a one-character typo.
This module only recognises words; what a bare number means is decided by the router,
because "1" means something different at each step of a conversation.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from bot.core.script import convert, short_cache


class Intent(StrEnum):
    """Something a member or secretary wants to do, or an answer to a question."""

    CHECKIN = "checkin"
    LEAVE = "leave"
    DELIVERY = "delivery"
    HOSPITAL = "hospital"
    DISCHARGE = "discharge"
    NEXT = "next"
    MATERIAL = "material"
    ME = "me"
    HELP = "help"
    MENU = "menu"
    VISITS = "visits"
    DELIVERIES = "deliveries"
    ATTENDANCE = "attendance"
    PROXY = "proxy"
    BROADCAST = "broadcast"
    REPORT = "report"
    INVITE = "invite"
    HARDSHIP = "hardship"
    WORRY = "worry"
    DEATH = "death"
    CONFIRM = "confirm"
    CANCEL = "cancel"
    SKIP = "skip"
    RECEIVED = "received"
    DELIVERED = "delivered"
    ACCEPT = "accept"
    VISITED = "visited"
    ADOPT = "adopt"  # 采纳: a secretary takes another member's addition to a stay as the record
    GUIDANCE = "guidance"  # 指导: an instructor records a guidance visit to a branch
    MEETING = "meeting"  # 开会: an officer adds a meeting (党课, 支委会…) once
    RESCHEDULE = "reschedule"  # 改期: an officer moves the next study day
    CONTACT = "contact"  # wants a person: the secretary, a call back
    CALLBACK = "callback"  # 请书记回电话, pressed after CONTACT
    # Branch life (issue #17): 互助对子, activities and interest groups, the three platforms.
    MY_PAIR = "my_pair"  # 我的对子: who my partner is, how to reach them
    PAIRS = "pairs"  # 对子: an officer's list of the branch's pairs (a member's: their own)
    PAIR_UP = "pair_up"  # 结对 A B: an officer pairs two members
    PAIR_CONTACT = "pair_contact"  # 今天去看了张桂兰: a member records help to their partner
    ACTIVITY = "activity"  # 活动: an officer creates one (a member: what is on)
    ACTIVITIES = "activities"  # 我的活动: what I signed up for, what is open to me
    SIGNUP = "signup"  # 报名
    UNSIGN = "unsign"  # 取消报名
    HOURS = "hours"  # 时长 2小时: the organiser records volunteer hours
    JOIN_GROUP = "join_group"  # 加入 书法组
    QUIT_GROUP = "quit_group"  # 退出 书法组
    SUBMIT = "submit"  # 投稿: 我见证 / 我参与 / 我点赞 / 建言献策
    PIECES = "pieces"  # 稿件: an officer's review queue (a member: their own pieces)
    THEME = "theme"  # 征文主题 …: the month's theme
    DIGEST = "digest"  # 简报: the branch's monthly digest
    LIKE = "like"  # 点赞: a digest item, or 身边点赞 of a person
    ANSWER = "answer"  # 答复 N …: an officer answers a 建言献策


@dataclass(frozen=True)
class Parsed:
    """What a message means: an intent with its arguments, a bare number, or nothing."""

    intent: Intent | None
    args: str  # the text after the keyword, in the characters the member typed
    number: int | None  # set when the whole message is a number
    # What a sentence said besides its intent (reason, hospital, ward, day, target, name…),
    # as (name, value) pairs in the typed characters.
    slots: tuple[tuple[str, str], ...] = ()
    sure: bool = True  # False: a guess, asked back before anything is done
    not_yet: bool = False  # "on my way" / "not there yet": never a check-in

    def slot(self, name: str) -> str | None:
        """One slot's value, if the message said it."""
        return next((value for key, value in self.slots if key == name), None)


# The numbered member menu: 1 签到 ... 7 我的; 0 is 帮助.
MEMBER_MENU: tuple[Intent, ...] = (
    Intent.CHECKIN,
    Intent.LEAVE,
    Intent.DELIVERY,
    Intent.HOSPITAL,
    Intent.NEXT,
    Intent.MATERIAL,
    Intent.ME,
)
# Secretaries' entries continue the numbering: 8 待访 ... 14 邀请.
SECRETARY_MENU: tuple[Intent, ...] = (
    Intent.VISITS,
    Intent.DELIVERIES,
    Intent.ATTENDANCE,
    Intent.PROXY,
    Intent.BROADCAST,
    Intent.REPORT,
    Intent.INVITE,
)

# "/start" is left out on purpose: the channels handle it (registration, deep links).
SLASH_COMMANDS: dict[str, Intent] = {
    "checkin": Intent.CHECKIN,
    "leave": Intent.LEAVE,
    "delivery": Intent.DELIVERY,
    "hospital": Intent.HOSPITAL,
    "next": Intent.NEXT,
    "material": Intent.MATERIAL,
    "me": Intent.ME,
    "help": Intent.HELP,
    "menu": Intent.MENU,
    "visits": Intent.VISITS,
    "deliveries": Intent.DELIVERIES,
    "attendance": Intent.ATTENDANCE,
    "proxy": Intent.PROXY,
    "broadcast": Intent.BROADCAST,
    "report": Intent.REPORT,
    "invite": Intent.INVITE,
    "confirm": Intent.CONFIRM,
    "cancel": Intent.CANCEL,
    "skip": Intent.SKIP,
}

_CANONICAL: dict[Intent, str] = {
    Intent.CHECKIN: "签到",
    Intent.LEAVE: "请假",
    Intent.DELIVERY: "送学",
    Intent.HOSPITAL: "住院",
    Intent.DISCHARGE: "出院",
    Intent.NEXT: "学习日",
    Intent.MATERIAL: "资料",
    Intent.ME: "我的",
    Intent.HELP: "帮助",
    Intent.MENU: "菜单",
    Intent.VISITS: "待访",
    Intent.DELIVERIES: "送学单",
    Intent.ATTENDANCE: "出勤",
    Intent.PROXY: "代签",
    Intent.BROADCAST: "通知",
    Intent.REPORT: "报表",
    Intent.INVITE: "邀请",
    Intent.HARDSHIP: "困难",
    Intent.WORRY: "思想",
    Intent.DEATH: "去世",
    Intent.CONFIRM: "确认",
    Intent.CANCEL: "取消",
    Intent.SKIP: "跳过",
    Intent.RECEIVED: "收到",
    Intent.DELIVERED: "已送达",
    Intent.ACCEPT: "接受",
    Intent.VISITED: "已走访",
    Intent.ADOPT: "采纳",
    Intent.GUIDANCE: "指导",
    Intent.MEETING: "开会",
    Intent.RESCHEDULE: "改期",
    Intent.CONTACT: "找书记",
    Intent.CALLBACK: "请书记回电话",
    Intent.MY_PAIR: "我的对子",
    Intent.PAIRS: "对子",
    Intent.PAIR_UP: "结对",
    Intent.PAIR_CONTACT: "互助记录",
    Intent.ACTIVITY: "活动",
    Intent.ACTIVITIES: "我的活动",
    Intent.SIGNUP: "报名",
    Intent.UNSIGN: "取消报名",
    Intent.HOURS: "时长",
    Intent.JOIN_GROUP: "加入",
    Intent.QUIT_GROUP: "退出",
    Intent.SUBMIT: "投稿",
    Intent.PIECES: "稿件",
    Intent.THEME: "征文主题",
    Intent.DIGEST: "简报",
    Intent.LIKE: "点赞",
    Intent.ANSWER: "答复",
}

# Every word (in normalized form) that names an intent. A few natural phrasings beyond the
# brief are included: 我来不了/我去不了/我不能来 would otherwise start with 我来/我去 (ACCEPT).
_SYNONYMS: dict[Intent, tuple[str, ...]] = {
    Intent.CHECKIN: ("签到", "打卡", "到了", "我到了", "报到", "已到", "到", "checkin", "check in"),
    Intent.LEAVE: (
        "请假", "请个假", "来不了", "不能来", "去不了",
        "我来不了", "我去不了", "我不能来", "我请假", "我要请假", "leave",
    ),
    Intent.DELIVERY: ("送学", "送学上门", "送材料", "送资料", "要资料上门"),
    Intent.HOSPITAL: ("住院", "住院了", "生病住院"),
    Intent.DISCHARGE: ("出院", "出院了"),
    Intent.NEXT: ("学习日", "下次学习", "什么时候学习", "学习时间", "哪天学习"),
    Intent.MATERIAL: ("资料", "学习资料", "材料"),
    Intent.ME: ("我的", "我的记录", "我的出勤"),
    Intent.HELP: ("帮助", "帮忙", "说明", "怎么用", "help"),
    Intent.MENU: ("菜单", "menu", "全部功能"),
    Intent.VISITS: ("待访", "走访", "走访任务"),
    Intent.DELIVERIES: ("送学单",),
    Intent.ATTENDANCE: ("出勤", "考勤", "到会情况"),
    Intent.PROXY: ("代签", "代签到"),
    Intent.BROADCAST: ("通知", "广播"),
    Intent.REPORT: ("报表", "月报"),
    Intent.INVITE: ("邀请", "邀请码"),
    Intent.HARDSHIP: ("困难", "家庭困难"),
    Intent.WORRY: ("思想", "思想波动"),
    Intent.DEATH: ("去世", "逝世", "病故"),
    Intent.CONFIRM: (
        "确认", "对", "是", "好", "好的", "确定", "是的", "对的",
        "嗯", "行", "可以", "没问题", "ok", "yes", "y", "confirm",
    ),
    Intent.CANCEL: ("取消", "不", "不对", "算了", "否", "不要", "不用", "no", "n", "cancel"),
    Intent.SKIP: ("跳过", "没有", "不知道", "skip"),
    Intent.RECEIVED: ("收到", "收到了", "已收到"),
    Intent.DELIVERED: ("已送达", "送到了", "已送到"),
    Intent.ACCEPT: ("接受", "我去", "我来"),
    Intent.VISITED: ("已走访", "走访了", "看过了", "已看望"),
    Intent.ADOPT: ("采纳", "采纳补充"),
    Intent.GUIDANCE: ("指导", "指导记录", "党建指导"),
    Intent.MEETING: ("开会", "加个会", "安排会议"),
    Intent.RESCHEDULE: ("改期", "学习日改期", "改时间"),
    Intent.CONTACT: ("找书记", "书记电话", "联系书记"),
    Intent.CALLBACK: ("请书记回电话", "请书记回个电话", "回电话"),
    Intent.MY_PAIR: ("我的对子", "我的互助对象", "互助对象", "我的结对"),
    Intent.PAIRS: ("对子", "对子名单", "互助对子", "结对情况"),
    Intent.PAIR_UP: ("结对", "结成对子", "配对子"),
    Intent.PAIR_CONTACT: ("互助记录", "互助", "帮扶记录"),
    Intent.ACTIVITY: ("活动", "新活动", "组织活动", "发起活动"),
    Intent.ACTIVITIES: ("我的活动", "活动安排", "有什么活动"),
    Intent.SIGNUP: ("报名", "报个名", "我报名", "我要报名"),
    Intent.UNSIGN: ("取消报名", "不报名了", "退出报名"),
    Intent.HOURS: ("时长", "服务时长", "志愿时长"),
    Intent.JOIN_GROUP: ("加入", "入组", "我要加入"),
    Intent.QUIT_GROUP: ("退出", "退组"),
    Intent.SUBMIT: ("投稿", "我要投稿", "写稿", "我见证", "我参与", "建言献策", "提建议"),
    Intent.PIECES: ("稿件", "审稿", "我的投稿", "我的稿件"),
    Intent.THEME: ("征文主题", "本月主题", "这个月主题"),
    Intent.DIGEST: ("简报", "月度简报", "本月简报"),
    Intent.LIKE: ("点赞", "点个赞", "赞一个"),
    Intent.ANSWER: ("答复", "答复建议"),
}  # fmt: skip

# Answers like 好的/不要/没有 also start ordinary sentences (不要紧, 没有人来, 我来不了), so
# they count at the start of a longer message only when a space or punctuation follows.
_ANSWER_INTENTS = frozenset({Intent.CONFIRM, Intent.CANCEL, Intent.SKIP, Intent.ACCEPT})
_WEAK_WORDS = frozenset({"我的", "到了", "我到了", "已到"})

# Only the first characters of a message are examined for keywords, numbers and typos.
_SCAN = 40
# Sentence-final particles: 签到了 / 请假啦 mean the same as 签到 / 请假.
_PARTICLES = "了啦吧呀啊哦喔呢嘛"
_LEADING_PARTICLES = re.compile(f"[{_PARTICLES}]+(?=$|[\\s\\W])")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_SLASH = re.compile(r"/([a-z][a-z0-9_]*)(?:@[a-z0-9_]+)?(?![a-z0-9_@])")
_REPEATED = re.compile(r"(.+?)\1+")
_NOT_WORD = re.compile(r"[\W_]+")
_NUMBER = re.compile(r"第?\s?([0-9]{1,4}|[零〇一二两三四五六七八九十]{1,3})\s?[号个项条]?")
_CN_DIGITS = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
# Real words one character away from a keyword; never read as typos (请问 is not 请假).
_NOT_TYPOS = frozenset(
    "请问 请你 请您 请坐 签名 签字 迟到 没到 不到 看到 想到 听到 来到 见到 找到 遇到 得到 "
    "感到 回到 快到 等到 住在 住着 住房 住址 出门 出去 出来 出现 出发 资格 资金 通过 通话 "
    "待遇 代表 去年 去过 去看 病情 病人 来不及 互助 帮忙".split()
)
# Characters removed wherever they occur: variation selectors and zero-width joiners that
# ride along with emoji, and other invisible format characters.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co"})
_VARIATION_SELECTORS = frozenset({"\ufe0e", "\ufe0f"})


def normalize(text: str) -> str:
    """Fold a message for matching: NFKC, Simplified, lowercase, single spaces, no edge junk."""
    folded = unicodedata.normalize("NFKC", text)
    folded = "".join(_clean_char(ch) for ch in folded)
    converted = convert(folded, "zh-cn")
    collapsed = " ".join(converted.lower().split())
    return _strip_edges(collapsed)


def _clean_char(ch: str) -> str:
    """Return ch, a space for whitespace controls, or nothing for invisible characters."""
    if ch.isspace():
        return " "
    if ch in _VARIATION_SELECTORS or unicodedata.category(ch) in _INVISIBLE_CATEGORIES:
        return ""
    return ch


def _is_junk(ch: str) -> bool:
    """Tell whether ch is punctuation, a symbol or emoji, a mark, a separator or a control."""
    return ch.isspace() or unicodedata.category(ch)[0] in "PSMZC"


def _strip_edges(text: str) -> str:
    """Strip punctuation and emoji from both ends, keeping a leading slash of a command."""
    start, end = 0, len(text)
    while start < end and _is_junk(text[start]) and text[start] != "/":
        start += 1
    while end > start and _is_junk(text[end - 1]):
        end -= 1
    return text[start:end]


def parse_number(text: str) -> int | None:
    """Return the number when the whole message is one ("１", "1.", "1号", "第一个", "三")."""
    stripped = text.strip()
    if len(stripped) > _SCAN:
        return None
    return _number_of(normalize(stripped))


def _number_of(norm: str) -> int | None:
    """Return the number spelled by an already normalized message, or None."""
    match = _NUMBER.fullmatch(norm)
    if match is None:
        return None
    digits = match.group(1)
    if digits.isascii():
        return int(digits)
    return _chinese_number(digits)


def _chinese_number(digits: str) -> int | None:
    """Return the value of a Chinese numeral up to 99 (一, 十, 十四, 二十, 三十五)."""
    if "十" not in digits:
        return _CN_DIGITS[digits] if len(digits) == 1 else None
    tens_text, _, ones_text = digits.partition("十")
    if "十" in ones_text or len(tens_text) > 1 or len(ones_text) > 1:
        return None
    tens = _CN_DIGITS[tens_text] if tens_text else 1
    ones = _CN_DIGITS[ones_text] if ones_text else 0
    if tens == 0:
        return None
    return tens * 10 + ones


def keyword(intent: Intent) -> str:
    """Return the canonical Simplified Chinese word for an intent (签到, 请假, ...)."""
    return _CANONICAL[intent]


def menu_intent(number: int, is_secretary: bool) -> Intent | None:
    """Return the menu entry for a number: 0 帮助, 1-7 members, 8-14 secretaries only."""
    if number == 0:
        return Intent.MENU
    if 1 <= number <= len(MEMBER_MENU):
        return MEMBER_MENU[number - 1]
    index = number - len(MEMBER_MENU) - 1
    if is_secretary and 0 <= index < len(SECRETARY_MENU):
        return SECRETARY_MENU[index]
    return None


def _build_whole() -> dict[str, Intent]:
    """Map every synonym to its intent, for messages that consist of the word alone."""
    table: dict[str, Intent] = {}
    for intent, words in _SYNONYMS.items():
        for word in words:
            table[normalize(word)] = intent
    return table


_WHOLE: dict[str, Intent] = _build_whole()
# Keywords that may start a longer message, longest first so 送学单 beats 送学.
_PREFIXES: tuple[tuple[str, Intent], ...] = tuple(
    sorted(
        ((word, intent) for word, intent in _WHOLE.items() if len(word) >= 2),
        key=lambda item: -len(item[0]),
    )
)
# Branch-life words sit one character away from everyday words (加入/加油, 退出/退休,
# 时长/时候, 活动/活着): a typo is never read as one of them.
_NO_TYPOS = frozenset({
    Intent.MY_PAIR, Intent.PAIRS, Intent.PAIR_UP, Intent.PAIR_CONTACT, Intent.ACTIVITY,
    Intent.ACTIVITIES, Intent.SIGNUP, Intent.UNSIGN, Intent.HOURS, Intent.JOIN_GROUP,
    Intent.QUIT_GROUP, Intent.SUBMIT, Intent.PIECES, Intent.THEME, Intent.DIGEST, Intent.LIKE,
    Intent.ANSWER,
})
# Keywords a typo may stand for: Chinese, two characters or more, not answers or weak words.
_TYPO_TARGETS: tuple[tuple[str, Intent], ...] = tuple(
    (word, intent)
    for word, intent in _PREFIXES
    if _CJK_RUN.fullmatch(word) and intent not in _ANSWER_INTENTS and word not in _WEAK_WORDS
    and intent not in _NO_TYPOS
)
_EMPTY = Parsed(intent=None, args="", number=None)


@short_cache
def parse(text: str) -> Parsed:
    """Understand a message: slash command, keyword with arguments, or a bare number."""
    raw = text.strip()
    if not raw:
        return _EMPTY
    norm = normalize(raw[:_SCAN])
    if len(raw) <= _SCAN:
        whole = _parse_whole(raw, norm)
        if whole is not None:
            return whole
    if norm.startswith("/"):
        return _parse_slash(raw, norm)
    return _parse_prefix(raw, norm) or _parse_typo(raw, norm) or _EMPTY


def parse_whole(text: str) -> Parsed | None:
    """The message as one word or number (签到, 好好好, 1号), or None when it is more."""
    raw = text.strip()
    if not raw or len(raw) > _SCAN:
        return None
    norm = normalize(raw)
    return _parse_whole(raw, norm) if norm else None


def parse_prefix(text: str) -> Parsed | None:
    """A message that starts with a keyword (no typo allowed): 请假 腿疼, 代签刘德明."""
    raw = text.strip()
    if not raw:
        return None
    return _parse_prefix(raw, normalize(raw[:_SCAN]))


def _parse_whole(raw: str, norm: str) -> Parsed | None:
    """Understand a message that is, in its entirety, a number or a keyword."""
    if not norm:
        question = "?" in unicodedata.normalize("NFKC", raw)
        return Parsed(Intent.HELP, "", None) if question else _EMPTY
    number = _number_of(norm)
    if number is not None:
        return Parsed(intent=None, args="", number=number)
    intent = _WHOLE.get(norm)
    if intent is None:
        intent = _repeated_answer(norm)
    return Parsed(intent, "", None) if intent is not None else None


def _repeated_answer(norm: str) -> Intent | None:
    """Understand a keyword said more than once: 好好好, 对对, 好的，好的."""
    compact = _NOT_WORD.sub("", norm)
    match = _REPEATED.fullmatch(compact)
    return _WHOLE.get(match.group(1)) if match else None


def _parse_slash(raw: str, norm: str) -> Parsed:
    """Understand /command, /command@BotName and /command with arguments."""
    match = _SLASH.match(norm)
    if match is None:
        return _EMPTY
    intent = SLASH_COMMANDS.get(match.group(1))
    return Parsed(intent, _args_after(raw, match.group(0)), None)


def _parse_prefix(raw: str, norm: str) -> Parsed | None:
    """Understand a message that starts with a keyword; the longest keyword wins."""
    for word, intent in _PREFIXES:
        if norm.startswith(word) and _ends_word(norm, word, intent):
            return Parsed(intent, _args_after(raw, word), None)
    return None


def _ends_word(norm: str, word: str, intent: Intent) -> bool:
    """Tell whether a keyword at the start of norm is a whole word where it must be one."""
    following = norm[len(word) : len(word) + 1]
    if not following:
        return True
    if word.isascii():
        return not (following.isascii() and following.isalnum())
    if intent in _ANSWER_INTENTS or word in _WEAK_WORDS:
        return following == " " or unicodedata.category(following)[0] in "PS"
    return True


def _parse_typo(raw: str, norm: str) -> Parsed | None:
    """Understand a first word one edit away from exactly one intent's keyword (签倒)."""
    run = _CJK_RUN.match(norm)
    if run is None:
        return None
    word = run.group(0)
    core = word.rstrip(_PARTICLES)
    if not 2 <= len(core) <= 3 or core in _NOT_TYPOS:
        return None
    intents = {intent for target, intent in _TYPO_TARGETS if _one_edit_apart(core, target)}
    if len(intents) != 1:
        return None
    return Parsed(intents.pop(), _args_after(raw, word), None)


def _one_edit_apart(a: str, b: str) -> bool:
    """Tell whether a and b differ by exactly one insertion, deletion or substitution."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    if len(short) == len(long_):
        return short[i + 1 :] == long_[i + 1 :]
    return short[i:] == long_[i + 1 :]


def _args_after(raw: str, matched: str) -> str:
    """Return what follows the matched (normalized) start of raw, in the typed characters."""
    rest = raw[_offset_of(raw, matched) :]
    rest = _LEADING_PARTICLES.sub("", rest, count=1) if rest[:1] in _PARTICLES else rest
    start = 0
    while start < len(rest) and _is_junk(rest[start]):
        start += 1
    return rest[start:].rstrip()


def _offset_of(raw: str, matched: str) -> int:
    """Return how many typed characters make up the normalized start `matched`."""
    for end in range(1, min(len(raw), _SCAN) + 1):
        if normalize(raw[:end]).startswith(matched):
            return end
    return min(len(matched), len(raw))
