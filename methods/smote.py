"""``smote``: imbalanced-learn's SMOTE (SMOTENC when the table has categorical
columns, SMOTEN when it has only those).

SMOTE interpolates between a row and one of its ``k_neighbors`` nearest
neighbours of the same class, so a class needs ``k + 1`` rows.  For a smaller
class, k is reduced to ``n - 1`` and that is recorded; a class with a single row
cannot be interpolated: its row is repeated (random oversampling) and that is
recorded too.

SMOTENC draws each new row's category by a vote among its neighbours, through a
dense (new rows × k × codes) array: with HIKARI's ``responp`` (41,983 distinct
ports in 555k flows) that is 81 GiB for one class.  When a categorical column has
more than ``SMOTENC_MAX_CODES`` codes, the SMOTE variants' sparse one-hot
encoding is used instead (``methods/_smote_variants.py``: the new row takes the
category of the end of its segment it is nearer to); that is recorded per class.
There, as in every SMOTE variant, a column with more than ``MAX_ONEHOT_CODES``
codes is left out of the neighbour distance (still interpolated; recorded in
``info["distance_excludes"]``): a sparse search over thousands of port columns
was the slowest step at the full HIKARI size.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from benchmark.plugins import Sampler, combine
from benchmark.registry import register_sampler
from methods._smote_variants import MAX_ONEHOT_CODES, OneHot, neighbours, new_rows_of, note

SMOTENC_MAX_CODES = 128


def too_many_codes(X: pd.DataFrame, schema) -> list[str]:
    """Categorical columns with more codes than SMOTENC can vote over in memory."""
    return [c for c in schema.categorical_columns if c in X.columns and X[c].nunique() > SMOTENC_MAX_CODES]


def imblearn_smote(
    X: pd.DataFrame, schema, k: int, seed: int, target_class, target: int, y, variant="smote", info=None
):
    """Run one imbalanced-learn SMOTE-family sampler for one class; return the new rows."""
    from imblearn.over_sampling import ADASYN, SMOTE, SMOTEN, SMOTENC, BorderlineSMOTE

    cat_idx = [X.columns.get_loc(c) for c in schema.categorical_columns if c in X.columns]
    strategy = {target_class: target}
    if variant == "smote" and cat_idx and too_many_codes(X, schema):
        enc = OneHot(X, schema)
        nn = neighbours(enc, k, MAX_ONEHOT_CODES, {} if info is None else info, target_class)
        new = new_rows_of(SMOTE(k_neighbors=nn, random_state=seed), enc.encode(X), y, target_class, target)
        return enc.decode(new)
    if cat_idx and len(cat_idx) == X.shape[1]:
        sampler = SMOTEN(sampling_strategy=strategy, k_neighbors=k, random_state=seed)
    elif cat_idx:
        sampler = SMOTENC(
            categorical_features=cat_idx, sampling_strategy=strategy, k_neighbors=k, random_state=seed
        )
    elif variant == "borderline":
        sampler = BorderlineSMOTE(sampling_strategy=strategy, k_neighbors=k, random_state=seed)
    elif variant == "adasyn":
        sampler = ADASYN(sampling_strategy=strategy, n_neighbors=k, random_state=seed)
    else:
        sampler = SMOTE(sampling_strategy=strategy, k_neighbors=k, random_state=seed)
    Xr, _ = sampler.fit_resample(X, y)
    return pd.DataFrame(np.asarray(Xr)[len(X) :], columns=X.columns)


class SmoteFamily(Sampler):
    """Per attack class: SMOTE-like interpolation with k clamped to the class size."""

    kind = "oversampler"
    variant = "smote"

    def __init__(self, k_neighbors: int = 5):
        super().__init__(k_neighbors=k_neighbors)
        self.k_neighbors = k_neighbors

    def _fit_resample(self, X, y, *, schema, targets, random_state, context):
        add = self.additions(y, targets)
        counts = y.value_counts()
        info: dict = {"k_neighbors": {}, "fallbacks": {}}
        parts, labels = [], []
        t0 = time.perf_counter()
        rng = np.random.default_rng(random_state)
        for c, n in sorted(add.items()):
            have = int(counts.get(c, 0))
            k = min(self.k_neighbors, have - 1)
            if k < 1:
                rows = X[y == c].sample(n, replace=True, random_state=int(rng.integers(2**31)))
                info["fallbacks"][c] = f"{have} training row(s): repeated, not interpolated"
            else:
                if k < self.k_neighbors:
                    info["fallbacks"][c] = f"k_neighbors reduced from {self.k_neighbors} to {k} ({have} rows)"
                rows = self._new_rows(X, y, schema, k, random_state, c, have, n, info)
            info["k_neighbors"][c] = k
            parts.append(rows.reset_index(drop=True))
            labels.append(pd.Series([c] * len(rows)))
        info["fit_seconds"] = time.perf_counter() - t0
        info["sample_seconds"] = 0.0
        if not info["fallbacks"]:
            del info["fallbacks"]
        return combine(X, y, parts, labels, schema, add, info)

    def _new_rows(self, X, y, schema, k, seed, c, have, n, info) -> pd.DataFrame:
        """``n`` new rows of class ``c`` (``have`` training rows, ``k`` neighbours);
        variants override this (``methods/_smote_variants.py``) and record fallbacks in
        ``info["fallbacks"][c]``."""
        wide = too_many_codes(X, schema) if self.variant == "smote" else []
        if wide:
            note(info, c, f"one-hot SMOTE instead of SMOTENC: {', '.join(wide)} > {SMOTENC_MAX_CODES} codes")
        rows = imblearn_smote(X, schema, k, seed, c, have + n, y, self.variant, info)
        if len(rows) != n:  # a variant that decides its own count; keep the requested number
            rows = rows.sample(n, replace=len(rows) < n, random_state=seed) if len(rows) else rows
        return rows


@register_sampler
class Smote(SmoteFamily):
    name = "smote"
    # 2: one-hot SMOTE when a categorical column has > SMOTENC_MAX_CODES codes;
    # 3: there, columns with > MAX_ONEHOT_CODES codes left out of the neighbour distance
    version = "3"
    description = "SMOTE (imbalanced-learn), per attack category; SMOTENC with categorical columns"
