"""The CLI end to end, as a subprocess: exit codes, JSON, stderr messages, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

CLI = str(Path(sys.executable).parent / "claims-ai")


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    keep = "CLAIMS_AI_SERVICE__DATA_DIR"  # set by conftest: service data goes to a temporary folder
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CLAIMS_AI_") or k == keep}
    environment.update(env or {})
    return subprocess.run([CLI, *args], capture_output=True, text=True, env=environment, timeout=600)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory, sample_files) -> Path:
    folder = tmp_path_factory.mktemp("cli")
    (folder / "bill.jpg").write_bytes(sample_files.bill_jpeg)
    (folder / "record.pdf").write_bytes(sample_files.three_page_pdf)
    (folder / "notes.txt").write_bytes(sample_files.text)
    return folder


def test_assess_json_has_every_page_and_every_stage(files: Path) -> None:
    result = _run(
        "assess",
        "--json",
        "--claim-type",
        "inpatient",
        "--age",
        "45",
        str(files / "bill.jpg"),
        str(files / "record.pdf"),
    )
    assert result.returncode == 0, result.stderr
    assessment = json.loads(result.stdout)
    assert [(d["file"], d["page"]) for d in assessment["documents"]] == [
        ("bill.jpg", 1),
        ("record.pdf", 1),
        ("record.pdf", 2),
        ("record.pdf", 3),
    ]
    bill = assessment["documents"][0]
    texts = "".join(line["text"] for line in bill["text_lines"])
    assert "24,189.65" in texts
    line = bill["text_lines"][0]
    assert set(line) == {"text", "confidence", "box"} and len(line["box"]) == 4
    assert set(bill["quality"]) == {"passed", "checks"}
    assert assessment["claim"]["claim_type"] == "inpatient" and assessment["claim"]["member_age"] == 45
    assert {"ocr_det", "ocr_cls", "ocr_rec", "doc_type"} <= set(assessment["model_versions"])
    # The document type of every page, and the pages of the 3-page PDF grouped by type.
    assert [d["doc_type"] for d in assessment["documents"]] == [
        "medical_invoice_inpatient",
        "discharge_summary",
        "medical_invoice_inpatient",
        "discharge_summary",
    ]
    assert all(0.5 < d["doc_type_confidence"] <= 1 for d in assessment["documents"])
    assert [d["group"] for d in assessment["documents"]] == [0, 1, 2, 3]
    assert {"ingest", "ocr", "quality", "total"} <= set(assessment["timings_ms"])
    # Claim-level stages: an inpatient claim of a bill and a discharge record lacks the ID card, bank card, claim
    # form and itemized bill; it is routed somewhere with reasons, and its fraud score is a probability.
    missing = {m["doc_type"] for m in assessment["materials"]["missing"]}
    assert {"id_card", "bank_card", "claim_form", "itemized_bill"} <= missing
    assert assessment["materials"]["complete"] is False
    assert assessment["severity"]["tier"] in ("severe", "mild", "not_covered", "undetermined")
    assert 0.0 <= assessment["fraud"]["score"] <= 1.0 and assessment["fraud"]["band"] in ("low", "medium", "high")
    assert assessment["decision"]["route"] in ("request_materials", "adjuster_review", "investigate")
    assert assessment["decision"]["reasons"]
    assert {c["id"] for c in assessment["checks"]} >= {"same_patient", "date_order"}
    # Field extraction exists (rules, plus the tagger when its model is in models/): the bill's key fields.
    fields = bill["fields"]
    assert fields["total_amount"]["value"] == "24189.65"
    assert fields["issue_date"]["value"] == "2020-12-23"
    assert fields["hospital_name"]["value"] == "遵义医科大学附属医院"
    assert {"value", "confidence", "page", "box", "text", "source"} <= set(fields["total_amount"])
    words = next(c for c in assessment["checks"] if c["id"] == "amount_words_match_figure")
    assert words["status"] == "passed"


def test_ocr_prints_text_lines(files: Path) -> None:
    result = _run("ocr", str(files / "bill.jpg"))
    assert result.returncode == 0, result.stderr
    pages = json.loads(result.stdout)["pages"]
    assert len(pages) == 1 and any("住院收费票据" in ln["text"] for ln in pages[0]["text_lines"])


def test_table_output_and_partial_failure(files: Path) -> None:
    result = _run("assess", str(files / "bill.jpg"), str(files / "notes.txt"))
    assert result.returncode == 2, "a rejected file makes the run exit 2"
    assert "bill.jpg" in result.stdout, "the good file is still assessed and shown"
    assert "error [unsupported_format] notes.txt:" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_every_bad_input_code_exits_2(tmp_path: Path, sample_files, bad_inputs) -> None:
    for code, (attribute, name, env) in bad_inputs.items():
        path = tmp_path / name
        path.write_bytes(getattr(sample_files, attribute))
        result = _run("assess", "--json", str(path), env=env)
        assert result.returncode == 2, (code, result.stderr)
        assert f"error [{code}] {name}:" in result.stderr, (code, result.stderr)
        assert "Traceback" not in result.stderr


def test_too_many_files_and_missing_file(tmp_path: Path, files: Path) -> None:
    result = _run(
        "assess", str(files / "bill.jpg"), str(files / "bill.jpg"), env={"CLAIMS_AI_LIMITS__MAX_FILES_PER_REQUEST": "1"}
    )
    assert result.returncode == 2 and "[too_many_files]" in result.stderr
    result = _run("assess", str(tmp_path / "nope.jpg"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "nope.jpg" in result.stderr


def test_usage_errors_and_bad_settings_exit_2() -> None:
    result = _run("assess", "--age", "old", "x.jpg")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    result = _run("assess", "x.jpg", env={"CLAIMS_AI_OCR__WORKERS": "0"})
    assert result.returncode == 2 and "config_error" in result.stderr


def test_help_lists_commands() -> None:
    result = _run("--help")
    assert result.returncode == 0
    for command in ("ocr", "assess", "serve", "benchmark"):
        assert command in result.stdout
