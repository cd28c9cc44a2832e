"""The CJK font every generated document uses (reports, charts, large-print copies)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def cjk_font_path() -> Path:
    """Noto Sans CJK SC (SIL OFL), shipped inside the mplfonts wheel: the same on every machine."""
    font = resources.files("mplfonts").joinpath("fonts/NotoSansCJKsc-Regular.otf")
    return Path(str(font))
