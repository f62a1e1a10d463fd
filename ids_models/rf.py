"""``rf``: a random forest (scikit-learn), the same hyper-parameters for every sampler."""

from __future__ import annotations

import numpy as np

from benchmark.plugins import Detector
from benchmark.registry import register_detector


@register_detector
class RandomForest(Detector):
    name = "rf"
    description = "RandomForestClassifier (scikit-learn)"
    profile_params = {
        "smoke": {"n_estimators": 20, "max_depth": 12},
        # quick: each tree's bootstrap draws at most 20k rows (all rows of the 30k demo;
        # full-depth trees on 550k rows took ~100 s per forest on two cores)
        "quick": {"n_estimators": 100, "max_depth": None, "max_samples": 20_000},
        "paper": {"n_estimators": 300, "max_depth": None},
    }

    def __init__(
        self,
        n_estimators: int = 100,
        max_depth: int | None = None,
        min_samples_leaf: int = 1,
        max_samples: float | None = None,
        n_jobs: int = 2,
    ):
        super().__init__(
            n_estimators=n_estimators,
            max_depth=max_depth,
            min_samples_leaf=min_samples_leaf,
            max_samples=max_samples,
            n_jobs=n_jobs,
        )

    def fit(self, X, y, *, schema, sample_weight=None, random_state=0, context=None):
        from sklearn.ensemble import RandomForestClassifier

        p = self.params
        # max_samples: a share of the rows (float) or a cap on the rows each tree's
        # bootstrap draws (int; a cap at or above the row count means all rows)
        ms = p["max_samples"]
        if isinstance(ms, int) and not isinstance(ms, bool) and ms >= len(X):
            ms = None
        self.model = RandomForestClassifier(
            n_estimators=p["n_estimators"],
            max_depth=p["max_depth"],
            min_samples_leaf=p["min_samples_leaf"],
            max_samples=ms,
            n_jobs=p["n_jobs"],
            random_state=random_state,
        )
        self.model.fit(np.asarray(X, dtype=np.float32), np.asarray(y), sample_weight=sample_weight)
        self.classes_ = self.model.classes_
        return self

    def predict_proba(self, X):
        # One thread: scikit-learn sums the trees' probabilities in whatever order its
        # threads finish, which changes the last bits (and so tied scores, PR-AUC)
        # from run to run; summed in tree order the scores are the same every time.
        self.model.set_params(n_jobs=1)
        try:
            return self.model.predict_proba(np.asarray(X, dtype=np.float32))
        finally:
            self.model.set_params(n_jobs=self.params["n_jobs"])
