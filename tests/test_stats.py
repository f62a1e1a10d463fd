"""Statistics over seeds, checked against hand-computed and textbook values."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sst

from benchmark.stats import (
    NEMENYI_Q_05,
    bootstrap_ci,
    critical_difference,
    friedman,
    holm,
    min_achievable_wilcoxon_p,
    minimum_seeds_for_significance,
    paired_vs_baseline,
)


# -- bootstrap -------------------------------------------------------------------------
def test_bootstrap_ci_brackets_the_mean():
    v = [0.61, 0.64, 0.58, 0.70, 0.66, 0.63, 0.59, 0.67]
    lo, hi = bootstrap_ci(v)
    assert lo < np.mean(v) < hi
    assert lo > min(v) and hi < max(v)
    assert bootstrap_ci(v) == (lo, hi)  # seeded


def test_bootstrap_ci_of_two_points_by_hand():
    # Resampled means of [0, 1] are 0, 0.5, 1 with probabilities 1/4, 1/2, 1/4:
    # the 2.5% and 97.5% percentiles are 0 and 1.
    assert bootstrap_ci([0.0, 1.0]) == (0.0, 1.0)


def test_bootstrap_ci_degenerate_inputs():
    assert bootstrap_ci([0.7]) == (0.7, 0.7)
    assert bootstrap_ci([0.3, 0.3, 0.3]) == (0.3, 0.3)
    assert bootstrap_ci([0.3, np.nan, 0.3]) == (0.3, 0.3)
    lo, hi = bootstrap_ci([np.nan])
    assert math.isnan(lo) and math.isnan(hi)


# -- Holm ----------------------------------------------------------------------------------
def test_holm_known_vector():
    # sorted: 0.005*4 = 0.02, 0.01*3 = 0.03, 0.03*2 = 0.06, 0.04*1 = 0.04 -> max(0.06, 0.04)
    np.testing.assert_allclose(holm([0.01, 0.04, 0.03, 0.005]), [0.03, 0.06, 0.06, 0.02])


def test_holm_caps_passes_nan_and_matches_statsmodels():
    np.testing.assert_allclose(holm([0.5, 0.6]), [1.0, 1.0])
    out = holm([np.nan, 0.2, 0.01])
    assert math.isnan(out[0])
    np.testing.assert_allclose(out[1:], [0.2, 0.02])
    from statsmodels.stats.multitest import multipletests

    p = np.random.default_rng(0).uniform(0, 0.2, size=12)
    np.testing.assert_allclose(holm(p), multipletests(p, method="holm")[1])


# -- minimum seeds -----------------------------------------------------------------------------
def test_min_achievable_p_and_minimum_seeds():
    assert min_achievable_wilcoxon_p(5) == 2 / 32  # 0.0625: cannot reach 0.05
    assert min_achievable_wilcoxon_p(6) == 2 / 64
    assert min_achievable_wilcoxon_p(0) == 1.0
    assert minimum_seeds_for_significance() == 6
    assert minimum_seeds_for_significance(0.01) == 8  # 2/2^8 = 0.0078 < 0.01 <= 2/2^7
    assert minimum_seeds_for_significance(0.05, comparisons=3) == 7  # 3*2/128 = 0.047
    # the exact test agrees: 6 pairs of one sign give p = 2/64
    assert sst.wilcoxon([0.1, 0.2, 0.3, 0.4, 0.5, 0.6]).pvalue == pytest.approx(2 / 64)


# -- paired comparison ---------------------------------------------------------------------------
def scores(n_seeds: int, detectors=("rf",)) -> pd.DataFrame:
    rng = np.random.default_rng(42)
    rows = []
    for det in detectors:
        for seed in range(n_seeds):
            base = 0.5 + 0.02 * seed
            rows += [
                {"detector": det, "seed": seed, "sampler": "none", "f1": base},
                {"detector": det, "seed": seed, "sampler": "smote", "f1": base + 0.1},
                {"detector": det, "seed": seed, "sampler": "ctgan", "f1": base - 0.05 - 0.001 * seed},
                {"detector": det, "seed": seed, "sampler": "gan", "f1": base + rng.normal(0, 0.01)},
            ]
    return pd.DataFrame(rows)


def test_paired_too_few_seeds():
    out = paired_vs_baseline(scores(3), "f1")
    assert set(out["verdict"]) == {"too few seeds"}
    assert (out["min_achievable_p"] == 0.25).all()  # 2 / 2^3
    assert (out["n_pairs"] == 3).all()


def test_paired_ten_seeds_better_worse_and_holm():
    out = paired_vs_baseline(scores(10, ("rf", "mlp")), "f1").set_index(["detector", "sampler"])
    smote, ctgan, gan = out.loc[("rf", "smote")], out.loc[("rf", "ctgan")], out.loc[("rf", "gan")]
    assert smote["verdict"] == "better" and ctgan["verdict"] == "worse"
    assert gan["verdict"] == "no detectable difference"
    assert smote["mean_diff"] == pytest.approx(0.1)
    assert smote["ci_low"] == pytest.approx(0.1) and smote["ci_high"] == pytest.approx(0.1)
    # all ten differences of one sign: p = 2 / 2^10
    assert smote["p_value"] == pytest.approx(2 / 1024) and ctgan["p_value"] == pytest.approx(2 / 1024)
    # Holm within the detector, over its three samplers
    rf = out.loc["rf"]
    np.testing.assert_allclose(rf["p_holm"].to_numpy(), holm(rf["p_value"].to_numpy()))
    assert smote["p_holm"] == pytest.approx(3 * 2 / 1024)
    assert smote["min_achievable_p_holm"] == pytest.approx(3 * 2 / 1024)
    assert len(out) == 6


def test_paired_six_seeds_three_samplers_is_too_few_after_holm():
    # 6 seeds reach 2/64 = 0.031 for one test, but Holm over 3 tests needs 3 * 0.031 = 0.094
    out = paired_vs_baseline(scores(6), "f1")
    assert set(out["verdict"]) == {"too few seeds"}
    one = paired_vs_baseline(scores(6)[lambda d: d.sampler.isin(["none", "smote"])], "f1")
    assert one["verdict"].tolist() == ["better"] and one["p_value"].iloc[0] == pytest.approx(2 / 64)


def test_paired_lower_is_better_flips_direction():
    out = paired_vs_baseline(scores(10), "f1", higher_is_better=False).set_index("sampler")
    assert out.loc["smote", "verdict"] == "worse" and out.loc["ctgan", "verdict"] == "better"


def test_paired_zero_differences_are_kept():
    # 8 seeds: two ties (difference 0), six of +0.1.  zsplit keeps the zeros in the ranking.
    rows = [
        {"detector": "rf", "seed": s, "sampler": x, "f1": v}
        for s in range(8)
        for x, v in (("none", 0.5), ("a", 0.5 if s < 2 else 0.6))
    ]
    out = paired_vs_baseline(pd.DataFrame(rows), "f1")
    d = np.array([0, 0] + [0.1] * 6)
    expected = sst.wilcoxon(d, zero_method="zsplit", method=sst.PermutationMethod(n_resamples=np.inf)).pvalue
    assert out["p_value"].iloc[0] == pytest.approx(expected)
    assert out["n_pairs"].iloc[0] == 8
    all_zero = [
        {"detector": "rf", "seed": s, "sampler": x, "f1": 0.5} for s in range(8) for x in ("none", "a")
    ]
    z = paired_vs_baseline(pd.DataFrame(all_zero), "f1")
    assert z["p_value"].iloc[0] == 1.0 and z["verdict"].iloc[0] == "no detectable difference"


def test_paired_refuses_ambiguous_pairs():
    df = pd.concat([scores(6).assign(dataset="a"), scores(6).assign(dataset="b")])
    with pytest.raises(ValueError, match="dataset"):
        paired_vs_baseline(df, "f1")
    ok = paired_vs_baseline(df, "f1", by=("dataset", "detector"))
    assert len(ok) == 6
    with pytest.raises(ValueError, match="baseline"):
        paired_vs_baseline(scores(6), "f1", baseline="nothing")


def test_paired_drops_missing_pairs():
    df = scores(10)
    df.loc[(df.sampler == "smote") & (df.seed == 0), "f1"] = np.nan
    out = paired_vs_baseline(df, "f1").set_index("sampler")
    assert out.loc["smote", "n_pairs"] == 9 and out.loc["gan", "n_pairs"] == 10


# -- Friedman / Nemenyi ----------------------------------------------------------------------------
def long(blocks, samplers="ABC"):
    return pd.DataFrame(
        [{"seed": i, "sampler": s, "m": v} for i, b in enumerate(blocks) for s, v in zip(samplers, b)]
    )


def test_friedman_consistent_ranking_by_hand():
    # 4 blocks, A > B > C always: rank sums 4, 8, 12;
    # chi2 = 12 / (N k (k+1)) * sum R^2 - 3 N (k+1) = 12/48 * 224 - 48 = 8; p = exp(-8/2) (2 df)
    res = friedman(long([(3, 2, 1)] * 4), "m")
    assert res["statistic"] == pytest.approx(8.0)
    assert res["p_value"] == pytest.approx(math.exp(-4))
    assert res["avg_ranks"] == {"A": 1.0, "B": 2.0, "C": 3.0}  # higher metric = rank 1
    assert res["k"] == 3 and res["n_blocks"] == 4 and res["block_cols"] == ["seed"]
    assert res["significant"] is True
    assert res["iman_davenport_f"] is None  # chi2 = N (k - 1): F is infinite


def test_friedman_mixed_ranking_by_hand():
    # ranks (1,2,3), (1,3,2), (2,1,3): R = 4, 6, 8; chi2 = 12/36 * 116 - 36 = 8/3;
    # Iman-Davenport F = (N-1) chi2 / (N (k-1) - chi2) = (16/3) / (10/3) = 1.6
    res = friedman(long([(3, 2, 1), (3, 1, 2), (2, 3, 1)]), "m")
    assert res["statistic"] == pytest.approx(8 / 3)
    assert res["p_value"] == pytest.approx(math.exp(-4 / 3))
    assert res["avg_ranks"] == pytest.approx({"A": 4 / 3, "B": 2.0, "C": 8 / 3})
    assert res["iman_davenport_f"] == pytest.approx(1.6)
    assert res["iman_davenport_p"] == pytest.approx(sst.f.sf(1.6, 2, 4))
    assert res["significant"] is False
    assert res["cd"] == pytest.approx(2.343 * math.sqrt(3 * 4 / (6 * 3)))
    p = res["nemenyi_p"]
    assert p["A"]["A"] == 1.0 and p["A"]["C"] == pytest.approx(p["C"]["A"])
    assert p["A"]["C"] < p["A"]["B"]  # A and C are furthest apart in rank
    assert res["warning"]  # N = 3, k = 3: chi-square approximation rough


def test_friedman_matches_scipy_with_ties_and_blocks():
    rng = np.random.default_rng(3)
    rows = []
    for ds in ("hikari", "nsl"):
        for det in ("rf", "mlp"):
            for seed in range(5):
                for s, shift in (("none", 0.0), ("smote", 0.05), ("ctgan", 0.0), ("gan", 0.02)):
                    rows.append(
                        {"dataset": ds, "detector": det, "seed": seed, "sampler": s,
                         "f1": round(0.6 + shift + rng.normal(0, 0.03), 2)}
                    )  # fmt: skip
    df = pd.DataFrame(rows)
    res = friedman(df, "f1")
    wide = df.pivot_table(index=["dataset", "detector", "seed"], columns="sampler", values="f1")
    expected = sst.friedmanchisquare(*[wide[c] for c in wide.columns])
    assert res["statistic"] == pytest.approx(expected.statistic)
    assert res["p_value"] == pytest.approx(expected.pvalue)
    assert res["n_blocks"] == 20
    ranks = wide.rank(axis=1, ascending=False).mean()
    assert res["avg_ranks"] == pytest.approx(ranks.to_dict())
    assert res["cd"] == pytest.approx(2.569 * math.sqrt(4 * 5 / (6 * 20)))


def test_friedman_reasons():
    two = friedman(long([(1, 2)] * 5, "AB"), "m")
    assert two["statistic"] is None and "3 samplers" in two["reason"]
    one_block = friedman(long([(3, 2, 1)]), "m")
    assert one_block["statistic"] is None and "block" in one_block["reason"]
    df = long([(3, 2, 1)] * 4)
    df.loc[0, "m"] = np.nan  # block 0 incomplete
    res = friedman(df, "m")
    assert res["n_blocks"] == 3 and res["n_blocks_dropped"] == 1


def test_critical_difference_formula():
    # Demšar (2006), section 3.2.4: k = 4 classifiers, N = 14 data sets, CD = 1.25
    assert critical_difference(4, 14) == pytest.approx(2.569 * math.sqrt(20 / 84))
    assert critical_difference(4, 14) == pytest.approx(1.25, abs=0.01)
    with pytest.raises(ValueError):
        critical_difference(21, 10)


def test_nemenyi_q_table_matches_studentized_range():
    for k, q in NEMENYI_Q_05.items():
        assert q == pytest.approx(sst.studentized_range.ppf(0.95, k, np.inf) / math.sqrt(2), abs=1.5e-3)


def test_friedman_blocks_need_not_be_a_product():
    # dataset A has seeds 0-4, dataset B seeds 5-9: 10 blocks, not 2 x 10
    rng = np.random.default_rng(0)
    df = pd.DataFrame(
        [
            {"dataset": ds, "seed": s, "sampler": x, "m": rng.uniform()}
            for ds, seeds in (("A", range(5)), ("B", range(5, 10)))
            for s in seeds
            for x in "abc"
        ]
    )
    res = friedman(df, "m")
    assert res["n_blocks"] == 10 and res["n_blocks_dropped"] == 0 and res["block_cols"] == ["dataset", "seed"]
