"""PP-OCR engine on pages rendered with a Debian CJK font: key strings, rotations, boxes, providers, manifest."""

from __future__ import annotations

import json
import logging
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cv2
import numpy as np
import onnxruntime as ort
import pytest
from PIL import Image, ImageFilter

from claims_ai.config import ExecutionProvider, OcrSettings
from claims_ai.errors import ModelIntegrityError, ModelNotFoundError
from claims_ai.geometry import upright_points
from claims_ai.ocr.base import OcrEngine
from claims_ai.ocr.ppocr import PpOcrEngine
from claims_ai.runtime.manifest import ModelManifest
from claims_ai.runtime.session import create_session, providers_for
from claims_ai.types import OcrResult


def _joined(result: OcrResult) -> str:
    return re.sub(r"\s+", "", "".join(line.text for line in result.lines))


def _phone_photo(page: Image.Image, seed: int = 7) -> np.ndarray:
    """The page as a phone photographs it: on a desk, in perspective, a shadow, slightly soft, JPEG'd."""
    rng = np.random.default_rng(seed)
    paper = np.asarray(page).astype(np.float32)
    h, w = paper.shape[:2]
    canvas_w, canvas_h = int(w * 1.3), int(h * 1.35)
    desk = np.full((canvas_h, canvas_w, 3), (96, 78, 62), np.float32) + rng.normal(0, 6, (canvas_h, canvas_w, 3))
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = np.float32([[0.12 * w, 0.10 * h], [1.17 * w, 0.14 * h], [1.22 * w, 1.22 * h], [0.08 * w, 1.18 * h]])
    matrix = cv2.getPerspectiveTransform(src, dst)
    warped = cv2.warpPerspective(paper, matrix, (canvas_w, canvas_h), flags=cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(np.ones((h, w), np.float32), matrix, (canvas_w, canvas_h))[..., None]
    photo = warped * mask + desk * (1 - mask)
    shade = np.linspace(0.72, 1.0, canvas_w, dtype=np.float32)[None, :, None]  # light from one side
    photo = np.clip(photo * shade * 0.93, 0, 255).astype(np.uint8)
    soft = Image.fromarray(photo).filter(ImageFilter.GaussianBlur(1.1))
    buffer = __import__("io").BytesIO()
    soft.save(buffer, format="JPEG", quality=70)
    return np.asarray(Image.open(buffer).convert("RGB"))


def test_engine_implements_the_protocol(pipeline) -> None:
    assert isinstance(pipeline._ocr, OcrEngine)
    assert {"ocr_det", "ocr_cls", "ocr_rec"} <= set(pipeline.model_versions)


def test_hospital_bill_key_strings_come_back(pipeline, sample_files) -> None:
    result = pipeline._ocr.read(np.asarray(sample_files.bill))
    text = _joined(result)
    for expected in (
        "贵州省医疗住院收费票据",
        "24,189.65",
        "2020-12-23",
        "20201217|20201223",
        "遵义医科大学附属医院",
        "贰万肆仟壹佰捌拾玖元陆角伍分",
    ):
        assert expected in text, expected
    assert result.orientation == 0
    assert "住院收费票据" in result.lines[0].text, "reading order starts with the title"
    assert all(0.5 <= line.confidence <= 1.0 for line in result.lines)


def test_boxes_are_in_page_pixels_and_cover_their_text(pipeline, sample_files) -> None:
    page = np.asarray(sample_files.bill)
    result = pipeline._ocr.read(page)
    h, w = page.shape[:2]
    total = next(line for line in result.lines if "24,189.65" in line.text)
    xs = [p[0] for p in total.box]
    ys = [p[1] for p in total.box]
    assert 0 <= min(xs) < max(xs) <= w and 0 <= min(ys) < max(ys) <= h
    # The sample draws "（小写）24,189.65" at x = 100, y = 190 + 4·70 + 3·62 + 20 + 80 = 756 (text top ≈ 763).
    assert 90 < min(xs) < 160 and 740 < min(ys) < 790
    region = page[int(min(ys)) : int(max(ys)), int(min(xs)) : int(max(xs))]
    assert region.min() < 80, "there is ink inside the box"


@pytest.mark.parametrize("turn", [90, 180, 270])
def test_rotated_photos_read_right(pipeline, sample_files, turn: int) -> None:
    upright = np.asarray(sample_files.bill)
    rotated = np.ascontiguousarray(np.rot90(upright, k=-turn // 90))  # content turned clockwise
    result = pipeline._ocr.read(rotated)
    assert result.orientation == turn
    text = _joined(result)
    assert "住院收费票据" in text and "24,189.65" in text and "2020-12-23" in text
    # Boxes are in the rotated page's pixels and start at the text's own top-left corner.
    title = result.lines[0]
    assert "住院收费票据" in title.text
    (x0, y0), (x1, y1) = title.box[0], title.box[1]
    direction = {90: (0, 1), 180: (-1, 0), 270: (0, -1)}[turn]
    assert np.sign(round(x1 - x0, -1)) == direction[0] and np.sign(round(y1 - y0, -1)) == direction[1]
    # Turned back upright, the amount's box is where the sample drew it (sideways pages are detected upright).
    amount = next(line for line in result.lines if "24,189.65" in line.text)
    h, w = rotated.shape[:2]
    (points,), _, _ = upright_points(np.array([amount.box]), turn, w, h)
    assert 90 < points[:, 0].min() < 160 and 740 < points[:, 1].min() < 790


def test_phone_photo_of_receipt(pipeline, sample_files) -> None:
    result = pipeline._ocr.read(_phone_photo(sample_files.bill))
    text = _joined(result)
    assert "住院收费票据" in text
    assert "24,189.65" in text
    assert "2020-12-23" in text and "20201217" in text


def test_blank_page_is_no_text_not_an_error(pipeline) -> None:
    result = pipeline._ocr.read(np.full((800, 600, 3), 255, np.uint8))
    assert result.lines == () and result.orientation == 0


def test_engine_is_not_mutated_by_parallel_calls(pipeline, sample_files) -> None:
    pages = [np.asarray(sample_files.bill), np.asarray(sample_files.record)]
    alone = [pipeline._ocr.read(p) for p in pages]
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(pipeline._ocr.read, pages * 2))
    assert together == alone * 2


def test_cuda_request_falls_back_to_cpu_with_a_log_line(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="claims_ai.runtime.session"):
        providers = providers_for(ExecutionProvider.CUDA)
    assert providers == ["CPUExecutionProvider"]
    assert "running on CPU" in caplog.text


def test_cuda_provider_is_requested_when_onnxruntime_offers_it(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, settings
) -> None:
    # A GPU build of onnxruntime lists CUDA; without a GPU the session still comes up, on CPU, and says so.
    monkeypatch.setattr(ort, "get_available_providers", lambda: ["CUDAExecutionProvider", "CPUExecutionProvider"])
    assert providers_for(ExecutionProvider.CUDA, 1)[0] == ("CUDAExecutionProvider", {"device_id": 1})
    spec = ModelManifest.load(settings.models_dir).get("ocr_cls")
    with caplog.at_level(logging.WARNING, logger="claims_ai.runtime.session"):
        session = create_session(spec.path, provider=ExecutionProvider.CUDA, threads=1)
    assert session.get_providers() == ["CPUExecutionProvider"]
    assert "running on CPU" in caplog.text


def test_engine_built_for_cuda_runs_on_cpu_here(settings, sample_files) -> None:
    engine = PpOcrEngine(OcrSettings(provider=ExecutionProvider.CUDA), ModelManifest.load(settings.models_dir))
    assert "出院记录" in _joined(engine.read(np.asarray(sample_files.record)))


def test_manifest_checksum_is_verified(tmp_path: Path, settings) -> None:
    manifest = json.loads((settings.models_dir / "manifest.json").read_text())
    manifest["models"][0]["sha256"] = "0" * 64
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelIntegrityError, match="ocr_det"):
        PpOcrEngine(OcrSettings(), ModelManifest.load(tmp_path))


def test_missing_manifest_and_model(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError):
        ModelManifest.load(tmp_path)
    (tmp_path / "manifest.json").write_text(
        json.dumps({"models": [{"name": "x", "version": "1", "path": "x.onnx", "sha256": "0", "inputs": ["x"]}]})
    )
    with pytest.raises(ModelNotFoundError):
        ModelManifest.load(tmp_path).get("x").verify()


def test_figure_printed_over_its_coloured_label_keeps_its_leading_digit(pipeline) -> None:
    """A misfed slip: "37195.18" is printed over the blue label's last character, and a plain read loses the 3.
    The line is read again without the form's coloured ink (held-out synthetic validation page)."""
    from claims_ai.config import IngestLimits
    from claims_ai.ingest.decode import decode_file
    from claims_datasets.generate import GenerationOptions, make_page
    from claims_datasets.schema import Split

    captured, truth = make_page(100_000_009, GenerationOptions(split=Split.VALIDATION))
    assert truth.fields["insurance_fund_paid"].value == "37195.18"
    page = decode_file(captured.encoded, "slip.jpg", 0, IngestLimits())[0]
    texts = [line.text for line in pipeline._ocr.read(page.image).lines]
    assert "医保统筹基金支付37195.18" in texts


def test_form_ink_removal_keeps_black_print_and_skips_black_and_white_crops() -> None:
    from claims_ai.ocr.ppocr import _without_form_ink

    crop = np.full((40, 200, 3), 245, np.uint8)
    crop[10:30, 10:90] = (170, 86, 46)  # blue form ink (BGR)
    crop[10:30, 80:190] = (40, 40, 48)  # dark grey print, overlapping the label
    cleaned = _without_form_ink(crop)
    assert cleaned is not None
    assert cleaned[20, 30].min() > 200  # the label is gone
    assert (cleaned[20, 120] == (40, 40, 48)).all() and (cleaned[20, 85] == (40, 40, 48)).all()
    grey = np.full((40, 200, 3), 245, np.uint8)
    grey[10:30, 10:190] = 30
    assert _without_form_ink(grey) is None


def test_a_line_under_a_red_seal_is_found_on_the_red_channel(pipeline) -> None:
    from claims_ai.config import IngestLimits
    from claims_ai.ingest.decode import decode_file
    from claims_datasets.generate import GenerationOptions, make_page
    from claims_datasets.schema import Split

    # An e-invoice whose 电子票据专用章 lies over the payee line: on the page itself the detector misses it.
    captured, truth = make_page(59, GenerationOptions(split=Split.TRAIN))
    assert truth.fields["hospital_name"].value == "潍坊市第一人民医院"
    page = decode_file(captured.encoded, "einvoice.jpg", 0, IngestLimits())[0]
    texts = [line.text for line in pipeline._ocr.read(page.image).lines]
    assert any(text.endswith("潍坊市第一人民医院") for text in texts)


def test_only_pages_with_red_ink_are_searched_again(pipeline) -> None:
    engine = pipeline._ocr
    searched = []
    engine._seal_det, original = (lambda image: searched.append(image.shape) or original(image)), engine._seal_det
    try:
        page = np.full((300, 600, 3), 250, np.uint8)
        cv2.putText(page, "12501.71", (40, 150), cv2.FONT_HERSHEY_SIMPLEX, 1.5, (20, 20, 20), 3)
        engine.read(page)
        assert searched == []
        cv2.circle(page, (150, 140), 60, (220, 40, 40), 4)  # a red ring over the figure (RGB)
        engine.read(page)
        assert len(searched) == 1
        settings, engine._settings = engine._settings, engine._settings.model_copy(update={"search_under_seals": False})
        engine.read(page)
        assert len(searched) == 1  # switched off
        engine._settings = settings
    finally:
        engine._seal_det = original
