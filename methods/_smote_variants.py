"""What ``borderline_smote``, ``adasyn`` and ``smote_tomek`` share.

imbalanced-learn's BorderlineSMOTE, ADASYN and TomekLinks measure Euclidean
distances and interpolate, so they would treat a categorical code (a port, a
service) as a number.  Instead the schema's categorical columns are one-hot
encoded for them (:class:`OneHot`; sparse, one column per code seen in the
training part: HIKARI's ``responp`` has thousands), and an interpolated block is
decoded to the code with the largest weight: the category of whichever end of the
segment the new row is nearer to.  Numerical columns are used as they are (as
``smote`` does), so all SMOTE variants see the same geometry: raw flow features,
in which a one-hot block adds at most sqrt(2) to a distance.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse


class OneHot:
    """Numerical columns as they are, then each categorical column as one 0/1 column per code.

    ``max_codes`` (for a distance only, never for rows to decode): a categorical
    column with more codes is left out (listed in ``excluded``) and the encoding is
    dense, so that a tree can find the neighbours."""

    def __init__(self, X: pd.DataFrame, schema, max_codes: int | None = None):
        self.columns = list(X.columns)
        cat = set(schema.categorical_columns)
        self.categorical = [c for c in self.columns if c in cat]
        self.numeric = [c for c in self.columns if c not in cat]
        self.codes = {c: np.unique(X[c].to_numpy(dtype=float)) for c in self.categorical}
        self.excluded = []
        self.dense = max_codes is not None
        if max_codes is not None:
            self.excluded = [c for c in self.categorical if len(self.codes[c]) > max_codes]
            self.categorical = [c for c in self.categorical if c not in self.excluded]

    def encode(self, X: pd.DataFrame):
        """A dense array without categorical columns (or with ``max_codes``), else a CSR matrix."""
        num = X[self.numeric].to_numpy(dtype=float)
        if not self.categorical:
            return num
        blocks = [sparse.csr_matrix(num)]
        n = len(X)
        for c in self.categorical:
            codes = self.codes[c]
            v = X[c].to_numpy(dtype=float)
            j = np.searchsorted(codes, v)
            j = np.clip(j, 0, len(codes) - 1)
            known = codes[j] == v  # a code unseen when encoding: an all-zero block
            blocks.append(
                sparse.csr_matrix(
                    (np.ones(known.sum()), (np.flatnonzero(known), j[known])), shape=(n, len(codes))
                )
            )
        Z = sparse.hstack(blocks, format="csr")
        return Z.toarray() if self.dense else Z

    def decode(self, Z) -> pd.DataFrame:
        if self.excluded:
            raise ValueError(f"columns {self.excluded} were left out of the encoding: cannot decode")
        k = len(self.numeric)
        if sparse.issparse(Z):
            Z = Z.tocsr()
            out = dict(zip(self.numeric, np.asarray(Z[:, :k].toarray()).T))
        else:
            out = dict(zip(self.numeric, np.asarray(Z)[:, :k].T))
        j = k
        for c in self.categorical:
            w = len(self.codes[c])
            arg = np.asarray(Z[:, j : j + w].argmax(axis=1)).ravel()
            out[c] = self.codes[c][arg]
            j += w
        return pd.DataFrame({c: out[c] for c in self.columns}, columns=self.columns)


def new_rows_of(sampler, X_enc, y: pd.Series, c, target: int):
    """Run an imbalanced-learn over-sampler for one class; the rows it added (encoded)."""
    Xr, _ = sampler.set_params(sampling_strategy={c: int(target)}).fit_resample(X_enc, y.to_numpy())
    return Xr[X_enc.shape[0] :]


def note(info: dict, c, msg: str) -> None:
    """Append a fallback note for class ``c`` (``info["fallbacks"][c]``)."""
    fb = info.setdefault("fallbacks", {})
    fb[c] = f"{fb[c]}; {msg}" if fb.get(c) else msg
