"""Per-feature comparison of the real and the synthetic marginal distributions.

One row per feature common to both tables (and to the schema, when one is
given).  Every figure is computed on the finite values of the column; NaN and
±inf cells are dropped first, per side and per column.

Conventions (each chosen so that a constant or an empty column never crashes
and never yields NaN where a number is meaningful):

- ``ks_stat`` / ``ks_p``: scipy's two-sample Kolmogorov–Smirnov test.  Two
  identical constants give statistic 0 and p 1; two different constants give
  statistic 1.  NaN only when one side has no finite value.
- ``wasserstein_std``: the Wasserstein-1 (earth mover's) distance after dividing
  both sides by one scale taken from the REAL side (``wasserstein_scale``): its
  standard deviation; when that is 0 or tiny (≤ 1e-12 × max(1, max|real|)) the
  robust IQR / 1.349 (the std of a normal with that IQR); when that is tiny too
  (a constant real column) the raw units (scale 1).  So the figure reads as "how
  many real standard deviations the synthetic mass must move"; it is 0 when both
  sides are the same constant.
- ``X_rel_diff`` for X in mean, std, median, q05, q95: ``|s − r| / |r|``.  When
  ``r == 0`` it is 0 if ``s == 0`` too and ``inf`` otherwise (a relative
  difference from zero is unbounded); NaN when either side is empty.
  ``std`` is the sample standard deviation (ddof=1, as pandas ``describe``),
  and 0 for a single value; quantiles are linear-interpolated (numpy default).
- ``real_zero_share`` / ``synth_zero_share``: share of values exactly 0.
- ``ks_nonzero_stat`` / ``ks_nonzero_p``: KS on the non-zero values only, for
  zero-inflated features (real zero share ≥ 0.1, ``ZERO_INFLATED_SHARE``): the
  zero share and the shape of the rest are then judged apart, so a generator that
  gets the spike at 0 right cannot hide a wrong tail (nor the other way round).
  NaN when the feature is not zero-inflated or either side has < 2 non-zero values.
- ``real_constant``: the real column has exactly one distinct value.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from benchmark.schema import TableSchema, infer_schema

ZERO_INFLATED_SHARE = 0.1
MEAN_TOLERANCE = 0.10
STATS = ("mean", "std", "median", "q05", "q95")

COLUMNS = (
    ["feature", "kind", "n_real", "n_synth", "ks_stat", "ks_p", "wasserstein_std", "wasserstein_scale"]
    + [c for s in STATS for c in (f"real_{s}", f"synth_{s}", f"{s}_rel_diff")]
    + ["real_zero_share", "synth_zero_share", "ks_nonzero_stat", "ks_nonzero_p", "real_constant"]
)

NAN = float("nan")


def relative_difference(real_value: float, synth_value: float) -> float:
    """``|s − r| / |r|``; when ``r == 0``: 0 if ``s == 0`` else ``inf``; NaN if either is NaN."""
    r, s = float(real_value), float(synth_value)
    if math.isnan(r) or math.isnan(s):
        return NAN
    if r == 0.0:
        return 0.0 if s == 0.0 else math.inf
    return abs(s - r) / abs(r)


def robust_scale(values: np.ndarray) -> float:
    """Std of ``values``; IQR / 1.349 when the std is 0 or tiny; 1.0 when both are."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return 1.0
    tiny = 1e-12 * max(1.0, float(np.max(np.abs(v))))
    sd = float(np.std(v, ddof=1)) if v.size > 1 else 0.0
    if sd > tiny:
        return sd
    q75, q25 = np.quantile(v, [0.75, 0.25])
    iqr = float(q75 - q25) / 1.349
    if iqr > tiny:
        return iqr
    return 1.0


def _finite(col: pd.Series) -> np.ndarray:
    v = pd.to_numeric(col, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    return v[np.isfinite(v)]


def _describe(v: np.ndarray) -> dict[str, float]:
    if v.size == 0:
        return dict.fromkeys(STATS, NAN)
    q05, median, q95 = np.quantile(v, [0.05, 0.5, 0.95])
    return {
        "mean": float(np.mean(v)),
        "std": float(np.std(v, ddof=1)) if v.size > 1 else 0.0,
        "median": float(median),
        "q05": float(q05),
        "q95": float(q95),
    }


def _ks(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    if a.size == 0 or b.size == 0:
        return NAN, NAN
    res = stats.ks_2samp(a, b)
    return float(res.statistic), float(res.pvalue)


def _wasserstein(r: np.ndarray, s: np.ndarray) -> tuple[float, float]:
    scale = robust_scale(r)
    if r.size == 0 or s.size == 0:
        return NAN, scale
    return float(stats.wasserstein_distance(r / scale, s / scale)), scale


def _is_numeric(col: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col)


def common_features(real: pd.DataFrame, synth: pd.DataFrame, schema: TableSchema | None = None) -> list[str]:
    """Numeric columns present in both tables, in the schema's order (or the real table's)."""
    order = schema.names if schema is not None else list(real.columns)
    synth_cols = set(synth.columns)
    return [
        c
        for c in order
        if c in real.columns and c in synth_cols and _is_numeric(real[c]) and _is_numeric(synth[c])
    ]


def _kinds(real: pd.DataFrame, names: list[str], schema: TableSchema | None) -> dict[str, str]:
    if schema is not None:
        return {n: schema[n].kind for n in names}
    if not names:
        return {}
    inferred = infer_schema(real[names].astype(float))
    return {c.name: c.kind for c in inferred.columns}


def per_feature(real: pd.DataFrame, synth: pd.DataFrame, schema: TableSchema | None = None) -> pd.DataFrame:
    """One row per common numeric feature; see the module docstring for every column.

    With a schema, only its columns are compared (those missing from either table
    are skipped) and ``kind`` comes from it; without one the kind is inferred from
    the real table (``benchmark.schema.infer_schema``).
    """
    names = common_features(real, synth, schema)
    kinds = _kinds(real, names, schema)
    rows = []
    for name in names:
        r, s = _finite(real[name]), _finite(synth[name])
        row: dict = {"feature": name, "kind": kinds[name], "n_real": int(r.size), "n_synth": int(s.size)}
        row["ks_stat"], row["ks_p"] = _ks(r, s)
        row["wasserstein_std"], row["wasserstein_scale"] = _wasserstein(r, s)
        dr, ds = _describe(r), _describe(s)
        for st in STATS:
            row[f"real_{st}"] = dr[st]
            row[f"synth_{st}"] = ds[st]
            row[f"{st}_rel_diff"] = relative_difference(dr[st], ds[st])
        rz = float(np.mean(r == 0)) if r.size else NAN
        sz = float(np.mean(s == 0)) if s.size else NAN
        row["real_zero_share"], row["synth_zero_share"] = rz, sz
        rnz, snz = r[r != 0], s[s != 0]
        if rz >= ZERO_INFLATED_SHARE and rnz.size >= 2 and snz.size >= 2:
            row["ks_nonzero_stat"], row["ks_nonzero_p"] = _ks(rnz, snz)
        else:
            row["ks_nonzero_stat"], row["ks_nonzero_p"] = NAN, NAN
        row["real_constant"] = bool(np.unique(r).size == 1)
        rows.append(row)
    table = pd.DataFrame(rows, columns=COLUMNS)
    if not rows:
        table = table.astype({"real_constant": bool, "n_real": int, "n_synth": int})
    return table


def _plain_float(x) -> float | None:
    x = float(x)
    return x if math.isfinite(x) else None


def summarise(table: pd.DataFrame) -> dict:
    """Headline figures of a ``per_feature`` table, all plain JSON-safe values.

    - ``ks_median`` / ``ks_max``: median and max KS statistic over features;
    - ``mean_within_10pct_share``: share of features (with a defined mean on both
      sides) whose synthetic mean is within 10% of the real one (``mean_rel_diff
      <= 0.10``; an infinite relative difference counts as outside);
    - ``wasserstein_std_median``: median ``wasserstein_std``;
    - ``n_features``, ``n_real_constant``;
    - ``ks_worst_{1,2,3}_feature`` / ``ks_worst_{1,2,3}_stat``: the three features
      with the largest KS statistic (None when there are fewer features);
    - ``ks_worst_features``: those names joined with ``", "``.

    Medians and maxima ignore NaN; None where no feature has a value.
    """
    ks = pd.to_numeric(table.get("ks_stat", pd.Series(dtype=float)), errors="coerce").astype(float)
    ws = pd.to_numeric(table.get("wasserstein_std", pd.Series(dtype=float)), errors="coerce").astype(float)
    mrd = pd.to_numeric(table.get("mean_rel_diff", pd.Series(dtype=float)), errors="coerce").astype(float)
    ks_f, ws_f = ks.dropna(), ws[np.isfinite(ws)]
    defined = mrd.dropna()
    out: dict = {
        "n_features": int(len(table)),
        "n_real_constant": int(table["real_constant"].sum()) if "real_constant" in table else 0,
        "ks_median": _plain_float(ks_f.median()) if len(ks_f) else None,
        "ks_max": _plain_float(ks_f.max()) if len(ks_f) else None,
        "mean_within_10pct_share": (float((defined <= MEAN_TOLERANCE).mean()) if len(defined) else None),
        "wasserstein_std_median": _plain_float(ws_f.median()) if len(ws_f) else None,
    }
    worst = table.assign(_ks=ks).dropna(subset=["_ks"]).sort_values("_ks", ascending=False, kind="stable")
    names = [str(f) for f in worst["feature"].head(3)] if len(worst) else []
    for i in range(3):
        out[f"ks_worst_{i + 1}_feature"] = names[i] if i < len(names) else None
        out[f"ks_worst_{i + 1}_stat"] = _plain_float(worst["_ks"].iloc[i]) if i < len(names) else None
    out["ks_worst_features"] = ", ".join(names)
    return out
