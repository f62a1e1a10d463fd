"""The fidelity gate, the claims' verdicts and the report document, on hand-made inputs."""

from __future__ import annotations

import pandas as pd
import pytest

from benchmark.errors import ConfigError
from benchmark.fidelity import gate
from benchmark.report import analysis as A
from benchmark.report.claims import claim_improves, claim_similar
from benchmark.report.document import Doc, to_html, to_markdown


def test_gate_rules_parse_and_check():
    rules = gate.parse_gate("ks_median<=0.2, validity_all>=0.9")
    assert rules == [("ks_median", "<=", 0.2), ("validity_all", ">=", 0.9)]
    assert gate.check({"ks_median": 0.1, "validity_all": 0.95}, rules) == []
    assert gate.check({"ks_median": 0.3, "validity_all": None}, rules) == ["ks_median 0.3 > 0.2"]
    assert gate.check({"validity_all": 0.5}, rules) == ["validity_all 0.5 < 0.9"]
    with pytest.raises(ConfigError, match="not NAME<=VALUE"):
        gate.parse_gate("ks_median<0.2")


def test_apply_gate_marks_failing_sampler():
    fid = pd.DataFrame(
        [
            {
                "dataset": "d",
                "sampler": "good",
                "class": "p",
                "ks_median": 0.05,
                "ks_max": 0.2,
                "validity_all": 1.0,
            },
            {
                "dataset": "d",
                "sampler": "bad",
                "class": "p",
                "ks_median": 0.05,
                "ks_max": 0.2,
                "validity_all": 0.3,
            },
            {
                "dataset": "d",
                "sampler": "bad",
                "class": "q",
                "ks_median": 0.5,
                "ks_max": 0.9,
                "validity_all": 1.0,
            },
        ]
    )
    g = A.apply_gate(fid, gate.parse_gate(None)).set_index("sampler")
    assert g.loc["good", "fidelity_gate"] == "pass"
    assert g.loc["bad", "fidelity_gate"] == "FAIL: validity_all, ks_median, ks_max (2 of 2 classes)"
    assert "validity_all 0.3 < 0.9 (p)" in g.loc["bad", "fidelity_gate_detail"]


def _tests(verdicts: dict[tuple[str, str], str], n=3) -> pd.DataFrame:
    rows = []
    for (det, metric), v in verdicts.items():
        rows.append(
            {
                "metric": metric,
                "dataset": "d",
                "detector": det,
                "sampler": "network_traffic_gan",
                "n_pairs": n,
                "mean_diff": 0.01 if v != "worse" else -0.05,
                "ci_low": -0.1,
                "ci_high": 0.1,
                "p_holm": 0.01 if v in ("better", "worse") else 0.5,
                "verdict": v,
            }
        )
    return pd.DataFrame(rows)


@pytest.mark.parametrize(
    "verdicts,expected",
    [
        ({("rf", "f1"): "better", ("rf", "recall"): "better"}, "supported"),
        ({("rf", "f1"): "better", ("rf", "recall"): "worse"}, "not supported"),
        (
            {("rf", "f1"): "no detectable difference", ("rf", "recall"): "no detectable difference"},
            "not supported",
        ),
        ({("rf", "f1"): "too few seeds", ("rf", "recall"): "too few seeds"}, "inconclusive"),
        ({("rf", "f1"): "better", ("rf", "recall"): "no detectable difference"}, "inconclusive"),
    ],
)
def test_claim_improves_verdicts(verdicts, expected):
    v, lines = claim_improves(_tests(verdicts), "network_traffic_gan", "d")
    assert v == expected
    assert any("Δ" in line for line in lines)


def test_claim_improves_not_tested_without_gan():
    v, _ = claim_improves(_tests({("rf", "f1"): "better"}), "network_traffic_gan_improved", "d")
    assert v == "not tested"


def test_claim_similar():
    fid = pd.DataFrame(
        [
            {
                "dataset": "d",
                "sampler": "g",
                "class": "p",
                "ks_median": 0.05,
                "ks_max": 0.2,
                "detection_auc_mean": 0.6,
                "share_of_requested_classes": 1.0,
                "validity_all": 1.0,
            },
            {
                "dataset": "d",
                "sampler": "h",
                "class": "p",
                "ks_median": 0.05,
                "ks_max": 0.2,
                "detection_auc_mean": 0.6,
                "share_of_requested_classes": 0.0,
                "validity_all": 1.0,
            },
        ]
    )
    assert claim_similar(fid, "g", "d")[0] == "supported"
    v, lines = claim_similar(fid, "h", "d")
    assert v == "not supported" and "share_of_requested_classes 0.000 ✗" in lines[0]


def test_document_renders_markdown_and_self_contained_html(tmp_path):
    from benchmark.report import plots

    png = plots.loss_curves({"p": {"d": [1, 0.5], "g": [0.2, 0.7]}}, tmp_path / "f.png", "t")
    doc = Doc()
    doc.h(1, "Title")
    doc.p("text with `code` and **bold**")
    doc.table(["a", "b"], [[1, 0.12345], ["x", None]])
    doc.image(png, "a figure")
    md = to_markdown(doc, tmp_path)
    assert md.startswith("# Title") and "0.123" in md and "0.12345" not in md and "—" in md
    assert "![a figure](f.png)" in md
    html = to_html(doc, "t")
    assert "<code>code</code>" in html and "<strong>bold</strong>" in html
    assert "data:image/png;base64," in html and "src='f.png'" not in html
