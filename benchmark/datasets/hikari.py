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


def read_hikari_frame(path: Path, usecols=None) -> pd.DataFrame:
    """Read the file and check its header; errors name the offending columns.

    ``usecols``: read only these columns (the header is checked in full).  Numeric
    columns are parsed straight to float64 by the C parser (NaN/inf tolerant; the
    counts are made integer after the non-finite policy); only when a cell is not a
    number is the file read again as text, so that the error names the column and row.
    """
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
    wanted = set(L.COLUMNS if usecols is None else usecols)
    cols = [c for c in L.COLUMNS if c in wanted]
    text = {c: "object" for c in cols if L.DTYPES[c] == "object"}
    try:
        # (chunked, the C parser's default: faster and smaller than low_memory=False)
        df = pd.read_csv(path, usecols=cols, dtype={c: text.get(c, "float64") for c in cols}, engine="c")
    except ValueError:  # a cell that is not a number: the slow path names it
        df = pd.read_csv(path, usecols=cols, dtype=text, low_memory=False)
    if df.empty:
        raise DataError(f"{WHAT}: {path} has a header but no rows")
    return df


def compact_dtypes(X: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """Integer columns of the layout as int32 (int64 if a value does not fit), float
    columns as float32 where that is exact for every value, else float64."""
    out, kinds = {}, {"int32": [], "int64": [], "float32": [], "float64": []}
    for c in X.columns:
        v = X[c].to_numpy()
        if L.DTYPES[c] == "int64":
            lo, hi = (float(v.min()), float(v.max())) if len(v) else (0.0, 0.0)
            t = np.int32 if -(2**31) <= lo and hi < 2**31 else np.int64
            out[c] = v.astype(t)
        else:
            v = v.astype(np.float64, copy=False)
            f = v.astype(np.float32)
            exact = np.array_equal(f.astype(np.float64), v, equal_nan=True)
            out[c] = f if exact else v
        kinds[out[c].dtype.name].append(c)
    record = {k: len(v) for k, v in kinds.items() if v}
    record["float32_exact"] = kinds["float32"]
    return pd.DataFrame(out, index=X.index), record


def load_hikari(
    data: str | Path | None = None,
    *,
    keep_originp: bool = False,
    nonfinite: str = "zero",
    **_ignored,
) -> Dataset:
    path = require_file(data, WHAT)
    features = ["responp", *L.FLOW_FEATURES]
    if keep_originp:
        features.insert(0, "originp")
    df = read_hikari_frame(path, usecols=[*features, L.CATEGORY_COLUMN, L.LABEL_COLUMN])
    numeric = [c for c in df.columns if L.DTYPES[c] != "object"]
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
    if not keep_originp:
        dropped["originp"] = "client ephemeral port: sequential for attack tools, leaks the label"

    X, rows_read = df[features], int(len(df))
    del df
    X, (cat, y), record = apply_nonfinite_policy(X, nonfinite, cat, expected)
    # After the policy (a NaN in a count column never blocks the cast): the narrowest
    # exact dtypes -- counts and ports as int32 when they fit, a float column as
    # float32 only when every value survives the round trip exactly, else float64.
    X, record["dtypes"] = compact_dtypes(X)
    schema = hikari_schema(X)
    schema.dropped.update(dropped)
    constant = [c for c in X.columns if len(X) == 0 or bool((X[c].to_numpy() == X[c].iat[0]).all())]
    return Dataset(
        name=WHAT,
        X=X.reset_index(drop=True),
        y=pd.Series(np.asarray(y), name="attack").astype(int),
        category=pd.Series(np.asarray(cat), name="category"),
        schema=schema,
        benign_categories=L.BENIGN_CATEGORIES,
        source={"path": str(path), "sha256": file_sha256(path), "rows_read": rows_read},
        cleaning={**record, "constant_columns_kept": constant},
    )
