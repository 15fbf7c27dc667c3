"""``claims-ai train fraud --csv … --label … --out …`` on a table it has never seen (other column names, order,
formats and label values), and clear messages — not stack traces — for files it cannot use."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest
from typer.testing import CliRunner

from claims_ai.fraud.tabular import ColumnKind, FeatureSpec
from training.cli import train_app


def _write_csv(path: Path, rows: int = 400, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    header = [
        "Claim Ref",
        "hospital_tier",
        "is_scam",
        "amount_cny",
        "incident_day",
        "member_no",
        "prior_claims",
        "cover_start",
        "channel",
    ]
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(header)
        for i in range(rows):
            start = dt.date(2019, 1, 1) + dt.timedelta(days=int(rng.integers(0, 700)))
            gap = int(rng.integers(1, 900))
            tier = str(rng.choice(["A", "B", "C"]))
            amount = float(rng.lognormal(9, 0.6))
            risk = (gap < 60) * 2.0 + (tier == "C") * 1.0 + (amount > 20000) * 1.5 - 2.0 + rng.normal(0, 0.5)
            out.writerow(
                [
                    f"CLM-{i:06d}",
                    tier,
                    "yes" if risk > 0 else "no",
                    f"{amount:,.2f}",
                    (start + dt.timedelta(days=gap)).strftime("%Y/%m/%d"),
                    100000 + i * 7,
                    int(rng.integers(0, 4)),
                    start.strftime("%Y/%m/%d"),
                    "?" if rng.random() < 0.1 else str(rng.choice(["app", "web", "agent"])),
                ]
            )


def test_trains_on_a_csv_with_unseen_columns(tmp_path: Path) -> None:
    data, out = tmp_path / "claims.csv", tmp_path / "model"
    _write_csv(data)
    result = CliRunner().invoke(train_app, ["fraud", "--csv", str(data), "--label", "is_scam", "--out", str(out)])
    assert result.exit_code == 0, result.output
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["roc_auc"] > 0.8 and 0 < metrics["pr_auc"] <= 1
    assert {"brier", "positives", "negatives", "parity_max_abs_diff"} <= set(metrics)
    for name in ("roc.png", "pr.png", "model.onnx", "model.spec.json", "model_card.md"):
        assert (out / name).stat().st_size > 0, name
    spec = FeatureSpec.load(out / "model.spec.json")
    kinds = {c.name: c.kind for c in spec.columns}
    assert kinds["amount_cny"] is ColumnKind.NUMERIC and kinds["hospital_tier"] is ColumnKind.CATEGORICAL
    assert kinds["incident_day"] is ColumnKind.DATE and kinds["channel"] is ColumnKind.CATEGORICAL
    assert ("incident_day", "cover_start") in spec.date_differences
    assert {"Claim Ref", "member_no"} <= set(spec.dropped) and "is_scam" not in kinds
    assert spec.label["column"] == "is_scam" and spec.label["positive"] == ["yes"]
    assert spec.label["base_rate"] == pytest.approx(metrics["positives"] / metrics["test_rows"], abs=0.05)
    # the exported model scores raw rows through its spec, as the service would
    rows = [
        {"hospital_tier": "C", "amount_cny": "45,000.00", "incident_day": "2020/02/10", "cover_start": "2020/01/20"},
        {"hospital_tier": "A", "amount_cny": "3,000.00", "incident_day": "2021/06/10", "cover_start": "2019/01/20"},
    ]
    session = ort.InferenceSession(str(out / "model.onnx"), providers=["CPUExecutionProvider"])
    p = session.run(["probabilities"], {"features": spec.encode(rows)})[0][:, 1]
    assert p[0] > 0.5 > p[1]


@pytest.mark.parametrize(
    ("label", "edit", "message"),
    [
        ("fraud", None, "has no column 'fraud'"),
        ("is_scam", lambda text: text.replace(",yes,", ",no,"), "one class only"),
        ("is_scam", lambda text: text.replace(",yes,", ",maybe,", 1), "neither a fraud nor a legitimate marker"),
        ("is_scam", lambda text: "", "is empty"),
    ],
)
def test_unusable_files_get_a_clear_message(tmp_path: Path, label: str, edit, message: str) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "claims.csv"
    _write_csv(data, rows=120)
    if edit is not None:
        data.write_text(edit(data.read_text(encoding="utf-8")), encoding="utf-8")
    result = CliRunner().invoke(
        train_app, ["fraud", "--csv", str(data), "--label", label, "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output


def test_missing_options_and_files(tmp_path: Path) -> None:
    result = CliRunner().invoke(train_app, ["fraud", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "--csv" in result.output
    result = CliRunner().invoke(train_app, ["fraud", "--csv", str(tmp_path / "nope.csv"), "--label", "x"])
    assert result.exit_code == 2 and "No such file" in result.output
