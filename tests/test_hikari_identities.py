"""The HIKARI flow identities: real rows pass, broken rows fail exactly where broken,
and ``repair_flows`` makes any finite table pass while keeping its base columns."""

import numpy as np
import pandas as pd
import pytest
from data_paths import SHARED

from benchmark.datasets.hikari_identities import (
    BASE_COLUMNS,
    COUNT_COLUMNS,
    DERIVED_COLUMNS,
    IDENTITIES,
    IDENTITY_NAMES,
    check_flows,
    repair_flows,
)
from benchmark.datasets.hikari_layout import FLOW_FEATURES, INT_FEATURES, STAT_GROUPS

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


def failing(df: pd.DataFrame) -> set[str]:
    checks = check_flows(df).drop(columns="all")
    return set(checks.columns[~checks.all().to_numpy()])


def test_identity_table_is_complete():
    assert len(IDENTITY_NAMES) == len(set(IDENTITY_NAMES)) == 22
    assert {f"stat_order_{g}" for g in STAT_GROUPS} <= set(IDENTITY_NAMES)
    for ident in IDENTITIES:
        assert set(ident.columns) <= set(FLOW_FEATURES), ident.name
        assert ident.tolerance and ident.description
    assert set(COUNT_COLUMNS) == INT_FEATURES
    assert set(BASE_COLUMNS) | set(DERIVED_COLUMNS) == set(FLOW_FEATURES)
    assert not set(BASE_COLUMNS) & set(DERIVED_COLUMNS)


@pytest.mark.realdata
def test_real_fragment_passes_every_identity(real):
    checks = check_flows(real)
    assert list(checks.columns) == [*IDENTITY_NAMES, "all"]
    assert len(checks) == 24
    assert checks.all().all(), checks.mean()[checks.mean() < 1]


@pytest.mark.realdata
def test_printing_precision_is_tolerated(real):
    """Rounded the way the real file prints (6 decimals), every identity still holds."""
    floats = [c for c in FLOW_FEATURES if c not in INT_FEATURES]
    rounded = real.copy()
    rounded[floats] = rounded[floats].round(6)
    assert check_flows(rounded)["all"].all()


def _set(df, col, fn):
    out = df.copy()
    out[col] = fn(out[col].astype(float))
    return out


BREAKS = [
    ("fwd_pkts_payload.avg", lambda x: x * 1.001, {"payload_avg_fwd"}),
    ("bwd_pkts_payload.avg", lambda x: x * 1.001, {"payload_avg_bwd"}),
    ("flow_pkts_payload.avg", lambda x: x * 1.001, {"payload_avg_flow"}),
    (
        "flow_pkts_payload.tot",
        lambda x: x + 1,
        {"payload_tot_flow", "payload_avg_flow", "rate_payload_bytes"},
    ),  # fmt: skip
    ("fwd_pkts_per_sec", lambda x: x * (1 + 1e-4), {"rate_fwd_pkts"}),
    ("bwd_pkts_per_sec", lambda x: x * (1 + 1e-4), {"rate_bwd_pkts"}),
    ("flow_pkts_per_sec", lambda x: x * (1 + 1e-4), {"rate_flow_pkts"}),
    ("payload_bytes_per_second", lambda x: x * (1 + 1e-4), {"rate_payload_bytes"}),
    ("down_up_ratio", lambda x: x * (1 + 1e-4), {"down_up_ratio"}),
    ("flow_iat.avg", lambda x: x * (1 + 1e-5), {"iat_avg_flow"}),
    ("fwd_iat.avg", lambda x: x * (1 + 1e-5), {"iat_avg_fwd"}),
    ("bwd_iat.avg", lambda x: x * (1 + 1e-5), {"iat_avg_bwd"}),
    ("fwd_URG_flag_count", lambda x: x + 0.5, {"counts_nonneg_int"}),
    ("flow_CWR_flag_count", lambda x: x - 1, {"counts_nonneg_int"}),
]


@pytest.mark.realdata
@pytest.mark.parametrize("col,fn,expected", BREAKS, ids=[b[0] for b in BREAKS])
def test_a_broken_real_row_fails_exactly_that_identity(real, col, fn, expected):
    row = real.iloc[[3]]
    assert failing(row) == set()
    assert failing(_set(row, col, fn)) == expected


@pytest.mark.realdata
def test_iat_total_must_match_duration(real):
    row = real.iloc[[5]].copy()
    n = row["fwd_pkts_tot"] + row["bwd_pkts_tot"]
    for shift, fails in ((60.0, set()), (-60.0, set()), (2_000.0, {"iat_tot_duration"})):
        broken = row.copy()
        broken["flow_iat.tot"] = row["flow_iat.tot"] + shift  # microseconds
        broken["flow_iat.avg"] = broken["flow_iat.tot"] / (n - 1)  # keep the avg identity
        assert failing(broken) == fails, shift


@pytest.mark.realdata
@pytest.mark.parametrize("group", STAT_GROUPS)
def test_stat_order_breaks_alone(real, group):
    row = real.iloc[[1]]
    broken = _set(row, f"{group}.max", lambda _: row[f"{group}.avg"].astype(float) * 0.99 - 1)
    assert failing(broken) == {f"stat_order_{group}"}
    broken = _set(row, f"{group}.min", lambda _: row[f"{group}.avg"].astype(float) * 1.01 + 1)
    assert failing(broken) == {f"stat_order_{group}"}


def _single_packet_row(**changes) -> pd.DataFrame:
    row = {c: 0.0 for c in FLOW_FEATURES}
    row.update({"fwd_pkts_tot": 1, "fwd_header_size_tot": 40, "fwd_header_size_min": 40})
    row.update({"fwd_header_size_max": 40, "flow_SYN_flag_count": 1, "fwd_init_window_size": 1024})
    row.update(changes)
    return pd.DataFrame([row])


def test_zero_duration_conventions():
    assert failing(_single_packet_row()) == set()
    # a rate with a zero duration, a ratio without forward packets, an IAT average with one packet
    assert failing(_single_packet_row(fwd_pkts_per_sec=1.0)) == {"rate_fwd_pkts"}
    assert failing(_single_packet_row(fwd_pkts_tot=0, bwd_pkts_tot=1, down_up_ratio=1.0)) == {"down_up_ratio"}
    assert failing(_single_packet_row(**{"flow_iat.avg": 5.0, "flow_iat.max": 5.0})) == {"iat_avg_flow"}
    # a single-packet flow with a duration has an IAT total it cannot have
    assert "iat_avg_flow" in failing(_single_packet_row(flow_duration=2.0, **{"flow_iat.tot": 2e6}))


def test_rate_of_a_duration_printed_as_zero_passes():
    """2 packets 0.3 us apart: the real file prints flow_duration 0.0 but the true rate."""
    row = _single_packet_row(bwd_pkts_tot=1, flow_pkts_per_sec=2 / 3e-7, fwd_pkts_per_sec=1 / 3e-7)
    row["bwd_pkts_per_sec"] = 1 / 3e-7
    row["down_up_ratio"] = 1.0
    row["flow_iat.tot"] = row["flow_iat.avg"] = row["flow_iat.min"] = row["flow_iat.max"] = 0.3
    row["bwd_header_size_tot"] = row["bwd_header_size_min"] = row["bwd_header_size_max"] = 20
    assert failing(row) == set()


def test_missing_columns_skip_their_identities():
    row = _single_packet_row().drop(columns=["flow_duration", "fwd_iat.avg", "idle.min"])
    names = set(check_flows(row).columns)
    assert not {"rate_fwd_pkts", "iat_tot_duration", "iat_avg_fwd", "stat_order_idle"} & names
    assert {"payload_avg_fwd", "down_up_ratio", "counts_nonneg_int", "all"} <= names


# -- repair ------------------------------------------------------------------------------
@pytest.mark.realdata
def test_repair_leaves_real_rows_as_they_are(real):
    fixed = repair_flows(real)
    pd.testing.assert_frame_equal(fixed[list(BASE_COLUMNS)], real[list(BASE_COLUMNS)], check_dtype=False)
    for c in DERIVED_COLUMNS:  # already right, up to print precision (flow_iat.tot: 43 us)
        np.testing.assert_allclose(fixed[c], real[c], rtol=2e-5, atol=1e-6, err_msg=c)
    assert check_flows(fixed)["all"].all()
    assert list(fixed.columns) == list(real.columns)
    ids = ["uid", "traffic_category", "Label"]
    pd.testing.assert_frame_equal(fixed[ids], real[ids])


@pytest.mark.realdata
def test_repair_makes_seed_gan_rows_valid(gan):
    assert check_flows(gan)["all"].mean() == 0.0
    fixed = repair_flows(gan)
    assert check_flows(fixed)["all"].all()
    assert gan.shape == fixed.shape and list(fixed.columns) == list(gan.columns)
    others = [c for c in gan.columns if c not in FLOW_FEATURES]  # Label, one-hot categories, ports
    pd.testing.assert_frame_equal(fixed[others], gan[others])
    counts = list(COUNT_COLUMNS)
    np.testing.assert_array_equal(fixed[counts], np.clip(np.rint(gan[counts]), 0, None))

    fwd, bwd = fixed["fwd_pkts_tot"], fixed["bwd_pkts_tot"]
    forced = {  # rows where the counts force a base column to 0
        "flow_duration": fwd + bwd <= 1,
        "fwd_pkts_payload.tot": fwd == 0,
        "bwd_pkts_payload.tot": bwd == 0,
        "fwd_iat.tot": fwd <= 1,
        "bwd_iat.tot": bwd <= 1,
        "fwd_pkts_payload.std": fwd == 0,
        "bwd_pkts_payload.std": bwd == 0,
        "flow_pkts_payload.std": fwd + bwd == 0,
        "fwd_iat.std": fwd <= 1,
        "bwd_iat.std": bwd <= 1,
        "flow_iat.std": fwd + bwd <= 1,
    }
    for c in BASE_COLUMNS:
        if c in COUNT_COLUMNS:
            continue
        mask = forced.get(c, pd.Series(False, index=gan.index))
        np.testing.assert_array_equal(fixed.loc[~mask, c], gan.loc[~mask, c], err_msg=c)
        assert (fixed.loc[mask, c] == 0).all(), c
    assert 0 < forced["flow_duration"].sum() < len(gan)  # the seed GAN does make such rows


def test_repair_handles_arbitrary_finite_input():
    rng = np.random.default_rng(7)
    raw = pd.DataFrame(
        rng.normal(0, 1, (500, len(FLOW_FEATURES))) * 10.0 ** rng.integers(-3, 6, len(FLOW_FEATURES))
    )
    raw.columns = list(FLOW_FEATURES)
    raw.iloc[:50] = 0.0
    before = raw.copy()
    fixed = repair_flows(raw)
    pd.testing.assert_frame_equal(raw, before)  # the input is not modified
    assert check_flows(fixed)["all"].all()
    assert (fixed["flow_duration"] >= 0).all()


def test_repair_works_on_partial_layouts_and_keeps_int_dtypes():
    rows = pd.concat([_single_packet_row()] * 3, ignore_index=True)
    rows["fwd_pkts_tot"] = rows["fwd_pkts_tot"].astype("int64")
    rows.loc[1, "fwd_pkts_tot"] = -4
    rows.loc[2, ["fwd_pkts_tot", "flow_duration", "fwd_pkts_payload.tot"]] = [3, 2.0, 300.0]
    partial = rows.drop(columns=["flow_iat.tot", "bwd_pkts_per_sec", "active.min"])
    fixed = repair_flows(partial)
    assert fixed["fwd_pkts_tot"].dtype == np.int64 and fixed.loc[1, "fwd_pkts_tot"] == 0
    assert check_flows(fixed)["all"].all()
    assert fixed.loc[2, "fwd_pkts_payload.avg"] == 100.0 and fixed.loc[2, "fwd_pkts_per_sec"] == 1.5
    assert list(fixed.columns) == list(partial.columns)
