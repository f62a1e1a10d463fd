"""Every plot writes a non-empty PNG; the CD-diagram grouping is checked by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from benchmark.report import plots

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def is_png(path) -> bool:
    p = Path(path)
    return p.is_file() and p.stat().st_size > 1000 and p.read_bytes()[:8] == PNG_MAGIC


@pytest.fixture(scope="module")
def frames():
    rng = np.random.default_rng(0)
    real = pd.DataFrame(
        {
            "duration": rng.lognormal(0, 3, 300),
            "pkts": rng.integers(0, 6, 300),
            "ratio": rng.normal(size=300),
            "flag": np.zeros(300),
        }
    )
    synth = real.sample(frac=1, random_state=1).reset_index(drop=True)
    synth["ratio"] = synth["ratio"] * 1.5 + 0.3
    return real, synth


def test_histograms(tmp_path, frames):
    real, synth = frames
    out = plots.histograms(real, synth, list(real.columns), tmp_path / "sub" / "h.png", "class Probing")
    assert is_png(out) and out.endswith("h.png")
    assert is_png(plots.histograms(real, synth, ["missing"], tmp_path / "none.png", "nothing"))


def test_heavy_tail_rule():
    assert plots.heavy_tailed_positive(np.r_[np.ones(98), 1e3, 1e4])
    assert not plots.heavy_tailed_positive(np.r_[0.0, np.ones(98), 1e4])  # a zero: no log axis
    assert not plots.heavy_tailed_positive(np.linspace(1, 2, 100))


def test_correlation_heatmaps(tmp_path, frames):
    real, synth = frames
    assert is_png(plots.correlation_heatmaps(real, synth, tmp_path / "c.png", "correlations"))
    assert is_png(plots.correlation_heatmaps(real[["flag"]], synth[["flag"]], tmp_path / "c0.png", "x"))


def test_ks_heatmap(tmp_path):
    table = pd.DataFrame(
        [
            {"sampler": s, "feature": f, "ks_stat": v}
            for s, base in (("smote", 0.1), ("ctgan", 0.3), ("gan", 0.5))
            for f, v in zip(["a", "b", "c"], [base, base + 0.1, base + 0.2])
        ]
    )
    assert is_png(plots.ks_heatmap(table, tmp_path / "k.png"))
    assert is_png(plots.ks_heatmap(table.iloc[:0], tmp_path / "k0.png"))


def test_metric_bars(tmp_path):
    df = pd.DataFrame(
        [
            {"detector": d, "sampler": s, "mean": m, "ci_low": m - 0.04, "ci_high": m + 0.03}
            for d in ("rf", "xgboost", "mlp")
            for s, m in (("none", 0.6), ("smote", 0.7), ("gan", 0.65))
        ]
    )
    df.loc[0, ["ci_low", "ci_high"]] = np.nan  # a single seed: no CI
    assert is_png(plots.metric_bars(df, "macro_f1", tmp_path / "m.png"))


def test_cd_groups_by_hand():
    ranks = {"smote": 1.0, "none": 2.4, "gan": 2.6, "ctgan": 4.0}
    # CD 1.05: only none-gan (0.2) is closer than CD
    assert plots.cd_groups(ranks, 1.05) == [["none", "gan"]]
    # CD 1.7: smote-none (1.4) and smote-gan (1.6) < 1.7; none..ctgan 1.6 < 1.7; gan..ctgan too
    assert plots.cd_groups(ranks, 1.7) == [["smote", "none", "gan"], ["none", "gan", "ctgan"]]
    assert plots.cd_groups(ranks, 0.1) == []
    assert plots.cd_groups(ranks, 10) == [["smote", "none", "gan", "ctgan"]]


def test_critical_difference_diagram(tmp_path):
    ranks = {"smote": 1.0, "none": 2.4, "gan": 2.6, "ctgan": 4.0, "tvae": 3.1}
    assert is_png(plots.critical_difference(ranks, 1.2, tmp_path / "cd.png", "macro F1"))
    assert is_png(plots.critical_difference({"a": 1.0}, float("nan"), tmp_path / "cd1.png", "one"))


def test_loss_curves(tmp_path):
    curves = {
        "Probing": {"d": [1.4, 1.2, 1.1, 1.0], "g": [0.7, 0.9, 1.0, 1.1]},
        3: {"d": [1.0, 0.9], "g": [1.0, 1.2]},
    }
    assert is_png(plots.loss_curves(curves, tmp_path / "l.png", "GAN losses"))
    assert is_png(plots.loss_curves({}, tmp_path / "l0.png", "no curves"))
