"""``example_gaussian``: per attack class, independent normals with the class's
per-column mean and standard deviation.  Deliberately naive: it shows the
GenerativeSampler contract (``_fit`` then ``_sample``), and that the base class
makes its rows obey the schema (rounded counts, clipped bounds), counting each repair."""

from __future__ import annotations

import numpy as np
import pandas as pd

from benchmark.plugins import GenerativeSampler


class ClassGaussian(GenerativeSampler):
    name = "example_gaussian"
    version = "1"
    description = "example plugin: per-class independent Gaussians (a third-party package)"
    profile_params = {"smoke": {"scale": 1.0}, "quick": {"scale": 1.0}, "paper": {"scale": 1.0}}

    def __init__(self, scale: float = 1.0):
        super().__init__(scale=scale)

    def _fit(self, X, y, classes, schema, random_state, context):
        self.columns = list(X.columns)
        self.moments = {}
        for c in classes:
            rows = X[(y == c).to_numpy()].to_numpy(dtype=float)
            self.moments[c] = (rows.mean(axis=0), rows.std(axis=0) * self.params["scale"])

    def _sample(self, cls, n, random_state):
        mean, std = self.moments[cls]
        rng = np.random.default_rng(random_state)
        return pd.DataFrame(rng.normal(mean, std, size=(n, len(mean))), columns=self.columns)
