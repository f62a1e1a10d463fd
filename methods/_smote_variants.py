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
from sklearn.neighbors import NearestNeighbors

# a categorical column with more codes than this is left out of neighbour distances
# (its one-hot block adds at most sqrt(2) to a distance between raw flow features)
MAX_ONEHOT_CODES = 256


class OneHot:
    """Numerical columns as they are, then each categorical column as one 0/1 column per code
    (a distance may leave wide blocks out: :meth:`distance_columns`)."""

    def __init__(self, X: pd.DataFrame, schema):
        self.columns = list(X.columns)
        cat = set(schema.categorical_columns)
        self.categorical = [c for c in self.columns if c in cat]
        self.numeric = [c for c in self.columns if c not in cat]
        self.codes = {c: np.unique(X[c].to_numpy(dtype=float)) for c in self.categorical}

    def encode(self, X: pd.DataFrame):
        """A dense array without categorical columns, else a CSR matrix."""
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
        return sparse.hstack(blocks, format="csr")

    def distance_columns(self, max_codes: int) -> tuple[np.ndarray, list[str]]:
        """(indices of the encoded columns a distance uses, categorical columns left out):
        every numerical column and the one-hot block of each categorical column with at
        most ``max_codes`` codes."""
        keep = [np.arange(len(self.numeric))]
        j, left_out = len(self.numeric), []
        for c in self.categorical:
            w = len(self.codes[c])
            if w <= max_codes:
                keep.append(np.arange(j, j + w))
            else:
                left_out.append(c)
            j += w
        return np.concatenate(keep), left_out

    def decode(self, Z) -> pd.DataFrame:
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


class ColumnNeighbors(NearestNeighbors):
    """Nearest neighbours measured on some columns of the encoding only (``columns``;
    all when None), dense; the sampler still interpolates every column.

    imbalanced-learn takes it for ``k_neighbors`` / ``m_neighbors`` / ``n_neighbors``
    (it then adds no extra neighbour for the row itself: ask for ``k + 1``).  A sparse
    search over HIKARI's thousands of ``responp`` columns took ~500 s per sampler at
    the full 555k rows; dense, without that block, a BLAS distance does it in seconds."""

    _parameter_constraints = {**NearestNeighbors._parameter_constraints, "columns": ["array-like", None]}

    def __init__(self, n_neighbors: int = 5, *, columns=None, n_jobs=None):
        super().__init__(n_neighbors=n_neighbors, n_jobs=n_jobs)
        self.columns = columns

    def _view(self, X):
        if self.columns is not None:
            X = X[:, self.columns]
        return X.toarray() if sparse.issparse(X) else np.asarray(X)

    def fit(self, X, y=None):
        return super().fit(self._view(X))

    def kneighbors(self, X=None, n_neighbors=None, return_distance=True):
        return super().kneighbors(None if X is None else self._view(X), n_neighbors, return_distance)


def neighbours(enc: OneHot, k: int, max_codes: int, info: dict, c):
    """A :class:`ColumnNeighbors` for ``k`` neighbours (plus the row itself) that leaves
    out each categorical column with more than ``max_codes`` codes (noted for class ``c``)."""
    cols, left_out = enc.distance_columns(max_codes)
    if left_out:
        info.setdefault("distance_excludes", {})[c] = {
            col: f"{len(enc.codes[col])} codes > max_onehot_codes={max_codes}" for col in left_out
        }
    return ColumnNeighbors(n_neighbors=k + 1, columns=cols)


def new_rows_of(sampler, X_enc, y: pd.Series, c, target: int):
    """Run an imbalanced-learn over-sampler for one class; the rows it added (encoded)."""
    Xr, _ = sampler.set_params(sampling_strategy={c: int(target)}).fit_resample(X_enc, y.to_numpy())
    return Xr[X_enc.shape[0] :]


def note(info: dict, c, msg: str) -> None:
    """Append a fallback note for class ``c`` (``info["fallbacks"][c]``)."""
    fb = info.setdefault("fallbacks", {})
    fb[c] = f"{fb[c]}; {msg}" if fb.get(c) else msg
