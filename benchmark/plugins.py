"""The stable base classes that sampler and detector plugins build on.

A sampler follows imbalanced-learn's ``fit_resample(X, y)`` convention and also
receives the schema, the per-class target counts and a seed.  It returns a
:class:`Resampled`, so the harness knows exactly which rows are synthetic and of
which class, and which fallbacks the sampler took.

A generative sampler only implements ``_fit`` and ``_sample``; the base class
asks it for exactly the rows each class must gain, keeps every original row,
and makes the new rows obey the schema (counting each repair).
"""

from __future__ import annotations

import inspect
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from benchmark.errors import SamplerError
from benchmark.schema import TableSchema

SAMPLER_KINDS = ("none", "oversampler", "undersampler", "hybrid", "weighting")


@dataclass
class Context:
    """What the harness lends a plugin: the device, a place for artefacts, a log."""

    device: str = "cpu"
    workdir: str | None = None  # folder for artefacts (loss curves); None: write none
    log: Any = None  # callable(str) for progress lines, or None

    def say(self, msg: str) -> None:
        if self.log is not None:
            self.log(msg)


@dataclass
class Resampled:
    """A resampled training set.

    ``synthetic`` marks generated rows; ``requested`` says, per class, how many new
    rows were asked for; ``info`` holds fallbacks and training records (it must be
    JSON-serialisable).
    """

    X: pd.DataFrame
    y: pd.Series
    synthetic: np.ndarray
    sample_weight: np.ndarray | None = None
    requested: dict[str, int] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def X_synthetic(self) -> pd.DataFrame:
        return self.X[self.synthetic]

    @property
    def y_synthetic(self) -> pd.Series:
        return self.y[self.synthetic]


class Plugin:
    """Parameters in ``__init__`` (as scikit-learn), budgets per profile."""

    name: ClassVar[str] = ""
    version: ClassVar[str] = "1"
    description: ClassVar[str] = ""
    # Per profile, the parameters that the profile sets (epochs, trees, ...).
    profile_params: ClassVar[dict[str, dict[str, Any]]] = {}

    def __init__(self, **params):
        sig = inspect.signature(type(self).__init__)
        accepted = {p for p in sig.parameters if p not in ("self", "params", "kwargs")}
        has_var = any(p.kind is p.VAR_KEYWORD for p in sig.parameters.values())
        unknown = set(params) - accepted
        if unknown and not has_var:
            raise TypeError(f"{type(self).__name__}: unknown parameter(s) {sorted(unknown)}")
        self.params = dict(params)

    def get_params(self) -> dict[str, Any]:
        return dict(self.params)

    @classmethod
    def for_profile(cls, profile: str, **overrides):
        params = dict(cls.profile_params.get(profile, {}))
        params.update(overrides)
        return cls(**params)


class Sampler(Plugin, ABC):
    """Base of every sampler.  Subclasses implement ``_fit_resample``."""

    kind: ClassVar[str] = "oversampler"
    # True for a sampler whose model labels the rows it makes (e.g. one unconditional
    # GAN with class outputs): it adds the requested total, not per class exactly.  A
    # GenerativeSampler whose ``_sample`` returns ``(rows, labels)`` says so in
    # ``info["labels_from_model"]`` without setting this.
    labels_own_rows: ClassVar[bool] = False

    def fit_resample(
        self,
        X: pd.DataFrame,
        y: pd.Series,
        *,
        schema: TableSchema,
        targets: dict[str, int],
        random_state: int = 0,
        context: Context | None = None,
    ) -> Resampled:
        if len(X) != len(y):
            raise ValueError(f"X has {len(X)} rows but y has {len(y)}")
        X = X.reset_index(drop=True)
        y = pd.Series(np.asarray(y), name=getattr(y, "name", None) or "class")
        out = self._fit_resample(
            X,
            y,
            schema=schema,
            targets=dict(targets),
            random_state=int(random_state),
            context=context or Context(),
        )
        if not isinstance(out, Resampled):
            raise TypeError(f"{type(self).__name__}._fit_resample must return a Resampled")
        return conform(out, X, schema)

    @abstractmethod
    def _fit_resample(self, X, y, *, schema, targets, random_state, context) -> Resampled: ...

    @staticmethod
    def additions(y: pd.Series, targets: dict[str, int]) -> dict[str, int]:
        """Per class, how many rows must be added to reach its target count."""
        counts = y.value_counts()
        return {c: int(t - counts.get(c, 0)) for c, t in targets.items() if t > counts.get(c, 0)}


class GenerativeSampler(Sampler):
    """An oversampler that learns a model of the training rows and samples from it.

    Implement ``_fit(X, y, classes, schema, random_state, context)`` (one model per
    class, or one conditional model) and ``_sample(cls, n, random_state)`` returning
    ``n`` rows of class ``cls`` with the columns of X.  A sampler that labels its own
    rows (e.g. an unconditional model with class outputs) returns ``(rows, labels)``.
    """

    kind = "oversampler"
    min_class_rows: ClassVar[int] = 2

    def _fit_resample(self, X, y, *, schema, targets, random_state, context):
        add = self.additions(y, targets)
        counts = y.value_counts()
        for c in add:
            if counts.get(c, 0) < self.min_class_rows:
                raise SamplerError(
                    f"{self.name}: class {c!r} has {int(counts.get(c, 0))} training row(s); "
                    f"at least {self.min_class_rows} are needed to learn from"
                )
        info: dict[str, Any] = {}
        t0 = time.perf_counter()
        if add:
            self._fit(X, y, sorted(add), schema, random_state, context)
        info["fit_seconds"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        parts, labels = [], []
        for i, (c, n) in enumerate(sorted(add.items())):
            got = self._sample(c, n, random_state + 7919 * (i + 1))
            rows, lab = got if isinstance(got, tuple) else (got, pd.Series([c] * len(got)))
            if isinstance(got, tuple):  # the model labelled its rows: delivered may differ from requested
                info["labels_from_model"] = True
            rows = pd.DataFrame(rows, columns=X.columns).reset_index(drop=True)
            parts.append(rows)
            labels.append(pd.Series(np.asarray(lab)))
        info["sample_seconds"] = time.perf_counter() - t0
        info.update(self.training_record())
        return combine(X, y, parts, labels, schema, add, info)

    @abstractmethod
    def _fit(self, X, y, classes, schema, random_state, context) -> None: ...

    @abstractmethod
    def _sample(self, cls, n, random_state): ...

    def training_record(self) -> dict[str, Any]:
        """Per-class training curves etc.; recorded in the cell's record."""
        return {}


def repair_rows(new: pd.DataFrame, X: pd.DataFrame, schema: TableSchema, info: dict) -> pd.DataFrame:
    """THE place where generated rows are made to obey the schema (every sampler path
    goes through it: :func:`combine` for samplers that build on it, :func:`conform`
    for any other output).  Non-finite values become the column's training median
    (counted in ``info["nonfinite_replaced"]``); then ``schema.enforce``: integer
    kinds rounded, non-negative columns clipped at 0, binary clipped to {0, 1},
    categorical codes snapped to an allowed code, constant columns set to their
    constant (counted per column in ``info["schema_repairs"]``); then the input's dtypes."""
    new = new[list(X.columns)].astype(float).replace([np.inf, -np.inf], np.nan)
    nonfinite = int(new.isna().to_numpy().sum())
    if nonfinite:
        # A generator that emits NaN/inf is broken for those values; replace by the
        # column's training median so no detector sees them, and say so.
        new = new.fillna(X.median(numeric_only=True)).fillna(0.0)
        info["nonfinite_replaced"] = info.get("nonfinite_replaced", 0) + nonfinite
    new, repairs = schema.enforce(new)
    for c in X.columns:  # an integer column the schema calls continuous: round, never truncate
        if np.issubdtype(X[c].dtype, np.integer):
            new[c] = np.round(new[c].to_numpy(dtype=float))
    new = new.astype(X.dtypes.to_dict())
    if repairs:
        prev = info.get("schema_repairs", {})
        info["schema_repairs"] = {k: prev.get(k, 0) + repairs.get(k, 0) for k in {*prev, *repairs}}
        info["schema_repair_share"] = sum(info["schema_repairs"].values()) / max(1, new.size)
    return new


def conform(res: Resampled, X: pd.DataFrame, schema: TableSchema) -> Resampled:
    """Every sampler's output, whatever built it: synthetic rows that are non-finite or
    break the schema (e.g. a fractional or negative count) are repaired by
    :func:`repair_rows` and the repairs recorded in ``res.info``; columns keep the
    input's dtypes.  A no-op for output that already conforms (e.g. from :func:`combine`)."""
    if not isinstance(res.X, pd.DataFrame) or list(res.X.columns) != list(X.columns):
        return res  # the harness's check names this error
    synth = np.asarray(res.synthetic, dtype=bool)
    if len(synth) != len(res.X) or not synth.any():
        return res
    new = res.X[synth]
    vals = new.to_numpy(dtype=float)
    dtypes_ok = all(res.X[c].dtype == X[c].dtype for c in X.columns)
    if dtypes_ok and np.isfinite(vals).all() and not schema.violations(new):
        return res
    fixed = repair_rows(new, X, schema, res.info)
    Xr = res.X.astype(float) if not dtypes_ok else res.X.copy()
    Xr.loc[synth, :] = fixed.to_numpy(dtype=float) if not dtypes_ok else fixed
    res.X = Xr.astype(X.dtypes.to_dict())
    return res


def combine(X, y, parts, labels, schema, requested, info) -> Resampled:
    """Originals first, then the new rows made to obey the schema; repairs recorded."""
    if parts:
        new = repair_rows(pd.concat(parts, ignore_index=True), X, schema, info)
        new_y = pd.concat(labels, ignore_index=True)
    else:
        new = X.iloc[:0]
        new_y = y.iloc[:0]
    Xr = pd.concat([X, new], ignore_index=True)
    yr = pd.concat([y, new_y.astype(y.dtype) if len(new_y) else new_y], ignore_index=True)
    synthetic = np.r_[np.zeros(len(X), bool), np.ones(len(new), bool)]
    return Resampled(Xr, yr, synthetic, None, dict(requested), info)


class Detector(Plugin, ABC):
    """Base of every detector: ``fit`` then ``predict_proba`` (columns follow ``classes_``)."""

    supports_sample_weight: ClassVar[bool] = True

    @abstractmethod
    def fit(
        self,
        X,
        y,
        *,
        schema: TableSchema,
        sample_weight=None,
        random_state: int = 0,
        context: Context | None = None,
    ) -> Detector: ...

    @abstractmethod
    def predict_proba(self, X) -> np.ndarray: ...
