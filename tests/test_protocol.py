"""The protocol: splits per seed, the validation carve, duplicates, no leakage."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from benchmark.datasets.base import Dataset
from benchmark.errors import ConfigError
from benchmark.protocol import (
    ProtocolConfig,
    dedupe,
    default_protocol,
    duplicate_report,
    make_replicates,
)
from benchmark.schema import infer_schema


def toy(n_per=(200, 40, 10, 1), seed=0, split=False) -> Dataset:
    rng = np.random.default_rng(seed)
    names = ["benign", "a", "b", "c"]
    cats = np.concatenate([[nm] * k for nm, k in zip(names, n_per)])
    X = pd.DataFrame({"x": rng.normal(size=len(cats)), "k": rng.integers(0, 9, len(cats))})
    sp = pd.Series(np.where(np.arange(len(cats)) % 3 == 0, "test", "train")) if split else None
    return Dataset(
        "toy",
        X,
        pd.Series((cats != "benign").astype(int)),
        pd.Series(cats),
        infer_schema(X),
        ("benign",),
        split=sp,
    )


@pytest.mark.parametrize("name", ["holdout", "official", "cv"])
def test_parts_disjoint_and_cover(name):
    ds = toy(split=True)
    reps = make_replicates(ds, ProtocolConfig(name), seeds=[0, 1, 2])
    assert len(reps) == (6 if name == "cv" else 3)
    for r in reps:
        assert not set(r.fit) & set(r.test) and not set(r.val) & set(r.test) and not set(r.fit) & set(r.val)
        if name != "official":
            assert len(r.fit) + len(r.val) + len(r.test) == len(ds.X)
    if name == "cv":  # each row is tested exactly once per seed
        for seed in (0, 1, 2):
            tested = np.concatenate([r.test for r in reps if r.seed == seed])
            assert sorted(tested) == list(range(len(ds.X)))


@pytest.mark.parametrize("name", ["holdout", "official", "cv"])
def test_training_rows_vary_across_seeds(name):
    ds = toy(split=True)
    reps = make_replicates(ds, ProtocolConfig(name), seeds=[0, 1])
    a, b = reps[0], [r for r in reps if r.seed == 1][0]
    assert not np.array_equal(a.fit, b.fit)


def test_official_uses_official_test_and_subsamples_train():
    ds = toy(split=True)
    reps = make_replicates(ds, ProtocolConfig("official", subsample=0.5), seeds=[0])
    test = np.flatnonzero(ds.split == "test")
    assert np.array_equal(reps[0].test, test)
    n_train = int((ds.split == "train").sum())
    assert len(reps[0].fit) + len(reps[0].val) == pytest.approx(0.5 * n_train, abs=3)


def test_stratified_and_single_row_kept():
    ds = toy()
    r = make_replicates(ds, ProtocolConfig("holdout", test_share=0.2), seeds=[3])[0]
    cats = ds.category.to_numpy()
    assert (cats[r.test] == "benign").sum() == 40 and (cats[r.test] == "a").sum() == 8
    assert "c" not in set(cats[r.test])  # the single 'c' row cannot be split
    assert r.notes["single_row_categories_kept_in_training"] == ["c"]
    assert "c" in set(cats[r.fit])


def test_same_seed_same_split():
    ds = toy()
    a = make_replicates(ds, ProtocolConfig("holdout"), [5])[0]
    b = make_replicates(ds, ProtocolConfig("holdout"), [5])[0]
    assert np.array_equal(a.fit, b.fit) and np.array_equal(a.test, b.test)


def test_defaults_and_errors():
    assert default_protocol(toy(split=True)) == "official"
    assert default_protocol(toy()) == "holdout"
    with pytest.raises(ConfigError, match="no official split"):
        make_replicates(toy(), ProtocolConfig("official"), [0])
    with pytest.raises(ConfigError, match="unknown protocol"):
        make_replicates(toy(), ProtocolConfig("loo"), [0])


def test_duplicates_counted_and_removed():
    ds = toy()
    # make rows 0..9 copies of row 10 (same class), and one test-train copy with another label
    X = ds.X.copy()
    X.iloc[0:10] = X.iloc[10].to_numpy()
    ds = Dataset("d", X, ds.y, ds.category, ds.schema, ds.benign_categories)
    r = make_replicates(ds, ProtocolConfig("holdout"), [0])[0]
    rep = duplicate_report(ds, r)
    train = set(r.fit) | set(r.val)
    n_copies_train = len(train & set(range(11)))
    assert rep["duplicate_rows_within_train"] == max(0, n_copies_train - 1)
    assert rep["test_rows_seen_in_train"] == (len(set(r.test) & set(range(11))) if n_copies_train else 0)
    out, record = dedupe(ds)
    assert record["removed_rows"] == 10 and len(out.X) == len(ds.X) - 10
