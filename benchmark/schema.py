"""The table schema: what every feature column is, and the one place that
makes generated rows obey it.

Kinds:
- ``continuous``: any real number (within its bounds);
- ``count``: a non-negative integer (packet counts, flags, window sizes);
- ``binary``: 0 or 1;
- ``categorical``: an integer code of a nominal value (ports, services),
  restricted to the codes listed in ``categories``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace

import numpy as np
import pandas as pd

from benchmark.errors import DataError

KINDS = ("continuous", "count", "binary", "categorical")
INTEGER_KINDS = ("count", "binary", "categorical")


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    kind: str = "continuous"
    nonnegative: bool = False
    categories: tuple | None = None  # allowed codes of a categorical column
    constant: float | None = None  # the value of a column constant in the training data

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"column {self.name!r}: unknown kind {self.kind!r} (one of {KINDS})")

    @property
    def integer(self) -> bool:
        return self.kind in INTEGER_KINDS


@dataclass
class TableSchema:
    """Feature columns in order, plus what was dropped from the source and why."""

    columns: list[ColumnSpec]
    dropped: dict[str, str] = field(default_factory=dict)

    # -- lookup -------------------------------------------------------------
    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def __getitem__(self, name: str) -> ColumnSpec:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"no column {name!r} in the schema")

    def of_kind(self, *kinds: str) -> list[str]:
        return [c.name for c in self.columns if c.kind in kinds]

    @property
    def integer_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.integer]

    @property
    def categorical_columns(self) -> list[str]:
        return self.of_kind("categorical")

    # -- (de)serialisation ----------------------------------------------------
    def to_dict(self) -> dict:
        return {
            "columns": [
                {k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(c).items()}
                for c in self.columns
            ],
            "dropped": dict(self.dropped),
        }

    @classmethod
    def from_dict(cls, d: dict) -> TableSchema:
        cols = []
        for c in d["columns"]:
            c = dict(c)
            if c.get("categories") is not None:
                c["categories"] = tuple(c["categories"])
            cols.append(ColumnSpec(**c))
        return cls(columns=cols, dropped=dict(d.get("dropped", {})))

    def without(self, names) -> TableSchema:
        names = set(names)
        return TableSchema([c for c in self.columns if c.name not in names], dict(self.dropped))

    def with_spec(self, name: str, **changes) -> TableSchema:
        return TableSchema(
            [replace(c, **changes) if c.name == name else c for c in self.columns], dict(self.dropped)
        )

    # -- checks ---------------------------------------------------------------
    def validate(self, X: pd.DataFrame, what: str = "table") -> None:
        """Raise a DataError naming the first column that breaks the schema."""
        missing = [n for n in self.names if n not in X.columns]
        if missing:
            raise DataError(f"{what}: missing column(s) {missing}")
        extra = [n for n in X.columns if n not in set(self.names)]
        if extra:
            raise DataError(f"{what}: unexpected column(s) {extra}")
        for c in self.columns:
            v = X[c.name].to_numpy()
            if not np.issubdtype(v.dtype, np.number):
                raise DataError(f"{what}: column {c.name!r} is not numeric (dtype {v.dtype})")
            bad = ~np.isfinite(v.astype(float))
            if bad.any():
                raise DataError(f"{what}: column {c.name!r} has {int(bad.sum())} non-finite value(s)")

    def with_constants_of(self, X: pd.DataFrame) -> TableSchema:
        """This schema with ``constant`` set for the columns constant in X (a training part)."""
        cols = []
        for c in self.columns:
            v = X[c.name].to_numpy(dtype=float)
            const = float(v[0]) if len(v) and np.all(v == v[0]) else None
            cols.append(replace(c, constant=const))
        return TableSchema(cols, dict(self.dropped))

    def violations(self, X: pd.DataFrame) -> dict[str, int]:
        """Per column, how many values break the schema (negative, fractional, unknown
        code, a constant column not constant)."""
        out: dict[str, int] = {}
        for c in self.columns:
            v = X[c.name].to_numpy(dtype=float)
            bad = np.zeros(len(v), bool)
            if c.constant is not None:
                bad |= v != c.constant
            if c.nonnegative or c.kind in ("count", "binary"):
                bad |= v < 0
            if c.integer:
                bad |= np.abs(v - np.round(v)) > 1e-9
            if c.kind == "binary":
                bad |= v > 1
            if c.kind == "categorical" and c.categories is not None:
                bad |= ~np.isin(v, np.asarray(c.categories, dtype=float))
            if bad.any():
                out[c.name] = int(bad.sum())
        return out

    def enforce(self, X: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
        """Return a copy that obeys the schema and, per column, how many values changed.

        Columns constant in the training data keep their constant; negative values of
        non-negative columns are clipped to 0; integer kinds are rounded; binary values
        clipped to {0, 1}; categorical codes snapped to the nearest allowed code.  Callers record the counts: a sampler whose output
        needed many repairs is worse than its repaired rows look.
        """
        X = X.copy()
        repairs: dict[str, int] = {}
        for c in self.columns:
            v = X[c.name].to_numpy(dtype=float)
            new = v.copy()
            if c.constant is not None:
                new[:] = c.constant
            if c.nonnegative or c.kind in ("count", "binary"):
                new = np.maximum(new, 0.0)
            if c.integer:
                new = np.round(new)
            if c.kind == "binary":
                new = np.clip(new, 0.0, 1.0)
            if c.kind == "categorical" and c.categories:
                codes = np.sort(np.asarray(c.categories, dtype=float))
                idx = np.clip(np.searchsorted(codes, new), 1, len(codes) - 1) if len(codes) > 1 else None
                if idx is not None:
                    lo, hi = codes[idx - 1], codes[idx]
                    new = np.where(np.abs(new - lo) <= np.abs(hi - new), lo, hi)
                else:
                    new = np.full_like(new, codes[0])
            changed = int((np.abs(new - v) > 1e-12 * np.maximum(1.0, np.abs(v))).sum())
            if changed:
                repairs[c.name] = changed
            X[c.name] = new.astype(X[c.name].dtype) if c.integer else new
        return X, repairs


def infer_schema(X: pd.DataFrame, categorical: tuple[str, ...] = ()) -> TableSchema:
    """Schema of an arbitrary numeric table: integer columns with values in {0,1} are
    binary, other non-negative integer columns counts, the rest continuous."""
    cols = []
    for name in X.columns:
        v = X[name]
        if name in categorical:
            cats = tuple(sorted(int(x) for x in pd.unique(v)))
            cols.append(ColumnSpec(name, "categorical", nonnegative=True, categories=cats))
            continue
        a = v.to_numpy(dtype=float)
        finite = a[np.isfinite(a)]
        nonneg = bool(finite.size == 0 or finite.min() >= 0)
        integral = bool(finite.size and np.all(finite == np.round(finite)))
        if integral and nonneg and set(np.unique(finite)) <= {0.0, 1.0}:
            kind = "binary"
        elif integral and nonneg:
            kind = "count"
        else:
            kind = "continuous"
        cols.append(ColumnSpec(name, kind, nonnegative=nonneg))
    return TableSchema(cols)
