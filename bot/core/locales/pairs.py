"""Texts of 互助对子 (merged into the zh-Hans and en catalogues)."""

ZH_HANS: dict[str, str] = {
}

EN: dict[str, str] = {
}
