"""Shared pieces of the built-in detectors: labels encoded over every class."""

from __future__ import annotations

import numpy as np


class LabelCodes:
    """Encode class labels as 0..K-1 (XGBoost needs it) and map probabilities back."""

    def fit(self, y):
        self.classes_ = np.unique(np.asarray(y))
        return self

    def encode(self, y):
        return np.searchsorted(self.classes_, np.asarray(y))


def signed_log1p(X: np.ndarray) -> np.ndarray:
    """log1p that keeps the sign: tames the heavy tails of flow features for an MLP."""
    return np.sign(X) * np.log1p(np.abs(X))
