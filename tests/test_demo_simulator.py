"""The demo simulator: HIKARI layout, class proportions, valid flows, class profiles."""

import re

import numpy as np
import pandas as pd
import pytest
from data_paths import SHARED

from benchmark.datasets.demo_simulator import (
    MIN_PER_CATEGORY,
    category_counts,
    simulate_flows,
    write_demo_csv,
)
from benchmark.datasets.hikari_identities import check_flows
from benchmark.datasets.hikari_layout import (
    ATTACK_CATEGORIES,
    CATEGORIES,
    COLUMNS,
    DTYPES,
    FLOW_FEATURES,
    FULL_FILE_COUNTS,
    FULL_FILE_ROWS,
)

DATA = SHARED  # ../shared/data or $IDS_BENCH_DATA
FRAGMENT = DATA / "hikari2021" / "ALLFLOWMETER_HIKARI2021_fragment.csv"


@pytest.fixture(scope="module")
def demo():
    return simulate_flows(30_000, seed=0)


def _by(demo, cat):
    return demo[demo["traffic_category"] == cat]


def test_layout_and_dtypes(demo):
    assert list(demo.columns) == list(COLUMNS)
    assert demo.dtypes.astype(str).to_dict() == DTYPES
    assert len(demo) == 30_000
    assert demo.index.equals(pd.RangeIndex(30_000))
    assert (demo["Unnamed: 0"] == np.arange(30_000)).all()
    assert (demo["Unnamed: 0.1"] == demo["Unnamed: 0"]).all()
    assert np.isfinite(demo[list(FLOW_FEATURES)].to_numpy(float)).all()


def test_category_counts():
    assert category_counts(FULL_FILE_ROWS) == FULL_FILE_COUNTS
    c = category_counts(30_000)
    assert sum(c.values()) == 30_000
    for cat in CATEGORIES:
        assert abs(c[cat] - FULL_FILE_COUNTS[cat] * 30_000 / FULL_FILE_ROWS) < 1
    small = category_counts(60)
    assert sum(small.values()) == 60 and min(small.values()) >= MIN_PER_CATEGORY
    assert small["Benign"] > small["Background"] > small["Probing"]
    assert category_counts(6 * MIN_PER_CATEGORY) == dict.fromkeys(CATEGORIES, MIN_PER_CATEGORY)
    with pytest.raises(ValueError):
        category_counts(6 * MIN_PER_CATEGORY - 1)


def test_class_proportions_and_labels(demo):
    assert demo["traffic_category"].value_counts().to_dict() == category_counts(30_000)
    attack = demo["traffic_category"].isin(ATTACK_CATEGORIES)
    assert (demo["Label"] == attack.astype(int)).all()
    assert demo["Label"].mean() == pytest.approx(37_696 / FULL_FILE_ROWS, abs=1e-3)


def test_every_row_satisfies_every_identity(demo):
    checks = check_flows(demo)
    assert checks.shape[1] == 23  # 22 identities + all
    assert checks["all"].all(), checks.mean()[checks.mean() < 1]


def test_small_tables_have_every_class_and_are_valid():
    small = simulate_flows(40, seed=5)
    assert set(small["traffic_category"]) == set(CATEGORIES)
    assert check_flows(small)["all"].all()
    assert list(small.columns) == list(COLUMNS)


def test_deterministic_per_seed():
    a, b, c = simulate_flows(3_000, seed=11), simulate_flows(3_000, seed=11), simulate_flows(3_000, seed=12)
    pd.testing.assert_frame_equal(a, b)
    assert not a[list(FLOW_FEATURES)].equals(c[list(FLOW_FEATURES)])
    assert not set(a["uid"]) & set(c["uid"])


def test_identifiers_look_real(demo):
    assert demo["uid"].is_unique
    assert demo["uid"].str.fullmatch(r"C[0-9A-Za-z]{12,17}").all()
    assert demo["uid"].str.len().isin([17, 18]).mean() > 0.95  # as in the real file
    ip = r"(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}"
    assert demo["originh"].str.fullmatch(ip).all() and demo["responh"].str.fullmatch(ip).all()
    assert demo["originp"].between(1024, 65535).all() and demo["responp"].between(1, 65535).all()


def test_attack_tools_take_originator_ports_in_sequence(demo):
    for cat, step in (("Bruteforce", 2), ("Bruteforce-XML", 2), ("Probing", 1)):
        ports = _by(demo, cat)["originp"].to_numpy()
        assert (np.diff(ports) == step).mean() > 0.99, cat
    benign = _by(demo, "Benign")["originp"].to_numpy()
    assert (np.abs(np.diff(benign)) <= 2).mean() < 0.01


def test_class_profiles(demo):
    packets = demo["fwd_pkts_tot"] + demo["bwd_pkts_tot"]
    med = packets.groupby(demo["traffic_category"]).median()
    assert med["Probing"] < med["Bruteforce"] and med["Probing"] < med["XMRIGCC CryptoMiner"]

    probing = _by(demo, "Probing")
    assert (probing["flow_SYN_flag_count"] >= 1).all() and packets[probing.index].between(1, 3).all()
    assert probing["responp"].nunique() > 300
    assert (probing["fwd_pkts_payload.tot"] == 0).all()

    for cat in ("Bruteforce", "Bruteforce-XML"):
        bf = _by(demo, cat)
        assert (bf["responp"] == 443).all()
        assert bf["fwd_pkts_tot"].median() in (14, 15) and 12 <= bf["bwd_pkts_tot"].median() <= 15
        assert 0.5 < bf["flow_duration"].median() < 20
        assert (bf[["flow_FIN_flag_count", "flow_SYN_flag_count", "flow_RST_flag_count"]] == 2).all().all()
        assert (bf["fwd_init_window_size"] == 29200).all() and (bf["bwd_init_window_size"] == 65160).all()
    xml, bf = _by(demo, "Bruteforce-XML"), _by(demo, "Bruteforce")
    assert xml["bwd_pkts_payload.tot"].median() == 5025
    assert xml["fwd_pkts_payload.max"].between(735, 750).all()
    assert abs(bf["bwd_pkts_payload.tot"].median() - 5025) > 1000

    miner = _by(demo, "XMRIGCC CryptoMiner")
    stratum = miner[miner["flow_duration"] > 30]
    assert len(stratum) > 0.5 * len(miner)
    assert stratum["idle.tot"].median() > 0.5 * stratum["flow_iat.tot"].median()
    assert stratum["fwd_pkts_payload.max"].median() < 600

    normal = demo[demo["Label"] == 0]
    assert (normal["flow_iat.tot"] == 0).mean() > 0.6  # mass at zero: single-packet flows
    assert (normal["responp"] == 53).mean() > 0.05
    assert normal["flow_iat.tot"].max() > 100e6 and normal["bwd_pkts_tot"].max() > 500  # heavy tails


def test_classes_overlap():
    """Benign look-alikes of every attack exist: some benign flows fall inside each attack's range."""
    demo = simulate_flows(30_000, seed=1)
    normal = demo[demo["Label"] == 0]
    sig = ["fwd_pkts_tot", "bwd_pkts_tot", "fwd_data_pkts_tot", "responp", "fwd_init_window_size"]
    for cat in ("Probing", "Bruteforce", "Bruteforce-XML"):
        keys = set(map(tuple, _by(demo, cat)[sig].to_numpy()))
        look_alike = np.array([tuple(r) in keys for r in normal[sig].to_numpy()])
        assert look_alike.sum() > 0.1 * len(_by(demo, cat)), cat
    periodic = normal[(normal["flow_duration"] > 60) & (normal["idle.tot"] > 0.5 * normal["flow_iat.tot"])]
    assert len(periodic) > len(_by(demo, "XMRIGCC CryptoMiner")) * 0.5


def test_csv_round_trip(tmp_path):
    path = write_demo_csv(tmp_path / "sub" / "demo.csv", n_rows=60, seed=2)
    assert path == tmp_path / "sub" / "demo.csv"
    first = path.read_text().splitlines()[0]
    assert first.startswith(",Unnamed: 0,uid,originh,originp,") and first.endswith(",traffic_category,Label")
    back = pd.read_csv(path)
    assert list(back.columns) == list(COLUMNS)
    assert back.dtypes.astype(str).to_dict() == DTYPES
    df = simulate_flows(60, seed=2)
    integral = [c for c in FLOW_FEATURES if DTYPES[c] == "float64" and (df[c] == df[c].round()).all()]
    assert integral  # all-integral float columns still read back as float64
    pd.testing.assert_frame_equal(back, df, check_exact=False, rtol=1e-12, atol=0)
    pd.testing.assert_frame_equal(pd.read_csv(path, float_precision="round_trip"), df, check_exact=True)


@pytest.mark.realdata
def test_csv_header_matches_the_real_file(tmp_path):
    if not FRAGMENT.exists():
        pytest.skip(f"real HIKARI fragment not found at {FRAGMENT}")
    path = write_demo_csv(tmp_path / "demo.csv", n_rows=30, seed=0)
    real_header = FRAGMENT.read_text().splitlines()[0]
    assert path.read_text().splitlines()[0] == real_header
    assert list(pd.read_csv(path).columns) == list(pd.read_csv(FRAGMENT).columns)
    assert re.fullmatch(r"C[0-9A-Za-z]{16,17}", pd.read_csv(FRAGMENT)["uid"].iloc[0])
