"""What a sentence says besides its intent: a reason, a hospital and ward, a day, for whom.

Each finder works on a cleaned message (both scripts, same positions) and returns the typed
characters, so the secretary reads 人民醫院 as the member wrote it, without 嗯 or 了.
"""

from __future__ import annotations

import re

from bot.understanding.clean import Cleaned, is_separator
from bot.understanding.lexicon import lexicon

_HOSPITAL = re.compile(r"(医院|卫生院|卫生所|诊所|医科大学附属医院|附属医院|疗养院)")
_HOSPITAL_STOP = frozenset("在住进了到是去的我从和那个就上送")
_NUM = "0-9一二三四五六七八九十零两"
_WARD = re.compile(
    rf"([{_NUM}]+\s*(?:病区|区)(?:\s*[{_NUM}]+\s*(?:号床|床))?"
    rf"|[\u4e00-\u9fff]{{1,4}}科\s*(?:[{_NUM}]+\s*(?:号床|床))?"
    rf"|[{_NUM}]+\s*(?:号床|床)"
    rf"|[{_NUM}]+\s*楼(?:[{_NUM}]+\s*(?:号|床|号床))?"
    rf"|[{_NUM}]+\s*号病房)"
)
_TASK = re.compile(r"#?\s*([0-9]{1,9})")
_DATE = re.compile(rf"([{_NUM}]{{1,3}})\s*[号日]")


def clauses(text: str) -> list[tuple[int, int]]:
    """(start, end) of each clause between separators."""
    spans, start = [], 0
    for i, ch in enumerate(text):
        if is_separator(ch):
            if i > start:
                spans.append((start, i))
            start = i + 1
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def remainder(msg: Cleaned, cues: tuple[str, ...], *, start: int = 0,
              end: int | None = None) -> str:
    """What a span says once its cue phrases go (anywhere) and the words that only lead in or
    trail off go (at the edges): 我腿疼今天去不了想请个假 -> 腿疼. Clauses that keep
    something are joined (血压高，头晕); a question to the listener (听得到吗) is left out."""
    end = len(msg.simple) if end is None else end
    lex = lexicon()
    edges = tuple(sorted({*lex.stopwords, *_all_relations(), *_day_words()}, key=lambda w: -len(w)))
    kept = []
    for c_start, c_end in clauses(msg.simple[start:end]):
        c_start, c_end = c_start + start, c_end + start
        clause = msg.simple[c_start:c_end]
        if clause.endswith("吗"):
            continue
        keep = [True] * len(clause)
        for word in sorted(cues, key=lambda w: -len(w)):
            _mask(clause, word, keep)
        typed = "".join(msg.typed[c_start + i] for i, k in enumerate(keep) if k)
        plain = "".join(clause[i] for i, k in enumerate(keep) if k)
        typed = _trim_edges(plain, typed, edges, lex.particles)
        if len(typed) >= 2:
            kept.append(typed)
    return "，".join(kept)


def _trim_edges(plain: str, typed: str, edges: tuple[str, ...], particles: str) -> str:
    """Lead-in and trailing words off both ends, until none is left there."""
    changed = True
    while changed and plain:
        changed = False
        stripped = plain.strip(particles + " ")
        if stripped != plain:
            left = len(plain) - len(plain.lstrip(particles + " "))
            typed = typed[left:left + len(stripped)]
            plain, changed = stripped, True
        for word in edges:
            if plain.startswith(word):
                plain, typed, changed = plain[len(word):], typed[len(word):], True
                break
            if plain.endswith(word):
                plain, typed, changed = plain[: -len(word)], typed[: -len(word)], True
                break
    return typed.strip()


def _mask(clause: str, word: str, keep: list[bool]) -> None:
    """Mark every occurrence of word (where not already taken) as dropped."""
    start = clause.find(word)
    while start >= 0:
        if all(keep[start:start + len(word)]):
            for i in range(start, start + len(word)):
                keep[i] = False
        start = clause.find(word, start + 1)


def _all_relations() -> tuple[str, ...]:
    lex = lexicon()
    return tuple(w for key, words in lex.relations.items() if key != "self" for w in words)


_LEAVE_CUES = ("请假", "请个假", "请一天假", "请天假", "请两天假", "告假", "去不了", "来不了",
               "去不成", "来不成", "到不了", "不能来", "不能去", "不能参加", "参加不了", "没法来",
               "没法去", "不去了", "不来了", "不参加", "就不去", "就不来", "不去", "不来", "签到",
               "原因是", "原因写", "原因")


def leave_reason(msg: Cleaned) -> str:
    """Why a member cannot come (腿疼, 带孙子), without the words that ask for leave."""
    return remainder(msg, _LEAVE_CUES)


def trim_leading(text: str) -> str:
    """A typed reason without the words that only lead into it (今天腰疼 -> 腰疼)."""
    lex = lexicon()
    lead = (*lex.stopwords, *_LEAVE_CUES, "，", ",", " ")
    changed = True
    while changed and text:
        changed = False
        for word in lead:
            if len(text) > len(word) + 1 and text.startswith(word):
                text, changed = text[len(word):], True
                break
    return text.strip().rstrip("。.！!，,；; ")


def hospital(msg: Cleaned) -> tuple[str, int] | None:
    """The hospital named (人民医院, 县中医院) and where it starts."""
    found = _HOSPITAL.search(msg.simple)
    if found is None:
        return None
    start = found.start()
    while start > 0 and msg.simple[start - 1] not in _HOSPITAL_STOP and not is_separator(
            msg.simple[start - 1]) and found.start() - start < 8:
        start -= 1
    return msg.span(start, found.end()), start


def ward(msg: Cleaned) -> str | None:
    """The ward and bed (3病区12床, 心内科3床, 五楼)."""
    found = _WARD.search(msg.simple)
    return msg.span(found.start(), found.end()).replace(" ", "") if found else None


def day(msg: Cleaned) -> str | None:
    """today / yesterday / day_before, when the message names the day."""
    for key, words in lexicon().time_words.items():
        if any(w in msg.simple for w in words):
            return key
    return None


def date_number(msg: Cleaned) -> int | None:
    """The day of the month named (5号, 十二日)."""
    from bot.understanding.keywords import parse_number

    found = _DATE.search(msg.simple)
    return parse_number(found.group(1)) if found else None


def task_number(msg: Cleaned) -> str | None:
    """A task or request number (接受 3, 3号我去, #12)."""
    found = _TASK.search(msg.simple)
    return found.group(1) if found else None


def relation(text: str) -> str | None:
    """self / partner / father / mother / spouse, when a few words name one of them
    (我的互助对象, 我老伴, 我家里 -> self)."""
    lex = lexicon()
    bare = text.strip()
    for key in ("partner", "father", "mother", "spouse"):
        if any(w in bare for w in lex.relations[key] if len(w) >= 2) or bare in lex.relations[key]:
            return key
    if bare in lex.relations["self"] or bare.startswith(("我", "俺", "本人")):
        return "self"
    return None


def subject(msg: Cleaned, before: int) -> str:
    """Who a sentence is about: the words before its verb, without time words and fillers
    (刘德民昨天 -> 刘德民, 我对子 -> 我对子, 我 -> 我)."""
    text = msg.simple[:before]
    typed = msg.typed[:before]
    for c_start, c_end in reversed(clauses(text)):
        words = typed[c_start:c_end]
        plain = text[c_start:c_end]
        cuts = (*_day_words(), "家里有点", "家里有", "家里", "有点", "在", "已经", "也", "都",
                "刚", "说", "最近", "同志", "去", "一个", "的")
        if plain in cuts:  # 陈淑贞住院了，昨天住进…: 昨天 is when, not who
            continue
        for cut in cuts:
            while plain.endswith(cut) and len(plain) > len(cut):
                plain, words = plain[: -len(cut)], words[: -len(cut)]
        for lead in ("给", "帮", "替", "把", "是"):
            if plain.startswith(lead) and len(plain) > len(lead) + 1:
                plain, words = plain[len(lead):], words[len(lead):]
        if plain.endswith("我") and len(plain) > 2:  # 王秀英我昨天去看过了
            plain, words = plain[:-1], words[:-1]
        if plain:
            return words
    return ""


def _day_words() -> tuple[str, ...]:
    return tuple(w for words in lexicon().time_words.values() for w in words)


_ADDRESS = re.compile(rf"[\u4e00-\u9fff]{{1,8}}(?:路|街|村|巷|镇|小区|大院|胡同|里)"
                      rf"[{_NUM}]*号?(?:[{_NUM}]+(?:楼|号楼|单元|室|层))*")
_ADDRESS_LEAD = ("送到", "送去", "送我", "我在", "住在", "我住", "搬到", "我搬到", "我家在", "在")


def hardship_note(msg: Cleaned) -> str:
    """What the hardship is, in the member's words (我老伴生病，家里没人照顾): the clauses that
    say it, not those that only ask for help or name the word 困难."""
    kept = []
    particles = lexicon().particles
    for start, end in clauses(msg.simple):
        plain = msg.simple[start:end]
        if any(w in plain for w in ("帮", "申请", "困难", "难处")):
            continue
        typed = msg.typed[start:end].rstrip(particles)
        if plain.startswith("我") and len(plain) > 2:
            typed = typed[1:]
        if len(typed) >= 2:
            kept.append(typed)
    return "，".join(kept)


def address_in(msg: Cleaned) -> str | None:
    """A street address said in a sentence (送到文化路七号 -> 文化路七号), as typed."""
    found = _ADDRESS.search(msg.simple)
    if found is None:
        return None
    start = found.start()
    for lead in sorted(_ADDRESS_LEAD, key=len, reverse=True):
        if msg.simple.startswith(lead, start) and found.end() - start > len(lead) + 2:
            start += len(lead)
            break
    return msg.span(start, found.end())


def time_of_day(msg: Cleaned) -> str | None:
    """morning / afternoon / any, when said."""
    text = msg.simple
    if any(w in text for w in ("都行", "都可以", "上午下午都", "随便")):
        return "any"
    morning, afternoon = "上午" in text or "早上" in text, "下午" in text
    if morning and afternoon:
        return "any"
    return "morning" if morning else "afternoon" if afternoon else None


def correction(msg: Cleaned) -> str | None:
    """At a read-back, the new value a correction gives (不对，是头疼 -> 头疼; 改成中医院 ->
    中医院; 不是人民医院，是中医院 -> 中医院); "" when it only says something is wrong
    (不对, 日子不对); None when the message is no correction."""
    lex = lexicon()
    text = msg.simple
    if text in lex.change or (len(text) <= 8 and text.endswith(("不对", "错了", "有误", "不对啊"))):
        return ""
    for cue in lex.correction_cues:
        at = text.find(cue)
        if at < 0 or (cue in ("是", "不是") and at > 0) or len(text[:at].strip("，, ")) > 4:
            continue
        rest = at + len(cue)
        while rest < len(text) and is_separator(text[rest]):
            rest += 1
        value, plain = msg.typed[rest:], text[rest:]
        if cue in ("不是", "不对，", "不对,", "不对") and "是" in plain:
            cut = plain.rindex("是") + 1
            value, plain = value[cut:], plain[cut:]
        value = value.strip("，,。 ").rstrip(lex.particles).strip()
        if cue == "是" and not value:
            return None
        return value
    return None
