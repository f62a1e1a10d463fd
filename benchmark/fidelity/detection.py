"""Detection AUC: can a fixed classifier tell the synthetic rows from the real ones?

A classifier two-sample test (as SDMetrics' detection metrics and synthcity's
detection score): label real rows 0 and synthetic rows 1, train a classifier
under stratified k-fold cross-validation and report the ROC AUC on the held-out
folds.  0.5 means the classifier cannot tell them apart (the synthetic rows are,
to this classifier, a sample of the real distribution); 1.0 means every
synthetic row is trivially recognisable.  Unlike per-feature tests it sees the
joint distribution: a generator that gets each marginal right but the
combinations wrong is caught here.

The classifier is FIXED, so that every sampler is judged by the same critic:
scikit-learn's ``HistGradientBoostingClassifier`` with ``CLASSIFIER_PARAMS``
(100 boosting iterations, learning rate 0.1, max depth 4, at least 5 rows per
leaf, no early stopping — deterministic given the data).  It handles NaN
natively and is fast on two CPU cores (run single-threaded, ``THREADS``).  Its
histogram binning (255 bins per feature) can blur a boundary between two very
close values, so even disjoint samples may score slightly under 1.0.  Only its
AUC is comparable across samplers; a stronger critic could find differences
this one misses.

Identical rows (within or across the two sides) are kept in the same fold
(``StratifiedGroupKFold`` grouped by row hash): a synthetic copy of a real row
is indistinguishable from it, and splitting the pair would let the critic
"learn" the opposite label and push the AUC below 0.5.  Copying is measured
by ``memorisation``, not here.

Both sides are subsampled to the same size, ``min(len(real), len(synth),
max_rows)`` rows (without replacement), so the AUC is not affected by class
imbalance and the cost is bounded.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedGroupKFold
from threadpoolctl import threadpool_limits

from benchmark.fidelity.memorisation import row_hashes

CLASSIFIER_PARAMS = {
    "max_iter": 100,
    "learning_rate": 0.1,
    "max_depth": 4,
    "min_samples_leaf": 5,
    "l2_regularization": 0.0,
    "early_stopping": False,
}
# One OpenMP/BLAS thread: cells run side by side, and HistGradientBoosting's
# OpenMP threads spin-wait when the cores are oversubscribed (measured 20x
# slower on a loaded two-core machine).  The AUC does not depend on it.
THREADS = 1
CLASSIFIER = (
    "HistGradientBoostingClassifier(" + ", ".join(f"{k}={v}" for k, v in CLASSIFIER_PARAMS.items()) + ")"
)


def _common_numeric(real: pd.DataFrame, synth: pd.DataFrame) -> list[str]:
    cols = set(synth.columns)
    return [
        c
        for c in real.columns
        if c in cols and pd.api.types.is_numeric_dtype(real[c]) and pd.api.types.is_numeric_dtype(synth[c])
    ]


def _result(auc_mean, auc_std, fold_aucs, n_per_side, folds, n_features, reason=None) -> dict:
    return {
        "auc_mean": auc_mean,
        "auc_std": auc_std,
        "fold_aucs": fold_aucs,
        "n_per_side": n_per_side,
        "folds": folds,
        "n_features": n_features,
        "classifier": CLASSIFIER,
        "reason": reason,
    }


def detection_auc(
    real: pd.DataFrame, synth: pd.DataFrame, random_state: int = 0, folds: int = 5, max_rows: int = 5000
) -> dict:
    """Cross-validated ROC AUC of the fixed classifier separating real (0) from synthetic (1).

    Returns ``auc_mean`` and ``auc_std`` (population std, ddof=0, over folds),
    ``fold_aucs`` (list), ``n_per_side``, ``folds`` (used: ``min(folds, n_per_side)``),
    ``n_features``, ``classifier`` (its description) and ``reason`` (None, or why
    the AUC is NaN: no common numeric column, or fewer than 2 rows on a side).
    """
    cols = _common_numeric(real, synth)
    n = int(min(len(real), len(synth), max_rows))
    if not cols:
        return _result(math.nan, math.nan, [], n, 0, 0, "no common numeric column")
    if n < 2:
        return _result(math.nan, math.nan, [], n, 0, len(cols), f"only {n} row(s) on the smaller side")
    rng = np.random.default_rng(random_state)
    r_idx = np.sort(rng.choice(len(real), size=n, replace=False))
    s_idx = np.sort(rng.choice(len(synth), size=n, replace=False))
    X = np.vstack(
        [
            real[cols].iloc[r_idx].to_numpy(dtype=float, na_value=np.nan),
            synth[cols].iloc[s_idx].to_numpy(dtype=float, na_value=np.nan),
        ]
    )
    X[~np.isfinite(X)] = np.nan
    y = np.r_[np.zeros(n, dtype=int), np.ones(n, dtype=int)]
    # Identical rows share a group, so a row and its copy are never on opposite
    # sides of a split: otherwise a copied training set would score far BELOW
    # 0.5 (each test row's twin sits in the training fold with the other label).
    groups = pd.factorize(pd.Series(row_hashes(X)))[0]
    n_groups = int(groups.max()) + 1
    if n_groups < 2:
        return _result(0.5, 0.0, [0.5], n, 1, len(cols), "all rows identical: indistinguishable")
    k = int(min(folds, n_groups, n))
    cv = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=random_state)
    aucs = []
    with threadpool_limits(limits=THREADS):
        for train, test in cv.split(X, y, groups):
            if np.unique(y[test]).size < 2 or np.unique(y[train]).size < 2:
                continue  # a fold of one class (heavy duplication): no AUC
            clf = HistGradientBoostingClassifier(random_state=random_state, **CLASSIFIER_PARAMS)
            clf.fit(X[train], y[train])
            aucs.append(float(roc_auc_score(y[test], clf.predict_proba(X[test])[:, 1])))
    if not aucs:
        return _result(math.nan, math.nan, [], n, k, len(cols), "no fold held both real and synthetic rows")
    return _result(float(np.mean(aucs)), float(np.std(aucs)), aucs, n, k, len(cols))
