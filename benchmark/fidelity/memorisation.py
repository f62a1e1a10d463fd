"""Does the generator copy its training rows?

Two figures, both against the REAL TRAINING rows of the class the generator
learned from:

- ``exact_copy_share``: the share of synthetic rows identical, in every common
  column, to some training row.  Rows are hashed (64-bit, after casting to float
  so that ``1`` and ``1.0`` agree, ``-0.0`` and ``0.0`` agree and every NaN is the
  same NaN), so it is O(n); the chance of a false match between ``n`` and ``m``
  distinct rows is about ``n·m / 2^64``, negligible.  SMOTE-like interpolation
  rarely copies; a GAN that has collapsed onto the training rows does.
- ``distance_to_closest_record`` (DCR): for every synthetic row, the Euclidean
  distance to its nearest training row, on features scaled robustly by the
  training rows (``(x − median) / scale`` with scale the IQR / 1.349, or the std
  when the IQR is 0 — common for zero-inflated flow counts — or 1 when both are
  0).  Taken alone a DCR means nothing (real flows are often near-duplicates), so
  it is set against the DCR of HOLDOUT rows — real rows of the same class that no
  generator saw — to the same training rows.  A generator that samples the real
  distribution puts its rows about as close to the training set as fresh real
  rows are: ``dcr_ratio`` ≈ 1.  A ratio well below 1, or many synthetic rows
  closer than the holdout's 5th percentile, indicates memorisation; exact copies
  give 0.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from sklearn.neighbors import NearestNeighbors
from threadpoolctl import threadpool_limits


def _as_float_frame(X) -> pd.DataFrame:
    if isinstance(X, pd.DataFrame):
        a = X.to_numpy(dtype=float, na_value=np.nan)
    else:
        a = np.asarray(X, dtype=float)
    if a.ndim == 1:
        a = a.reshape(-1, 1)
    a = a + 0.0  # -0.0 -> 0.0
    a[np.isnan(a)] = np.nan  # one NaN payload
    return pd.DataFrame(a)


def row_hashes(X) -> np.ndarray:
    """uint64 hash of every row of ``X`` (DataFrame or 2-D array), values taken as floats."""
    df = _as_float_frame(X)
    if df.shape[0] == 0:
        return np.zeros(0, dtype=np.uint64)
    return pd.util.hash_pandas_object(df, index=False).to_numpy()


def _common_numeric(*frames: pd.DataFrame) -> list[str]:
    first, rest = frames[0], frames[1:]
    return [
        c
        for c in first.columns
        if all(c in f.columns for f in rest) and all(pd.api.types.is_numeric_dtype(f[c]) for f in frames)
    ]


def exact_copy_share(synth: pd.DataFrame, train: pd.DataFrame) -> float:
    """Share of synthetic rows equal, in every common numeric column, to some training row.

    NaN when ``synth`` is empty; 0.0 when ``train`` is empty.
    """
    if len(synth) == 0:
        return math.nan
    cols = _common_numeric(synth, train)
    if len(train) == 0 or not cols:
        return 0.0
    hs = pd.Series(row_hashes(synth[cols]))
    ht = pd.unique(row_hashes(train[cols]))
    return float(hs.isin(ht).mean())


def robust_scaler(train: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(center, scale) per column of ``train``: median and IQR/1.349, else std, else 1."""
    center = np.nanmedian(train, axis=0) if train.shape[0] else np.zeros(train.shape[1])
    center = np.where(np.isfinite(center), center, 0.0)
    if train.shape[0]:
        q75, q25 = np.nanquantile(train, [0.75, 0.25], axis=0)
        scale = (q75 - q25) / 1.349
        sd = np.nanstd(train, axis=0)
    else:
        scale = sd = np.zeros(train.shape[1])
    scale = np.where(np.isfinite(scale) & (scale > 0), scale, np.where(np.isfinite(sd) & (sd > 0), sd, 1.0))
    return center, scale


def _scaled(df: pd.DataFrame, cols, center, scale) -> np.ndarray:
    a = df[cols].to_numpy(dtype=float, na_value=np.nan)
    a[~np.isfinite(a)] = np.nan
    z = (a - center) / scale
    return np.where(np.isnan(z), 0.0, z)  # missing -> the training median


def _subsample(n: int, k: int, rng) -> np.ndarray:
    return np.arange(n) if n <= k else np.sort(rng.choice(n, size=k, replace=False))


def distance_to_closest_record(
    synth: pd.DataFrame,
    train: pd.DataFrame,
    holdout: pd.DataFrame,
    random_state: int = 0,
    max_rows: int = 2000,
) -> dict:
    """DCR of synthetic and of holdout rows to the training rows (see the module docstring).

    ``synth`` and ``holdout`` are each subsampled to at most ``max_rows`` rows;
    every training row is kept as a reference (a copy of a row left out would be
    missed).  NaN cells are set to the training median.  Returns:

    - ``dcr_synth_median``, ``dcr_holdout_median``: median nearest-training-row distances;
    - ``dcr_ratio``: synth median / holdout median (NaN when the holdout median is 0,
      i.e. the real rows are mostly exact duplicates of training rows, or a side is empty);
    - ``holdout_dcr_p05``: the 5th percentile of the holdout DCR;
    - ``share_closer_than_holdout_p05``: share of synthetic rows with DCR strictly
      below it (≈ 0.05 or less for a generator no closer than fresh real data);
    - ``n_synth``, ``n_holdout``, ``n_train`` (rows used), ``n_features``, ``reason``
      (None, or why figures are NaN).
    """
    cols = _common_numeric(train, synth, holdout)
    rng = np.random.default_rng(random_state)
    s_idx = _subsample(len(synth), max_rows, rng)
    h_idx = _subsample(len(holdout), max_rows, rng)
    out = {
        "dcr_synth_median": math.nan,
        "dcr_holdout_median": math.nan,
        "dcr_ratio": math.nan,
        "holdout_dcr_p05": math.nan,
        "share_closer_than_holdout_p05": math.nan,
        "n_synth": int(s_idx.size),
        "n_holdout": int(h_idx.size),
        "n_train": int(len(train)),
        "n_features": len(cols),
        "reason": None,
    }
    if not cols:
        out["reason"] = "no common numeric column"
        return out
    if len(train) == 0:
        out["reason"] = "no training rows"
        return out
    T = train[cols].to_numpy(dtype=float, na_value=np.nan)
    T[~np.isfinite(T)] = np.nan
    center, scale = robust_scaler(T)
    T = np.where(np.isnan(T), center, T)
    T = (T - center) / scale
    nn = NearestNeighbors(n_neighbors=1).fit(T)

    def dcr(df, idx):
        if idx.size == 0:
            return np.zeros(0)
        d, _ = nn.kneighbors(_scaled(df.iloc[idx], cols, center, scale))
        return d[:, 0]

    with threadpool_limits(limits=1):  # see benchmark.fidelity.detection.THREADS
        ds, dh = dcr(synth, s_idx), dcr(holdout, h_idx)
    reasons = []
    if ds.size:
        out["dcr_synth_median"] = float(np.median(ds))
    else:
        reasons.append("no synthetic rows")
    if dh.size:
        out["dcr_holdout_median"] = float(np.median(dh))
        out["holdout_dcr_p05"] = float(np.quantile(dh, 0.05))
    else:
        reasons.append("no holdout rows")
    if ds.size and dh.size:
        out["share_closer_than_holdout_p05"] = float(np.mean(ds < out["holdout_dcr_p05"]))
        if out["dcr_holdout_median"] > 0:
            out["dcr_ratio"] = out["dcr_synth_median"] / out["dcr_holdout_median"]
        else:
            reasons.append("holdout median DCR is 0 (real rows duplicate training rows): no ratio")
    out["reason"] = "; ".join(reasons) or None
    return out
