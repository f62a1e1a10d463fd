"""``random_oversampling``: each attack class's training rows drawn again, with
replacement, until the class reaches its target (imbalanced-learn's
RandomOverSampler, per class).  The added rows are exact copies of real rows:
the simplest baseline a generator has to beat.  Works for a class of any size
(one row is simply repeated); the draws are seeded per class.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from benchmark.plugins import Sampler, combine
from benchmark.registry import register_sampler


@register_sampler
class RandomOverSampling(Sampler):
    name = "random_oversampling"
    version = "1"
    kind = "oversampler"
    description = "random oversampling: attack rows repeated (drawn with replacement) up to the target"
    profile_params = {"smoke": {}, "quick": {}, "paper": {}}

    def __init__(self):
        super().__init__()

    def _fit_resample(self, X, y, *, schema, targets, random_state, context):
        t0 = time.perf_counter()
        add = self.additions(y, targets)
        parts, labels = [], []
        for i, (c, n) in enumerate(sorted(add.items())):
            idx = np.flatnonzero((y == c).to_numpy())
            pick = np.random.default_rng([int(random_state), i]).choice(idx, size=n, replace=True)
            parts.append(X.iloc[pick].reset_index(drop=True))
            labels.append(pd.Series([c] * n))
        info = {"fit_seconds": time.perf_counter() - t0, "sample_seconds": 0.0}
        return combine(X, y, parts, labels, schema, add, info)
