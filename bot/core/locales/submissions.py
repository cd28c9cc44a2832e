"""Texts of 投稿, 稿件, 简报, 点赞 and 建言献策 (merged into the zh-Hans and en catalogues)."""

ZH_HANS: dict[str, str] = {
}

EN: dict[str, str] = {
}
