"""Statistics over seeds for the leaderboard.

Each (dataset, seed, sampler, detector) cell gives one score.  Scores of
different samplers under the same seed share the split and the detector's seed,
so comparisons are PAIRED by seed.

- ``bootstrap_ci``: percentile bootstrap confidence interval of a mean.
- ``paired_vs_baseline``: each sampler against the ``none`` baseline, per detector:
  mean paired difference with its bootstrap CI, the Wilcoxon signed-rank test,
  Holm's correction over the samplers compared within a detector, and a verdict
  that refuses to speak when there are too few seeds for any p-value to reach
  alpha.
- ``friedman``: all samplers at once over blocks (dataset × detector × seed):
  Friedman test, average ranks, Nemenyi post-hoc p-values and the critical
  difference of Demšar (2006), for a CD diagram.

Reference: J. Demšar, "Statistical Comparisons of Classifiers over Multiple Data
Sets", Journal of Machine Learning Research 7 (2006) 1–30.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

# Critical values q_alpha of the Nemenyi test for alpha = 0.05: the studentized
# range statistic q(0.95; k, inf) divided by sqrt(2).  k = 2..10 as printed in
# Demšar (2006), Table 5(a); k = 11..20 computed the same way
# (scipy.stats.studentized_range.ppf(0.95, k, inf) / sqrt(2), checked in tests).
NEMENYI_Q_05 = {
    2: 1.960,
    3: 2.343,
    4: 2.569,
    5: 2.728,
    6: 2.850,
    7: 2.949,
    8: 3.031,
    9: 3.102,
    10: 3.164,
    11: 3.219,
    12: 3.268,
    13: 3.313,
    14: 3.354,
    15: 3.391,
    16: 3.426,
    17: 3.458,
    18: 3.489,
    19: 3.517,
    20: 3.544,
}

VERDICTS = ("better", "worse", "no detectable difference", "too few seeds")


# -- confidence intervals -----------------------------------------------------
def bootstrap_ci(
    values, confidence: float = 0.95, n_boot: int = 10_000, random_state: int = 0
) -> tuple[float, float]:
    """Percentile bootstrap CI of the mean of ``values`` (NaNs dropped).

    A single value (or a constant sample) gives ``(v, v)``; no value ``(nan, nan)``.
    """
    v = np.asarray(values, dtype=float).ravel()
    v = v[~np.isnan(v)]
    if v.size == 0:
        return (math.nan, math.nan)
    if v.size == 1 or np.all(v == v[0]):
        return (float(v[0]), float(v[0]))
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    rng = np.random.default_rng(random_state)
    means = np.empty(n_boot)
    chunk = max(1, 2_000_000 // v.size)  # bound memory for long inputs
    for start in range(0, n_boot, chunk):
        stop = min(n_boot, start + chunk)
        idx = rng.integers(0, v.size, size=(stop - start, v.size))
        means[start:stop] = v[idx].mean(axis=1)
    tail = (1 - confidence) / 2
    lo, hi = np.quantile(means, [tail, 1 - tail])
    return (float(lo), float(hi))


# -- multiple comparisons -----------------------------------------------------
def holm(pvalues) -> np.ndarray:
    """Holm–Bonferroni step-down adjusted p-values, in the input order.

    With the m non-NaN p-values sorted ``p(1) ≤ … ≤ p(m)``:
    ``adj(i) = max_{j ≤ i} min(1, (m − j + 1) · p(j))`` — monotone, capped at 1.
    NaN entries are passed through and do not count in m.
    """
    p = np.asarray(pvalues, dtype=float).ravel()
    out = np.full(p.shape, np.nan)
    ok = np.flatnonzero(~np.isnan(p))
    m = ok.size
    if m == 0:
        return out
    order = ok[np.argsort(p[ok], kind="stable")]
    factors = m - np.arange(m)
    adj = np.minimum(1.0, np.maximum.accumulate(factors * p[order]))
    out[order] = adj
    return out


# -- paired comparison with the baseline ----------------------------------------
def min_achievable_wilcoxon_p(n: int) -> float:
    """Smallest two-sided p-value an exact Wilcoxon signed-rank test can give with n
    pairs: all differences of one sign, ``2 / 2**n`` (capped at 1; 1 for n = 0).
    Zeros or ties only make it larger, so this is a lower bound."""
    if n <= 0:
        return 1.0
    return float(min(1.0, 2.0 / 2.0**n))


def minimum_seeds_for_significance(alpha: float = 0.05, comparisons: int = 1) -> int:
    """Fewest paired seeds with which a two-sided exact Wilcoxon test can reach
    ``p < alpha`` — after Holm's correction over ``comparisons`` tests, whose
    smallest adjusted p-value is at least ``comparisons × 2 / 2**n``.
    6 for alpha = 0.05 and one comparison (2/64 = 0.031; 5 seeds give 0.0625)."""
    if not 0 < alpha <= 1:
        raise ValueError(f"alpha must be in (0, 1], got {alpha}")
    n = 1
    while comparisons * min_achievable_wilcoxon_p(n) >= alpha:
        n += 1
    return n


def _wilcoxon(d: np.ndarray) -> tuple[float, str]:
    """Two-sided Wilcoxon signed-rank p-value of paired differences d, and the method.

    zero_method="zsplit": zero differences (sampler and baseline score the same
    on a seed) stay in the ranking and their ranks are split between the two
    signs, so they count as evidence of no difference; ``"wilcox"`` would discard
    them and overstate significance, ``"pratt"`` ranks them and then drops their
    ranks.  Exact null distribution when there are no zeros or ties and n ≤ 50;
    with zeros or ties the exact conditional distribution by exhaustive
    permutation when n ≤ 13; the normal approximation otherwise.
    """
    n = d.size
    if n == 0:
        return math.nan, "none"
    if np.all(d == 0):
        return 1.0, "all differences zero"
    absd = np.abs(d)
    clean = not np.any(d == 0) and np.unique(absd).size == n
    if clean and n <= 50:
        method, label = "exact", "exact"
    elif n <= 13:
        method, label = stats.PermutationMethod(n_resamples=np.inf), "exact permutation (zeros/ties)"
    else:
        method, label = "asymptotic", "normal approximation"
    res = stats.wilcoxon(d, zero_method="zsplit", alternative="two-sided", method=method)
    return float(res.pvalue), label


def _direction(d: np.ndarray) -> float:
    """Sign of the signed-rank sum R+ − R− (zeros contribute nothing)."""
    ranks = stats.rankdata(np.abs(d))
    return float(np.sum(ranks[d > 0]) - np.sum(ranks[d < 0]))


def paired_vs_baseline(
    df: pd.DataFrame,
    metric: str,
    baseline: str = "none",
    by: Sequence[str] = ("detector",),
    unit: str | Sequence[str] = "seed",
    sampler_col: str = "sampler",
    alpha: float = 0.05,
    higher_is_better: bool = True,
    confidence: float = 0.95,
    n_boot: int = 10_000,
    random_state: int = 0,
) -> pd.DataFrame:
    """Every sampler against ``baseline``, paired by ``unit`` (the seed), per ``by`` group.

    One row per (group, sampler ≠ baseline) with: ``n_pairs`` (units where both
    have a non-NaN score), ``mean_baseline``, ``mean_sampler``, ``mean_diff``
    (sampler − baseline) and its bootstrap CI ``ci_low``/``ci_high``,
    ``p_value`` (two-sided Wilcoxon signed-rank, see ``_wilcoxon`` for the zero
    handling), ``wilcoxon_method``, ``p_holm`` (Holm over the samplers of the
    group), ``min_achievable_p`` (``2 / 2**n_pairs``), ``min_achievable_p_holm``
    (× the number of tests in the group: no Holm-adjusted p can be smaller) and
    ``verdict``:

    - ``"too few seeds"`` when ``min_achievable_p_holm >= alpha``: even if every
      seed favoured one side no p-value could reach alpha, so a "no difference"
      would be an artefact of n, not a finding (n ≤ 5 seeds for alpha = 0.05);
    - ``"better"`` / ``"worse"`` when ``p_holm < alpha``, by the sign of the
      signed-rank sum (and ``higher_is_better``);
    - ``"no detectable difference"`` otherwise.

    Raises ValueError when a (group, unit, sampler) has more than one score
    (e.g. several datasets pooled: add ``"dataset"`` to ``by``) or the baseline
    is missing.
    """
    by = list(by)
    units = [unit] if isinstance(unit, str) else list(unit)
    need = [*by, *units, sampler_col, metric]
    missing = [c for c in need if c not in df.columns]
    if missing:
        raise ValueError(f"paired_vs_baseline: missing column(s) {missing}")
    dup = df.duplicated(subset=[*by, *units, sampler_col], keep=False)
    if dup.any():
        example = df.loc[dup, [*by, *units, sampler_col]].iloc[0].to_dict()
        raise ValueError(
            f"paired_vs_baseline: {int(dup.sum())} rows share a ({', '.join([*by, *units, sampler_col])}) key, "
            f"e.g. {example}; add the column that tells them apart (e.g. 'dataset') to `by`"
        )
    if baseline not in set(df[sampler_col]):
        raise ValueError(f"paired_vs_baseline: baseline sampler {baseline!r} not in column {sampler_col!r}")

    rows = []
    groups = df.groupby(by, sort=True, dropna=False) if by else [((), df)]
    for key, g in groups:
        key = key if isinstance(key, tuple) else (key,)
        wide = g.set_index([*units, sampler_col])[metric].unstack(sampler_col)
        if baseline not in wide.columns:
            continue
        samplers = [s for s in sorted(wide.columns, key=str) if s != baseline]
        group_rows = []
        for s in samplers:
            pair = wide[[baseline, s]].astype(float).dropna()
            d = (pair[s] - pair[baseline]).to_numpy()
            n = int(d.size)
            p, method = _wilcoxon(d)
            lo, hi = bootstrap_ci(d, confidence, n_boot, random_state)
            group_rows.append(
                {
                    **dict(zip(by, key)),
                    sampler_col: s,
                    "baseline": baseline,
                    "n_pairs": n,
                    "mean_baseline": float(pair[baseline].mean()) if n else math.nan,
                    "mean_sampler": float(pair[s].mean()) if n else math.nan,
                    "mean_diff": float(d.mean()) if n else math.nan,
                    "ci_low": lo,
                    "ci_high": hi,
                    "p_value": p,
                    "wilcoxon_method": method,
                    "_direction": _direction(d) if n else 0.0,
                }
            )
        adj = holm([r["p_value"] for r in group_rows])
        m = int(np.sum(~np.isnan([r["p_value"] for r in group_rows])))
        for r, pa in zip(group_rows, adj):
            r["p_holm"] = float(pa)
            r["min_achievable_p"] = min_achievable_wilcoxon_p(r["n_pairs"])
            r["min_achievable_p_holm"] = float(min(1.0, max(m, 1) * r["min_achievable_p"]))
            direction = r.pop("_direction")
            if r["min_achievable_p_holm"] >= alpha:
                r["verdict"] = "too few seeds"
            elif pa < alpha and direction != 0:
                good = (direction > 0) == higher_is_better
                r["verdict"] = "better" if good else "worse"
            else:
                r["verdict"] = "no detectable difference"
        rows.extend(group_rows)
    columns = [
        *by,
        sampler_col,
        "baseline",
        "n_pairs",
        "mean_baseline",
        "mean_sampler",
        "mean_diff",
        "ci_low",
        "ci_high",
        "p_value",
        "wilcoxon_method",
        "p_holm",
        "min_achievable_p",
        "min_achievable_p_holm",
        "verdict",
    ]
    return pd.DataFrame(rows, columns=columns)


# -- all samplers at once ---------------------------------------------------------
def nemenyi_q(k: int, alpha: float = 0.05) -> float:
    """Critical value q_alpha of the Nemenyi test for k samplers (alpha = 0.05 only)."""
    if alpha != 0.05:
        raise ValueError("only alpha = 0.05 is tabulated for the Nemenyi critical difference")
    if k not in NEMENYI_Q_05:
        raise ValueError(f"the Nemenyi q table covers k = 2..20 samplers, got k = {k}")
    return NEMENYI_Q_05[k]


def critical_difference(k: int, n_blocks: int, alpha: float = 0.05) -> float:
    """Nemenyi critical difference of average ranks: ``q_alpha · sqrt(k(k+1) / (6N))``
    (Demšar 2006, section 3.2.2).  Two samplers whose average ranks differ by at
    least CD are significantly different."""
    if n_blocks < 1:
        raise ValueError("critical difference needs at least one block")
    return float(nemenyi_q(k, alpha) * math.sqrt(k * (k + 1) / (6.0 * n_blocks)))


def friedman(
    df: pd.DataFrame,
    metric: str,
    block_cols: Sequence[str] = ("dataset", "detector", "seed"),
    sampler_col: str = "sampler",
    alpha: float = 0.05,
    higher_is_better: bool = True,
    min_blocks: int = 2,
) -> dict:
    """Friedman test of ``metric`` over samplers, blocks = the ``block_cols`` present in df.

    Only complete blocks (a score for every sampler) are used.  Returns a dict:
    ``k``, ``n_blocks``, ``n_blocks_dropped``, ``block_cols`` (those used),
    ``samplers``, ``avg_ranks`` (sampler → average rank, 1 = best: the highest
    metric when ``higher_is_better``; ties get average ranks), ``statistic`` and
    ``p_value`` (``scipy.stats.friedmanchisquare``, chi-square with k − 1 df,
    tie-corrected), ``iman_davenport_f`` / ``iman_davenport_p`` (the less
    conservative F form Demšar recommends), ``nemenyi_p`` (sampler → sampler →
    p, from ``scikit_posthocs.posthoc_nemenyi_friedman``), ``cd`` (the Nemenyi
    critical difference, None beyond k = 20), ``alpha``, ``significant``
    (p < alpha), ``warning`` (chi-square approximation doubtful unless N > 10
    and k > 5, Demšar's rule of thumb) and ``reason`` (why the test was not run:
    fewer than 3 samplers or fewer than ``min_blocks`` complete blocks; then the
    test figures are None).
    """
    blocks = [c for c in block_cols if c in df.columns]
    for c in (sampler_col, metric):
        if c not in df.columns:
            raise ValueError(f"friedman: missing column {c!r}")
    dup = df.duplicated(subset=[*blocks, sampler_col], keep=False)
    if dup.any():
        raise ValueError(
            f"friedman: {int(dup.sum())} rows share a ({', '.join([*blocks, sampler_col])}) key; "
            "add the column that tells them apart to block_cols"
        )
    if blocks:
        wide = df.set_index([*blocks, sampler_col])[metric].unstack(sampler_col)
    else:
        wide = df.set_index(sampler_col)[[metric]].T
    wide = wide.astype(float)
    n_all = len(wide)
    wide = wide.dropna(axis=0, how="any")
    samplers = [str(s) for s in wide.columns]
    wide.columns = samplers
    k, n = len(samplers), len(wide)
    out: dict = {
        "k": k,
        "n_blocks": n,
        "n_blocks_dropped": int(n_all - n),
        "block_cols": blocks,
        "samplers": samplers,
        "avg_ranks": {},
        "statistic": None,
        "p_value": None,
        "iman_davenport_f": None,
        "iman_davenport_p": None,
        "nemenyi_p": {},
        "cd": None,
        "alpha": alpha,
        "significant": None,
        "warning": None,
        "reason": None,
    }
    if n:
        ranks = wide.rank(axis=1, ascending=not higher_is_better, method="average")
        out["avg_ranks"] = {s: float(v) for s, v in ranks.mean(axis=0).items()}
    if k < 3:
        out["reason"] = f"the Friedman test needs at least 3 samplers, got {k}"
        return out
    if n < min_blocks:
        out["reason"] = f"only {n} complete block(s); need at least {min_blocks}"
        return out
    a = wide.to_numpy()
    if np.all(a == a[:, :1]):
        out["reason"] = "every sampler scored the same in every block: nothing to rank"
        return out
    res = stats.friedmanchisquare(*[a[:, j] for j in range(k)])
    chi2 = float(res.statistic)
    out["statistic"], out["p_value"] = chi2, float(res.pvalue)
    denom = n * (k - 1) - chi2
    if denom > 0:
        f = (n - 1) * chi2 / denom
        out["iman_davenport_f"] = float(f)
        out["iman_davenport_p"] = float(stats.f.sf(f, k - 1, (k - 1) * (n - 1)))
    out["significant"] = bool(out["p_value"] < alpha)
    out["cd"] = critical_difference(k, n, alpha) if k in NEMENYI_Q_05 and alpha == 0.05 else None
    import scikit_posthocs as sp

    pm = sp.posthoc_nemenyi_friedman(wide)
    out["nemenyi_p"] = {str(i): {str(j): float(pm.loc[i, j]) for j in pm.columns} for i in pm.index}
    if not (n > 10 and k > 5):
        out["warning"] = (
            f"N = {n} blocks and k = {k} samplers: the chi-square approximation is rough "
            "(Demšar: N > 10 and k > 5); prefer the Iman–Davenport p-value"
        )
    return out
