"""Small samples of real and synthetic rows kept for the report's figures
(histograms, correlation heatmaps): at most ``max_rows`` per class and side."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

FILE = "samples.csv.gz"


def save_samples(workdir: str | Path | None, real: dict, synth: dict, seed: int, max_rows: int = 2000):
    """``real`` / ``synth``: class → DataFrame.  Writes one gzipped CSV in ``workdir``."""
    if workdir is None or not synth:
        return None
    parts = []
    for side, frames in (("real", real), ("synthetic", synth)):
        for cls, df in frames.items():
            d = df.sample(min(len(df), max_rows), random_state=seed) if len(df) > max_rows else df
            d = d.copy()
            d.insert(0, "_class", cls)
            d.insert(0, "_side", side)
            parts.append(d)
    path = Path(workdir) / FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{FILE}.tmp")
    pd.concat(parts, ignore_index=True).to_csv(tmp, index=False, compression="gzip")
    tmp.replace(path)
    return path


def load_samples(path: str | Path) -> pd.DataFrame:
    return pd.read_csv(path, compression="gzip")
