"""The hikari2021 loader's compact dtypes are exact: every value equals what pandas
reads with default dtypes; counts are int32, a float column float32 only when
every value survives the round trip."""

from __future__ import annotations

import numpy as np
import pandas as pd

from benchmark.datasets import hikari_layout as L
from benchmark.datasets.hikari import compact_dtypes, load_hikari


def test_loader_values_equal_pandas_default(demo_csv):
    ds = load_hikari(demo_csv)
    raw = pd.read_csv(demo_csv)
    for c in ds.X.columns:
        a = ds.X[c].to_numpy().astype(np.float64)
        b = raw[c].to_numpy().astype(np.float64)
        assert np.array_equal(a, b), c
        if L.DTYPES[c] == "int64":
            assert ds.X[c].dtype == np.int32, c
        elif ds.X[c].dtype == np.float32:
            assert c in ds.cleaning["dtypes"]["float32_exact"]
    assert ds.cleaning["dtypes"]["int32"] == sum(L.DTYPES[c] == "int64" for c in ds.X.columns)
    # narrower than pandas' default: about 60% of the bytes here
    assert (
        ds.X.memory_usage(index=False).sum() < 0.8 * raw[list(ds.X.columns)].memory_usage(index=False).sum()
    )


def test_compact_dtypes_keeps_float64_when_float32_would_round():
    X = pd.DataFrame(
        {
            "flow_duration": [2.207588, 0.0],  # not a float32 value
            "fwd_pkts_payload.tot": [1500.0, 3.0],  # integer-valued: exact in float32
            "fwd_pkts_tot": [3, 2**31 - 1],  # fits int32
            "bwd_pkts_tot": [0, 2**31],  # does not
        }
    )
    out, rec = compact_dtypes(X)
    assert out["flow_duration"].dtype == np.float64 and out["flow_duration"].iloc[0] == 2.207588
    assert out["fwd_pkts_payload.tot"].dtype == np.float32
    assert out["fwd_pkts_tot"].dtype == np.int32 and out["bwd_pkts_tot"].dtype == np.int64
    assert out["bwd_pkts_tot"].iloc[1] == 2**31
    assert rec["float32_exact"] == ["fwd_pkts_payload.tot"]
