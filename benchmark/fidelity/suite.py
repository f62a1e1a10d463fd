"""Fidelity of synthetic rows: how close they are to the real rows they imitate.

``evaluate`` compares the synthetic rows of one class with the real TRAINING
rows of that class (the only rows the sampler saw) and returns a per-feature
table and one flat, JSON-safe summary.  What each figure means:

Marginals (one feature at a time; ``benchmark.fidelity.marginals``)
    ``ks_stat`` is the two-sample Kolmogorov–Smirnov statistic: the largest gap
    between the two empirical CDFs, from 0 (same distribution) to 1 (disjoint).
    It is the EFFECT SIZE, and the figure to read.  ``ks_p`` is reported but is
    NOT a verdict.  A p-value measures how surprising the gap would be if both
    samples came from one distribution, and that depends on the sample sizes as
    much as on the gap: with thousands of rows on each side any real difference,
    however small and harmless (a KS of 0.03), is "significant" (p ≈ 0), so
    every feature of every generator fails; with a few dozen synthetic rows (a
    rare attack class) even a large gap is "not significant", so a poor
    generator passes.  Moreover a generator is never exactly the real
    distribution, so "not rejected" only means "too few rows to tell".  Compare
    generators by the statistic, at equal sample sizes.
    ``wasserstein_std`` is the earth mover's distance in units of the real
    feature's spread (how far, in real standard deviations, the synthetic mass
    must move); it sees the size of a shift that KS (bounded by 1) saturates on.
    ``*_rel_diff`` are relative differences of mean, std, median and the 5% and
    95% quantiles; ``ks_nonzero_*`` the KS of the non-zero parts of
    zero-inflated features (flow counters are mostly 0).  Headline:
    ``ks_median``, ``ks_max``, ``ks_worst_*``, ``mean_within_10pct_share``
    (share of features whose synthetic mean is within 10% of the real one),
    ``wasserstein_std_median``.

Correlations (``benchmark.fidelity.correlation``)
    ``corr_pearson_mad`` / ``corr_spearman_mad``: mean absolute difference of the
    correlation matrices over feature pairs (0 = same dependence structure);
    columns constant on either side are excluded and counted
    (``corr_n_excluded_constant``).

Detection (``benchmark.fidelity.detection``)
    ``detection_auc_mean``: cross-validated AUC of a fixed gradient-boosting
    classifier asked to tell synthetic from real rows; 0.5 = indistinguishable,
    1.0 = trivially separable.  It judges the joint distribution, which per-feature
    figures cannot.

Memorisation (``benchmark.fidelity.memorisation``)
    ``exact_copy_share``: share of synthetic rows identical to a training row.
    ``dcr_*``: distances to the closest training row, of synthetic rows and of
    real HOLDOUT rows (never trained on); ``dcr_ratio`` ≈ 1 is healthy, ≪ 1
    means the generator reproduces its training rows.

Flow validity (``benchmark.fidelity.validity``, HIKARI layout only)
    ``validity_all``: share of synthetic rows that satisfy every flow identity
    (e.g. min ≤ avg ≤ max); ``validity_all_real`` the same share in the real
    rows (the ceiling: real data is not always consistent), and per identity or
    conjunction of ``flow_validity`` (``stat_order_all``, ``count_integer_share``,
    ...) ``validity_synth_<name>`` / ``validity_real_<name>``.

None in the summary (NaN and ±inf are never written) means "not meaningful
here", and the reason is one of: no feature or no row on a side (all
figures); every feature constant (``wasserstein_std_median`` with infinite
values excluded; ``mean_within_10pct_share`` counts an infinite relative
difference as outside); fewer than two non-constant common columns
(``corr_*``); detection disabled or too few rows (``detection_reason`` says
which); memorisation disabled, no holdout given, or a holdout median DCR of 0
(``dcr_reason``); not HIKARI columns or no validity module
(``validity_reason``).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from benchmark.datasets.hikari_layout import FLOW_FEATURES
from benchmark.fidelity.correlation import correlation_difference
from benchmark.fidelity.detection import detection_auc
from benchmark.fidelity.marginals import common_features, per_feature, summarise
from benchmark.fidelity.memorisation import distance_to_closest_record, exact_copy_share
from benchmark.schema import TableSchema


def plain_scalar(v):
    """A JSON-safe scalar: numpy → Python; NaN/±inf → None; str/bool/None kept.
    Anything else (a list, a dict) → None."""
    if v is None or isinstance(v, (str, bool)):
        return v
    if isinstance(v, np.bool_):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        f = float(v)
        return f if math.isfinite(f) else None
    return None


def has_hikari_columns(df: pd.DataFrame) -> bool:
    """True when every HIKARI-2021 flow feature is a column of ``df``."""
    cols = set(df.columns)
    return all(c in cols for c in FLOW_FEATURES)


def _validity(real: pd.DataFrame, synth: pd.DataFrame) -> dict:
    if not (has_hikari_columns(real) and has_hikari_columns(synth)):
        return {"validity_all": None, "validity_all_real": None, "validity_reason": "not the HIKARI layout"}
    try:
        from benchmark.fidelity.validity import flow_validity
    except ImportError as e:
        return {
            "validity_all": None,
            "validity_all_real": None,
            "validity_reason": f"benchmark.fidelity.validity unavailable ({e})",
        }
    out: dict = {}
    vs, vr = flow_validity(synth), flow_validity(real)
    out["validity_all"] = plain_scalar(vs.get("all"))
    out["validity_all_real"] = plain_scalar(vr.get("all"))
    for k in vs:
        # per-identity and conjunction shares; not the row count nor the per-column
        # integrality shares (their mean, count_integer_share, is kept)
        if k in ("all", "n_rows") or str(k).startswith("integer_share."):
            continue
        if plain_scalar(vs[k]) is not None:
            out[f"validity_synth_{k}"] = plain_scalar(vs[k])
            out[f"validity_real_{k}"] = plain_scalar(vr.get(k))
    out["validity_reason"] = None if out["validity_all"] is not None else "flow_validity gave no 'all' share"
    return out


def evaluate(
    real_train: pd.DataFrame,
    synth: pd.DataFrame,
    schema: TableSchema | None = None,
    holdout: pd.DataFrame | None = None,
    random_state: int = 0,
    detection: bool = True,
    memorisation: bool = True,
    detection_rows: int = 5000,
    detection_folds: int = 5,
    dcr_rows: int = 2000,
) -> tuple[pd.DataFrame, dict]:
    """(per-feature table, flat summary) comparing ``synth`` with ``real_train``.

    The features compared are the numeric columns common to both tables — the
    schema's columns, in its order, when one is given.  ``holdout``: real rows of
    the same class that the sampler never saw, for the DCR baseline (without it
    the DCR figures are None).  Every summary value is a plain
    float/int/str/bool/None; see the module docstring for each figure and for
    when it is None.  Budgets: ``detection_rows`` / ``detection_folds`` are the
    ``max_rows`` / ``folds`` of ``detection_auc``; ``dcr_rows`` the ``max_rows``
    of ``distance_to_closest_record``.
    """
    table = per_feature(real_train, synth, schema)
    cols = common_features(real_train, synth, schema)
    r, s = real_train[cols], synth[cols]

    summary: dict = {"n_real": int(len(real_train)), "n_synth": int(len(synth))}
    summary.update(summarise(table))

    corr = correlation_difference(r, s)
    for key in ("pearson_mad", "pearson_max", "spearman_mad", "spearman_max", "n_columns", "n_pairs"):
        summary[f"corr_{key}"] = plain_scalar(corr[key])
    summary["corr_n_excluded_constant"] = int(corr["n_excluded_constant"])
    summary["corr_excluded_constant"] = ", ".join(map(str, corr["excluded_constant"]))

    if detection:
        det = detection_auc(r, s, random_state=random_state, folds=detection_folds, max_rows=detection_rows)
        for key in ("auc_mean", "auc_std", "n_per_side", "folds", "classifier", "reason"):
            summary[f"detection_{key}"] = plain_scalar(det[key])
    else:
        summary.update(
            {"detection_auc_mean": None, "detection_auc_std": None, "detection_reason": "disabled"}
        )

    dcr_keys = (
        "dcr_synth_median",
        "dcr_holdout_median",
        "dcr_ratio",
        "dcr_holdout_p05",
        "dcr_share_closer_than_holdout_p05",
    )
    if memorisation:
        summary["exact_copy_share"] = plain_scalar(exact_copy_share(s, r))
        if holdout is not None:
            d = distance_to_closest_record(s, r, holdout, random_state=random_state, max_rows=dcr_rows)
            summary["dcr_synth_median"] = plain_scalar(d["dcr_synth_median"])
            summary["dcr_holdout_median"] = plain_scalar(d["dcr_holdout_median"])
            summary["dcr_ratio"] = plain_scalar(d["dcr_ratio"])
            summary["dcr_holdout_p05"] = plain_scalar(d["holdout_dcr_p05"])
            summary["dcr_share_closer_than_holdout_p05"] = plain_scalar(d["share_closer_than_holdout_p05"])
            summary["dcr_n_holdout"] = int(d["n_holdout"])
            summary["dcr_reason"] = d["reason"]
        else:
            summary.update(dict.fromkeys(dcr_keys))
            summary["dcr_reason"] = "no holdout given"
    else:
        summary["exact_copy_share"] = None
        summary.update(dict.fromkeys(dcr_keys))
        summary["dcr_reason"] = "disabled"

    summary.update(_validity(real_train, synth))
    summary = {k: plain_scalar(v) for k, v in summary.items()}
    return table, summary
