"""Understanding a short sentence: the intent anywhere in it, and what else it says.

`understand` is what the router asks of every message outside a conversation. An exact word
(签到, 请假 腿疼, a menu number, a slash command) is read as before; anything else is cleaned
of greetings and fillers and read by the ordered rules of lexicon.toml. A message of more
than 60 characters is read by its first word only: members' sentences are short, and a long
message is a notice or a pasted text, not a command.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from bot.understanding import slots as find
from bot.understanding.clean import Cleaned, clean, is_separator
from bot.understanding.keywords import Intent, Parsed, parse, parse_prefix, parse_whole
from bot.understanding.lexicon import Rule, lexicon

MAX_SENTENCE = 60
_NEGATIONS = "不没别未"
_EMPTY = Parsed(None, "", None)
_CACHE = 4096  # short messages only, so the cache holds at most ~1 MB


@dataclass(frozen=True)
class _Hit:
    rule: Rule
    at: int
    weak: bool
    name: str | None = None


def understand(text: str, *, officer: bool = False) -> Parsed:
    """What a message means, from its words (officers' words only for officers)."""
    raw = text.strip()
    if not raw:
        return _EMPTY
    if len(raw) > MAX_SENTENCE or raw.startswith("/"):
        return parse(raw)
    return _understand(raw, officer)


@functools.lru_cache(maxsize=_CACHE)
def _understand(raw: str, officer: bool) -> Parsed:
    whole = parse_whole(raw)
    if whole is not None:
        return whole
    msg = clean(raw)
    if msg.empty:
        return parse(raw)
    whole = parse_whole(msg.typed)
    if whole is not None:
        return whole
    hit = _rules(msg, officer)
    lead = _leading_keyword(msg, hit)
    if lead is not None and lead.intent is not None:
        if hit is not None and hit.rule.intent is None and lead.intent is Intent.CHECKIN:
            return Parsed(None, "", None, not_yet=True)
        typed = parse(raw)  # the arguments exactly as typed, when the word came first
        args = typed.args if typed.intent is lead.intent else lead.args
        sure = not (lead.intent is Intent.CHECKIN and args and is_question(msg.simple))
        return _with_slots(lead.intent, msg, 0, args, sure=sure, name=None)
    if hit is None:
        fallback = parse(msg.typed)
        if fallback.intent is None or _ruled_out(fallback.intent, msg.simple):
            return _EMPTY
        return fallback
    if hit.rule.intent is None:
        return Parsed(None, "", None, not_yet=True)
    # A check-in is recorded at once, without a read-back: a question that mentions it
    # (签到晚了有没有关系) is asked back, never acted on.
    asks = hit.rule.intent is Intent.CHECKIN and is_question(msg.simple)
    parsed = _with_slots(hit.rule.intent, msg, hit.at, "", sure=not (hit.weak or asks),
                         name=hit.name)
    return _relative_in_hospital(parsed, msg, officer)


def _relative_in_hospital(parsed: Parsed, msg: Cleaned, officer: bool) -> Parsed:
    """我老伴住院了，今天去不了: a relative who is no member is in hospital, and the member
    asks for leave — the stay is the reason."""
    if parsed.intent is not Intent.HOSPITAL or parsed.slot("target") not in ("spouse",):
        return parsed
    leave = next(r for r in lexicon().rules if r.intent is Intent.LEAVE)
    if _match(leave, msg.simple) is None:
        return parsed
    clause = msg.simple.split("，")[0].split(",")[0]
    reason = find.trim_leading(clause.rstrip(lexicon().particles))
    return Parsed(Intent.LEAVE, "", None, (("reason", reason),), parsed.sure)


def _leading_keyword(msg: Cleaned, hit: _Hit | None) -> Parsed | None:
    """A message that starts with a word and then says more (请假 腿疼, 代签刘德明): the word's
    own arguments, as the exact words are read. A word glued to a sentence (签到怎么没反应)
    is left to the rules, unless the word takes its arguments glued (代签, 邀请, 接受) and
    the rules see nothing else; what rules the word out (收到通知了) rules out this too."""
    parsed = parse_whole(msg.typed) or parse_prefix(msg.typed)
    if parsed is None or parsed.intent is None or _ruled_out(parsed.intent, msg.simple):
        return None
    if not parsed.args:
        return parsed
    rest_at = msg.typed.find(parsed.args)
    before = msg.simple[:rest_at] if rest_at > 0 else ""
    if before and (is_separator(before[-1]) or before.rstrip(lexicon().particles) != before):
        return parsed
    if parsed.intent in _GLUED and (hit is None or hit.rule.intent is parsed.intent):
        return parsed
    return None


def _ruled_out(intent: Intent, text: str) -> bool:
    rules = [r for r in lexicon().rules if r.intent is intent]
    return bool(rules) and all(any(u in text for u in r.unless) for r in rules)


_GLUED = frozenset({Intent.PROXY, Intent.INVITE, Intent.ACCEPT, Intent.VISITED, Intent.DEATH,
                    Intent.WORRY, Intent.REPORT, Intent.ATTENDANCE, Intent.DELIVERIES})


def _rules(msg: Cleaned, officer: bool) -> _Hit | None:
    """The first rule of the lexicon that the message matches."""
    text = msg.simple
    for rule in lexicon().rules:
        if rule.officer and not officer:
            continue
        if any(u in text for u in rule.unless) or any(p.search(text) for p in rule.unless_patterns):
            continue
        hit = _match(rule, text)
        if hit is not None:
            return hit
    return None


def _match(rule: Rule, text: str) -> _Hit | None:
    """The first way the rule is met: exactly, by a phrase, a pattern; then weakly."""
    if text in rule.exact:
        return _Hit(rule, 0, False)
    for phrases, patterns, weak in ((rule.phrases, rule.patterns, False),
                                    (rule.weak, rule.weak_patterns, True)):
        # The earliest phrase: slots read the words before the verb (陈淑贞住院了，昨天住进…).
        at = min((a for a in (_find(text, phrase) for phrase in phrases) if a >= 0), default=-1)
        if at >= 0:
            return _Hit(rule, at, weak)
        for pattern in patterns:
            found = pattern.search(text)
            if found:
                return _Hit(rule, found.start(), weak, found.groupdict().get("name"))
    return None


def _find(text: str, phrase: str) -> int:
    """Where a phrase stands, not negated (不签到, 不能签到, 没法签到 are no 签到); -1 when
    nowhere. A negation counts up to three characters before the phrase, in its clause."""
    at = text.find(phrase)
    while at >= 0:
        if phrase[0] in _NEGATIONS or not _negated(text, at):
            return at
        at = text.find(phrase, at + 1)
    return -1


def _negated(text: str, at: int) -> bool:
    before = text[max(0, at - 3):at]
    for sep in "，,。.！!？?；; ":
        before = before.rpartition(sep)[2]
    before = before.replace("有没有", "").replace("没有人", "")  # 有没有人工: a question
    return any(ch in _NEGATIONS for ch in before)


_QUESTION = re.compile(
    r"[?？]|吗|呢$|有没有|能不能|可不可以|是不是|要不要|行不行|怎么|几[回次个]|多少|什么")


def is_question(text: str) -> bool:
    """Whether a message asks something (签到晚了有没有关系, 我签到了几回)."""
    return _QUESTION.search(text) is not None


def _with_slots(intent: Intent, msg: Cleaned, at: int, args: str, *, sure: bool,
                name: str | None) -> Parsed:
    """The intent with what the sentence says for it, and the arguments its handler reads."""
    found: dict[str, str] = {}
    if intent is Intent.LEAVE:
        _leave(msg, found)
    elif intent in (Intent.HOSPITAL, Intent.DISCHARGE, Intent.HARDSHIP):
        _care(intent, msg, at, args, found)
    elif intent in (Intent.PROXY, Intent.INVITE, Intent.WORRY, Intent.DEATH):
        args = _named(intent, msg, at, args, name, found)
    elif intent in (Intent.ACCEPT, Intent.VISITED):
        task = find.task_number(msg)
        if task:
            found["task"] = task
            args = args or task
        if intent is Intent.VISITED and not task:
            who = find.subject(msg, at)
            if who:
                found["name"] = who
            day = find.day(msg)
            if day:
                found["day"] = day
    elif intent is Intent.DELIVERY:
        _delivery(msg, found)
    elif intent is Intent.BROADCAST and not args:
        args = _after_cue(msg, ("发个通知", "发通知", "通知大家", "通知全体", "告诉大家", "通知"))
    slots = tuple(found.items())
    return Parsed(intent, args, None, slots, sure)


def _leave(msg: Cleaned, found: dict[str, str]) -> None:
    reason = find.leave_reason(msg)
    if reason:
        found["reason"] = reason


def _care(intent: Intent, msg: Cleaned, at: int, args: str, found: dict[str, str]) -> None:
    hospital = find.hospital(msg) if intent is Intent.HOSPITAL else None
    before = min(at, hospital[1]) if hospital and at > 0 else at
    who = find.subject(msg, before) if before > 0 else ""
    if not who and args:
        first = re.split(r"[\s，,。]", args.strip(), maxsplit=1)[0]
        if first and not find.hospital(clean(first)) and not find.ward(clean(first)):
            who = first
    said_to_whom = intent is not Intent.HARDSHIP or msg.simple[at:at + 2] in ("困难", "难处")
    if who and (said_to_whom or find.relation(who)):
        found["target"] = find.relation(who) or who
    if hospital:
        found["hospital"] = hospital[0]
    ward = find.ward(msg) if intent is Intent.HOSPITAL else None
    if ward:
        found["ward"] = ward
    day = find.day(msg)
    if day:
        found["day"] = day
    if intent is Intent.HARDSHIP and not args:
        note = find.hardship_note(msg)
        if note:
            found["text"] = note


def _named(intent: Intent, msg: Cleaned, at: int, args: str, name: str | None,
           found: dict[str, str]) -> str:
    """Secretary words that name a member: the name (as said) and the rest after it."""
    day = find.day(msg)
    if day:
        found["day"] = day
    if name:
        rest = find.remainder(msg, (name, "签个到", "签到", "一下", "他", "她"),
                              start=at + len(name) + 1)
        return f"{name} {rest}".strip()
    if args:
        return args
    who = find.subject(msg, at) if at > 0 else ""
    who = who.removesuffix("一个").removesuffix("的")
    cue_end = at + _cue_length(msg.simple, at)
    rest = find.remainder(msg, ("一下", "他", "她", "一个"), start=cue_end)
    if who:
        return f"{who} {rest}".strip()
    return msg.typed[cue_end:].strip("，, ")


def _cue_length(text: str, at: int) -> int:
    """How long the cue word at a position is (the longest phrase of any rule)."""
    best = 0
    for rule in lexicon().rules:
        for phrase in rule.phrases:
            if text.startswith(phrase, at):
                best = max(best, len(phrase))
    return best or 1


def _delivery(msg: Cleaned, found: dict[str, str]) -> None:
    when = find.time_of_day(msg)
    if when:
        found["time"] = when
    address = find.address_in(msg)
    if address:
        found["address"] = address


def _after_cue(msg: Cleaned, cues: tuple[str, ...]) -> str:
    for cue in cues:
        at = msg.simple.find(cue)
        if at >= 0:
            return msg.typed[at + len(cue):].strip("，,：: ")
    return ""

