"""``adasyn``: ADASYN (imbalanced-learn), per attack class.

Rows of the class with more neighbours of other classes (among ``n_neighbors``
in the whole training part) get more interpolated rows.  Categorical columns are
one-hot encoded for it (``methods/_smote_variants.py``); a categorical column
with more than ``max_onehot_codes`` codes (HIKARI's ``responp``) is left out of
the neighbour distance, as in ``smote_tomek`` (recorded in
``info["distance_excludes"]``), and still interpolated.

ADASYN decides its own count (it rounds each row's share, so the total drifts
from the request): it is asked for ``n + ceil(rows / 2) + 1`` rows, which
bounds the rounding loss, and a seeded random ``n`` of them are kept, so the
class gets exactly the requested rows with ADASYN's allocation (recorded in
``info["adasyn_generated"]``).  Fallbacks, each recorded in
``info["fallbacks"][class]``: when no row of the class has a neighbour of another
class, ADASYN is undefined (it raises): plain SMOTE instead; ``k`` reduced for a
small class and a one-row class repeated, as ``smote``.
"""

from __future__ import annotations

import math

import numpy as np

from benchmark.registry import register_sampler
from methods._smote_variants import MAX_ONEHOT_CODES, OneHot, neighbours, new_rows_of, note
from methods.smote import SmoteFamily


@register_sampler
class Adasyn(SmoteFamily):
    name = "adasyn"
    version = "2"  # 2: columns with > max_onehot_codes codes left out of the distance
    variant = "adasyn"
    description = "ADASYN (imbalanced-learn), per attack category; exact counts; SMOTE when undefined"
    profile_params = {"smoke": {}, "quick": {}, "paper": {}}

    def __init__(self, k_neighbors: int = 5, max_onehot_codes: int = MAX_ONEHOT_CODES):
        super().__init__(k_neighbors=k_neighbors)
        self.params["max_onehot_codes"] = int(max_onehot_codes)

    def _new_rows(self, X, y, schema, k, seed, c, have, n, info):
        from imblearn.over_sampling import ADASYN, SMOTE

        enc = OneHot(X, schema)
        Z = enc.encode(X)
        ask = n + math.ceil(have / 2) + 1
        nn = neighbours(enc, k, self.params["max_onehot_codes"], info, c)
        try:
            new = new_rows_of(ADASYN(n_neighbors=nn, random_state=seed), Z, y, c, have + ask)
        except (RuntimeError, ValueError) as e:
            if "neigbours" not in str(e) and "neighbours" not in str(e) and "No samples" not in str(e):
                raise
            note(info, c, "no row has a neighbour of another class (ADASYN undefined): plain SMOTE instead")
            new = new_rows_of(SMOTE(k_neighbors=nn, random_state=seed), Z, y, c, have + n)
        made = new.shape[0]
        info.setdefault("adasyn_generated", {})[c] = int(made)
        rng = np.random.default_rng(seed)
        if made > n:
            new = new[np.sort(rng.choice(made, n, replace=False))]
        elif made < n:  # cannot happen by the bound above; never silently short
            note(info, c, f"ADASYN made {made} of {n} rows: topped up by repeating its rows")
            new = new[np.r_[np.arange(made), rng.choice(made, n - made, replace=True)]]
        return enc.decode(new)
