"""What kind of help a sentence tells of: 生活帮助, 精神慰藉 or 就近互助.

The seed report names the three forms of 互助对子: 生活帮助 (life: errands, chores, going along
to the hospital), 精神慰藉 (comfort: a visit, a call, a talk) and 就近互助 (nearby: minding the
house, help on the way). A member never names the form; it is guessed from the verbs and read
back, and the member may change it (不对，是生活帮助). The word lists are data, here.
"""

from __future__ import annotations

from bot.understanding.clean import clean

KINDS = ("life", "comfort", "nearby")
DEFAULT = "comfort"  # a visit or a call, when nothing says more

# Checked in this order: a concrete errand outweighs the visit it was done on (去看了她，帮她
# 买了药 is life), and a word of the neighbourhood outweighs both (顺路帮她取了快递).
_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("nearby", ("就近", "顺路", "顺便", "看家", "看门", "看房子", "帮忙看", "照看", "邻居",
                "隔壁", "楼上", "楼下", "浇花", "喂猫", "喂狗", "收快递", "代收")),
    ("life", ("买", "打扫", "扫地", "拖地", "拿药", "帮她拿", "帮他拿", "去拿", "取药", "取钱",
              "取快递", "接她", "接他", "去接", "接送", "送她", "送他", "给她送", "给他送",
              "送了", "送去", "送药", "送饭", "送菜", "做饭", "做了饭", "洗", "修", "搬",
              "收拾", "缴费", "交费", "挂号", "理发", "代办", "办事", "跑腿", "换煤气", "换灯")),
    ("comfort", ("电话", "聊", "谈心", "视频", "看望", "去看", "看了", "看她", "看他", "说话",
                 "说说话", "唠", "拉家常", "读报", "问候", "探望")),
    ("life", ("陪",)),  # 陪她去医院 is life; 陪她聊天 is comfort (above)
)
# What a member says to name a form at the read-back (不对，是生活帮助 / 改为就近).
_NAMES: dict[str, tuple[str, ...]] = {
    "life": ("生活帮助", "生活上", "生活"),
    "comfort": ("精神慰藉", "精神安慰", "慰藉", "精神", "安慰", "谈心"),
    "nearby": ("就近互助", "就近帮助", "就近"),
}


def guess_kind(text: str) -> str:
    """The form of help a sentence tells of (comfort when nothing says)."""
    simple = clean(text).simple
    for kind, words in _WORDS:
        if any(word in simple for word in words):
            return kind
    return DEFAULT


def kind_named(text: str) -> str | None:
    """The form a correction names (生活帮助, 就近, 精神慰藉…), or None."""
    simple = clean(text).simple
    for kind, words in _NAMES.items():
        if any(word in simple for word in words):
            return kind
    return None
