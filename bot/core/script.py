"""Simplified and Traditional Chinese: converting between them, telling which one a text shows.

Handlers reply in the script a member writes; the understanding layer folds both to
Simplified before matching. Both need the same converter, so it lives here, below both.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from opencc import OpenCC

# OpenCC (the pure-Python reimplementation: no native code, nothing fetched at run time)
# converts by phrase as well as by character, so 签到 becomes 簽到 and not 籤到 as with
# character-level tables; its dictionaries are loaded once, on first use.
_OPENCC_CONFIGS = {"zh-cn": "t2s", "zh-hant": "s2tw"}
P = ParamSpec("P")
R = TypeVar("R")


@functools.cache
def _converter(variant: str) -> OpenCC:
    """One OpenCC converter per direction, built on first use."""
    return OpenCC(_OPENCC_CONFIGS[variant])


def warm_up() -> None:
    """Load both conversion dictionaries now (~0.1 s), not while a member waits for a reply."""
    for variant in _OPENCC_CONFIGS:
        _converter(variant)


# OpenCC is pure Python and a message needs three conversions (its script, both ways; its
# meaning once): 20-50 µs a message. Members send the same few words again and again, so the
# answers are kept (a repeated word costs under 1 µs); 4,096 entries bound the memory.
CACHE_SIZE = 4096
# Only texts this short are kept: a cache of whole messages (4,096 characters on Telegram)
# could hold hundreds of MB; of short ones, at most ~10 MB (4,096 × 200 characters × a few
# copies). Long texts are rare (notices, reports) and simply computed again.
CACHED_CHARS = 200


def short_cache(function: Callable[P, R]) -> Callable[P, R]:
    """lru_cache for calls whose first argument (the text) is short; longer texts are
    computed every time. `cache_clear` empties it (benchmarks time the uncached work)."""
    cached = functools.lru_cache(maxsize=CACHE_SIZE)(function)

    @functools.wraps(function)
    def call(*args: P.args, **kwargs: P.kwargs) -> R:
        text = args[0] if args else ""
        if not isinstance(text, str) or len(text) > CACHED_CHARS:
            return function(*args, **kwargs)
        return cached(*args, **kwargs)  # type: ignore[arg-type]  # str and bool args

    call.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
    call.cache_info = cached.cache_info  # type: ignore[attr-defined]
    return call


@short_cache
def convert(text: str, variant: str) -> str:
    """Convert between scripts: "zh-cn" to Simplified, "zh-hant" to Traditional."""
    converted: str = _converter(variant).convert(text)
    return converted


_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def written_script(text: str) -> str | None:
    """Which script a message shows ("zh-Hant", "zh-Hans"), if it shows one.

    Asked of every message; a repeated word (签到, 1, 好) is answered from a cache. Only the
    first 200 characters count (as in is_traditional), so a long message is not kept whole.
    """
    return _script_of(text[:200])


@functools.lru_cache(maxsize=CACHE_SIZE)
def _script_of(text: str) -> str | None:
    if is_traditional(text):
        return "zh-Hant"
    if is_simplified(text):
        return "zh-Hans"
    return None


def is_traditional(text: str) -> bool:
    """Tell whether text has Chinese characters that change under Traditional->Simplified."""
    return _changes_under(text, "zh-cn")


def is_simplified(text: str) -> bool:
    """Tell whether text has Chinese characters that change under Simplified->Traditional."""
    return _changes_under(text, "zh-hant")


def _changes_under(text: str, variant: str) -> bool:
    """Tell whether converting text to `variant` changes any of its Chinese characters."""
    converted = convert(text[:200], variant)
    text = text[:200]
    if converted == text:
        return False
    if len(converted) != len(text):
        return any(_is_cjk(ch) for ch in text)
    return any(a != b and _is_cjk(a) for a, b in zip(text, converted, strict=True))


def _is_cjk(ch: str) -> bool:
    """Tell whether ch is a CJK ideograph."""
    return _CJK_RUN.fullmatch(ch) is not None
