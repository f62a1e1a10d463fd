"""Small generic flow tables written as CSV, for tests that run the whole harness
(``tests/test_isolation.py``, ``tests/test_hostile_inputs.py``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

# column names with the characters XGBoost rejects in feature names
ODD = {"bytes": "bytes[fwd]", "pkts": "pkts<1s", "flag": "flag]", "rate": "flow_pkts_per_sec"}


def flow_frame(seed: int = 0, sizes: dict | None = None) -> pd.DataFrame:
    """A benign class and attack classes with a heavy-tailed duration, counts with odd
    names, a binary flag, a service name (a categorical text column), a rate, an
    all-zero ``fwd_URG_flag_count`` column and the label column ``label``."""
    sizes = sizes or {"benign": 300, "probe": 80, "rare": 15}
    rng = np.random.default_rng(seed)
    parts = []
    for i, (cls, n) in enumerate(sizes.items()):
        parts.append(
            pd.DataFrame(
                {
                    "duration": rng.lognormal(i, 2.0, n),
                    ODD["bytes"]: np.round(rng.lognormal(5 + i, 2.0, n)).astype(int),
                    ODD["pkts"]: rng.poisson(2 + 3 * i, n),
                    ODD["flag"]: (rng.random(n) < 0.2 + 0.3 * i).astype(int),
                    "service": rng.choice(["http", "ssh", "dns"] if i == 0 else ["ssh", "smtp"], n),
                    ODD["rate"]: rng.gamma(2.0, 10.0 * (1 + i), n),
                    "fwd_URG_flag_count": np.zeros(n, dtype=int),
                    "label": cls,
                }
            )
        )
    df = pd.concat(parts, ignore_index=True)
    return df.iloc[rng.permutation(len(df))].reset_index(drop=True)


def write_flows(
    path: Path, seed: int = 0, sizes: dict | None = None, frame: pd.DataFrame | None = None
) -> Path:
    (flow_frame(seed, sizes) if frame is None else frame).to_csv(path, index=False)
    return path


def csv_args(path: Path, out: Path, samplers: str, models: str, *extra: str) -> list[str]:
    return [
        "run",
        "--dataset",
        "csv",
        "--data",
        str(path),
        "--label",
        "label",
        "--samplers",
        samplers,
        "--models",
        models,
        "--profile",
        "smoke",
        "--seeds",
        "0",
        "--out",
        str(out),
        *extra,
    ]


def run_dirs(out: Path) -> list[Path]:
    return (
        sorted(p for p in Path(out).iterdir() if p.is_dir() and not p.name.startswith("."))
        if Path(out).exists()
        else []
    )
