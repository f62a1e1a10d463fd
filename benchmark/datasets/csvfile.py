"""The ``csv`` adapter: any CSV with a label column (``--label COLUMN``).

The label's values are the classes (the unit of oversampling).  A value named
benign / normal / background (any case), or 0 for a 0/1 label, is benign;
without such a value the most frequent class is.  Non-numeric feature columns
are integer-coded (codes from the sorted values of the whole file: label-free).
Column names may hold any characters (``[``, ``]``, ``<``): detectors see
arrays, reports the original names.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from benchmark.datasets.base import (
    Dataset,
    apply_nonfinite_policy,
    coerce_numeric,
    drop_constant,
    file_sha256,
    require_file,
)
from benchmark.errors import DataError
from benchmark.schema import ColumnSpec, TableSchema, infer_schema

WHAT = "csv"
BENIGN_NAMES = {"benign", "normal", "background", "0"}


def load_csv(
    data: str | Path | None = None,
    *,
    label: str | None = None,
    drop: tuple[str, ...] = (),
    nonfinite: str = "zero",
    **_ignored,
) -> Dataset:
    path = require_file(data, WHAT)
    if not label:
        raise DataError(f"{WHAT}: name the label column with --label COLUMN")
    try:
        df = pd.read_csv(path, low_memory=False)
    except pd.errors.EmptyDataError:
        raise DataError(f"{WHAT}: file is empty: {path}") from None
    except (UnicodeDecodeError, pd.errors.ParserError) as e:
        raise DataError(f"{WHAT}: {path} is not a readable CSV ({e})") from None
    if label not in df.columns:
        raise DataError(f"{WHAT}: no label column {label!r} in {path.name}; columns: {list(df.columns)[:20]}")
    if df.empty:
        raise DataError(f"{WHAT}: {path} has a header but no rows")
    missing_drop = [c for c in drop if c not in df.columns]
    if missing_drop:
        raise DataError(f"{WHAT}: --drop names column(s) not in the file: {missing_drop}")
    lab = df[label]
    if lab.isna().any():
        raise DataError(f"{WHAT}: label column {label!r} has {int(lab.isna().sum())} missing value(s)")
    category = lab.astype(str).str.strip().rename("category")
    classes = category.value_counts()
    benign = tuple(sorted(c for c in classes.index if c.lower() in BENIGN_NAMES)) or (classes.index[0],)

    features = [c for c in df.columns if c != label and c not in drop]
    X = df[features].copy()
    categorical = []
    for c in features:
        if X[c].dtype == object:
            num = pd.to_numeric(X[c], errors="coerce")
            if num.notna().mean() >= 0.99:  # a numeric column with a few bad cells: report them
                X = coerce_numeric(X, [c], WHAT)
            else:
                vals = X[c].astype(str)
                codes = {v: i for i, v in enumerate(sorted(set(vals)))}
                X[c] = vals.map(codes).astype("int64")
                categorical.append(c)
    X, (category,), record = apply_nonfinite_policy(X, nonfinite, category)
    schema = infer_schema(X, categorical=tuple(categorical))
    schema = TableSchema(
        [ColumnSpec(c.name, c.kind, c.nonnegative, c.categories) for c in schema.columns],
        {label: "target", **{c: "dropped by --drop" for c in drop}},
    )
    X, schema = drop_constant(X, schema)
    category = category.reset_index(drop=True)
    return Dataset(
        name=WHAT,
        X=X.reset_index(drop=True),
        y=(~category.isin(benign)).astype(int).rename("attack"),
        category=category,
        schema=schema,
        benign_categories=benign,
        source={"path": str(path), "sha256": file_sha256(path), "label": label},
        cleaning=record,
    )
