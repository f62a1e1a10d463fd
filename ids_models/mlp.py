"""``mlp``: a multi-layer perceptron (scikit-learn) on signed-log1p, standardised
features with one-hot categorical columns; the same for every sampler.

It trains in float32 (inputs, one-hot blocks and weights; scikit-learn keeps the
input's dtype): against float64, a fit on 400k HIKARI-sized rows took 30 CPU s
instead of 50 and a 1.6 GB peak instead of 1.9 GB (measured on two cores)."""

from __future__ import annotations

import numpy as np

from benchmark.plugins import Detector
from benchmark.registry import register_detector
from ids_models._common import signed_log1p


@register_detector
class MLP(Detector):
    name = "mlp"
    description = "MLPClassifier (scikit-learn), log1p + standardised inputs, early stopping"
    profile_params = {
        "smoke": {"hidden": (32,), "max_iter": 20},
        # quick: at most ~1.2M row-epochs (~38 epochs of the demo's ~31k resampled rows;
        # 2, the floor, at the full HIKARI size's ~555k): about the same optimiser steps
        "quick": {"hidden": (128, 64), "max_iter": 60, "batch_size": 1024, "max_row_epochs": 1_200_000},
        "paper": {"hidden": (256, 128), "max_iter": 200},
    }

    def __init__(
        self,
        hidden=(128, 64),
        max_iter: int = 60,
        alpha: float = 1e-4,
        batch_size: int = 256,
        learning_rate_init: float = 1e-3,
        max_row_epochs: int | None = None,
    ):
        super().__init__(
            hidden=tuple(hidden),
            max_iter=max_iter,
            alpha=alpha,
            batch_size=batch_size,
            learning_rate_init=learning_rate_init,
            max_row_epochs=max_row_epochs,
        )

    def fit(self, X, y, *, schema, sample_weight=None, random_state=0, context=None):
        from sklearn.compose import ColumnTransformer
        from sklearn.neural_network import MLPClassifier
        from sklearn.pipeline import Pipeline
        from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

        cols = list(X.columns)
        cat = [cols.index(c) for c in schema.categorical_columns if c in cols]
        num = [i for i in range(len(cols)) if i not in cat]
        num_pipe = Pipeline([("log", FunctionTransformer(signed_log1p)), ("scale", StandardScaler())])
        pre = ColumnTransformer(
            [("num", num_pipe, num)]
            + (
                [("cat", OneHotEncoder(handle_unknown="ignore", max_categories=64, dtype=np.float32), cat)]
                if cat
                else []
            )
        )
        p = self.params
        # a compute budget that does not grow with the data: epochs x rows at most
        # max_row_epochs (never fewer than 2 epochs, never more than max_iter)
        max_iter = p["max_iter"]
        if p.get("max_row_epochs"):
            max_iter = int(min(max_iter, max(2, p["max_row_epochs"] // max(1, len(X)))))
        mlp = MLPClassifier(
            hidden_layer_sizes=p["hidden"],
            max_iter=max_iter,
            alpha=p["alpha"],
            batch_size=p["batch_size"],
            learning_rate_init=p["learning_rate_init"],
            early_stopping=True,
            n_iter_no_change=8,
            random_state=random_state,
        )
        self.model = Pipeline([("pre", pre), ("mlp", mlp)])
        import warnings

        from sklearn.exceptions import ConvergenceWarning

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            self.model.fit(np.asarray(X, dtype=np.float32), np.asarray(y), mlp__sample_weight=sample_weight)
        self.classes_ = self.model.classes_
        return self

    def predict_proba(self, X):
        return self.model.predict_proba(np.asarray(X, dtype=np.float32))
