"""The imbalance sweep (``--attack-share 0.068,0.02,0.005``): how each sampler
behaves as attacks get rarer.

For each level ``s`` and each replicate, the attack rows of the TRAINING part
(the rows samplers and detectors fit on, and the validation rows that choose the
threshold -- each part on its own) are down-sampled, without replacement, so that
attacks make up ``s`` of the part: the benign rows are all kept and the attack
categories keep their proportions (stratified), each at least one row (recorded
when the floor was needed).  A level at or above the natural share leaves the
part as it is (recorded).  The draw is seeded by (replicate seed, fold, level),
so a level's rows are the same for every sampler.  The test part is never
touched: every level is scored on the same real test rows.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd

from benchmark.errors import ConfigError
from benchmark.protocol import Replicate


def parse_shares(text: str | None) -> list[float] | None:
    if text is None or not str(text).strip():
        return None
    out = []
    for part in str(text).split(","):
        part = part.strip()
        if not part:
            continue
        try:
            s = float(part)
        except ValueError:
            raise ConfigError(f"--attack-share: {part!r} is not a number") from None
        if not 0 < s < 1:
            raise ConfigError(f"--attack-share: {s} is outside (0, 1)")
        if s not in out:
            out.append(s)
    return out or None


def _downsample(idx: np.ndarray, cats: np.ndarray, attack: set, share: float, rng) -> tuple[np.ndarray, dict]:
    part = cats[idx]
    is_attack = np.isin(part, list(attack))
    n_attack, n_benign = int(is_attack.sum()), int((~is_attack).sum())
    natural = n_attack / max(1, len(idx))
    rec = {"natural_share": natural, "rows_before": int(len(idx))}
    if n_attack == 0 or share >= natural:
        rec.update(share=natural, unchanged=True, attack_rows_kept={})
        return idx, rec
    want = share * n_benign / (1 - share)  # attack rows for attacks to be `share` of the part
    keep, kept, floored = [idx[~is_attack]], {}, []
    for c in sorted(set(part[is_attack])):
        members = idx[part == c]
        k = int(round(len(members) * want / n_attack))
        if k < 1:
            k = 1
            floored.append(str(c))
        k = min(k, len(members))
        keep.append(np.sort(rng.choice(members, size=k, replace=False)))
        kept[str(c)] = k
    out = np.sort(np.concatenate(keep))
    rec.update(
        share=sum(kept.values()) / len(out),
        unchanged=False,
        attack_rows_kept=kept,
        attack_rows_removed=n_attack - sum(kept.values()),
    )
    if floored:
        rec["kept_one_row_minimum"] = floored
    return out, rec


def apply_attack_share(rep: Replicate, category: np.ndarray, attack, share: float) -> Replicate:
    """The replicate with attack rows of its fit and validation parts down-sampled
    to ``share``; the test part unchanged; what was done in ``notes``."""
    attack = set(attack)
    rng = np.random.default_rng([int(rep.seed), int(rep.fold), int(round(share * 1e6)), 4099])
    fit, fit_rec = _downsample(rep.fit, category, attack, share, rng)
    val, val_rec = _downsample(rep.val, category, attack, share, rng)
    notes = {**rep.notes, "attack_share": {"level": share, "fit": fit_rec, "val": val_rec}}
    return replace(rep, fit=fit, val=val, notes=notes)


def plot_attack_share(lb: pd.DataFrame, path, metric: str = "f1") -> bool:
    """Attack F1 (mean ± std over replicates) against the training attack share, one
    line per sampler, one panel per detector.  False when there is nothing to plot."""
    col = f"{metric}_mean"
    if lb.empty or "attack_share" not in lb or col not in lb or lb["attack_share"].nunique() < 1:
        return False
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    dets = list(pd.unique(lb["detector"]))
    n = len(dets)
    cols = min(3, n)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols, 3.8 * rows), squeeze=False, sharey=True)
    for ax, det in zip(axes.flat, dets):
        g = lb[lb["detector"] == det]
        for s in pd.unique(g["sampler"]):
            h = g[g["sampler"] == s].sort_values("attack_share")
            std = h.get(f"{metric}_std", pd.Series(np.nan, index=h.index)).fillna(0.0)
            ax.errorbar(h["attack_share"], h[col], yerr=std, marker="o", capsize=3, label=str(s))
        ax.set_xscale("log")
        levels = sorted(g["attack_share"].unique())
        ax.minorticks_off()
        ax.set_xticks(levels)
        ax.set_xticklabels([f"{v:g}" for v in levels])
        ax.set_xlabel("attack share of the training part")
        ax.set_title(f"detector {det}")
        ax.grid(True, alpha=0.3)
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    axes[0][0].set_ylabel(f"attack {metric.upper()} (test)")
    axes[0][0].legend(fontsize=8)
    fig.suptitle("Attack F1 on the real test part as attacks get rarer in training")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True
