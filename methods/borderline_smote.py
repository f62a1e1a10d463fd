"""``borderline_smote``: Borderline-SMOTE-1 (imbalanced-learn), per attack class.

Only the class's rows "in danger" (of their ``m_neighbors`` nearest rows in the
whole training part, at least half but not all are of other classes) are
interpolated towards their ``k_neighbors`` nearest rows of the class.
Categorical columns are one-hot encoded for it (``methods/_smote_variants.py``);
a categorical column with more than ``max_onehot_codes`` codes (HIKARI's
``responp``) is left out of the neighbour distances, as in ``smote_tomek``
(recorded in ``info["distance_excludes"]``), and still interpolated.
Fallbacks, each recorded in ``info["fallbacks"][class]``: ``k`` reduced for a
class of ``k`` rows or fewer, a one-row class repeated (as ``smote``), and a
class with no row in danger (all safe, or all noise) interpolated by plain SMOTE
(imbalanced-learn would otherwise add nothing for it).
"""

from __future__ import annotations

from benchmark.registry import register_sampler
from methods._smote_variants import MAX_ONEHOT_CODES, OneHot, neighbours, new_rows_of, note
from methods.smote import SmoteFamily


@register_sampler
class BorderlineSmote(SmoteFamily):
    name = "borderline_smote"
    version = "2"  # 2: columns with > max_onehot_codes codes left out of the distances
    variant = "borderline"
    description = "Borderline-SMOTE-1 (imbalanced-learn), per attack category; one-hot categorical columns"
    profile_params = {"smoke": {}, "quick": {}, "paper": {}}

    def __init__(self, k_neighbors: int = 5, m_neighbors: int = 10, max_onehot_codes: int = MAX_ONEHOT_CODES):
        super().__init__(k_neighbors=k_neighbors)
        self.params["m_neighbors"] = int(m_neighbors)
        self.params["max_onehot_codes"] = int(max_onehot_codes)

    def _new_rows(self, X, y, schema, k, seed, c, have, n, info):
        from imblearn.over_sampling import SMOTE, BorderlineSMOTE

        enc = OneHot(X, schema)
        Z = enc.encode(X)
        m = min(self.params["m_neighbors"], len(X) - 1)
        cap = self.params["max_onehot_codes"]
        kn, mn = neighbours(enc, k, cap, info, c), neighbours(enc, m, cap, info, c)
        new = new_rows_of(
            BorderlineSMOTE(k_neighbors=kn, m_neighbors=mn, random_state=seed), Z, y, c, have + n
        )
        if new.shape[0] == 0:
            note(info, c, "no row in danger (all safe or all noise): plain SMOTE instead")
            new = new_rows_of(SMOTE(k_neighbors=kn, random_state=seed), Z, y, c, have + n)
        return enc.decode(new)
