"""The large-print copy of a text material: A4, 18 pt and larger, with its CJK font embedded.

Why these libraries: fpdf2 is pure Python (no cairo, pango or LaTeX to install), so it works
from a wheel on any machine, and it embeds a subset of an OpenType font, CFF-flavoured .otf
included, so the PDF shows the same glyphs wherever it is opened or printed and stays small.
The font is Noto Sans CJK SC (SIL Open Font License) as shipped inside the `mplfonts` wheel
(bot/fonts.py, shared with the reports): it arrives with `pip install`, not from the operating
system, so every machine renders alike.
"""

from __future__ import annotations

import functools
from datetime import datetime

from fpdf import FPDF
from fpdf.enums import Align, WrapMode, XPos, YPos

from bot.documents.fonts import cjk_font_path

TITLE_PT = 28
BODY_PT = 22
SMALL_PT = 18  # the smallest text on the page (subtitle, page numbers)
LINE_SPACING = 1.6
MARGIN_MM = 20
PT_TO_MM = 25.4 / 72
FONT_FAMILY = "NotoSansCJK"
_INDENT = "\u3000\u3000"  # two ideographic spaces open a Chinese paragraph


class _LargePrint(FPDF):
    """A4 pages with the page number at the foot in large type."""

    def footer(self) -> None:
        """第 N 页, centred at the foot of each page."""
        self.set_y(-MARGIN_MM)
        self.set_font(FONT_FAMILY, size=SMALL_PT)
        self.cell(0, SMALL_PT * PT_TO_MM, f"第 {self.page_no()} 页", align=Align.C)


def _paragraphs(body: str) -> list[str]:
    """Non-empty paragraphs, each opened with the customary two-character indent."""
    out = []
    for line in body.splitlines():
        text = line.strip()
        if text:
            out.append(text if text.startswith(("\u3000", "一、", "（")) else _INDENT + text)
    return out


@functools.lru_cache(maxsize=16)
def render(title: str, subtitle: str, body: str, created: datetime) -> bytes:
    """The PDF bytes (the same inputs give the same bytes; rendered once per process)."""
    pdf = _LargePrint(orientation="portrait", unit="mm", format="A4")
    pdf.set_creation_date(created)
    pdf.set_title(title)
    pdf.set_lang("zh-CN")
    pdf.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
    pdf.set_auto_page_break(auto=True, margin=MARGIN_MM + SMALL_PT * PT_TO_MM)
    pdf.add_font(FONT_FAMILY, fname=str(cjk_font_path()))
    pdf.add_page()
    _block(pdf, title, TITLE_PT, Align.C)
    _block(pdf, subtitle, SMALL_PT, Align.C)
    pdf.ln(BODY_PT * PT_TO_MM)
    for paragraph in _paragraphs(body):
        _block(pdf, paragraph, BODY_PT, Align.L)
    return bytes(pdf.output())


def _block(pdf: FPDF, text: str, size: int, align: Align) -> None:
    """Wrapped text (by character: Chinese has no spaces to break at) and a little air."""
    if not text:
        return
    pdf.set_font(FONT_FAMILY, size=size)
    pdf.multi_cell(0, size * PT_TO_MM * LINE_SPACING, text, align=align,
                   wrapmode=WrapMode.CHAR, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(size * PT_TO_MM * 0.4)
