"""CJK fonts from Debian's fonts-noto-cjk and fonts-wqy-zenhei (installed by scripts/setup.sh)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PIL import ImageFont

__all__ = ["FONT_CANDIDATES", "SC_FONTS", "cjk_font", "sc_font"]

FONT_CANDIDATES = {
    "sans": (
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    ),
    "sans_bold": (
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
        "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    ),
    "serif": (
        "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
        "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    ),
}


@cache
def cjk_font(size: int, style: str = "sans") -> ImageFont.FreeTypeFont:
    for candidate in FONT_CANDIDATES[style]:
        if Path(candidate).is_file():
            return ImageFont.truetype(candidate, size)
    raise FileNotFoundError(
        "No CJK font found. Install Debian's fonts-noto-cjk or fonts-wqy-zenhei (scripts/setup.sh does)."
    )


_NOTO = "/usr/share/fonts/opentype/noto/"
_WQY = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
# Simplified-Chinese faces for the generator: (file, index inside the .ttc). Index 2 of Noto CJK is SC,
# whose glyph shapes are the ones printed on mainland documents; 7 is the monospaced SC face (printer look).
SC_FONTS = {
    "hei": ((_NOTO + "NotoSansCJK-Regular.ttc", 2), (_WQY, 0)),
    "hei_bold": ((_NOTO + "NotoSansCJK-Bold.ttc", 2), (_WQY, 0)),
    "song": ((_NOTO + "NotoSerifCJK-Regular.ttc", 2), (_WQY, 0)),
    "song_bold": ((_NOTO + "NotoSerifCJK-Bold.ttc", 2), (_WQY, 0)),
    "mono": ((_NOTO + "NotoSansCJK-Regular.ttc", 7), (_WQY, 1)),
    "zenhei": ((_WQY, 0), (_NOTO + "NotoSansCJK-Regular.ttc", 2)),
}


@cache
def sc_font(size: int, face: str = "hei") -> ImageFont.FreeTypeFont:
    """A Simplified-Chinese face by name (see ``SC_FONTS``) at ``size`` pixels."""
    for path, index in SC_FONTS[face]:
        if Path(path).is_file():
            return ImageFont.truetype(path, size, index=index)
    raise FileNotFoundError(
        "No CJK font found. Install Debian's fonts-noto-cjk or fonts-wqy-zenhei (scripts/setup.sh does)."
    )
