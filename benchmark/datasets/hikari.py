"""The ``hikari2021`` adapter: ALLFLOWMETER_HIKARI2021.csv, read by path.

Drops the two index columns, ``uid``, ``originh`` and ``responh`` (identifiers,
not behaviour) and, by default, ``originp`` (the client's ephemeral port: attack
tools use it sequentially, so it leaks the label).  ``traffic_category`` and
``Label`` are targets, never features.  The task is binary (``Label``); the
category is kept as the unit of oversampling and for per-category recall.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from benchmark.datasets import hikari_layout as L
from benchmark.datasets.base import (
    Dataset,
    apply_nonfinite_policy,
    coerce_numeric,
    file_sha256,
    require_file,
)
from benchmark.errors import DataError
from benchmark.schema import ColumnSpec, TableSchema

WHAT = "hikari2021"


def hikari_schema(X: pd.DataFrame) -> TableSchema:
    """Kinds from the layout: int columns are counts, ports categorical, the rest
    continuous; every HIKARI feature is non-negative."""
    cols = []
    for c in X.columns:
        if c in L.PORT_COLUMNS:
            cats = tuple(int(v) for v in np.unique(X[c].to_numpy()))
            cols.append(ColumnSpec(c, "categorical", nonnegative=True, categories=cats))
        elif c in L.INT_FEATURES:
            cols.append(ColumnSpec(c, "count", nonnegative=True))
        else:
            cols.append(ColumnSpec(c, "continuous", nonnegative=True))
    return TableSchema(cols)


def read_hikari_frame(path: Path) -> pd.DataFrame:
    """Read the file and check its header; errors name the offending columns."""
    try:
        head = pd.read_csv(path, nrows=0)
    except pd.errors.EmptyDataError:
        raise DataError(f"{WHAT}: file is empty: {path}") from None
    except (UnicodeDecodeError, pd.errors.ParserError) as e:
        raise DataError(f"{WHAT}: {path} is not a readable CSV ({e})") from None
    cols = list(head.columns)
    missing = [c for c in L.COLUMNS if c not in cols]
    unexpected = [c for c in cols if c not in L.COLUMNS]
    if missing or unexpected:
        parts = []
        if missing:
            parts.append(f"missing column(s) {missing}")
        if unexpected:
            parts.append(f"unexpected column(s) {unexpected}")
        raise DataError(f"{WHAT}: {path} is not in the HIKARI-2021 layout: " + "; ".join(parts))
    # Read numeric columns as float first (NaN-tolerant); counts are made int below.
    dtypes = {c: ("object" if L.DTYPES[c] == "object" else None) for c in L.COLUMNS}
    df = pd.read_csv(path, dtype={k: v for k, v in dtypes.items() if v}, low_memory=False)
    if df.empty:
        raise DataError(f"{WHAT}: {path} has a header but no rows")
    return df


def load_hikari(
    data: str | Path | None = None,
    *,
    keep_originp: bool = False,
    nonfinite: str = "zero",
    **_ignored,
) -> Dataset:
    path = require_file(data, WHAT)
    df = read_hikari_frame(path)
    numeric = [c for c in L.COLUMNS if L.DTYPES[c] != "object"]
    df = coerce_numeric(df, numeric, WHAT)

    cat = df[L.CATEGORY_COLUMN].astype(str)
    unknown = sorted(set(cat) - set(L.CATEGORIES))
    if unknown:
        raise DataError(f"{WHAT}: unknown traffic_category value(s) {unknown}; expected {list(L.CATEGORIES)}")
    label = df[L.LABEL_COLUMN]
    if label.isna().any():
        raise DataError(f"{WHAT}: column 'Label' has {int(label.isna().sum())} missing value(s)")
    expected = cat.isin(L.ATTACK_CATEGORIES).astype(int)
    wrong = int((label.astype(int) != expected).sum())
    if wrong:
        raise DataError(
            f"{WHAT}: {wrong} row(s) whose Label disagrees with traffic_category "
            "(Label must be 1 exactly for Probing, Bruteforce, Bruteforce-XML, XMRIGCC CryptoMiner)"
        )

    dropped = {c: "row index" for c in L.INDEX_COLUMNS}
    dropped.update({c: "identifier, not behaviour" for c in L.ID_COLUMNS})
    dropped[L.CATEGORY_COLUMN] = "target (attack category)"
    dropped[L.LABEL_COLUMN] = "target (binary label)"
    features = ["responp", *L.FLOW_FEATURES]
    if keep_originp:
        features.insert(0, "originp")
    else:
        dropped["originp"] = "client ephemeral port: sequential for attack tools, leaks the label"

    X = df[features]
    X, (cat, y), record = apply_nonfinite_policy(X, nonfinite, cat, expected)
    # Counts as int64, the rest float64 (as in the full file) -- after the policy, so
    # a NaN in a count column never blocks the cast.
    X = X.astype({c: ("int64" if L.DTYPES[c] == "int64" else "float64") for c in X.columns})
    schema = hikari_schema(X)
    schema.dropped.update(dropped)
    constant = [c for c in X.columns if X[c].nunique() <= 1]
    return Dataset(
        name=WHAT,
        X=X.reset_index(drop=True),
        y=pd.Series(np.asarray(y), name="attack").astype(int),
        category=pd.Series(np.asarray(cat), name="category"),
        schema=schema,
        benign_categories=L.BENIGN_CATEGORIES,
        source={"path": str(path), "sha256": file_sha256(path), "rows_read": int(len(df))},
        cleaning={**record, "constant_columns_kept": constant},
    )
