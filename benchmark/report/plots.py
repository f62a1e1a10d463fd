"""Figures of the report, drawn with matplotlib's Agg canvas (no display, no pyplot
global state, safe in worker processes).  Each function writes one PNG (creating
its folder) and returns the path as a string."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from benchmark.fidelity.correlation import correlation_matrices

REAL_COLOR = "#1f77b4"
SYNTH_COLOR = "#ff7f0e"
DPI = 120


def _figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), dpi=DPI)
    FigureCanvasAgg(fig)
    return fig


def _save(fig: Figure, path) -> str:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fig.tight_layout()
    except (ValueError, RuntimeError):  # pragma: no cover - layout is cosmetic
        pass
    fig.savefig(path, format="png", dpi=DPI)
    return str(path)


def _empty(path, title: str, message: str) -> str:
    fig = _figure(6, 3)
    ax = fig.add_subplot(1, 1, 1)
    ax.axis("off")
    ax.set_title(title)
    ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=11)
    return _save(fig, path)


def _finite(s) -> np.ndarray:
    v = pd.to_numeric(pd.Series(s), errors="coerce").to_numpy(dtype=float)
    return v[np.isfinite(v)]


def heavy_tailed_positive(values: np.ndarray) -> bool:
    """True when every value is > 0 and the 99th percentile is ≥ 100 × the median
    (a log x axis then shows the shape; a linear one shows one spike)."""
    v = np.asarray(values, dtype=float)
    if v.size < 2 or np.min(v) <= 0:
        return False
    med = float(np.median(v))
    return float(np.quantile(v, 0.99)) >= 100 * med


def _bins(both: np.ndarray, log: bool, n: int = 40) -> np.ndarray:
    lo, hi = float(both.min()), float(both.max())
    uniq = np.unique(both)
    if uniq.size <= 30 and np.all(uniq == np.round(uniq)):  # few integer values: one bar each
        return np.arange(lo - 0.5, hi + 1.5, 1.0)
    if lo == hi:
        return np.array([lo - 0.5, hi + 0.5])
    if log:
        return np.geomspace(lo, hi, n + 1)
    return np.linspace(lo, hi, n + 1)


def histograms(real: pd.DataFrame, synth: pd.DataFrame, features, path, title: str) -> str:
    """Real vs synthetic histograms per feature (bar height = share of that side's rows
    in the bin, bins shared by both sides), in a grid of up to 4 columns.
    A feature whose values are all positive and heavy-tailed gets log-spaced bins
    and a log x axis (noted in its panel title)."""
    features = [f for f in features if f in real.columns and f in synth.columns]
    if not features:
        return _empty(path, title, "no common feature to plot")
    ncols = min(4, len(features))
    nrows = math.ceil(len(features) / ncols)
    fig = _figure(3.6 * ncols, 2.8 * nrows + 0.6)
    fig.suptitle(title)
    for i, f in enumerate(features):
        ax = fig.add_subplot(nrows, ncols, i + 1)
        r, s = _finite(real[f]), _finite(synth[f])
        both = np.concatenate([r, s])
        if both.size == 0:
            ax.set_title(f"{f} (no values)", fontsize=9)
            ax.axis("off")
            continue
        log = heavy_tailed_positive(both)
        bins = _bins(both, log)
        if r.size:
            ax.hist(
                r,
                bins=bins,
                weights=np.full(r.size, 1 / r.size),
                alpha=0.5,
                color=REAL_COLOR,
                label=f"real (n={r.size})",
            )
        if s.size:
            ax.hist(
                s,
                bins=bins,
                weights=np.full(s.size, 1 / s.size),
                alpha=0.5,
                color=SYNTH_COLOR,
                label=f"synthetic (n={s.size})",
            )
        if log:
            ax.set_xscale("log")
        ax.set_title(f + (" (log x)" if log else ""), fontsize=9)
        ax.set_ylabel("share of rows", fontsize=8)
        ax.tick_params(labelsize=7)
        if i == 0:
            ax.legend(fontsize=7)
    return _save(fig, path)


def _matrix_panel(fig, ax, m: pd.DataFrame, title: str, vmin: float, vmax: float, cmap: str):
    im = ax.imshow(m.to_numpy(dtype=float), vmin=vmin, vmax=vmax, cmap=cmap, interpolation="nearest")
    ax.set_title(title)
    n = len(m)
    if n <= 40:
        size = 8 if n <= 15 else 5
        ax.set_xticks(range(n))
        ax.set_yticks(range(n))
        ax.set_xticklabels([str(c) for c in m.columns], rotation=90, fontsize=size)
        ax.set_yticklabels([str(c) for c in m.index], fontsize=size)
    else:
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel(f"{n} features (labels omitted)")
    fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04)


def correlation_heatmaps(real: pd.DataFrame, synth: pd.DataFrame, path, title: str) -> str:
    """Pearson correlation of the real rows, of the synthetic rows, and their
    difference (synthetic − real), side by side; constant columns are left out."""
    r, s, d = correlation_matrices(real, synth, "pearson")
    if len(r) < 2:
        return _empty(path, title, "fewer than two non-constant common features")
    side = 4.2 if len(r) <= 15 else 5.5
    fig = _figure(3 * side + 1, side + 0.8)
    fig.suptitle(title)
    _matrix_panel(fig, fig.add_subplot(1, 3, 1), r, "real", -1, 1, "coolwarm")
    _matrix_panel(fig, fig.add_subplot(1, 3, 2), s, "synthetic", -1, 1, "coolwarm")
    lim = (
        float(np.nanmax(np.abs(d.to_numpy(dtype=float))))
        if np.isfinite(d.to_numpy(dtype=float)).any()
        else 1.0
    )
    lim = max(lim, 0.1)  # a near-zero difference should look near zero
    _matrix_panel(fig, fig.add_subplot(1, 3, 3), d, "synthetic − real", -lim, lim, "PiYG")
    return _save(fig, path)


def ks_heatmap(table: pd.DataFrame, path, title: str = "KS statistic per feature") -> str:
    """Sampler × feature heatmap of the KS statistic (0 = same marginal, 1 = disjoint).
    ``table``: long format with columns sampler, feature, ks_stat (several rows of
    a pair, e.g. over seeds or classes, are averaged)."""
    if table is None or len(table) == 0:
        return _empty(path, title, "no KS statistics")
    wide = table.pivot_table(index="sampler", columns="feature", values="ks_stat", aggfunc="mean")
    features = [f for f in pd.unique(table["feature"]) if f in wide.columns]
    wide = wide.reindex(index=[x for x in pd.unique(table["sampler"]) if x in wide.index], columns=features)
    ns, nf = wide.shape
    fig = _figure(max(6.0, 0.28 * nf + 3), max(2.5, 0.5 * ns + 1.8))
    ax = fig.add_subplot(1, 1, 1)
    im = ax.imshow(wide.to_numpy(dtype=float), vmin=0, vmax=1, cmap="viridis", aspect="auto")
    ax.set_yticks(range(ns))
    ax.set_yticklabels([str(s) for s in wide.index], fontsize=9)
    ax.set_xticks(range(nf))
    ax.set_xticklabels([str(f) for f in wide.columns], rotation=90, fontsize=6 if nf > 30 else 8)
    if nf * ns <= 60:
        for i in range(ns):
            for j in range(nf):
                v = wide.iat[i, j]
                if np.isfinite(v):
                    ax.text(
                        j, i, f"{v:.2f}", ha="center", va="center", fontsize=7, color="w" if v < 0.6 else "k"
                    )
    ax.set_title(title)
    fig.colorbar(im, ax=ax, label="KS statistic")
    return _save(fig, path)


def metric_bars(df: pd.DataFrame, metric: str, path, title: str | None = None) -> str:
    """Mean ``metric`` per sampler with its CI as error bars, grouped by detector.
    ``df``: columns detector, sampler, mean, ci_low, ci_high."""
    if df is None or len(df) == 0:
        return _empty(path, title or metric, "no results")
    detectors = list(pd.unique(df["detector"]))
    samplers = list(pd.unique(df["sampler"]))
    width = 0.8 / max(1, len(samplers))
    fig = _figure(max(5.0, 1.2 * len(detectors) * max(1, len(samplers)) * 0.6 + 2), 4.2)
    ax = fig.add_subplot(1, 1, 1)
    cmap = colormaps["tab10"]
    x = np.arange(len(detectors))
    for j, s in enumerate(samplers):
        sub = df[df["sampler"] == s].set_index("detector").reindex(detectors)
        mean = sub["mean"].to_numpy(dtype=float)
        lo = mean - sub["ci_low"].to_numpy(dtype=float)
        hi = sub["ci_high"].to_numpy(dtype=float) - mean
        err = np.vstack([np.nan_to_num(np.maximum(lo, 0)), np.nan_to_num(np.maximum(hi, 0))])
        ax.bar(
            x - 0.4 + width * (j + 0.5),
            np.nan_to_num(mean),
            width,
            yerr=err,
            capsize=3,
            label=str(s),
            color=cmap(j % 10),
        )
    ax.set_xticks(x)
    ax.set_xticklabels([str(d) for d in detectors])
    ax.set_xlabel("detector")
    ax.set_ylabel(f"{metric} (mean, 95% CI)")
    ax.set_title(title or f"{metric} by sampler and detector")
    ax.legend(title="sampler", fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.grid(axis="y", alpha=0.3)
    return _save(fig, path)


def cd_groups(avg_ranks: dict, cd: float) -> list[list[str]]:
    """Maximal groups of samplers (sorted by rank) whose ranks span less than ``cd``:
    the members of a group are not significantly different (Nemenyi).  Groups of
    one are left out."""
    items = sorted(avg_ranks.items(), key=lambda kv: kv[1])
    names = [n for n, _ in items]
    ranks = [r for _, r in items]
    groups: list[list[str]] = []
    last_end = -1
    for i in range(len(items)):
        j = i
        while j + 1 < len(items) and ranks[j + 1] - ranks[i] < cd:
            j += 1
        if j > i and j > last_end:
            groups.append(names[i : j + 1])
            last_end = j
    return groups


def critical_difference(avg_ranks: dict, cd: float, path, title: str) -> str:
    """Demšar-style critical difference diagram.

    The rank axis runs from 1 (best, left) to k; each sampler hangs from its
    average rank (best half labelled on the left, the rest on the right); a bar
    of length CD is drawn above the axis; thick bars join samplers whose ranks
    differ by less than CD (not significantly different)."""
    if not avg_ranks:
        return _empty(path, title, "no ranks")
    items = sorted(((str(k), float(v)) for k, v in avg_ranks.items()), key=lambda kv: kv[1])
    k = len(items)
    lo, hi = 1, max(k, 2)
    groups = cd_groups(dict(items), cd) if cd is not None and np.isfinite(cd) else []
    n_left = math.ceil(k / 2)
    rows = max(n_left, k - n_left)
    # vertical layout (data units): rank axis at 0, CD bar above it, group bars
    # just below it, then one line per sampler
    y_groups = [-0.15 - 0.13 * g for g in range(len(groups))]
    y_first = -0.3 - 0.13 * len(groups)
    y_bottom = y_first - 0.3 * (rows - 1) - 0.25
    y_top = 0.8
    fig = _figure(8, 0.9 + 1.1 * (y_top - y_bottom))
    ax = fig.add_subplot(1, 1, 1)
    ax.set_xlim(lo - 0.9 - 0.15 * (hi - lo), hi + 0.9 + 0.15 * (hi - lo))
    ax.set_ylim(y_bottom, y_top)
    ax.axis("off")
    # axis with ticks
    ax.plot([lo, hi], [0, 0], color="k", lw=1)
    for t in range(lo, hi + 1):
        ax.plot([t, t], [0, 0.08], color="k", lw=1)
        ax.text(t, 0.12, str(t), ha="center", va="bottom", fontsize=9)
    ax.text(hi, 0.4, "average rank (1 = best)", ha="right", va="bottom", fontsize=8, color="0.3")
    # CD bar
    if cd is not None and np.isfinite(cd):
        ax.plot([lo, lo + cd], [0.5, 0.5], color="k", lw=2)
        for e in (lo, lo + cd):
            ax.plot([e, e], [0.45, 0.55], color="k", lw=1)
        ax.text(lo + cd / 2, 0.57, f"CD = {cd:.2f}", ha="center", va="bottom", fontsize=9)
    # samplers: best half on the left (best on top), the rest on the right (worst on top)
    for i, (name, r) in enumerate(items):
        if i < n_left:
            y, x_end, ha = y_first - 0.3 * i, lo - 0.2, "right"
        else:
            y, x_end, ha = y_first - 0.3 * (k - 1 - i), hi + 0.2, "left"
        ax.plot([r, r, x_end], [0, y, y], color="k", lw=0.8)
        ax.text(
            x_end + (-0.05 if ha == "right" else 0.05), y, f"{name} ({r:.2f})", ha=ha, va="center", fontsize=9
        )
    # groups not significantly different
    rank_of = dict(items)
    for members, y in zip(groups, y_groups):
        ax.plot(
            [rank_of[members[0]] - 0.03, rank_of[members[-1]] + 0.03],
            [y, y],
            color="k",
            lw=3.5,
            solid_capstyle="round",
        )
    ax.set_title(title)
    return _save(fig, path)


def loss_curves(curves: dict, path, title: str) -> str:
    """Discriminator ("d") and generator ("g") loss per epoch, one panel per class."""
    curves = {k: v for k, v in (curves or {}).items() if v}
    if not curves:
        return _empty(path, title, "no loss curves recorded")
    n = len(curves)
    ncols = min(3, n)
    nrows = math.ceil(n / ncols)
    fig = _figure(4.2 * ncols, 3.0 * nrows + 0.6)
    fig.suptitle(title)
    for i, (cls, c) in enumerate(curves.items()):
        ax = fig.add_subplot(nrows, ncols, i + 1)
        for key, label, color in (("d", "discriminator", REAL_COLOR), ("g", "generator", SYNTH_COLOR)):
            v = np.asarray(c.get(key, []), dtype=float)
            if v.size:
                ax.plot(np.arange(1, v.size + 1), v, label=label, color=color, lw=1.2)
        ax.set_title(f"class {cls}", fontsize=10)
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    return _save(fig, path)
