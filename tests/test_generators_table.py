"""The generators' table (benchmark/report/generators.py) on hand-made records."""

from __future__ import annotations

import pytest

from benchmark.report.generators import generator_markdown, generator_table


def _record(seed, sampler, fidelity, requested, delivered, models=None, detector="rf"):
    info = {"training": {"models": models}} if models is not None else {}
    return {
        "dataset": "demo",
        "seed": seed,
        "fold": 0,
        "sampler": sampler,
        "detector": detector,
        "fidelity": fidelity,
        "sampler_record": {"requested": requested, "delivered": delivered, "info": info},
    }


def test_replicate_means_delivered_share_and_seconds_per_epoch():
    fid = {"A": {"ks_median": 0.1, "ks_max": 0.5, "mean_within_10pct_share": 0.5, "validity_all": 1.0}}
    fid2 = {"A": {"ks_median": 0.3, "ks_max": 0.7, "mean_within_10pct_share": 1.0, "validity_all": 0.5}}
    recs = [
        _record(0, "gan", fid, {"A": 100}, {"A": 100}, {"A": {"seconds": 10.0, "epochs_run": 20}}),
        # a second detector of the same group: counted once
        _record(0, "gan", fid, {"A": 100}, {"A": 100}, {"A": {"seconds": 10.0, "epochs_run": 20}}, "xgb"),
        _record(1, "gan", fid2, {"A": 100}, {"A": 50}, {"A": {"fit_seconds": 30.0, "epochs_run": 10}}),
    ]
    t = generator_table(recs)
    assert len(t) == 1
    r = t.iloc[0]
    assert r["ks_median"] == pytest.approx(0.2)
    assert r["ks_max"] == pytest.approx(0.6)
    assert r["validity_all"] == pytest.approx(0.75)
    assert r["of_requested_class"] == pytest.approx(0.75)  # (1.0 + 0.5) / 2
    assert r["train_s"] == pytest.approx(20.0)
    assert r["s_per_epoch"] == pytest.approx((0.5 + 3.0) / 2)
    assert r["replicates"] == 2


def test_a_requested_class_with_no_rows_is_listed_at_zero():
    # the study's setup: asked for attack rows, delivered benign ones
    fid = {"Benign": {"ks_median": 0.8, "ks_max": 0.99, "mean_within_10pct_share": 0.2, "validity_all": 0.0}}
    t = generator_table([_record(0, "study", fid, {"Probing": 300}, {"Benign": 300})])
    by = t.set_index("class")
    assert by.loc["Probing", "of_requested_class"] == 0.0
    assert by.loc["Benign", "ks_median"] == pytest.approx(0.8)
    md = generator_markdown(t)
    assert "Probing" in md and "0.0%" in md
