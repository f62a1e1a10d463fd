"""Flow validity: how many rows of a table could be real FlowMeter flows.

``flow_validity`` reports, for a table in HIKARI layout (real, simulated or
generated), the share of rows satisfying each identity of
``benchmark.datasets.hikari_identities`` and a few conjunctions of them.  It
reads only the flow-feature columns, so it also accepts the seed study's GAN
output (no ``uid``/``originh``/``responh``/``traffic_category``, one-hot
``traffic_category_*`` columns instead); ``traffic_categories`` reads the class
of a row from either layout.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from benchmark.datasets.hikari_identities import check_flows, count_integrality, identities_for
from benchmark.datasets.hikari_layout import CATEGORY_COLUMN
from benchmark.errors import DataError

ONE_HOT_PREFIX = f"{CATEGORY_COLUMN}_"


def _share(mask) -> float:
    mask = np.asarray(mask, dtype=bool)
    return float(mask.mean()) if mask.size else float("nan")


def flow_validity(df: pd.DataFrame) -> dict[str, float]:
    """Shares of rows (0..1) satisfying the flow identities.

    Keys: ``n_rows``; one per applicable identity (its name); ``all`` (every
    applicable identity at once); ``stat_order_all`` (``min <= avg <= max`` in
    all statistic groups at once); ``tot_avg_rate_all`` (every tot/avg and rate
    identity at once); ``integer_share.<column>`` per count column (share of
    integral values) and ``count_integer_share`` (their mean).
    """
    checks = check_flows(df)
    out: dict[str, float] = {"n_rows": int(len(df))}
    for name in checks.columns:
        out[name] = _share(checks[name])
    for key, kinds in (("stat_order_all", ("stat_order",)), ("tot_avg_rate_all", ("tot_avg", "rate"))):
        names = [i.name for i in identities_for(df.columns, kinds)]
        if names:
            out[key] = _share(checks[names].all(axis=1))
    integral = count_integrality(df)
    for c in integral.columns:
        out[f"integer_share.{c}"] = _share(integral[c])
    if len(integral.columns):
        out["count_integer_share"] = float(np.mean([out[f"integer_share.{c}"] for c in integral.columns]))
    return out


def traffic_categories(df: pd.DataFrame) -> pd.Series:
    """The traffic category of each row: the ``traffic_category`` column, or the
    argmax of the one-hot ``traffic_category_*`` columns (seed GAN layout)."""
    if CATEGORY_COLUMN in df.columns:
        return df[CATEGORY_COLUMN].astype(str)
    onehot = [c for c in df.columns if c.startswith(ONE_HOT_PREFIX)]
    if not onehot:
        raise DataError(f"no {CATEGORY_COLUMN!r} column and no {ONE_HOT_PREFIX}* columns")
    names = np.array([c[len(ONE_HOT_PREFIX) :] for c in onehot], dtype=object)
    idx = df[onehot].to_numpy(dtype=np.float64).argmax(axis=1)
    return pd.Series(names[idx], index=df.index, name=CATEGORY_COLUMN)
