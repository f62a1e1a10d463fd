"""What every dataset adapter returns, and the cleaning steps they share."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from benchmark.errors import DataError
from benchmark.schema import TableSchema

# One stated policy for non-finite feature values (e.g. a rate of a zero-duration
# flow): NaN and +/-inf become 0, FlowMeter's value for an undefined rate, and
# the count per column is recorded in the manifest.  ``drop`` removes the rows.
NONFINITE_POLICIES = ("zero", "drop")


@dataclass
class Dataset:
    """Features, targets and schema of one data source.

    ``y`` is the binary task (1 = attack); ``category`` the traffic category (the
    unit of oversampling, and the multi-class target); ``split`` is the
    dataset's official train/test assignment when it has one.
    """

    name: str
    X: pd.DataFrame
    y: pd.Series
    category: pd.Series
    schema: TableSchema
    benign_categories: tuple[str, ...]
    split: pd.Series | None = None
    source: dict = field(default_factory=dict)
    cleaning: dict = field(default_factory=dict)

    @property
    def attack_categories(self) -> tuple[str, ...]:
        cats = pd.unique(self.category)
        return tuple(sorted(c for c in cats if c not in self.benign_categories))

    @property
    def categories(self) -> tuple[str, ...]:
        return tuple(self.benign_categories) + self.attack_categories

    @property
    def fingerprint(self) -> str:
        """A hash of the features and targets exactly as the harness sees them."""
        h = hashlib.sha256()
        h.update(",".join(self.X.columns).encode())
        h.update(pd.util.hash_pandas_object(self.X, index=False).to_numpy().tobytes())
        h.update(pd.util.hash_pandas_object(self.category, index=False).to_numpy().tobytes())
        if self.split is not None:
            h.update(pd.util.hash_pandas_object(self.split, index=False).to_numpy().tobytes())
        return h.hexdigest()[:16]

    def describe(self) -> dict:
        counts = self.category.value_counts()
        return {
            "name": self.name,
            "rows": int(len(self.X)),
            "features": int(self.X.shape[1]),
            "class_counts": {str(k): int(v) for k, v in counts.items()},
            "attack_share": float(self.y.mean()),
            "fingerprint": self.fingerprint,
            "dropped_columns": dict(self.schema.dropped),
            "cleaning": self.cleaning,
            "source": self.source,
        }


def file_sha256(path: Path, limit: int | None = None) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()[:12]


def require_file(path: str | Path | None, what: str) -> Path:
    if path is None:
        raise DataError(f"{what}: no file given (pass --data PATH)")
    p = Path(path)
    if not p.exists():
        raise DataError(f"{what}: file not found: {p}")
    if p.is_dir():
        raise DataError(f"{what}: {p} is a folder, expected a file")
    if p.stat().st_size == 0:
        raise DataError(f"{what}: file is empty: {p}")
    return p


def coerce_numeric(df: pd.DataFrame, columns, what: str) -> pd.DataFrame:
    """Make columns numeric; a non-numeric value is an error naming the column and count."""
    for c in columns:
        s = df[c]
        if np.issubdtype(s.dtype, np.number):
            continue
        num = pd.to_numeric(s, errors="coerce")
        bad = (
            num.isna()
            & s.notna()
            & ~s.astype(str)
            .str.strip()
            .str.lower()
            .isin(["nan", "inf", "-inf", "+inf", "infinity", "-infinity", ""])
        )
        if bad.any():
            first = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataError(
                f"{what}: column {c!r} has {int(bad.sum())} non-numeric value(s) "
                f"(first: {s.iloc[first]!r} in data row {first + 1})"
            )
        df[c] = pd.to_numeric(
            s.replace(
                {"inf": np.inf, "-inf": -np.inf, "+inf": np.inf, "Infinity": np.inf, "-Infinity": -np.inf}
            ),
            errors="coerce",
        )
    return df


def apply_nonfinite_policy(
    X: pd.DataFrame, policy: str, *others: pd.Series
) -> tuple[pd.DataFrame, tuple[pd.Series, ...], dict]:
    """Apply the non-finite policy to the features; returns the counts per column."""
    if policy not in NONFINITE_POLICIES:
        raise DataError(f"unknown non-finite policy {policy!r}; one of {NONFINITE_POLICIES}")
    values = X.to_numpy(dtype=float, copy=False)
    bad = ~np.isfinite(values)
    per_col = {c: int(n) for c, n in zip(X.columns, bad.sum(axis=0)) if n}
    n_rows = int(bad.any(axis=1).sum())
    record = {"policy": policy, "nonfinite_values": per_col, "rows_affected": n_rows}
    if not n_rows:
        return X, others, record
    if policy == "zero":
        X = X.copy()
        for c in per_col:
            col = X[c].to_numpy(dtype=float)
            X[c] = np.where(np.isfinite(col), col, 0.0).astype(X[c].dtype)
        return X, others, record
    keep = ~bad.any(axis=1)
    record["rows_dropped"] = n_rows
    return (
        X[keep].reset_index(drop=True),
        tuple(o[keep].reset_index(drop=True) for o in others),
        record,
    )


def drop_constant(X: pd.DataFrame, schema: TableSchema) -> tuple[pd.DataFrame, TableSchema]:
    """Columns constant over the whole data set carry no information: dropped, recorded.

    (The HIKARI adapter keeps them instead, so that its table stays in the file's
    layout; the schema marks them constant for the training part of each split.)"""
    const = [c for c in X.columns if X[c].nunique(dropna=False) <= 1]
    if not const:
        return X, schema
    schema = schema.without(const)
    for c in const:
        schema.dropped[c] = f"constant ({X[c].iloc[0] if len(X) else 'empty'})"
    return X.drop(columns=const), schema
