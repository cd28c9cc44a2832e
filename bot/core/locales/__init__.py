"""User-facing text, one module per written language (zh-Hant is derived from zh-Hans)."""
