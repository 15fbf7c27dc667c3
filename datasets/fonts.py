"""CJK fonts from Debian's fonts-noto-cjk and fonts-wqy-zenhei (installed by scripts/setup.sh)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PIL import ImageFont

__all__ = ["FONT_CANDIDATES", "cjk_font"]

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
