"""The ``demo`` dataset, the embedded default: simulated flows written in the
exact HIKARI-2021 file layout and read back through the ``hikari2021`` adapter,
so the default run exercises the real-data path end to end."""

from __future__ import annotations

import os
from pathlib import Path

from benchmark.datasets.base import Dataset
from benchmark.datasets.hikari import load_hikari

DEFAULT_ROWS = 30_000


def demo_path(cache_dir: str | Path, rows: int, seed: int) -> Path:
    return Path(cache_dir) / f"hikari_demo_rows{rows}_seed{seed}.csv"


def load_demo(
    data: str | Path | None = None,
    *,
    demo_rows: int = DEFAULT_ROWS,
    demo_seed: int = 0,
    cache_dir: str | Path = "results/.demo",
    **options,
) -> Dataset:
    """Write (once) and read the simulated file; ``data`` may name the file to write."""
    from benchmark.datasets.demo_simulator import write_demo_csv

    path = Path(data) if data else demo_path(cache_dir, demo_rows, demo_seed)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        write_demo_csv(tmp, n_rows=demo_rows, seed=demo_seed)
        os.replace(tmp, path)
    ds = load_hikari(path, **options)
    ds.name = "demo"
    ds.source.update({"simulator": "benchmark.datasets.demo_simulator", "rows": demo_rows, "seed": demo_seed})
    return ds
