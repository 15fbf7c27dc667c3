"""Conformance of the layout-model wrappers with tiny random models: export, metadata, parity, serving."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch

from claims_ai.classify.doc_type import DocTypeClassifier, group_pages
from claims_ai.config import OcrSettings
from claims_ai.errors import ExportParityError
from claims_ai.extract.encoding import Vocabulary, encode_lines
from claims_ai.extract.onnx_model import LayoutModel
from claims_ai.extract.tagger import FieldTagger, _in_a_date, whole_number, windows
from claims_ai.extract.tags import TAGS, ValueKind
from claims_ai.runtime.manifest import ModelManifest, open_model
from claims_ai.types import DocType, OcrResult, TextLine
from training.layout.cli import _save_checkpoint
from training.layout.doc_type_lines import LineDocTypeModel, export_line_model
from training.layout.export import check_parity, export_onnx
from training.layout.model import EncoderConfig
from training.layout.model import FieldTagger as TorchTagger
from training.layout.pages import Line, Page
from training.layout.publish import update_manifest
from training.layout.speed import TorchSession, load_checkpoint
from training.layout.train import TrainedModel

TEXTS = ["贵州省医疗住院收费票据", "开票日期：2020-12-23", "（小写）24,189.65"]
OCR = OcrResult(
    tuple(
        TextLine(
            t, 0.99, ((50.0, 50.0 + 60 * i), (650.0, 50.0 + 60 * i), (650.0, 90.0 + 60 * i), (50.0, 90.0 + 60 * i))
        )
        for i, t in enumerate(TEXTS)
    ),
    0,
)


def _samples(vocab: Vocabulary) -> list:
    """Pages of different lengths, so parity is checked beyond the traced length."""
    samples = []
    for count in (3, 1, 2):
        encoded = encode_lines(TEXTS[:count], np.array([ln.box for ln in OCR.lines[:count]]), 800, 600, vocab)
        samples.append((encoded.ids, encoded.boxes, np.zeros(len(encoded), np.int64)))
    return samples


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    torch.manual_seed(0)
    folder = tmp_path_factory.mktemp("models")
    (folder / "manifest.json").write_text(json.dumps({"models": []}))
    vocab = Vocabulary(tuple(sorted(set("".join(TEXTS)))))
    config = EncoderConfig(vocab_size=len(vocab), max_tokens=32, dim=16, layers=1, heads=2, ff=32, dropout=0.0)
    tagger = TrainedModel(TorchTagger(config, len(TAGS)).eval(), config, vocab, TAGS, [], temperature=1.5)
    parity = export_onnx(
        tagger, folder / "field_tagger.onnx", name="field_tagger", version="0.0.1", samples=_samples(vocab)
    )
    assert parity["max_abs_diff"] <= 1e-3
    _save_checkpoint(folder, "field_tagger", tagger.model, {"encoder": config.to_dict(), "tags": len(TAGS)})
    update_manifest(
        folder, name="field_tagger", version="0.0.1", filename="field_tagger.onnx", metrics={}, description="t"
    )
    page = Page(
        "p", "other", 800, 600, tuple(Line(ln.text, np.array(ln.box), (0,) * len(ln.text)) for ln in OCR.lines), {}
    )
    line_model = LineDocTypeModel(dim=16).eval()
    assert (
        export_line_model(line_model, folder / "doc_type.onnx", version="0.0.1", temperature=1.5, samples=[page])
        <= 1e-4
    )
    _save_checkpoint(folder, "doc_type", line_model, {"dim": 16})
    update_manifest(
        folder,
        name="doc_type",
        version="0.0.1",
        filename="doc_type.onnx",
        metrics={},
        description="t",
        inputs=("ngrams", "geometry", "line_mask"),
    )
    return folder


def _model(models_dir: Path, name: str) -> LayoutModel:
    return LayoutModel(ModelManifest.load(models_dir).get(name), OcrSettings())


def test_metadata_round_trips(models_dir: Path) -> None:
    model = _model(models_dir, "field_tagger")
    assert model.labels == TAGS and model.max_tokens == 32 and model.temperature == pytest.approx(1.5)
    assert model.vocab.id_of("票") > 3


def test_serving_runs_each_window_at_its_own_length(models_dir: Path) -> None:
    """The graph's sequence axis is symbolic: no padding to the window, any length up to it."""
    import onnx

    graph = onnx.load(str(models_dir / "field_tagger.onnx"))
    assert all(i.type.tensor_type.shape.dim[1].dim_param for i in graph.graph.input)
    tagger = _model(models_dir, "field_tagger")
    encoded = tagger.encode(OcrResult(OCR.lines, 0), 800, 600, limit=tagger.max_tokens)
    for n in (1, 7, tagger.max_tokens):
        tags = tagger.run(encoded.ids[:n], encoded.boxes[:n])
        assert tags.shape == (n, len(TAGS)) and np.isfinite(tags).all()
    with pytest.raises(ValueError, match="at most"):
        tagger.run(np.ones(tagger.max_tokens + 1, np.int64), np.zeros((tagger.max_tokens + 1, 4), np.int64))


def test_classifier_returns_a_contract_type_with_a_probability(models_dir: Path) -> None:
    classifier = DocTypeClassifier(ModelManifest.load(models_dir).get("doc_type"), OcrSettings())
    doc_type, confidence = classifier.classify(OCR, 800, 600)
    assert isinstance(doc_type, DocType) and 0.0 < confidence <= 1.0
    assert classifier.classify(OcrResult((), 0), 800, 600) == (DocType.OTHER, 0.0)


def test_tagger_runs_over_windows_longer_than_the_model(models_dir: Path) -> None:
    tagger = FieldTagger(_model(models_dir, "field_tagger"))
    found = tagger.tag(OCR, 800, 600)  # 3 lines ≈ 40 tokens > 32: two windows
    assert isinstance(found, dict)
    for candidates in found.values():
        for candidate in candidates:
            assert candidate.text and 0 <= candidate.confidence <= 1


def test_windows_cover_everything_with_shared_context() -> None:
    for length, size in ((100, 32), (513, 512), (1269, 512), (5000, 512)):
        spans = windows(length, size)
        assert spans[0][0] == 0 and spans[-1][1] == length
        assert all(end - start <= size for start, end in spans)
        assert len({end - start for start, end in spans}) == 1  # equal lengths: no window is mostly padding
        shared = [previous[1] - current[0] for previous, current in itertools.pairwise(spans)]
        assert min(shared) >= min(64, size // 4)
        assert len(spans) == math.ceil((length - min(64, size // 4)) / (size - min(64, size // 4)))
    assert windows(10, 32) == [(0, 10)]


def test_numeric_spans_grow_to_the_whole_number_they_cut_into() -> None:
    def grown(text: str, part: str, kind: ValueKind) -> str:
        begin = text.index(part)
        start, end = whole_number(text, begin, begin + len(part), kind)
        return text[start:end]

    assert grown("年龄：62岁", "2", ValueKind.AGE) == "62"
    assert grown("个人自费0.00", ".00", ValueKind.AMOUNT) == "0.00"
    assert grown("(小写)￥51,600.17", "00.17", ValueKind.AMOUNT) == "51,600.17"
    assert grown("12.00 13.00", "12.0", ValueKind.AMOUNT) == "12.00"  # a neighbouring value stays apart
    # A date becomes the date written where it lies: the dash of a range ends the first date.
    assert grown("2022-04-29-2022-05-13", "022-04-29", ValueKind.DATE) == "2022-04-29"
    assert grown("2022-04-29-2022-05-13", "2022-05-1", ValueKind.DATE) == "2022-05-13"
    assert grown("2019-12-30-2020-01-25", "2020-01", ValueKind.DATE) == "2020-01-25"
    assert grown("2019-12-30-2020-01-25", "2019-12-30-", ValueKind.DATE) == "2019-12-30"
    assert grown("编号 20201", "020", ValueKind.DATE) == "20201"  # no date written there: digits only
    assert grown("科室妇科", "妇", ValueKind.TEXT) == "妇"


def test_a_number_beside_a_date_mark_is_not_an_amount() -> None:
    text = "入院日期：2024年06月08日 金额 1,000.00"
    assert _in_a_date(text, text.index("06"), text.index("06") + 2)
    assert _in_a_date(text, text.index("2024"), text.index("2024") + 4)
    assert not _in_a_date(text, text.index("1,000.00"), len(text))


def test_parity_check_catches_a_graph_that_is_not_the_model(models_dir: Path) -> None:
    vocab = _model(models_dir, "field_tagger").vocab
    config = EncoderConfig(vocab_size=len(vocab), max_tokens=32, dim=16, layers=1, heads=2, ff=32, dropout=0.0)
    other = TrainedModel(TorchTagger(config, len(TAGS)).eval(), config, vocab, TAGS, [])
    with pytest.raises(ExportParityError):
        check_parity(other, models_dir / "field_tagger.onnx", _samples(vocab))


def test_int8_graph_keeps_the_tags_and_the_metadata(
    models_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import onnx

    from training.layout import quantize

    vocab = _model(models_dir, "field_tagger").vocab
    int8 = tmp_path / "field_tagger.onnx"
    # An untrained model's logits are near ties, so int8 flips a few of its tags (a trained one keeps 99.8%).
    monkeypatch.setattr(quantize, "MIN_TAG_AGREEMENT", 0.95)
    result = quantize.quantize_int8(models_dir / "field_tagger.onnx", int8, _samples(vocab), max_tokens=32)
    assert result["int8_tag_agreement"] >= 0.95
    graph = onnx.load(str(int8))
    assert "MatMulInteger" in {node.op_type for node in graph.graph.node}
    served = LayoutModel(ModelManifest.load(models_dir).get("field_tagger"), OcrSettings(), session=_session(int8))
    assert served.labels == TAGS and served.vocab == vocab and served.temperature == pytest.approx(1.5)
    # A graph that changes more tags than allowed is refused.
    monkeypatch.setattr(quantize, "MIN_TAG_AGREEMENT", 1.01)
    with pytest.raises(ExportParityError, match="int8 keeps"):
        quantize.quantize_int8(models_dir / "field_tagger.onnx", int8, _samples(vocab), max_tokens=32)


def _session(path: Path) -> object:
    import onnxruntime as ort

    return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])


def test_consecutive_pages_of_one_document_share_a_group() -> None:
    pages = [
        (0, DocType.DISCHARGE_SUMMARY),
        (0, DocType.DISCHARGE_SUMMARY),
        (0, DocType.MEDICAL_INVOICE_INPATIENT),
        (0, DocType.MEDICAL_INVOICE_INPATIENT),
        (1, DocType.DISCHARGE_SUMMARY),
    ]
    assert group_pages(pages) == [0, 0, 1, 2, 3]


def test_torch_checkpoints_serve_like_the_onnx_models(models_dir: Path) -> None:
    """The benchmark's torch backend runs the same serving code and must give the same answers."""
    manifest, settings = ModelManifest.load(models_dir), OcrSettings()

    def torch_session(name: str) -> TorchSession:
        return TorchSession(
            load_checkpoint(models_dir, name), open_model(manifest.get(name), provider=settings.provider, threads=1)
        )

    onnx_classifier = DocTypeClassifier(manifest.get("doc_type"), settings)
    torch_classifier = DocTypeClassifier(manifest.get("doc_type"), settings, session=torch_session("doc_type"))
    (a_type, a_conf), (b_type, b_conf) = (
        onnx_classifier.classify(OCR, 800, 600),
        torch_classifier.classify(OCR, 800, 600),
    )
    assert a_type == b_type and abs(a_conf - b_conf) < 1e-3
    onnx_layout = LayoutModel(manifest.get("field_tagger"), settings)
    torch_layout = LayoutModel(manifest.get("field_tagger"), settings, session=torch_session("field_tagger"))
    encoded = onnx_layout.encode(OCR, 800, 600, limit=onnx_layout.max_tokens)
    np.testing.assert_allclose(
        onnx_layout.run(encoded.ids, encoded.boxes), torch_layout.run(encoded.ids, encoded.boxes), atol=1e-3
    )


def _tagged_page() -> Page:
    tags = {"开票日期：2020-12-23": (0,) * 5 + (TAGS.index("B-issue_date"),) + (TAGS.index("I-issue_date"),) * 9}
    return Page(
        "p",
        "medical_invoice_inpatient",
        800,
        600,
        tuple(Line(ln.text, np.array(ln.box), tags.get(ln.text, (0,) * len(ln.text))) for ln in OCR.lines),
        {},
    )


def test_fine_tuning_goes_on_from_the_checkpoint_with_its_vocabulary(models_dir: Path) -> None:
    from training.layout.train import train_fields

    shipped = _model(models_dir, "field_tagger")
    start = load_checkpoint(models_dir, "field_tagger").train()
    before = {k: v.clone() for k, v in start.state_dict().items()}
    page = _tagged_page()
    trained = train_fields([page], [page], steps=2, batch=2, start=(start, shipped.vocab), log=lambda _: None)
    assert trained.vocab == shipped.vocab and trained.config == start.encoder.config
    changed = [k for k, v in trained.model.state_dict().items() if not torch.equal(v, before[k])]
    assert changed  # the same module went on learning, not a fresh one


def test_a_student_keeps_the_teachers_first_layers_and_learns_from_it() -> None:
    from training.layout.model import keep_first_layers
    from training.layout.train import train_fields

    torch.manual_seed(1)
    vocab = Vocabulary(tuple(sorted(set("".join(TEXTS)))))
    config = EncoderConfig(vocab_size=len(vocab), max_tokens=32, dim=16, layers=2, heads=2, ff=32, dropout=0.0)
    teacher = TorchTagger(config, len(TAGS)).eval()
    student = keep_first_layers(TorchTagger(config, len(TAGS)), 1)
    student.load_state_dict(teacher.state_dict(), strict=False)  # the teacher's weights, second layer left out
    assert student.encoder.config.layers == 1 and len(student.encoder.encoder.layers) == 1
    first = "encoder.encoder.layers.0.linear1.weight"
    assert torch.equal(student.state_dict()[first], teacher.state_dict()[first])
    with pytest.raises(ValueError, match="keep 1 to 1 layers"):
        keep_first_layers(student, 2)
    page = _tagged_page()
    trained = train_fields(
        [page], [page], steps=2, batch=2, start=(student.train(), vocab), teacher=teacher, log=lambda _: None
    )
    assert trained.config.layers == 1 and all(math.isfinite(h["loss"]) for h in trained.history)
    # The exported student serves at its own depth.
    assert TorchTagger(trained.config, len(TAGS)).load_state_dict(trained.model.state_dict()) is not None


def test_box_agreement_of_a_found_value_and_the_printed_one() -> None:
    from training.layout.evaluate import _box_agreement

    printed = ((100, 100), (200, 100), (200, 130), (100, 130))
    padded = ((95, 95), (205, 95), (205, 135), (95, 135))
    iou, inside = _box_agreement(padded, printed)
    assert inside and 0.6 < iou < 0.8
    beside = ((300, 100), (400, 100), (400, 130), (300, 130))
    assert _box_agreement(beside, printed) == (0.0, False)
