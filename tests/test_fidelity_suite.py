"""Fidelity figures checked against values computed by hand on small inputs."""

from __future__ import annotations

import json
import math
import sys
import types

import numpy as np
import pandas as pd
import pytest

from benchmark.datasets.hikari_layout import FLOW_FEATURES
from benchmark.fidelity import suite
from benchmark.fidelity.correlation import correlation_difference, correlation_matrices
from benchmark.fidelity.detection import detection_auc
from benchmark.fidelity.marginals import COLUMNS, per_feature, relative_difference, robust_scale, summarise
from benchmark.fidelity.memorisation import distance_to_closest_record, exact_copy_share
from benchmark.schema import ColumnSpec, TableSchema


def row(table: pd.DataFrame, feature: str) -> pd.Series:
    return table.set_index("feature").loc[feature]


# -- marginals -------------------------------------------------------------------
def test_ks_of_two_known_samples():
    # ECDFs of [1,2,3,4] and [3,4,5,6] differ most at x = 2 (0.5 vs 0) and x = 4 (1 vs 0.5).
    t = per_feature(pd.DataFrame({"x": [1, 2, 3, 4]}), pd.DataFrame({"x": [3, 4, 5, 6]}))
    assert row(t, "x")["ks_stat"] == pytest.approx(0.5)
    assert 0 < row(t, "x")["ks_p"] < 1


def test_descriptive_figures_by_hand():
    t = per_feature(pd.DataFrame({"x": [1.0, 2, 3, 4]}), pd.DataFrame({"x": [3.0, 4, 5, 6]}))
    r = row(t, "x")
    assert r["real_mean"] == 2.5 and r["synth_mean"] == 4.5
    assert r["mean_rel_diff"] == pytest.approx(2.0 / 2.5)
    assert r["real_median"] == 2.5 and r["median_rel_diff"] == pytest.approx(0.8)
    # linear quantile of [1,2,3,4] at 0.05: 1 + 0.05 * 3 = 1.15
    assert r["real_q05"] == pytest.approx(1.15) and r["synth_q95"] == pytest.approx(5.85)
    assert r["real_std"] == pytest.approx(math.sqrt(5 / 3))  # ddof = 1
    assert r["std_rel_diff"] == pytest.approx(0.0)
    assert not r["real_constant"]
    assert list(t.columns) == COLUMNS


def test_relative_difference_conventions():
    assert relative_difference(2.0, 3.0) == pytest.approx(0.5)
    assert relative_difference(-2.0, -1.0) == pytest.approx(0.5)
    assert relative_difference(0.0, 0.0) == 0.0
    assert relative_difference(0.0, 1e-9) == math.inf
    assert math.isnan(relative_difference(float("nan"), 1.0))


def test_relative_difference_with_zero_real_in_the_table():
    real = pd.DataFrame({"z": [0, 0, 0, 0], "w": [0, 0, 0, 0]})
    synth = pd.DataFrame({"z": [0, 0, 0, 0], "w": [0, 0, 0, 4]})
    t = per_feature(real, synth)
    assert row(t, "z")["mean_rel_diff"] == 0.0
    assert row(t, "w")["mean_rel_diff"] == math.inf


def test_wasserstein_of_a_known_shift():
    # W1 between a sample and itself shifted by 2 is 2; the real std (ddof=1) of
    # [0,1,2,3] is sqrt(5/3), so the standardised distance is 2 / sqrt(5/3).
    real = pd.DataFrame({"x": [0.0, 1, 2, 3]})
    t = per_feature(real, real + 2)
    assert row(t, "x")["wasserstein_std"] == pytest.approx(2 / math.sqrt(5 / 3))
    assert row(t, "x")["wasserstein_scale"] == pytest.approx(math.sqrt(5 / 3))


def test_constant_columns_never_give_nan():
    real = pd.DataFrame({"c": [5, 5, 5, 5], "d": [5, 5, 5, 5]})
    synth = pd.DataFrame({"c": [5, 5, 5], "d": [6, 6, 6]})
    t = per_feature(real, synth)
    c, d = row(t, "c"), row(t, "d")
    assert c["ks_stat"] == 0.0 and c["ks_p"] == 1.0
    assert c["wasserstein_std"] == 0.0
    assert c["real_constant"] and c["std_rel_diff"] == 0.0 and c["mean_rel_diff"] == 0.0
    assert d["ks_stat"] == 1.0
    assert d["wasserstein_std"] == pytest.approx(1.0)  # scale 1 (raw units) for a constant real side
    assert d["mean_rel_diff"] == pytest.approx(0.2)
    assert robust_scale(np.array([3.0, 3.0])) == 1.0


def test_zero_shares_and_nonzero_ks():
    real = pd.DataFrame({"x": [0, 0, 0, 0, 0, 1, 2, 3, 4, 5], "y": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]})
    synth = pd.DataFrame({"x": [0, 0, 1, 2, 3, 4, 5, 6, 7, 8], "y": [0, 2, 3, 4, 5, 6, 7, 8, 9, 10]})
    t = per_feature(real, synth)
    x, y = row(t, "x"), row(t, "y")
    assert x["real_zero_share"] == 0.5 and x["synth_zero_share"] == 0.2
    # non-zero parts [1..5] vs [1..8]: largest ECDF gap at 5: 1 - 5/8
    assert x["ks_nonzero_stat"] == pytest.approx(0.375)
    assert y["real_zero_share"] == 0.0 and math.isnan(y["ks_nonzero_stat"])  # not zero-inflated


def test_nonzero_ks_needs_two_nonzero_values_each_side():
    real = pd.DataFrame({"x": [0, 0, 0, 7]})
    synth = pd.DataFrame({"x": [0, 1, 2, 3]})
    assert math.isnan(row(per_feature(real, synth), "x")["ks_nonzero_stat"])


def test_empty_inputs_do_not_crash():
    real = pd.DataFrame({"x": [1.0, 2.0]})
    t = per_feature(real, real.iloc[:0])
    assert len(t) == 1 and math.isnan(row(t, "x")["ks_stat"])
    t = per_feature(pd.DataFrame(), pd.DataFrame())
    assert len(t) == 0 and list(t.columns) == COLUMNS
    s = summarise(t)
    assert s["ks_median"] is None and s["n_features"] == 0


def test_schema_restricts_and_names_kinds():
    schema = TableSchema([ColumnSpec("b", "count"), ColumnSpec("a", "continuous"), ColumnSpec("gone")])
    real = pd.DataFrame({"a": [1.0, 2.0], "b": [1, 2], "extra": [0, 1]})
    t = per_feature(real, real, schema)
    assert list(t["feature"]) == ["b", "a"] and list(t["kind"]) == ["count", "continuous"]


def test_summarise_by_hand():
    table = pd.DataFrame(
        {
            "feature": ["a", "b", "c", "d"],
            "ks_stat": [0.1, 0.5, 0.3, 0.2],
            "wasserstein_std": [1.0, 2.0, 3.0, math.inf],
            "mean_rel_diff": [0.05, 0.2, math.inf, 0.1],
            "real_constant": [False, False, True, False],
        }
    )
    s = summarise(table)
    assert s["ks_median"] == pytest.approx(0.25) and s["ks_max"] == 0.5
    assert s["mean_within_10pct_share"] == 0.5  # a and d
    assert s["wasserstein_std_median"] == 2.0  # inf left out
    assert [s[f"ks_worst_{i}_feature"] for i in (1, 2, 3)] == ["b", "c", "d"]
    assert s["ks_worst_1_stat"] == 0.5 and s["ks_worst_features"] == "b, c, d"
    assert s["n_real_constant"] == 1


# -- correlation -------------------------------------------------------------------
def test_correlation_difference_of_a_known_pair():
    # real: y = x (r = 1); synth: y = [1,3,2,4] against x = [1,2,3,4]:
    # sum dx*dy = 4, sum dx^2 = sum dy^2 = 5, so r = 0.8 (ranks equal the values: Spearman too).
    real = pd.DataFrame({"x": [1, 2, 3, 4], "y": [1, 2, 3, 4], "c": [7, 7, 7, 7]})
    synth = pd.DataFrame({"x": [1, 2, 3, 4], "y": [1, 3, 2, 4], "c": [7, 7, 7, 8]})
    d = correlation_difference(real, synth)
    assert d["pearson_mad"] == pytest.approx(0.2)
    assert d["spearman_mad"] == pytest.approx(0.2)
    assert d["n_columns"] == 2 and d["n_pairs"] == 1
    assert d["n_excluded_constant"] == 1 and d["excluded_constant"] == ["c"]
    r, s, diff = correlation_matrices(real, synth)
    assert r.loc["x", "y"] == pytest.approx(1.0) and s.loc["x", "y"] == pytest.approx(0.8)
    assert diff.loc["x", "y"] == pytest.approx(-0.2)


def test_correlation_opposite_and_too_few_columns():
    real = pd.DataFrame({"x": [1, 2, 3, 4], "y": [1, 2, 3, 4]})
    synth = pd.DataFrame({"x": [1, 2, 3, 4], "y": [4, 3, 2, 1]})
    assert correlation_difference(real, synth)["pearson_mad"] == pytest.approx(2.0)
    d = correlation_difference(real[["x"]], synth[["x"]])
    assert math.isnan(d["pearson_mad"]) and d["n_columns"] == 1


# -- detection ----------------------------------------------------------------------
def test_detection_auc_same_distribution_is_near_half():
    rng = np.random.default_rng(0)
    a = pd.DataFrame(rng.normal(size=(200, 3)), columns=list("abc"))
    b = pd.DataFrame(rng.normal(size=(200, 3)), columns=list("abc"))
    d = detection_auc(a, b)
    assert 0.4 <= d["auc_mean"] <= 0.6
    assert d["n_per_side"] == 200 and d["folds"] == 5 and len(d["fold_aucs"]) == 5


def test_detection_auc_of_copies_is_not_below_half():
    # Copies must read as indistinguishable (0.5), not as "better than real" (< 0.5).
    rng = np.random.default_rng(1)
    a = pd.DataFrame(rng.normal(size=(200, 3)), columns=list("abc"))
    assert 0.4 <= detection_auc(a, a)["auc_mean"] <= 0.6


def test_detection_auc_disjoint_is_near_one():
    rng = np.random.default_rng(0)
    a = pd.DataFrame(rng.uniform(size=(200, 2)), columns=["u", "v"])
    d = detection_auc(a, a + 2.0)
    assert d["auc_mean"] > 0.98


def test_detection_auc_subsamples_and_handles_tiny_inputs():
    rng = np.random.default_rng(0)
    a = pd.DataFrame(rng.normal(size=(300, 2)))
    b = pd.DataFrame(rng.normal(size=(50, 2)))
    assert detection_auc(a, b, max_rows=40)["n_per_side"] == 40
    d = detection_auc(a.iloc[:1], b.iloc[:1])
    assert math.isnan(d["auc_mean"]) and d["reason"]


# -- memorisation ---------------------------------------------------------------------
def test_exact_copy_share():
    train = pd.DataFrame({"a": [1, 2, 3, 4], "b": [0.5, 0.5, 1.5, 2.5]})
    assert exact_copy_share(train, train) == 1.0
    assert exact_copy_share(train.sample(frac=1, random_state=0), train) == 1.0
    assert exact_copy_share(train.astype(float), train) == 1.0  # 1 and 1.0 are the same value
    assert exact_copy_share(train + 10, train) == 0.0
    half = pd.concat([train.iloc[:2], train.iloc[2:] + 0.001])
    assert exact_copy_share(half, train) == 0.5
    assert math.isnan(exact_copy_share(train.iloc[:0], train))


def test_dcr_of_copies_is_zero():
    rng = np.random.default_rng(0)
    train = pd.DataFrame(rng.normal(size=(200, 3)))
    holdout = pd.DataFrame(rng.normal(size=(100, 3)))
    d = distance_to_closest_record(train.iloc[:50], train, holdout)
    assert d["dcr_synth_median"] == 0.0 and d["dcr_ratio"] == pytest.approx(0.0)
    assert d["dcr_holdout_median"] > 0
    assert d["share_closer_than_holdout_p05"] == 1.0


def test_dcr_by_hand_with_robust_scaling():
    # train [0..4]: median 2, IQR 3 - 1 = 2, scale 2 / 1.349; both 0.5 away from their nearest row.
    train = pd.DataFrame({"x": [0.0, 1, 2, 3, 4]})
    d = distance_to_closest_record(pd.DataFrame({"x": [0.5]}), train, pd.DataFrame({"x": [4.5]}))
    assert d["dcr_synth_median"] == pytest.approx(0.5 / (2 / 1.349))
    assert d["dcr_ratio"] == pytest.approx(1.0)
    fresh = distance_to_closest_record(pd.DataFrame({"x": [9.0]}), train, pd.DataFrame({"x": [4.5]}))
    assert fresh["dcr_ratio"] == pytest.approx(10.0)


def test_dcr_ratio_undefined_when_holdout_duplicates_train():
    train = pd.DataFrame({"x": [0.0, 1, 2, 3, 4]})
    d = distance_to_closest_record(train, train, train)
    assert math.isnan(d["dcr_ratio"]) and "holdout" in d["reason"]


# -- suite -------------------------------------------------------------------------------
def _plain_only(summary: dict):
    for k, v in summary.items():
        assert v is None or type(v) in (int, float, str, bool), (k, type(v))
        if isinstance(v, float):
            assert math.isfinite(v), k
    json.dumps(summary, allow_nan=False)


def test_evaluate_returns_table_and_plain_summary():
    rng = np.random.default_rng(0)
    real = pd.DataFrame(
        {"a": rng.normal(size=120), "b": rng.integers(0, 5, 120), "z": np.zeros(120), "w": [0.0] * 120}
    )
    synth = real.copy()
    synth["a"] = synth["a"] + 0.5
    synth["w"] = 1.0  # mean rel diff inf -> must not leak into the summary
    holdout = pd.DataFrame({"a": rng.normal(size=60), "b": rng.integers(0, 5, 60), "z": 0.0, "w": 0.0})
    table, summary = suite.evaluate(real, synth, holdout=holdout)
    assert set(table["feature"]) == {"a", "b", "z", "w"}
    _plain_only(summary)
    assert summary["n_real"] == 120 and summary["n_synth"] == 120
    assert summary["ks_max"] == 1.0 and summary["ks_worst_1_feature"] == "w"
    assert summary["corr_n_excluded_constant"] == 2
    assert 0 <= summary["detection_auc_mean"] <= 1
    assert summary["exact_copy_share"] == 0.0  # every row has a shifted "a"
    assert summary["dcr_ratio"] is not None
    assert summary["validity_all"] is None and summary["validity_reason"] == "not the HIKARI layout"


def test_evaluate_switches_and_schema():
    real = pd.DataFrame({"a": [1.0, 2, 3, 4], "b": [1, 1, 2, 2], "label": [0, 0, 1, 1]})
    schema = TableSchema([ColumnSpec("a"), ColumnSpec("b", "count")])
    table, summary = suite.evaluate(real, real, schema, detection=False, memorisation=False)
    assert list(table["feature"]) == ["a", "b"]
    assert summary["detection_auc_mean"] is None and summary["detection_reason"] == "disabled"
    assert summary["exact_copy_share"] is None and summary["dcr_reason"] == "disabled"
    _, summary = suite.evaluate(real, real, schema, detection=False)
    assert summary["exact_copy_share"] == 1.0 and summary["dcr_reason"] == "no holdout given"
    _plain_only(summary)


def test_evaluate_budgets_reach_the_figures():
    rng = np.random.default_rng(0)
    real = pd.DataFrame(rng.normal(size=(100, 2)), columns=["a", "b"])
    synth = pd.DataFrame(rng.normal(size=(100, 2)), columns=["a", "b"])
    _, s = suite.evaluate(
        real, synth, holdout=real.iloc[:60] + 0.01, detection_rows=30, detection_folds=3, dcr_rows=25
    )
    assert s["detection_n_per_side"] == 30 and s["detection_folds"] == 3
    assert s["dcr_n_holdout"] == 25


def test_evaluate_includes_flow_validity_for_hikari_columns(monkeypatch):
    calls = []

    def fake_flow_validity(df):
        calls.append(len(df))
        share = float((df["flow_duration"] >= 0).mean())
        return {"n_rows": len(df), "all": share, "stat_order_all": np.float64(share), "integer_share.x": 1.0}

    fake = types.ModuleType("benchmark.fidelity.validity")
    fake.flow_validity = fake_flow_validity
    monkeypatch.setitem(sys.modules, "benchmark.fidelity.validity", fake)
    rng = np.random.default_rng(0)
    real = pd.DataFrame(rng.uniform(0, 1, size=(20, len(FLOW_FEATURES))), columns=list(FLOW_FEATURES))
    synth = real.copy()
    synth.loc[:4, "flow_duration"] = -1.0  # 5 of 20 rows invalid
    _, summary = suite.evaluate(real, synth, detection=False, memorisation=False)
    assert summary["validity_all"] == 0.75 and summary["validity_all_real"] == 1.0
    assert summary["validity_synth_stat_order_all"] == 0.75 and summary["validity_real_stat_order_all"] == 1.0
    assert "validity_synth_n_rows" not in summary and "validity_synth_integer_share.x" not in summary
    assert summary["validity_reason"] is None and calls == [20, 20]
    _plain_only(summary)


def test_evaluate_with_the_real_validity_module_if_present():
    pytest.importorskip("benchmark.fidelity.validity")
    rng = np.random.default_rng(0)
    real = pd.DataFrame(rng.uniform(0, 1, size=(10, len(FLOW_FEATURES))), columns=list(FLOW_FEATURES))
    _, summary = suite.evaluate(real, real, detection=False, memorisation=False)
    _plain_only(summary)
    assert summary["validity_all"] is not None and 0 <= summary["validity_all"] <= 1


def test_module_docstring_explains_the_p_value():
    doc = suite.__doc__
    assert "NOT a verdict" in doc and "EFFECT SIZE" in doc


def test_per_class_audits_in_worker_processes_give_the_same_figures():
    from benchmark.cell import fidelity_audit
    from benchmark.plugins import Context
    from benchmark.registry import samplers
    from benchmark.testing import conformance_table

    X, y, schema, _ = conformance_table(n_benign=80, n_attack=60)
    y = y.where(~((y == "attack") & (np.arange(len(y)) % 2 == 0)), "attack2")
    res = samplers.get("smote")().fit_resample(
        X, y, schema=schema, targets={"attack": 60, "attack2": 60}, random_state=0, context=Context()
    )
    budget = {"detection_rows": 50, "detection_folds": 2, "dcr_rows": 50}
    cat = y.to_numpy()
    one = fidelity_audit(res, X, cat, X, cat, schema, 0, budget, n_jobs=1)
    two = fidelity_audit(res, X, cat, X, cat, schema, 0, budget, n_jobs=2)
    pd.testing.assert_frame_equal(one[0], two[0])
    assert one[1] == two[1] and set(one[1]) == {"attack", "attack2"}
