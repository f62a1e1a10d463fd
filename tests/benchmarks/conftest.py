"""Fixtures of the performance benchmarks (run with
``python -m pytest tests/benchmarks --benchmark-only``; skipped by default)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def _benchmarks_on(request):
    opt = request.config.getoption
    if opt("benchmark_skip", False) and not opt("benchmark_only", False):
        pytest.skip("benchmarks are skipped (run with --benchmark-only)")


@pytest.fixture(scope="session")
def demo_file(_benchmarks_on, tmp_path_factory):
    """A simulated HIKARI-layout file of 50,000 rows (written once)."""
    from benchmark.datasets.demo_simulator import write_demo_csv

    p = tmp_path_factory.mktemp("bench") / "demo50k.csv"
    write_demo_csv(p, n_rows=50_000, seed=0)
    return p


@pytest.fixture(scope="session")
def demo_ds(demo_file):
    from benchmark.datasets import load_dataset

    return load_dataset("hikari2021", demo_file)
