"""The line-level document-type model: stable features, and an ONNX export that matches torch."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from claims_ai.classify.features import MAX_LINES, page_features
from training.layout.doc_type_lines import LineDocTypeModel, export_line_model
from training.layout.pages import Line, Page


def _page(texts: list[str]) -> Page:
    lines = tuple(
        Line(
            t,
            np.array([[50, 50 + 40 * i], [600, 50 + 40 * i], [600, 80 + 40 * i], [50, 80 + 40 * i]], float),
            tuple([0] * len(t)),
        )
        for i, t in enumerate(texts)
    )
    return Page("p", "discharge_summary", 800, 1100, lines, {})


def test_features_are_stable_and_bounded() -> None:
    quads = np.array([[[0, 0], [100, 0], [100, 20], [0, 20]]] * 3, float)
    a = page_features(["出院记录", "姓名：王建国", ""], quads, 200, 400)
    b = page_features(["出院记录", "姓名：王建国", ""], quads, 200, 400)
    assert (a.ngrams == b.ngrams).all() and a.line_mask.tolist()[:3] == [1, 1, 0]
    assert a.geometry.min() >= 0 and a.geometry.max() <= 1
    many = page_features(["行"] * 100, np.repeat(quads[:1], 100, axis=0), 200, 400)
    assert many.line_mask.sum() == MAX_LINES
    turned = page_features(
        ["出院记录"], np.array([[[180, 0], [180, 100], [200, 100], [200, 0]]], float), 200, 400, orientation=90
    )
    assert turned.geometry[0, 2] > turned.geometry[0, 0]  # the line runs left to right once upright


def test_export_matches_torch(tmp_path: Path) -> None:
    torch.manual_seed(0)
    model = LineDocTypeModel(dim=16).eval()
    pages = [_page(["贵州省医疗住院收费票据", "（小写）24,189.65"]), _page(["出院记录"])]
    worst = export_line_model(model, tmp_path / "doc_type.onnx", version="0.0.1", temperature=1.0, samples=pages)
    assert worst <= 1e-4


def test_lines_of_a_second_slip_in_the_photo_lie_off_the_text_centre() -> None:
    # The main document fills the middle of the frame; a slip beside it shows a few lines at the edge.
    main = [[[300, 200 + 40 * i], [900, 200 + 40 * i], [900, 230 + 40 * i], [300, 230 + 40 * i]] for i in range(20)]
    beside = [[[1050, 50 + 40 * i], [1190, 50 + 40 * i], [1190, 80 + 40 * i], [1050, 80 + 40 * i]] for i in range(4)]
    quads = np.array(beside + main, float)
    features = page_features(["诊断证明书"] * 4 + ["收费票据"] * 20, quads, 1200, 1200)
    off_centre = features.geometry[:24, 6]
    assert off_centre[:4].min() > 2 * off_centre[4:].mean()
