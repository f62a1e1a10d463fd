"""Performance benchmarks, each beside a plain baseline (pytest-benchmark groups):

- ``load``:     our hikari2021 loader vs ``pandas.read_csv`` with default dtypes,
                on the same 50,000-row simulated file;
- ``fidelity``: ``benchmark.fidelity.suite.evaluate`` on 20,000 × 79 vs the
                study's own check (scipy's KS test per feature);
- ``gan``:      one epoch of ``network_traffic_gan`` (the whole plugin: encoding,
                training, sampling, schema repair) vs the bare training loop;
- ``cell``:     one full small cell (sampler, fidelity, detector, scores) vs the
                bare detector fit and predict on the same rows.

Run: ``python -m pytest tests/benchmarks --benchmark-only`` (skipped otherwise).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from benchmark.datasets import hikari_layout as L


# -- loading -----------------------------------------------------------------------------
@pytest.mark.benchmark(group="load")
def test_load_hikari_adapter(benchmark, demo_file):
    from benchmark.datasets.hikari import load_hikari

    ds = benchmark.pedantic(load_hikari, args=(demo_file,), rounds=3, iterations=1)
    assert ds.X.shape == (50_000, 80)
    benchmark.extra_info["feature_mb"] = round(ds.X.memory_usage(index=False).sum() / 2**20, 1)


@pytest.mark.benchmark(group="load")
def test_load_pandas_default(benchmark, demo_file):
    df = benchmark.pedantic(pd.read_csv, args=(demo_file,), rounds=3, iterations=1)
    assert df.shape == (50_000, 88)
    benchmark.extra_info["feature_mb"] = round(
        df[["responp", *L.FLOW_FEATURES]].memory_usage(index=False).sum() / 2**20, 1
    )


# -- fidelity ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def fidelity_tables(demo_ds):
    X = demo_ds.X[list(L.FLOW_FEATURES)]
    real = X.iloc[:20_000].reset_index(drop=True)
    rng = np.random.default_rng(0)
    synth = X.iloc[20_000:40_000].reset_index(drop=True)
    synth = synth * rng.uniform(0.95, 1.05, size=synth.shape)  # a near copy with noise
    return real, synth.astype(real.dtypes.to_dict())


@pytest.mark.benchmark(group="fidelity")
def test_fidelity_suite_20k_x_79(benchmark, fidelity_tables, demo_ds):
    from benchmark.fidelity.suite import evaluate

    real, synth = fidelity_tables
    schema = demo_ds.schema.without(["responp"])
    table, summary = benchmark.pedantic(
        evaluate, args=(real, synth, schema), kwargs={"random_state": 0}, rounds=2, iterations=1
    )
    assert len(table) == 79 and summary["n_real"] == 20_000


@pytest.mark.benchmark(group="fidelity")
def test_fidelity_baseline_ks_per_feature(benchmark, fidelity_tables):
    from scipy.stats import ks_2samp

    real, synth = fidelity_tables

    def ks_loop():
        return [ks_2samp(real[c].to_numpy(), synth[c].to_numpy()).statistic for c in real.columns]

    out = benchmark.pedantic(ks_loop, rounds=3, iterations=1)
    assert len(out) == 79


# -- one GAN epoch ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def probing(demo_ds):
    m = (demo_ds.category == "Probing").to_numpy()
    X = demo_ds.X[m].reset_index(drop=True)
    return X, pd.Series(["Probing"] * len(X), name="category"), demo_ds.schema.with_constants_of(X)


@pytest.mark.benchmark(group="gan")
def test_gan_one_epoch_plugin(benchmark, probing):
    from methods.network_traffic_gan import NetworkTrafficGAN

    X, y, schema = probing

    def fit():
        return NetworkTrafficGAN(epochs=1, batch_size=32).fit_resample(
            X, y, schema=schema, targets={"Probing": len(X) + 500}, random_state=0
        )

    res = benchmark.pedantic(fit, rounds=3, iterations=1)
    assert int(res.synthetic.sum()) == 500
    benchmark.extra_info["rows"] = len(X)


@pytest.mark.benchmark(group="gan")
def test_gan_one_epoch_bare_loop(benchmark, probing):
    from methods.gan.nets import Discriminator, Generator
    from methods.gan.training import TrainSpec, resolve_device, train_gan
    from methods.gan.transforms import Codec, make_plan

    X, _, _ = probing
    codec = Codec(make_plan([X], list(X.columns), method="minmax")).fit(X)
    data = codec.encode(X)
    device, _ = resolve_device("cpu")

    def loop():
        G, D = Generator(codec.width), Discriminator(codec.width)
        return train_gan(G, D, data, TrainSpec(epochs=1, batch_size=32), device=device)

    benchmark.pedantic(loop, rounds=3, iterations=1)
    benchmark.extra_info["rows"] = len(X)


# -- one full small cell -------------------------------------------------------------------
@pytest.fixture(scope="module")
def small(demo_ds):
    from benchmark.datasets.base import Dataset
    from benchmark.protocol import ProtocolConfig, make_replicates

    keep = np.sort(np.random.default_rng(0).choice(len(demo_ds.X), 5_000, replace=False))
    ds = Dataset(
        name="demo5k",
        X=demo_ds.X.iloc[keep].reset_index(drop=True),
        y=demo_ds.y.iloc[keep].reset_index(drop=True),
        category=demo_ds.category.iloc[keep].reset_index(drop=True),
        schema=demo_ds.schema,
        benign_categories=demo_ds.benign_categories,
    )
    return ds, make_replicates(ds, ProtocolConfig("holdout"), [0])[0]


@pytest.mark.benchmark(group="cell")
def test_cell_full_small(benchmark, small):
    from benchmark.cell import GroupSpec, run_group

    ds, rep = small
    spec = GroupSpec(sampler="smote", detectors=["rf"], profile="smoke", strategy="0.25")
    records, _ = benchmark.pedantic(run_group, args=(ds, rep, spec), rounds=3, iterations=1)
    assert records[0]["status"] == "ok", records[0].get("error")


@pytest.mark.benchmark(group="cell")
def test_cell_bare_detector(benchmark, small):
    from sklearn.ensemble import RandomForestClassifier

    ds, rep = small

    def bare():
        m = RandomForestClassifier(n_estimators=20, max_depth=12, n_jobs=2, random_state=0)
        m.fit(ds.X.iloc[rep.fit].to_numpy(np.float32), ds.y.iloc[rep.fit].to_numpy())
        return m.predict_proba(ds.X.iloc[rep.test].to_numpy(np.float32))

    benchmark.pedantic(bare, rounds=3, iterations=1)
