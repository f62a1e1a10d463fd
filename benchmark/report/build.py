"""Everything a run writes after its cells: leaderboards, fidelity tables, report."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from benchmark.jsonio import read_jsonl, write_text
from benchmark.report.leaderboard import (
    cells_frame,
    fidelity_markdown,
    fidelity_summary,
    leaderboard,
    leaderboard_markdown,
)


def build_report(run_dir: str | Path, log=None) -> dict:
    run_dir = Path(run_dir)
    manifest = json.loads((run_dir / "manifest.json").read_text())
    cells = cells_frame(read_jsonl(run_dir / "cells.jsonl"))
    lb = leaderboard(cells)
    lb.to_csv(run_dir / "leaderboard.csv", index=False)
    head = (f"# Leaderboard — {manifest['dataset']['name']}, profile `{manifest['profile']['name']}`\n\n"
            f"Protocol `{manifest['protocol']['protocol']}`, task `{manifest['task']}`, "
            f"seeds {manifest['seeds']}, sampling strategy `{manifest['sampling_strategy']['spec']}`. "
            "Mean ± std over replicates; ranked by F1 (threshold 0.5) within each detector.\n\n"
            f"Command: `{manifest.get('command', '')}`\n\n")
    write_text(run_dir / "leaderboard.md", head + leaderboard_markdown(lb))
    fid_path = run_dir / "fidelity.csv"
    fid = pd.read_csv(fid_path) if fid_path.exists() else pd.DataFrame()
    fs = fidelity_summary(fid)
    write_text(run_dir / "fidelity.md",
               "# Fidelity — synthetic rows vs the real training rows of their class\n\n"
               "Per sampler and class: the median and max over features of the KS statistic, and the "
               "share of features whose synthetic mean is within 10% of the real one; averaged over "
               "replicates.\n\n" + fidelity_markdown(fs))
    if log:
        log(f"results: {run_dir}")
        log((run_dir / "leaderboard.md").read_text())
    return {"leaderboard": lb, "fidelity_summary": fs}
