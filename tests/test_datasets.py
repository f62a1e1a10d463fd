"""Adapters: the real HIKARI header, NSL-KDD's official split, generic CSV."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from benchmark.datasets import hikari_layout as L
from benchmark.datasets import load_dataset
from benchmark.errors import ConfigError, DataError


def test_hikari_fragment_parses(hikari_fragment):
    ds = load_dataset("hikari2021", hikari_fragment)
    assert len(ds.X) == 24
    # 79 flow features + responp; identifiers, indexes, originp and targets dropped
    assert ds.X.shape[1] == 80
    assert list(ds.X.columns) == ["responp", *L.FLOW_FEATURES]
    for c in (
        "Unnamed: 0.1",
        "Unnamed: 0",
        "uid",
        "originh",
        "responh",
        "originp",
        "Label",
        "traffic_category",
    ):
        assert c in ds.schema.dropped and c not in ds.X.columns
    assert "leaks" in ds.schema.dropped["originp"]
    assert set(ds.category) == {"Bruteforce-XML"} and ds.y.tolist() == [1] * 24
    assert ds.X["fwd_pkts_tot"].dtype == np.int32 and ds.X["flow_duration"].dtype == np.float64
    # the first real row, as printed in the file
    assert ds.X.loc[0, "flow_duration"] == pytest.approx(2.207588)
    assert ds.schema["responp"].kind == "categorical"
    assert ds.schema["fwd_pkts_tot"].kind == "count"
    assert "fwd_URG_flag_count" in ds.cleaning["constant_columns_kept"]


def test_hikari_keep_originp(hikari_fragment):
    ds = load_dataset("hikari2021", hikari_fragment, keep_originp=True)
    assert ds.X.columns[0] == "originp" and ds.X["originp"].iloc[0] == 13316


def test_hikari_rejects_removed_column(hikari_fragment, tmp_path):
    df = pd.read_csv(hikari_fragment)
    bad = tmp_path / "bad.csv"
    df.drop(columns=["flow_duration"]).to_csv(bad, index=False)
    with pytest.raises(DataError, match=r"missing column\(s\) \['flow_duration'\]"):
        load_dataset("hikari2021", bad)


def test_hikari_renamed_column_named(hikari_fragment, tmp_path):
    df = pd.read_csv(hikari_fragment).rename(columns={"bwd_iat.max": "bwd_iat_max"})
    bad = tmp_path / "renamed.csv"
    df.to_csv(bad, index=False)
    with pytest.raises(DataError) as e:
        load_dataset("hikari2021", bad)
    assert "'bwd_iat.max'" in str(e.value) and "'bwd_iat_max'" in str(e.value)


def test_hikari_non_numeric_value_named(hikari_fragment, tmp_path):
    df = pd.read_csv(hikari_fragment)
    df["flow_duration"] = df["flow_duration"].astype(object)
    df.loc[3, "flow_duration"] = "abc"
    df.loc[7, "flow_duration"] = "12s"
    bad = tmp_path / "text.csv"
    df.to_csv(bad, index=False)
    with pytest.raises(DataError, match=r"column 'flow_duration' has 2 non-numeric value\(s\)"):
        load_dataset("hikari2021", bad)


def test_hikari_nonfinite_policy_counts(hikari_fragment, tmp_path):
    df = pd.read_csv(hikari_fragment)
    df.loc[2, "fwd_pkts_per_sec"] = np.inf
    df.loc[5, "fwd_pkts_per_sec"] = np.nan
    p = tmp_path / "inf.csv"
    df.to_csv(p, index=False)
    ds = load_dataset("hikari2021", p)
    assert ds.cleaning["nonfinite_values"] == {"fwd_pkts_per_sec": 2}
    assert ds.X.loc[2, "fwd_pkts_per_sec"] == 0 and ds.X.loc[5, "fwd_pkts_per_sec"] == 0
    assert np.isfinite(ds.X.to_numpy(float)).all()
    dropped = load_dataset("hikari2021", p, nonfinite="drop")
    assert len(dropped.X) == 22 and dropped.cleaning["rows_dropped"] == 2


def test_hikari_label_must_match_category(hikari_fragment, tmp_path):
    df = pd.read_csv(hikari_fragment)
    df.loc[0, "Label"] = 0
    p = tmp_path / "label.csv"
    df.to_csv(p, index=False)
    with pytest.raises(DataError, match="1 row"):
        load_dataset("hikari2021", p)


@pytest.mark.parametrize("content", ["", "a,b\n"])
def test_empty_files(tmp_path, content):
    p = tmp_path / "x.csv"
    p.write_text(content)
    with pytest.raises(DataError):
        load_dataset("hikari2021", p)


def test_missing_file(tmp_path):
    with pytest.raises(DataError, match="file not found"):
        load_dataset("hikari2021", tmp_path / "nope.csv")


def test_unknown_dataset():
    with pytest.raises(ConfigError, match="unknown dataset 'kdd99'"):
        load_dataset("kdd99")


def test_nsl_kdd_official_split(nsl):
    counts = nsl.category[nsl.split == "train"].value_counts().to_dict()
    assert counts == {"normal": 13449, "DoS": 9234, "Probe": 2289, "R2L": 209, "U2R": 11}
    test = nsl.category[nsl.split == "test"].value_counts().to_dict()
    assert test == {"normal": 9711, "DoS": 7458, "R2L": 2887, "Probe": 2421, "U2R": 67}
    assert "difficulty" in nsl.schema.dropped and "difficulty" not in nsl.X.columns
    assert "num_outbound_cmds" in nsl.schema.dropped  # constant 0
    assert nsl.X.shape[1] == 40
    assert set(nsl.schema.categorical_columns) == {"protocol_type", "service", "flag"}
    # encoders fit on train only: a test service unseen in training gets the reserved code 0
    assert nsl.cleaning["test_values_unseen_in_train"] == {"service": 1}
    train_codes = set(nsl.X.loc[nsl.split == "train", "service"])
    assert 0 not in train_codes
    assert (nsl.X.loc[nsl.split == "test", "service"] == 0).sum() >= 1
    assert nsl.y.sum() == (nsl.category != "normal").sum()
    assert nsl.attack_categories == ("DoS", "Probe", "R2L", "U2R")


def test_nsl_kdd_missing_folder(tmp_path):
    with pytest.raises(DataError, match="folder not found"):
        load_dataset("nsl-kdd", tmp_path / "none")
    with pytest.raises(DataError, match="no KDDTrain"):
        load_dataset("nsl-kdd", tmp_path)


def test_csv_adapter_odd_names(tmp_path):
    rng = np.random.default_rng(0)
    df = pd.DataFrame(
        {
            "a[0]": rng.normal(size=60),
            "b<1>": rng.integers(0, 5, 60),
            "proto": ["tcp", "udp"] * 30,
            "label": ["benign"] * 50 + ["attack"] * 10,
        }
    )
    p = tmp_path / "x.csv"
    df.to_csv(p, index=False)
    ds = load_dataset("csv", p, label="label")
    assert list(ds.X.columns) == ["a[0]", "b<1>", "proto"]
    assert ds.benign_categories == ("benign",) and ds.y.sum() == 10
    assert ds.schema["proto"].kind == "categorical" and ds.schema["b<1>"].kind == "count"
    with pytest.raises(DataError, match="no label column 'y'"):
        load_dataset("csv", p, label="y")
