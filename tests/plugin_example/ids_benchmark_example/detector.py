"""``example_logreg``: logistic regression on signed-log1p, standardised features."""

from __future__ import annotations

import numpy as np

from benchmark.plugins import Detector


class LogReg(Detector):
    name = "example_logreg"
    version = "1"
    description = "example plugin: logistic regression (a third-party package)"
    profile_params = {"smoke": {"max_iter": 200}, "quick": {"max_iter": 500}, "paper": {"max_iter": 1000}}

    def __init__(self, C: float = 1.0, max_iter: int = 500):
        super().__init__(C=C, max_iter=max_iter)

    @staticmethod
    def _features(X):
        v = np.asarray(X, dtype=np.float64)
        return np.sign(v) * np.log1p(np.abs(v))

    def fit(self, X, y, *, schema, sample_weight=None, random_state=0, context=None):
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        self.model = make_pipeline(
            StandardScaler(),
            LogisticRegression(
                C=self.params["C"], max_iter=self.params["max_iter"], random_state=random_state
            ),
        )
        self.model.fit(self._features(X), np.asarray(y), logisticregression__sample_weight=sample_weight)
        self.classes_ = self.model.classes_
        return self

    def predict_proba(self, X):
        return self.model.predict_proba(self._features(X))
