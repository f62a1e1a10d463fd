"""How well the synthetic rows keep the pairwise dependence between features.

Pearson (linear) and Spearman (rank, so monotone and robust to heavy tails)
correlation matrices are computed on each side over the numeric columns common
to both tables.  A column constant on either side has no correlation (its
variance is 0), so it is excluded from both matrices and counted
(``n_excluded_constant``, ``excluded_constant``) instead of turning the average
into NaN.  The figure of merit is the mean absolute difference over the upper
triangle (each unordered pair once, the diagonal left out); 0 means the same
correlation structure, 2 the opposite.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

METHODS = ("pearson", "spearman")


def _numeric_common(real: pd.DataFrame, synth: pd.DataFrame) -> list[str]:
    cols = set(synth.columns)
    return [
        c
        for c in real.columns
        if c in cols and pd.api.types.is_numeric_dtype(real[c]) and pd.api.types.is_numeric_dtype(synth[c])
    ]


def _constant(col: pd.Series) -> bool:
    v = pd.to_numeric(col, errors="coerce").astype(float)
    v = v[np.isfinite(v)]
    return v.nunique() <= 1


def usable_columns(real: pd.DataFrame, synth: pd.DataFrame) -> tuple[list[str], list[str]]:
    """(columns used, columns excluded because constant — or empty — on either side)."""
    used, excluded = [], []
    for c in _numeric_common(real, synth):
        (excluded if _constant(real[c]) or _constant(synth[c]) else used).append(c)
    return used, excluded


def _corr(df: pd.DataFrame, cols: list[str], method: str) -> pd.DataFrame:
    x = df[cols].astype(float).replace([np.inf, -np.inf], np.nan)
    return x.corr(method=method)


def correlation_matrices(
    real: pd.DataFrame, synth: pd.DataFrame, method: str = "pearson"
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(real, synthetic, synthetic − real) correlation matrices over the usable columns,
    for a heatmap.  ``method`` is ``"pearson"`` or ``"spearman"``."""
    if method not in METHODS:
        raise ValueError(f"unknown correlation method {method!r} (one of {METHODS})")
    cols, _ = usable_columns(real, synth)
    r = _corr(real, cols, method)
    s = _corr(synth, cols, method)
    return r, s, s - r


def _upper(m: pd.DataFrame) -> np.ndarray:
    a = m.to_numpy(dtype=float)
    return a[np.triu_indices_from(a, k=1)]


def correlation_difference(real: pd.DataFrame, synth: pd.DataFrame) -> dict:
    """Mean (and max) absolute difference of the Pearson and Spearman matrices.

    Returns ``pearson_mad``, ``pearson_max``, ``spearman_mad``, ``spearman_max``
    (NaN when fewer than two usable columns remain, or no pair has a defined
    correlation on both sides), ``n_columns`` (used), ``n_pairs`` (upper-triangle
    pairs with a defined difference), ``n_excluded_constant`` and
    ``excluded_constant`` (the list of excluded column names).
    """
    cols, excluded = usable_columns(real, synth)
    out: dict = {"n_columns": len(cols), "n_excluded_constant": len(excluded), "excluded_constant": excluded}
    n_pairs = 0
    for method in METHODS:
        if len(cols) < 2:
            out[f"{method}_mad"] = math.nan
            out[f"{method}_max"] = math.nan
            continue
        _, _, diff = correlation_matrices(real, synth, method)
        d = np.abs(_upper(diff))
        d = d[np.isfinite(d)]
        n_pairs = max(n_pairs, int(d.size))
        out[f"{method}_mad"] = float(d.mean()) if d.size else math.nan
        out[f"{method}_max"] = float(d.max()) if d.size else math.nan
    out["n_pairs"] = n_pairs
    return out
