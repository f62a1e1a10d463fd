"""``class_weights``: cost-sensitive learning; no row added, none removed.

Each row of attack class ``c`` (``n_c`` training rows, target ``t_c`` from the
shared sampling strategy) gets the weight ``t_c / n_c`` (1 when the class is
already at its target); benign rows weigh 1.  So every attack class weighs, in
the detector's loss, exactly as much as if an oversampler had raised it to its
target, without a single synthetic row.  The weights reach the detector as
``sample_weight`` (every built-in detector passes it to its estimator's ``fit``).
"""

from __future__ import annotations

import numpy as np

from benchmark.plugins import Resampled, Sampler
from benchmark.registry import register_sampler


@register_sampler
class ClassWeights(Sampler):
    name = "class_weights"
    version = "1"
    kind = "weighting"
    description = "cost-sensitive: attack rows weighted so each class weighs as much as at its target count"
    profile_params = {"smoke": {}, "quick": {}, "paper": {}}

    def __init__(self):
        super().__init__()

    def _fit_resample(self, X, y, *, schema, targets, random_state, context):
        counts = y.value_counts()
        weight = {c: max(1.0, int(t) / int(counts[c])) for c, t in targets.items() if counts.get(c, 0) > 0}
        w = y.map(weight).fillna(1.0).to_numpy(dtype=float)
        info = {
            "class_weight": {str(c): float(v) for c, v in weight.items()},
            "fit_seconds": 0.0,
            "sample_seconds": 0.0,
        }
        return Resampled(X, y, np.zeros(len(X), bool), w, {}, info)
