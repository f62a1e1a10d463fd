"""``--task multiclass`` on the real NSL-KDD: macro-F1 and per-category scores in
every cell, ``macro_f1_mean`` in the leaderboard, and the per-category share flagged
as attack kept apart from the per-class recall."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from flow_tables import run_dirs

from benchmark.cli import main
from benchmark.datasets import load_dataset

pytestmark = [pytest.mark.slow, pytest.mark.realdata]


def test_multiclass_on_nsl_kdd(nsl_dir, tmp_path):
    out = tmp_path / "out"
    argv = ["run", "--dataset", "nsl-kdd", "--data", str(nsl_dir), "--task", "multiclass"]
    argv += ["--profile", "smoke", "--samplers", "none,smote", "--models", "rf", "--seeds", "0"]
    assert main([*argv, "--out", str(out), "--no-cache"]) == 0
    (run_dir,) = run_dirs(out)
    cells = [json.loads(x) for x in (run_dir / "cells.jsonl").read_text().splitlines()]
    assert [(c["sampler"], c["status"], c["task"]) for c in cells] == [
        ("none", "ok", "multiclass"),
        ("smote", "ok", "multiclass"),
    ]
    assert json.loads((run_dir / "manifest.json").read_text())["task"] == "multiclass"

    ds = load_dataset("nsl-kdd", nsl_dir)
    in_test = sorted(set(ds.category[ds.split == "test"]))
    assert in_test == ["DoS", "Probe", "R2L", "U2R", "normal"]
    attack = list(ds.attack_categories)
    for c in cells:
        m = c["metrics"]
        assert 0 < m["macro_f1"] <= 1
        for k in in_test:
            p, r, f = m[f"precision[{k}]"], m[f"recall[{k}]"], m[f"f1[{k}]"]
            assert all(v is not None and 0 <= v <= 1 for v in (p, r, f)), k
            # a real triple of one class's scores: F1 is their harmonic mean
            assert f == pytest.approx(0 if p + r == 0 else 2 * p * r / (p + r), abs=1e-12), k
        # macro-F1 is the mean of the per-category F1 over the categories in the test part
        assert m["macro_f1"] == pytest.approx(np.mean([m[f"f1[{k}]"] for k in in_test]), abs=1e-12)
        # the share of each attack category flagged as attack (the binary task's recall[<c>]) is
        # kept beside the per-class recall: with one benign class, a row predicted as an attack
        # class has P(attack) >= 0.5, so it is at least the per-class recall
        for k in attack:
            assert 0 <= m[f"attack_recall[{k}]"] <= 1 and m[f"recall_tuned[{k}]"] is not None
            assert m[f"attack_recall[{k}]"] >= m[f"recall[{k}]"] - 1e-12, k
        assert any(m[f"attack_recall[{k}]"] > m[f"recall[{k}]"] for k in attack)
        assert 0 <= m["f1"] <= 1 and 0 <= m["roc_auc"] <= 1  # the attack-vs-benign scores too

    lb = pd.read_csv(run_dir / "leaderboard.csv").set_index("sampler")
    assert "macro_f1_mean" in lb.columns
    for c in cells:
        assert lb.loc[c["sampler"], "macro_f1_mean"] == pytest.approx(c["metrics"]["macro_f1"], abs=1e-12)

    # the report's table of the share flagged as attack: attack categories only, those values
    report = (run_dir / "report.md").read_text()
    section = report.split("## Recall per attack category", 1)[1].split("\n## ", 1)[0]
    header, _, *rows = [x for x in section.splitlines() if x.startswith("|")]
    assert [h.strip() for h in header.strip("|").split("|")] == ["dataset", "detector", "sampler", *attack]
    for row in rows:
        vals = [v.strip() for v in row.strip("|").split("|")]
        m = next(c["metrics"] for c in cells if c["sampler"] == vals[2])
        for k, v in zip(attack, vals[3:]):
            assert float(v) == pytest.approx(m[f"attack_recall[{k}]"], abs=6e-4), k
