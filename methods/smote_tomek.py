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

``max_search_rows`` (the quick budget, 50,000): the search for Tomek links is
all-pairs (every row's nearest neighbour: quadratic in the rows; ~680k rows after
SMOTE at the full HIKARI size would take about an hour per fit on two cores).
When the resampled set has more rows, the links are searched among a seeded
random ``max_search_rows`` of them (mutual nearest neighbours within that
subset; a row outside it is never removed), and that is recorded in
``info["tomek_search"]``.  The demo's resampled sets (~31k rows) are within it.

Kind ``hybrid``: original rows may be removed, so the originals are not all kept;
the rows that remain are in their original order, real rows first, and
``synthetic`` marks the added rows that survived.  ``requested`` is what SMOTE
was asked for; ``info["tomek_removed"]`` counts, per class, the real and the
synthetic rows removed.
"""

from __future__ import annotations

import time

import numpy as np
from scipy import sparse

from benchmark.plugins import Resampled
from benchmark.registry import register_sampler
from methods._per_class import row_cap
from methods._smote_variants import MAX_ONEHOT_CODES, OneHot
from methods.smote import SmoteFamily


@register_sampler
class SmoteTomek(SmoteFamily):
    name = "smote_tomek"
    version = "3"  # 2: smote 2; 3: smote 3 (and max_search_rows)
    kind = "hybrid"
    description = "SMOTE then Tomek-link cleaning of every class (imbalanced-learn's SMOTETomek)"
    profile_params = {"smoke": {}, "quick": {"max_search_rows": 50_000}, "paper": {}}

    def __init__(
        self,
        k_neighbors: int = 5,
        max_onehot_codes: int = MAX_ONEHOT_CODES,
        max_search_rows: int | None = None,
    ):
        super().__init__(k_neighbors=k_neighbors)
        self.params["max_onehot_codes"] = int(max_onehot_codes)
        self.params["max_search_rows"] = None if max_search_rows is None else int(max_search_rows)

    def _fit_resample(self, X, y, *, schema, targets, random_state, context):
        from imblearn.under_sampling import TomekLinks

        res = super()._fit_resample(
            X, y, schema=schema, targets=targets, random_state=random_state, context=context
        )
        t0 = time.perf_counter()
        enc = OneHot(X, schema)
        cols, left_out = enc.distance_columns(self.params["max_onehot_codes"])
        n, cap = len(res.X), self.params["max_search_rows"]
        search = row_cap(n, cap, random_state)
        idx = np.arange(n) if search is None else search
        Z = enc.encode(res.X.iloc[idx])[:, cols]
        tl = TomekLinks(sampling_strategy="all")
        tl.fit_resample(Z.toarray() if sparse.issparse(Z) else Z, res.y.to_numpy()[idx])
        kept = np.zeros(len(idx), bool)
        kept[tl.sample_indices_] = True
        keep = np.ones(n, bool)
        keep[idx[~kept]] = False
        removed = {}
        for c in np.unique(res.y[~keep].to_numpy()):
            m = (~keep) & (res.y.to_numpy() == c)
            removed[str(c)] = {
                "real": int((m & ~res.synthetic).sum()),
                "synthetic": int((m & res.synthetic).sum()),
            }
        info = dict(res.info)
        info["tomek_removed"] = removed
        if search is not None:
            info["tomek_search"] = (
                f"links searched among a random {len(search)} of the {n} resampled rows (max_search_rows)"
            )
        if left_out:
            info["tomek_distance_excludes"] = {
                c: f"{len(enc.codes[c])} codes > max_onehot_codes={self.params['max_onehot_codes']}"
                for c in left_out
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
