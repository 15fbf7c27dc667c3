"""Page geometry shared by OCR, quality and extraction: turning page-pixel points into the upright frame."""

from __future__ import annotations

import numpy as np

__all__ = ["upright_points"]


def upright_points(points: np.ndarray, orientation: int, width: int, height: int) -> tuple[np.ndarray, int, int]:
    """Points (…, 2) in page pixels, for a page turned ``orientation``° clockwise → the frame where it reads
    upright, with that frame's width and height."""
    points = np.asarray(points, dtype=np.float64)
    x, y = points[..., 0], points[..., 1]
    if orientation == 90:
        return np.stack([y, width - x], axis=-1), height, width
    if orientation == 180:
        return np.stack([width - x, height - y], axis=-1), width, height
    if orientation == 270:
        return np.stack([height - y, x], axis=-1), height, width
    return points, width, height
