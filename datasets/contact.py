"""A contact sheet: thumbnails of generated pages in a grid, labelled with type and capture mode."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image, ImageDraw

from claims_datasets.fonts import sc_font

__all__ = ["contact_sheet"]


def contact_sheet(pages_dir: Path, out_png: Path, *, columns: int = 6, thumb: int = 300, limit: int = 36) -> Path:
    """Tile up to ``limit`` page images from ``pages_dir`` (sorted by name) into ``out_png``."""
    images = sorted(pages_dir.glob("*.jpg"))[:limit]
    if not images:
        raise FileNotFoundError(f"no .jpg pages in {pages_dir}")
    rows = -(-len(images) // columns)
    label_h = 22
    sheet = Image.new("RGB", (columns * thumb, rows * (thumb + label_h)), (255, 255, 255))
    draw = ImageDraw.Draw(sheet)
    font = sc_font(14, "hei")
    for i, path in enumerate(images):
        img = Image.open(path).convert("RGB")
        img.thumbnail((thumb - 6, thumb - 6))
        r, c = divmod(i, columns)
        x, y = c * thumb, r * (thumb + label_h)
        sheet.paste(img, (x + (thumb - img.width) // 2, y + (thumb - img.height) // 2))
        truth = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        kind = truth["doc_type"] if truth["doc_type"] != "other" else f"other: {truth['layout']}"
        label = f"{kind} · {truth['capture']['mode']}"
        draw.text((x + 4, y + thumb + 2), label, fill=(0, 0, 0), font=font)
    out_png.parent.mkdir(parents=True, exist_ok=True)
    # A 256-colour palette keeps the sheet small enough to commit; thumbnails lose nothing visible.
    sheet.quantize(256, method=Image.Quantize.MEDIANCUT).save(out_png, optimize=True)
    return out_png
