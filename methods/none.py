"""``none``: the training set as it is.  The baseline every sampler is paired against."""

from __future__ import annotations

import numpy as np

from benchmark.plugins import Resampled, Sampler
from benchmark.registry import register_sampler


@register_sampler
class NoResampling(Sampler):
    name = "none"
    kind = "none"
    description = "no resampling: the detectors see the real training rows only"

    def _fit_resample(self, X, y, *, schema, targets, random_state, context):
        return Resampled(X, y, np.zeros(len(X), bool), None, {}, {})
