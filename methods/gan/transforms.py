"""Per-column encoders between table values and the generator's output space.

A :class:`Codec` turns a table into a float matrix whose channels lie in [-1, 1]
(numeric, for a tanh output) or in [0, 1] (one-hot blocks, for a softmax output),
and back.  What each column becomes is decided once, by :func:`make_plan`, from
the training rows:

- ``constant``: the column has one value in the rows it was planned on and
  ``passthrough_constants`` is on: it gets no channel; decoding writes the value.
- ``numeric`` with ``method``:
  - ``minmax``: ``2 (x - lo) / (hi - lo) - 1``; a column with ``hi == lo`` encodes
    to 0 and decodes to its value (a plain min-max scaler would divide by zero);
  - ``log1p``: the same after ``sign(x) log1p(|x|)`` (for heavy tails);
  - ``quantile``: the column's empirical CDF u, then normal scores
    ``Phi^-1(u)`` (``space="normal"``, for a linear output: a generator makes
    Gaussian-like outputs far more easily than a uniform through tanh) or
    ``2u - 1`` (``space="uniform"``, for tanh).  Ties (counts, point masses at 0)
    are spread uniformly over their CDF step when the training rows are encoded
    (a randomised probability-integral transform), so the encoded marginal is
    exactly normal (uniform) with no spikes for the discriminator to pick on;
    decoding reads the empirical quantile function back (a step for integer
    columns, so only observed values come out; linear between observed values
    for continuous ones).
  With ``zero_indicator`` a zero-inflated column (at least ``zero_share`` of its
  values are exactly 0, and some are not) gets two channels: an is-zero channel
  (dequantised the same way) and the value channel, fitted on the non-zero values
  only.
- ``onehot`` (categorical columns with at most ``max_onehot`` codes): one
  channel per code of the plan; decoded by argmax over the codes that the
  fitted table shows.  A categorical column with more codes is numeric (as an
  integer column: the quantile decoder then returns only observed codes).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri

METHODS = ("minmax", "log1p", "quantile")
MAX_REFERENCE = 5000  # quantile reference values kept per column


@dataclass(frozen=True)
class ColumnPlan:
    name: str
    role: str  # "constant" | "numeric" | "onehot"
    method: str = "minmax"
    zero_indicator: bool = False
    integer: bool = False
    codes: tuple | None = None
    space: str = "normal"  # quantile only: encoded as normal scores ("normal") or on [-1, 1] ("uniform")


def make_plan(
    frames: list[pd.DataFrame],
    columns: list[str],
    *,
    method: str = "minmax",
    zero_indicator: bool = False,
    passthrough_constants: bool = False,
    categorical: tuple[str, ...] | list[str] = (),
    integer: tuple[str, ...] | list[str] = (),
    zero_share: float = 0.1,
    max_onehot: int = 32,
    quantile_space: str = "normal",
) -> list[ColumnPlan]:
    """One plan for all ``frames`` (one frame per class, or a single frame).

    A column is ``constant`` only if it is constant within every frame (each
    frame's codec then keeps its own value); ``zero_indicator`` is set if the
    column is zero-inflated in any frame.  A categorical column with more than
    ``max_onehot`` codes (the ports a scan touches) is numeric-encoded as an
    integer column instead of a one-hot block.
    """
    if method not in METHODS:
        raise ValueError(f"unknown transform {method!r} (one of {METHODS})")
    categorical, integer = set(categorical), set(integer)
    plan = []
    for col in columns:
        values = [f[col].to_numpy(dtype=float) for f in frames]
        if passthrough_constants and all(v.size and v.min() == v.max() for v in values):
            plan.append(ColumnPlan(col, "constant", integer=col in integer))
            continue
        if col in categorical:
            codes = tuple(sorted({float(c) for v in values for c in np.unique(v)}))
            if len(codes) <= max_onehot:
                plan.append(ColumnPlan(col, "onehot", integer=True, codes=codes))
                continue
        zi = False
        if zero_indicator:
            for v in values:
                z = float((v == 0).mean()) if v.size else 0.0
                if zero_share <= z < 1.0 and np.unique(v).size > 2:
                    zi = True
        plan.append(ColumnPlan(col, "numeric", method, zi, col in integer, space=quantile_space))
    return plan


# --------------------------------------------------------------------------- encoders
class _MinMax:
    width = 1

    def __init__(self, signed_log: bool = False):
        self.signed_log = signed_log

    def _f(self, x):
        return np.sign(x) * np.log1p(np.abs(x)) if self.signed_log else x

    def _finv(self, y):
        return np.sign(y) * np.expm1(np.abs(y)) if self.signed_log else y

    def fit(self, x, integer=False):
        f = self._f(x)
        self.lo, self.hi = (float(f.min()), float(f.max())) if f.size else (0.0, 0.0)
        return self

    def encode(self, x, rng=None):
        if self.hi <= self.lo:
            return np.zeros((len(x), 1))
        return (2.0 * (self._f(x) - self.lo) / (self.hi - self.lo) - 1.0)[:, None]

    def decode(self, z):
        z = np.clip(z[:, 0], -1.0, 1.0)
        return self._finv(self.lo + (z + 1.0) / 2.0 * (self.hi - self.lo))


class _Quantile:
    width = 1
    EPS = 1e-4  # normal scores are clipped to about +-3.7

    def __init__(self, normal: bool = True):
        self.normal = normal  # True: the encoded space is N(0, 1) (a linear output), else U(-1, 1)

    def _to_space(self, u):
        if self.normal:
            return ndtri(np.clip(u, self.EPS, 1.0 - self.EPS))
        return 2.0 * u - 1.0

    def _from_space(self, z):
        if self.normal:
            return ndtr(z)
        return (np.clip(z, -1.0, 1.0) + 1.0) / 2.0

    def fit(self, x, integer=False):
        ref = np.sort(np.asarray(x, dtype=float))
        if ref.size > MAX_REFERENCE:
            ref = np.quantile(ref, np.linspace(0.0, 1.0, MAX_REFERENCE), method="inverted_cdf")
        self.ref = ref if ref.size else np.zeros(1)
        self.integer = integer
        return self

    def encode(self, x, rng=None):
        n = self.ref.size
        lo = np.searchsorted(self.ref, x, side="left")
        hi = np.searchsorted(self.ref, x, side="right")
        # a tie (several equal reference values) is spread over its CDF step; a
        # unique value sits at the middle of its step, so it decodes exactly
        w = np.where(hi - lo > 1, rng.random(len(x)), 0.5) if rng is not None else 0.5
        u = (lo + w * (hi - lo)) / n
        return self._to_space(u)[:, None]

    def decode(self, z):
        n = self.ref.size
        pos = self._from_space(z[:, 0]) * n
        if self.integer:
            return self.ref[np.clip(np.floor(pos).astype(int), 0, n - 1)]
        return np.interp(pos - 0.5, np.arange(n), self.ref)


class _ZeroInflated:
    width = 2

    def __init__(self, inner):
        self.inner = inner

    def fit(self, x, integer=False):
        self.p0 = float((x == 0).mean()) if x.size else 0.0
        nz = x[x != 0]
        self.inner.fit(nz if nz.size else x, integer)
        return self

    def encode(self, x, rng=None):
        zero = x == 0
        w = rng.random(len(x)) if rng is not None else np.full(len(x), 0.5)
        u = np.where(zero, w * self.p0, self.p0 + w * (1.0 - self.p0))
        # the value channel of a zero row carries no information: noise (or 0)
        if rng is None:
            val = np.zeros(len(x))
        elif getattr(self.inner, "normal", False):
            val = rng.standard_normal(len(x))
        else:
            val = rng.uniform(-1.0, 1.0, len(x))
        if (~zero).any():
            val[~zero] = self.inner.encode(x[~zero], rng)[:, 0]
        return np.c_[2.0 * u - 1.0, val]

    def decode(self, z):
        zero = z[:, 0] < 2.0 * self.p0 - 1.0
        return np.where(zero, 0.0, self.inner.decode(z[:, 1:2]))


class _OneHot:
    def __init__(self, codes):
        self.codes = np.asarray(codes, dtype=float)
        self.width = len(self.codes)

    def fit(self, x, integer=True):
        # codes this table shows: decoding never picks another (e.g. one class's services)
        self.allowed = np.isin(self.codes, np.unique(x)) if x.size else np.ones(self.width, bool)
        return self

    def encode(self, x, rng=None):
        out = np.zeros((len(x), self.width))
        idx = np.searchsorted(self.codes, x)
        ok = (idx < self.width) & (self.codes[np.minimum(idx, self.width - 1)] == x)
        out[np.nonzero(ok)[0], idx[ok]] = 1.0
        return out

    def decode(self, z):
        return self.codes[np.argmax(np.where(self.allowed, z, -np.inf), axis=1)]


class _Constant:
    width = 0

    def fit(self, x, integer=False):
        self.value = float(x[0]) if x.size else 0.0
        return self

    def encode(self, x, rng=None):
        return np.zeros((len(x), 0))

    def decode(self, z):
        return np.full(len(z), self.value)


def _encoder(p: ColumnPlan):
    if p.role == "constant":
        return _Constant()
    if p.role == "onehot":
        return _OneHot(p.codes)
    if p.method == "quantile":
        inner = _Quantile(normal=p.space == "normal")
    else:
        inner = _MinMax(signed_log=p.method == "log1p")
    return _ZeroInflated(inner) if p.zero_indicator else inner


class Codec:
    """Encodes the columns of a plan; fitted on one table (e.g. one class's rows)."""

    def __init__(self, plan: list[ColumnPlan]):
        self.plan = list(plan)
        self.columns = [p.name for p in self.plan]

    def fit(self, X: pd.DataFrame) -> Codec:
        self.encoders = []
        for p in self.plan:
            self.encoders.append(_encoder(p).fit(X[p.name].to_numpy(dtype=float), p.integer))
        return self

    @property
    def width(self) -> int:
        return sum(e.width for e in self.encoders)

    @property
    def spans(self) -> list[tuple[int, int, str]]:
        """Output channels as ``(start, stop, "tanh" | "softmax")``."""
        out, pos = [], 0
        for p, e in zip(self.plan, self.encoders):
            if e.width:
                kind = "softmax" if p.role == "onehot" else "tanh"
                if isinstance(e, _Quantile) and e.normal:
                    kind = "linear"
                if isinstance(e, _ZeroInflated) and isinstance(e.inner, _Quantile) and e.inner.normal:
                    out.append((pos, pos + 1, "tanh"))
                    out.append((pos + 1, pos + 2, "linear"))
                    pos += e.width
                    continue
                out.append((pos, pos + e.width, kind))
            pos += e.width
        return out

    def encode(self, X: pd.DataFrame, rng: np.random.Generator | None = None) -> np.ndarray:
        """``rng`` given: ties are dequantised at random (for training rows)."""
        parts = [e.encode(X[p.name].to_numpy(dtype=float), rng) for p, e in zip(self.plan, self.encoders)]
        return (
            np.concatenate(parts, axis=1).astype(np.float32) if parts else np.zeros((len(X), 0), np.float32)
        )

    def decode(self, Z: np.ndarray) -> pd.DataFrame:
        Z = np.asarray(Z, dtype=float)
        out, pos = {}, 0
        for p, e in zip(self.plan, self.encoders):
            out[p.name] = e.decode(Z[:, pos : pos + e.width]) if e.width else e.decode(np.zeros((len(Z), 0)))
            pos += e.width
        return pd.DataFrame(out, columns=self.columns)

    def describe(self) -> dict:
        roles: dict[str, int] = {}
        for p in self.plan:
            key = p.role if p.role != "numeric" else p.method + ("+zero" if p.zero_indicator else "")
            roles[key] = roles.get(key, 0) + 1
        return {"columns": roles, "width": self.width}
