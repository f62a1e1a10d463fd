"""The flow-validity checker on real rows, the seed study's GAN output and demo rows."""

import pandas as pd
import pytest
from data_paths import SHARED

from benchmark.datasets.demo_simulator import simulate_flows
from benchmark.datasets.hikari_identities import IDENTITY_NAMES, repair_flows
from benchmark.datasets.hikari_layout import INT_FEATURES
from benchmark.errors import DataError
from benchmark.fidelity.validity import flow_validity, traffic_categories

DATA = SHARED  # ../shared/data or $IDS_BENCH_DATA
FRAGMENT = DATA / "hikari2021" / "ALLFLOWMETER_HIKARI2021_fragment.csv"
SEED_GAN = DATA / "seed-gan-output" / "synthetic_network_traffic.csv"


@pytest.fixture(scope="module")
def real():
    if not FRAGMENT.exists():
        pytest.skip(f"real HIKARI fragment not found at {FRAGMENT}")
    return pd.read_csv(FRAGMENT)


@pytest.fixture(scope="module")
def gan():
    if not SEED_GAN.exists():
        pytest.skip(f"seed GAN output not found at {SEED_GAN}")
    return pd.read_csv(SEED_GAN)


def _keys():
    return {
        "n_rows", "all", "stat_order_all", "tot_avg_rate_all", "count_integer_share",
        *IDENTITY_NAMES, *(f"integer_share.{c}" for c in INT_FEATURES),
    }  # fmt: skip


@pytest.mark.realdata
def test_real_fragment_is_fully_valid(real):
    v = flow_validity(real)
    assert set(v) == _keys()
    assert v["n_rows"] == 24
    assert all(v[k] == 1.0 for k in v if k != "n_rows"), {k: x for k, x in v.items() if x != 1.0}


@pytest.mark.realdata
def test_seed_gan_output_figures(gan):
    """The figures measured on the seed study's GAN output (see shared/data/README.md)."""
    cats = traffic_categories(gan).value_counts().to_dict()
    assert cats == {"Benign": 822, "Background": 178}
    v = flow_validity(gan)
    assert set(v) == _keys()
    assert v["n_rows"] == 1000
    assert v["stat_order_all"] == pytest.approx(0.046, abs=0.0005)
    assert v["tot_avg_rate_all"] < 0.01
    assert v["all"] == 0.0 and v["counts_nonneg_int"] == 0.0
    for name in ("payload_avg_fwd", "payload_avg_flow", "payload_tot_flow", "iat_avg_flow"):
        assert v[name] < 0.01, name
    for name in IDENTITY_NAMES:
        if name.startswith(("rate_", "iat_avg", "payload_avg")) or name == "down_up_ratio":
            assert v[name] < 0.05, name
    shares = [v[f"integer_share.{c}"] for c in INT_FEATURES]
    assert 0.0 <= min(shares) and max(shares) == pytest.approx(0.16, abs=0.005)
    assert v["integer_share.fwd_pkts_tot"] == pytest.approx(0.155, abs=0.002)
    assert 0.03 <= v["count_integer_share"] <= 0.045
    assert 0.01 <= sorted(shares)[len(shares) // 2] <= 0.05  # the median column


@pytest.mark.realdata
def test_repaired_seed_gan_output_is_valid(gan):
    v = flow_validity(repair_flows(gan))
    assert v["all"] == 1.0 and v["count_integer_share"] == 1.0 and v["stat_order_all"] == 1.0


def test_demo_rows_are_valid():
    v = flow_validity(simulate_flows(2_000, seed=3))
    assert v["n_rows"] == 2_000
    assert all(v[k] == 1.0 for k in v if k != "n_rows")


def test_partial_layouts():
    df = pd.DataFrame({"fwd_pkts_tot": [1.0, 2.5], "bwd_pkts_tot": [0, 1], "down_up_ratio": [0.0, 0.4]})
    v = flow_validity(df)
    assert v["down_up_ratio"] == 1.0
    assert v["counts_nonneg_int"] == 0.5 and v["integer_share.fwd_pkts_tot"] == 0.5
    assert v["count_integer_share"] == 0.75
    assert v["tot_avg_rate_all"] == 1.0 and "stat_order_all" not in v
    assert flow_validity(pd.DataFrame({"x": [1.0]})) == {"n_rows": 1, "all": 1.0}


def test_traffic_categories_of_both_layouts():
    named = pd.DataFrame({"traffic_category": ["Probing", "Benign"]})
    assert list(traffic_categories(named)) == ["Probing", "Benign"]
    onehot = pd.DataFrame({"traffic_category_Benign": [0.9, 0.1], "traffic_category_Probing": [0.1, 0.7]})
    assert list(traffic_categories(onehot)) == ["Benign", "Probing"]
    with pytest.raises(DataError):
        traffic_categories(pd.DataFrame({"Label": [0]}))
