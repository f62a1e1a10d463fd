"""Shared fixtures.  Real data is read from ../shared/data beside the checkout, or from
the folder in the environment variable IDS_BENCH_DATA (never copied into the repo);
tests that need it skip, with the reason, when it is absent."""

from __future__ import annotations

from pathlib import Path

import pytest
from data_paths import SHARED

NSL_DIR = SHARED / "nsl-kdd"
HIKARI_FRAGMENT = SHARED / "hikari2021" / "ALLFLOWMETER_HIKARI2021_fragment.csv"
SEED_GAN_OUTPUT = SHARED / "seed-gan-output" / "synthetic_network_traffic.csv"


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"real data not available: {path} (set IDS_BENCH_DATA to the data folder; see README.md)")
    return path


@pytest.fixture(scope="session")
def nsl_dir() -> Path:
    return need(NSL_DIR)


@pytest.fixture(scope="session")
def hikari_fragment() -> Path:
    return need(HIKARI_FRAGMENT)


@pytest.fixture(scope="session")
def seed_gan_output() -> Path:
    return need(SEED_GAN_OUTPUT)


@pytest.fixture(scope="session")
def nsl(nsl_dir):
    from benchmark.datasets import load_dataset

    return load_dataset("nsl-kdd", nsl_dir)


@pytest.fixture(scope="session")
def demo_csv(tmp_path_factory) -> Path:
    from benchmark.datasets.demo_simulator import write_demo_csv

    p = tmp_path_factory.mktemp("demo") / "demo.csv"
    write_demo_csv(p, n_rows=3000, seed=0)
    return p


@pytest.fixture(scope="session")
def demo(demo_csv):
    from benchmark.datasets import load_dataset

    return load_dataset("hikari2021", demo_csv)
