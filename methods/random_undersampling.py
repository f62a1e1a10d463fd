"""``random_undersampling``: benign rows removed at random; no row is added.

How its target follows the one shared sampling strategy.  The harness passes
``targets``: per attack class (its keys are exactly the attack classes of the
training part), the count an oversampler raises it to.  An oversampler therefore
ends with an attack : benign ratio of ``sum(targets) : B`` (B = benign training
rows).  This sampler reaches the SAME ratio from the other side: it keeps every
attack row (``A`` of them) and keeps, of each benign class ``b`` with ``n_b``
rows, a seeded random

    k_b = max(ceil(n_b * A / sum(targets)), min(n_b, min_rows))

rows, in their original order.  So benign classes shrink in proportion (their
mix is kept), and the floor ``min_rows`` (default 100 rows per benign class, or
all of a smaller class) is never crossed; when the floor binds, the ratio
reached is lower than the oversamplers' and ``info["floor_applied"]`` says so.
Without additions (every attack class already at its target) nothing changes.
"""

from __future__ import annotations

import math

import numpy as np

from benchmark.plugins import Resampled, Sampler
from benchmark.registry import register_sampler


def benign_keep(counts: dict, targets: dict, min_rows: int) -> tuple[dict, float]:
    """Per benign class the rows to keep (see the module docstring), and the keep share."""
    attack = {c: int(counts.get(c, 0)) for c in targets}
    a_now = sum(attack.values())
    a_goal = sum(max(int(t), attack[c]) for c, t in targets.items())
    share = a_now / a_goal if a_goal else 1.0
    keep = {}
    for c, n in counts.items():
        if c in targets:
            continue
        n = int(n)
        keep[c] = min(n, max(math.ceil(n * share), min(n, int(min_rows))))
    return keep, share


@register_sampler
class RandomUnderSampling(Sampler):
    name = "random_undersampling"
    version = "1"
    kind = "undersampler"
    description = (
        "random undersampling of the benign classes to the attack:benign ratio the oversamplers reach"
    )
    profile_params = {"smoke": {}, "quick": {}, "paper": {}}

    def __init__(self, min_rows: int = 100):
        if int(min_rows) < 1:
            raise TypeError("min_rows must be at least 1")
        super().__init__(min_rows=int(min_rows))

    def _fit_resample(self, X, y, *, schema, targets, random_state, context):
        counts = {c: int(n) for c, n in y.value_counts().items()}
        keep_n, share = benign_keep(counts, targets, self.params["min_rows"])
        keep = np.ones(len(y), bool)
        yv = y.to_numpy()
        floor = {}
        for i, c in enumerate(sorted(keep_n, key=str)):
            idx = np.flatnonzero(yv == c)
            k = keep_n[c]
            if k < len(idx):
                drop = np.random.default_rng([int(random_state), i]).choice(idx, len(idx) - k, replace=False)
                keep[drop] = False
            if k > math.ceil(len(idx) * share):
                floor[str(c)] = k
        a_goal = sum(max(int(t), counts.get(c, 0)) for c, t in targets.items())
        b_now = sum(counts[c] for c in keep_n)
        info = {
            "keep_share_of_benign": share,
            "kept": {str(c): int(k) for c, k in keep_n.items()},
            "removed": {str(c): int(counts[c] - k) for c, k in keep_n.items()},
            "attack_to_benign_goal": (a_goal / b_now) if b_now else None,
            "attack_to_benign_reached": (
                sum(counts.get(c, 0) for c in targets) / max(1, sum(keep_n.values()))
            )
            if keep_n
            else None,
            "fit_seconds": 0.0,
            "sample_seconds": 0.0,
        }
        if floor:
            info["floor_applied"] = {
                c: f"kept {k} rows: the floor min_rows={self.params['min_rows']} binds"
                for c, k in floor.items()
            }
        Xr = X[keep].reset_index(drop=True)
        yr = y[keep].reset_index(drop=True)
        return Resampled(Xr, yr, np.zeros(len(Xr), bool), None, {}, info)
