"""``xgboost``: gradient-boosted trees (xgboost, hist), the same for every sampler."""

from __future__ import annotations

import numpy as np

from benchmark.plugins import Detector
from benchmark.registry import register_detector
from ids_models._common import LabelCodes


@register_detector
class XGBoost(Detector):
    name = "xgboost"
    description = "XGBClassifier (xgboost, tree_method=hist)"
    profile_params = {
        "smoke": {"n_estimators": 30, "max_depth": 4},
        "quick": {"n_estimators": 100, "max_depth": 6},  # 200 took 68 CPU s per fit at full HIKARI size
        "paper": {"n_estimators": 500, "max_depth": 8},
    }

    def __init__(
        self,
        n_estimators: int = 200,
        max_depth: int = 6,
        learning_rate: float = 0.1,
        subsample: float = 0.8,
        colsample_bytree: float = 0.8,
        n_jobs: int = 2,
    ):
        super().__init__(
            n_estimators=n_estimators,
            max_depth=max_depth,
            learning_rate=learning_rate,
            subsample=subsample,
            colsample_bytree=colsample_bytree,
            n_jobs=n_jobs,
        )

    def fit(self, X, y, *, schema, sample_weight=None, random_state=0, context=None):
        from xgboost import XGBClassifier

        self.codes = LabelCodes().fit(y)
        self.classes_ = self.codes.classes_
        device = "cuda" if context is not None and context.device.startswith("cuda") else "cpu"
        self.model = XGBClassifier(
            tree_method="hist", random_state=random_state, device=device, verbosity=0, **self.params
        )
        # arrays, not frames: column names with [ ] < are fine everywhere else
        self.model.fit(np.asarray(X, dtype=np.float32), self.codes.encode(y), sample_weight=sample_weight)
        return self

    def predict_proba(self, X):
        p = self.model.predict_proba(np.asarray(X, dtype=np.float32))
        if p.ndim == 1 or p.shape[1] == 1:  # a single class was seen in training
            p = np.ones((len(X), 1))
        return p
