"""Training and sampling throughput: the faithful NetworkTrafficGAN beside CTGAN.

Skipped by default; run ``pytest tests/benchmarks/test_bench_gan.py --benchmark-only``.
Both learn the same 1,000 demo rows of one class (Probing: ``responp`` + the 79
flow features).  Per-epoch time is the training loop alone: the GAN's min-max
scaling is a few milliseconds, but CTGAN's data transformer (a Bayesian GMM per
continuous column) takes far longer than an epoch, so it is fitted once, outside
the timing, and handed to CTGAN pre-fitted.  Each test records in
``extra_info``: seconds per epoch, rows x epochs per second (training) or rows
per second (sampling), batch size and torch's intra-op thread count (each
training benchmark runs with 1 and with 2 threads, the same for both models;
the GAN samplers train with ``methods.gan.training.CPU_THREADS`` = 1).
"""

from __future__ import annotations

import time

import numpy as np
import pytest
import torch

from benchmark.datasets.demo_simulator import simulate_flows
from benchmark.datasets.hikari_layout import FLOW_FEATURES
from methods.gan.nets import Discriminator, Generator
from methods.gan.training import TrainSpec, cpu_threads, generate, seeded, train_gan
from methods.gan.transforms import Codec, make_plan

ROWS = 1_000
EPOCHS = 5
SAMPLE_ROWS = 10_000
CPU = torch.device("cpu")


@pytest.fixture(scope="module")
def rows():
    df = simulate_flows(30_000, seed=0)
    X = df[df["traffic_category"] == "Probing"][["responp", *FLOW_FEATURES]]
    assert len(X) >= ROWS
    return X.iloc[:ROWS].reset_index(drop=True).astype(float)


def _gan(rows, batch_size, epochs=EPOCHS):
    codec = Codec(make_plan([rows], list(rows.columns), method="minmax")).fit(rows)
    data = codec.encode(rows)
    with seeded(0, CPU):
        G, D = Generator(codec.width), Discriminator(codec.width)
        res = train_gan(G, D, data, TrainSpec(epochs=epochs, batch_size=batch_size), device=CPU)
    return G, codec, res


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("batch_size", [32, 500])
def test_bench_gan_training(benchmark, rows, batch_size, threads, monkeypatch):
    import methods.gan.training as training

    monkeypatch.setattr(training, "CPU_THREADS", threads)
    results = []

    def run():
        results.append(_gan(rows, batch_size)[2])

    benchmark.pedantic(run, rounds=3, iterations=1, warmup_rounds=1)
    per_epoch = float(np.median([r.seconds / r.epochs_run for r in results[1:]]))
    benchmark.extra_info.update(
        seconds_per_epoch=per_epoch,
        rows_x_epochs_per_second=ROWS / per_epoch,
        batch_size=batch_size,
        torch_threads=threads,
        rows=ROWS,
        epochs=EPOCHS,
    )


def test_bench_gan_sampling(benchmark, rows):
    G, codec, _ = _gan(rows, 32, epochs=1)
    out = benchmark.pedantic(
        lambda: codec.decode(generate(G, SAMPLE_ROWS, device=CPU, seed=1)),
        rounds=5,
        iterations=1,
        warmup_rounds=1,
    )
    assert len(out) == SAMPLE_ROWS
    benchmark.extra_info.update(rows_per_second=SAMPLE_ROWS / benchmark.stats["median"])


class _Prefitted:
    """A fitted ctgan DataTransformer whose ``fit`` is a no-op and whose ``transform``
    of the benchmark rows is cached, so that CTGAN.fit times its training alone."""

    def __init__(self, transformer, data):
        self._t, self._data = transformer, transformer.transform(data)

    def fit(self, *args, **kwargs):
        return None

    def transform(self, data):
        return self._data

    def __getattr__(self, name):
        return getattr(self._t, name)


@pytest.fixture(scope="module")
def ctgan_transformer(rows):
    from ctgan.data_transformer import DataTransformer

    t = DataTransformer()
    t.fit(rows, ["responp"])
    return _Prefitted(t, rows)


@pytest.mark.parametrize(("batch_size", "threads"), [(500, 1), (100, 1), (500, 2)])
def test_bench_ctgan_training(benchmark, rows, ctgan_transformer, monkeypatch, batch_size, threads):
    import ctgan.synthesizers.ctgan as ctgan_module
    from ctgan import CTGAN

    monkeypatch.setattr(ctgan_module, "DataTransformer", lambda: ctgan_transformer)
    times = []

    def run():
        model = CTGAN(epochs=EPOCHS, batch_size=batch_size, enable_gpu=False)
        model.set_random_state(0)
        with cpu_threads(CPU, threads):  # the same thread counts as the GAN's runs
            t0 = time.perf_counter()
            model.fit(rows, discrete_columns=["responp"])
            times.append(time.perf_counter() - t0)

    benchmark.pedantic(run, rounds=3, iterations=1, warmup_rounds=1)
    per_epoch = float(np.median(times[1:])) / EPOCHS
    benchmark.extra_info.update(
        seconds_per_epoch=per_epoch,
        rows_x_epochs_per_second=ROWS / per_epoch,
        batch_size=batch_size,
        torch_threads=threads,
        rows=ROWS,
        epochs=EPOCHS,
    )


def test_bench_ctgan_sampling(benchmark, rows, ctgan_transformer, monkeypatch):
    import ctgan.synthesizers.ctgan as ctgan_module
    from ctgan import CTGAN

    monkeypatch.setattr(ctgan_module, "DataTransformer", lambda: ctgan_transformer)
    model = CTGAN(epochs=1, batch_size=500, enable_gpu=False)
    model.set_random_state(0)
    model.fit(rows, discrete_columns=["responp"])
    with cpu_threads(CPU):
        out = benchmark.pedantic(lambda: model.sample(SAMPLE_ROWS), rounds=5, iterations=1, warmup_rounds=1)
    assert len(out) == SAMPLE_ROWS
    benchmark.extra_info.update(rows_per_second=SAMPLE_ROWS / benchmark.stats["median"])
