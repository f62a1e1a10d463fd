"""``smote_tomek``: SMOTE, then Tomek links removed (imbalanced-learn's SMOTETomek).

Step 1 is exactly ``smote`` (per attack class, SMOTE-NC with categorical columns,
the same fallbacks for small classes).  Step 2 finds the Tomek links of the
resampled set (pairs of rows of different classes that are each other's nearest
neighbour; categorical columns one-hot encoded, ``methods/_smote_variants.py``)
and removes both rows of every link, of every class, as SMOTETomek does
(``TomekLinks(sampling_strategy="all")``).  A categorical column with more than
``max_onehot_codes`` codes (HIKARI's ``responp``: thousands) is left out of the
distance (recorded in ``info["tomek_distance_excludes"]``): its one-hot block adds
at most sqrt(2) to a distance between raw flow features, and thousands of sparse
columns made the all-rows neighbour search of the demo's quick run ~10x slower.

Kind ``hybrid``: original rows may be removed, so the originals are not all kept;
the rows that remain are in their original order, real rows first, and
``synthetic`` marks the added rows that survived.  ``requested`` is what SMOTE
was asked for; ``info["tomek_removed"]`` counts, per class, the real and the
synthetic rows removed.
"""

from __future__ import annotations

import time

import numpy as np

from benchmark.plugins import Resampled
from benchmark.registry import register_sampler
from methods._smote_variants import OneHot
from methods.smote import SmoteFamily


@register_sampler
class SmoteTomek(SmoteFamily):
    name = "smote_tomek"
    version = "2"  # 2: smote 2
    kind = "hybrid"
    description = "SMOTE then Tomek-link cleaning of every class (imbalanced-learn's SMOTETomek)"
    profile_params = {"smoke": {}, "quick": {}, "paper": {}}

    def __init__(self, k_neighbors: int = 5, max_onehot_codes: int = 256):
        super().__init__(k_neighbors=k_neighbors)
        self.params["max_onehot_codes"] = int(max_onehot_codes)

    def _fit_resample(self, X, y, *, schema, targets, random_state, context):
        from imblearn.under_sampling import TomekLinks

        res = super()._fit_resample(
            X, y, schema=schema, targets=targets, random_state=random_state, context=context
        )
        t0 = time.perf_counter()
        enc = OneHot(X, schema, max_codes=self.params["max_onehot_codes"])
        Z = enc.encode(res.X)
        tl = TomekLinks(sampling_strategy="all")
        tl.fit_resample(Z, res.y.to_numpy())
        keep = np.zeros(len(res.X), bool)
        keep[np.sort(tl.sample_indices_)] = True
        removed = {}
        for c in np.unique(res.y[~keep].to_numpy()):
            m = (~keep) & (res.y.to_numpy() == c)
            removed[str(c)] = {
                "real": int((m & ~res.synthetic).sum()),
                "synthetic": int((m & res.synthetic).sum()),
            }
        info = dict(res.info)
        info["tomek_removed"] = removed
        if enc.excluded:
            info["tomek_distance_excludes"] = {
                c: f"{len(enc.codes[c])} codes > max_onehot_codes={self.params['max_onehot_codes']}"
                for c in enc.excluded
            }
        info["fit_seconds"] = info.get("fit_seconds", 0.0) + time.perf_counter() - t0
        return Resampled(
            res.X[keep].reset_index(drop=True),
            res.y[keep].reset_index(drop=True),
            res.synthetic[keep],
            None,
            dict(res.requested),
            info,
        )
