"""Understanding what members and officers type or dictate: words, numbers, sentences."""

from bot.core.script import convert, is_simplified, is_traditional, warm_up, written_script
from bot.understanding.keywords import (
    MEMBER_MENU,
    SECRETARY_MENU,
    SLASH_COMMANDS,
    Intent,
    Parsed,
    keyword,
    menu_intent,
    normalize,
    parse,
    parse_number,
    parse_whole,
)

__all__ = [
    "MEMBER_MENU",
    "SECRETARY_MENU",
    "SLASH_COMMANDS",
    "Intent",
    "Parsed",
    "convert",
    "is_simplified",
    "is_traditional",
    "keyword",
    "menu_intent",
    "normalize",
    "parse",
    "parse_number",
    "parse_whole",
    "warm_up",
    "written_script",
]
