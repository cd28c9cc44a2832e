"""The kinds of activity and the words that name them (志愿服务, 志愿, 学手机, 学电脑…).

The stored kind is the schema's English key; what a member reads is the catalogue's
`activity.kind.<key>`; what an officer may type for it is here (matching data, not text).
"""

from __future__ import annotations

from bot.understanding import normalize

# In the order they are offered.
KINDS = ("interest", "volunteer", "visit", "lecture", "phone", "other")
_NAMES: dict[str, str] = {
    "兴趣小组": "interest", "兴趣活动": "interest", "小组活动": "interest", "兴趣": "interest",
    "小组": "interest",
    "志愿服务": "volunteer", "志愿者": "volunteer", "志愿服务队": "volunteer", "志愿": "volunteer",
    "义务服务": "volunteer", "义务劳动": "volunteer", "公益": "volunteer",
    "参观学习": "visit", "参观": "visit", "外出参观": "visit", "考察": "visit",
    "讲座": "lecture", "报告会": "lecture", "讲课": "lecture",
    "学手机": "phone", "学智能手机": "phone", "学电脑": "phone", "智能手机": "phone",
    "手机课": "phone", "手机培训": "phone", "手机": "phone", "电脑": "phone", "手机班": "phone",
    "电脑班": "phone",
    "其他": "other", "其它": "other", "别的": "other",
    **{key: key for key in KINDS},
}
_LONGEST_FIRST = tuple(sorted(_NAMES, key=len, reverse=True))


def parse_kind(text: str) -> str | None:
    """The kind a whole word names (志愿 -> volunteer), None when it names none."""
    return _NAMES.get(normalize(text).strip())


def kind_at_start(text: str) -> tuple[str | None, str]:
    """A kind named at the start of some words, and the words after it (志愿服务帮老人理发
    -> volunteer, 帮老人理发)."""
    said = normalize(text)
    for name in _LONGEST_FIRST:
        if said.startswith(name):
            return _NAMES[name], text.strip()[len(name):].strip()
    return None, text.strip()


def kind_words(kind: str) -> tuple[str, ...]:
    """Every word that names a kind (to find 讲座 in 我要报名讲座)."""
    return tuple(name for name, key in _NAMES.items() if key == kind and not name.isascii())
