"""The rules specific to each added sampler (the shared rules: tests/test_conformance.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from benchmark.plugins import Context
from benchmark.registry import samplers
from benchmark.schema import ColumnSpec, TableSchema
from benchmark.strategy import SamplingStrategy
from benchmark.testing import RARE, conformance_table


def fit(name, X, y, schema, targets, seed=0, **params):
    return samplers.get(name)(**params).fit_resample(
        X, y, schema=schema, targets=targets, random_state=seed, context=Context()
    )


def separated_table(n_benign=200, n_attack=30):
    """An attack class far from every benign row (no neighbour of another class)."""
    rng = np.random.default_rng(0)
    X = pd.DataFrame(
        {
            "a": np.r_[rng.normal(0, 1, n_benign), rng.normal(1000, 1, n_attack)],
            "b": np.r_[rng.normal(0, 1, n_benign), rng.normal(1000, 1, n_attack)],
        }
    )
    y = pd.Series(["benign"] * n_benign + ["far"] * n_attack, name="category")
    return X, y, TableSchema([ColumnSpec("a"), ColumnSpec("b")])


def test_explicit_strategy_keys_are_every_attack_class():
    t = SamplingStrategy.parse("q=50").targets({"benign": 10, "p": 300, "q": 10}, ["p", "q"])
    assert t == {"p": 300, "q": 50}  # p unnamed: at its own count, still an attack class


def test_random_undersampling_reaches_the_oversamplers_ratio():
    X, y, schema, targets = conformance_table(n_benign=2000, n_attack=100, n_rare=20)
    res = fit("random_undersampling", X, y, schema, targets)
    counts = res.y.value_counts()
    attack = counts["attack"] + counts[RARE]
    assert attack == 120  # no attack row removed
    goal = sum(targets.values()) / 2000  # what an oversampler reaches: 1200 attack rows vs 2000 benign
    assert attack / counts["benign"] == pytest.approx(goal, rel=0.01)
    assert res.info["attack_to_benign_goal"] == pytest.approx(goal)
    assert "floor_applied" not in res.info
    assert not res.synthetic.any() and res.requested == {}


def test_random_undersampling_never_goes_below_its_floor():
    X, y, schema, targets = conformance_table(n_benign=200, n_attack=10, n_rare=5)
    res = fit("random_undersampling", X, y, schema, targets, min_rows=150)
    assert (res.y == "benign").sum() == 150
    assert "min_rows=150" in res.info["floor_applied"]["benign"]
    with pytest.raises(TypeError):
        samplers.get("random_undersampling")(min_rows=0)


def test_class_weights_make_each_attack_class_weigh_its_target():
    X, y, schema, targets = conformance_table()
    res = fit("class_weights", X, y, schema, targets)
    w = pd.Series(res.sample_weight)
    for c, t in targets.items():
        assert w[(y == c).to_numpy()].sum() == pytest.approx(t)
    assert (w[(y == "benign").to_numpy()] == 1).all()
    pd.testing.assert_frame_equal(res.X, X)


def test_adasyn_exact_counts_and_recorded_fallback_without_other_class_neighbours():
    X, y, schema, targets = conformance_table()
    res = fit("adasyn", X, y, schema, targets)
    assert res.y_synthetic.value_counts().to_dict() == {
        c: t - int((y == c).sum()) for c, t in targets.items()
    }
    assert all(v >= targets[c] - int((y == c).sum()) for c, v in res.info["adasyn_generated"].items())
    X, y, schema = separated_table()
    res = fit("adasyn", X, y, schema, {"far": 100})
    assert (
        "ADASYN undefined" in res.info["fallbacks"]["far"] and "plain SMOTE" in res.info["fallbacks"]["far"]
    )
    assert int(res.synthetic.sum()) == 70


def test_borderline_smote_falls_back_when_no_row_is_in_danger():
    X, y, schema = separated_table()
    res = fit("borderline_smote", X, y, schema, {"far": 100})
    assert "no row in danger" in res.info["fallbacks"]["far"]
    assert int(res.synthetic.sum()) == 70
    assert (res.X_synthetic["a"] > 900).all()  # interpolated within the class


def test_smote_variants_keep_categorical_codes_of_the_class():
    X, y, schema, targets = conformance_table()
    for name in ("borderline_smote", "adasyn"):
        res = fit(name, X, y, schema, targets)
        for c in targets:
            seen = set(X.loc[(y == c).to_numpy(), "service"])
            made = set(res.X_synthetic.loc[(res.y_synthetic == c).to_numpy(), "service"])
            assert made <= seen, (name, c, made - seen)


def test_smote_tomek_removes_links_and_records_them():
    X, y, schema, targets = conformance_table()
    res = fit("smote_tomek", X, y, schema, targets)
    removed = res.info["tomek_removed"]
    n_removed = sum(v["real"] + v["synthetic"] for v in removed.values())
    assert n_removed > 0
    assert len(res.X) == len(X) + sum(res.requested.values()) - n_removed
    real_removed = sum(v["real"] for v in removed.values())
    assert int((~res.synthetic).sum()) == len(X) - real_removed


def test_smote_tomek_leaves_a_high_cardinality_code_out_of_the_distance():
    X, y, schema, targets = conformance_table()
    res = fit("smote_tomek", X, y, schema, targets, max_onehot_codes=3)
    assert "service" in res.info["tomek_distance_excludes"]


@pytest.mark.parametrize("name", ("tvae", "gaussian_copula"))
def test_sdv_metadata_is_explicit_from_the_schema(name):
    from methods._sdv import TABLE, sdv_metadata

    X, y, schema, targets = conformance_table()
    md = sdv_metadata(X.columns, schema).to_dict()["tables"][TABLE]
    sdtypes = {c: v["sdtype"] for c, v in md["columns"].items()}
    assert sdtypes == {c: ("categorical" if c == "service" else "numerical") for c in X.columns}
    assert not md.get("primary_key")
    params = {"epochs": 1} if name == "tvae" else {}
    s = samplers.get(name)(**params)
    s.fit_resample(X, y, schema=schema, targets=targets, random_state=0, context=Context())
    model, const = s.models["attack"]
    fitted = model.get_metadata().to_dict()["tables"][TABLE]["columns"]
    assert {c: v["sdtype"] for c, v in fitted.items()} == {c: sdtypes[c] for c in fitted}
    assert "urg_flag_count]" in const  # a constant column: passed through, not modelled


def test_max_fit_rows_subsamples_and_records():
    X, y, schema, _ = conformance_table(n_benign=50, n_attack=120)
    res = fit("gaussian_copula", X, y, schema, {"attack": 150}, max_fit_rows=40)
    rec = res.info["training"]["models"]["attack"]
    assert rec["rows"] == 120 and rec["rows_fitted"] == 40
    assert "max_fit_rows" in rec["fallbacks"][0]


def test_smote_with_a_wide_categorical_column_uses_one_hot_and_keeps_class_codes():
    """HIKARI's responp has tens of thousands of codes: SMOTENC's neighbour vote would
    allocate (new rows × k × codes) floats; smote switches to the one-hot encoding,
    records it, and every new row takes a code the class has."""
    from benchmark.schema import infer_schema
    from methods.smote import SMOTENC_MAX_CODES, Smote

    rng = np.random.default_rng(0)
    n_b, n_a = 600, 60
    X = pd.DataFrame(
        {
            "dur": np.r_[rng.lognormal(0, 1, n_b), rng.lognormal(2, 1, n_a)],
            "port": np.r_[
                rng.choice(np.arange(1000, 1000 + 3 * SMOTENC_MAX_CODES), n_b), rng.choice([22, 80, 443], n_a)
            ],
        }
    )
    y = pd.Series(["benign"] * n_b + ["attack"] * n_a)
    schema = infer_schema(X, categorical=("port",))
    res = Smote().fit_resample(X, y, schema=schema, targets={"attack": 300}, random_state=0)
    new = res.X[res.synthetic]
    assert len(new) == 240 and (res.y[res.synthetic] == "attack").all()
    assert set(new["port"].unique()) <= {22, 80, 443}
    assert "one-hot SMOTE instead of SMOTENC: port" in res.info["fallbacks"]["attack"]
    # more ports than MAX_ONEHOT_CODES: left out of the neighbour distance, and recorded
    n = X["port"].nunique()
    assert n > 256 and res.info["distance_excludes"]["attack"] == {
        "port": f"{n} codes > max_onehot_codes=256"
    }
    # the numerical column is interpolated inside the class's range
    a = X["dur"][y == "attack"]
    assert new["dur"].between(a.min(), a.max()).all() and new["dur"].nunique() > 200


def wide_code_table(n_b=600, n_a=80, codes=400):
    rng = np.random.default_rng(1)
    X = pd.DataFrame(
        {
            "dur": np.r_[rng.lognormal(0, 1, n_b), rng.lognormal(1, 1, n_a)],
            "bytes": np.r_[rng.lognormal(3, 1, n_b), rng.lognormal(3.5, 1, n_a)],
            "proto": np.r_[rng.choice([6, 17], n_b), rng.choice([6, 17, 1], n_a)],
            "port": np.r_[rng.choice(np.arange(1000, 1000 + codes), n_b), rng.choice([22, 80, 443], n_a)],
        }
    )
    y = pd.Series(["benign"] * n_b + ["attack"] * n_a)
    from benchmark.schema import infer_schema

    return X, y, infer_schema(X, categorical=("proto", "port"))


def test_column_neighbors_search_the_kept_columns_and_equal_the_full_search_without_exclusions():
    from sklearn.neighbors import NearestNeighbors

    from methods._smote_variants import ColumnNeighbors, OneHot

    X, y, schema = wide_code_table()
    enc = OneHot(X, schema)
    Z = enc.encode(X)
    cols, left_out = enc.distance_columns(256)
    assert left_out == ["port"] and len(cols) == 2 + 3  # dur, bytes and proto's 3 codes
    got = ColumnNeighbors(n_neighbors=6, columns=cols).fit(Z).kneighbors(Z[:50], return_distance=False)
    want = NearestNeighbors(n_neighbors=6).fit(Z[:, cols].toarray()).kneighbors(Z[:50, cols].toarray())[1]
    assert (got == want).all()
    # nothing above the cap (NSL-KDD's 70 services): the same neighbours as the sparse search
    all_cols, none_out = enc.distance_columns(10_000)
    assert none_out == [] and len(all_cols) == Z.shape[1]
    dense = ColumnNeighbors(n_neighbors=6, columns=all_cols).fit(Z).kneighbors(Z[:50], return_distance=False)
    sparse_nn = NearestNeighbors(n_neighbors=6).fit(Z).kneighbors(Z[:50], return_distance=False)
    assert (dense == sparse_nn).all()


@pytest.mark.parametrize("name", ("adasyn", "borderline_smote"))
def test_knn_variants_leave_a_wide_column_out_of_the_distance_and_still_decode_it(name):
    X, y, schema = wide_code_table()
    res = fit(name, X, y, schema, {"attack": 300})
    n = X["port"].nunique()
    assert n > 256 and res.info["distance_excludes"]["attack"] == {
        "port": f"{n} codes > max_onehot_codes=256"
    }
    new = res.X_synthetic
    assert len(new) == 220 and set(new["port"]) <= {22, 80, 443} and set(new["proto"]) <= {1, 6, 17}
    wide = fit(name, X, y, schema, {"attack": 300}, max_onehot_codes=1000)
    assert "distance_excludes" not in wide.info


def test_smote_tomek_search_budget_is_a_noop_within_it_and_recorded_above_it():
    X, y, schema, targets = conformance_table()
    plain = fit("smote_tomek", X, y, schema, targets)
    n = len(X) + sum(plain.requested.values())
    within = fit("smote_tomek", X, y, schema, targets, max_search_rows=n)
    pd.testing.assert_frame_equal(plain.X, within.X)
    assert "tomek_search" not in within.info
    capped = fit("smote_tomek", X, y, schema, targets, max_search_rows=n // 2)
    assert (
        capped.info["tomek_search"]
        == f"links searched among a random {n // 2} of the {n} resampled rows (max_search_rows)"
    )
    removed = sum(v["real"] + v["synthetic"] for v in capped.info["tomek_removed"].values())
    assert 0 < removed < sum(v["real"] + v["synthetic"] for v in plain.info["tomek_removed"].values())
    assert len(capped.X) == n - removed


@pytest.mark.parametrize("name", ("ctgan", "tvae", "gaussian_copula"))
def test_per_class_fits_in_worker_processes_give_the_same_rows(name):
    from benchmark.resources import Measure

    X, y, schema, _ = conformance_table(n_benign=60, n_attack=40)
    y = y.where(~((y == "attack") & (np.arange(len(y)) % 2 == 0)), "attack2")  # two attack classes
    targets = {"attack": 40, "attack2": 40}
    budget = {"epochs": 2, "batch_size": 20} if name != "gaussian_copula" else {}
    one = fit(name, X, y, schema, targets, seed=3, n_jobs=1, **budget)
    with Measure() as m:
        two = fit(name, X, y, schema, targets, seed=3, n_jobs=2, **budget)
    pd.testing.assert_frame_equal(one.X, two.X)
    assert (
        one.info["training"]["models"].keys()
        == two.info["training"]["models"].keys()
        == {"attack", "attack2"}
    )
    # the workers' CPU is counted in the parent's measure (it does nothing but wait)
    assert m.cpu_seconds > 0.5 * sum(r["fit_seconds"] for r in two.info["training"]["models"].values())


def _pid_and_draw(seed):
    import os

    from benchmark.seeding import seeded

    with seeded(seed):
        return os.getpid(), float(np.random.random())


def test_fit_each_uses_worker_processes_and_keeps_order_and_seeds():
    import os

    from benchmark.processes import fit_each

    here = fit_each(_pid_and_draw, [(1,), (2,), (3,)], 1)
    there = fit_each(_pid_and_draw, [(1,), (2,), (3,)], 2)
    assert {p for p, _ in here} == {os.getpid()} and os.getpid() not in {p for p, _ in there}
    assert [d for _, d in here] == [d for _, d in there]
    own = fit_each(_pid_and_draw, [(1,), (2,), (3,)], 2, release=True)  # a pool of its own
    assert [d for _, d in own] == [d for _, d in here]
    for pid in {p for p, _ in own}:  # its workers have exited
        assert pid != os.getpid() and not os.path.exists(f"/proc/{pid}")
