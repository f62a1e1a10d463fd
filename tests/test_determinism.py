"""Same seed, same numbers: two runs of one command, without the cache and into
different folders, agree on every score (only seconds and megabytes may differ); a
different seed changes them."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from flow_tables import run_dirs

from benchmark.cli import main
from benchmark.report.leaderboard import TIME_COLUMNS

pytestmark = pytest.mark.slow

# stochastic at every step: SMOTE's neighbours, the GAN's weights and noise, the forest's
# bootstrap, xgboost's row and column subsampling, the split itself
SAMPLERS = "none,smote,network_traffic_gan"
MODELS = "rf,xgboost"
MEASURED = (*TIME_COLUMNS, "peak_mb")


def run_once(demo_csv, out, seed):
    argv = ["run", "--dataset", "demo", "--data", str(demo_csv), "--profile", "smoke"]
    argv += ["--samplers", SAMPLERS, "--models", MODELS, "--seeds", str(seed)]
    assert main([*argv, "--out", str(out), "--no-cache"]) == 0
    (run_dir,) = run_dirs(out)
    cells = [json.loads(x) for x in (run_dir / "cells.jsonl").read_text().splitlines()]
    lb = pd.read_csv(run_dir / "leaderboard.csv")
    return run_dir, cells, lb


def test_same_seed_same_numbers_other_seed_other_numbers(demo_csv, tmp_path, monkeypatch):
    import benchmark.report.build as B

    # report.md/.html and figures are drawn from these same records (and cost seconds): skipped;
    # leaderboard.csv, fidelity.csv and the statistics are still computed by the report builder
    monkeypatch.setattr(B, "write_full_report", lambda *a, **k: None)
    a_dir, a_cells, a_lb = run_once(demo_csv, tmp_path / "a", 0)
    b_dir, b_cells, b_lb = run_once(demo_csv, tmp_path / "b", 0)
    assert a_dir != b_dir

    # leaderboard.csv byte for byte (it holds the scores only; seconds and megabytes,
    # the only things that differ, are in timings.csv)
    assert {"f1_mean", "roc_auc_mean", "f1_ci_low", "f1_diff_vs_none", "fidelity_gate"} <= set(a_lb)
    assert not set(MEASURED) & set(a_lb)
    assert (a_dir / "leaderboard.csv").read_bytes() == (b_dir / "leaderboard.csv").read_bytes()
    ta, tb = pd.read_csv(a_dir / "timings.csv"), pd.read_csv(b_dir / "timings.csv")
    assert ta[["detector", "sampler"]].equals(tb[["detector", "sampler"]]) and "detector_fit_s" in ta

    # every cell: the same metrics, fidelity figures and rows added
    assert len(a_cells) == len(b_cells) == 6
    for x, y in zip(a_cells, b_cells):
        assert (x["sampler"], x["detector"]) == (y["sampler"], y["detector"])
        assert x["metrics"] == y["metrics"]
        assert x["fidelity"] == y["fidelity"]
        assert x["sampler_record"]["delivered"] == y["sampler_record"]["delivered"]
        assert (x["n_fit"], x["n_val"], x["n_test"]) == (y["n_fit"], y["n_val"], y["n_test"])
    assert any(x["fidelity"] for x in a_cells)  # the GAN and SMOTE rows were audited
    pd.testing.assert_frame_equal(
        pd.read_csv(a_dir / "fidelity.csv"), pd.read_csv(b_dir / "fidelity.csv"), check_exact=True
    )

    # another seed: another split, other rows, other scores -- in every cell
    _, c_cells, c_lb = run_once(demo_csv, tmp_path / "c", 1)
    for x, z in zip(a_cells, c_cells):
        assert (x["sampler"], x["detector"]) == (z["sampler"], z["detector"])
        assert z["seed"] == 1
        assert x["metrics"] != z["metrics"], (x["sampler"], x["detector"])
    assert not a_lb["f1_mean"].equals(c_lb["f1_mean"])
