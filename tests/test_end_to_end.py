"""End to end, through ``python -m benchmark run`` (``benchmark.cli.main``): the
study's samplers × the built-in detectors at the smoke profile, on the embedded
demo and on the real NSL-KDD, and every documented output file.

Time: about 35 s (demo) + 60 s (NSL-KDD) on two busy cores.  To stay near that,
CTGAN (~15 s at smoke on either dataset) runs on NSL-KDD only, the real data, and
NSL-KDD trains on a 20% subsample of its official training part per seed
(``--subsample 0.2``, the smallest share that leaves U2R two rows to learn from);
its test part is all of KDDTest+.
"""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest
from flow_tables import run_dirs

from benchmark.cli import main
from benchmark.datasets import load_dataset
from benchmark.fidelity import gate
from benchmark.report.leaderboard import TIME_COLUMNS

pytestmark = pytest.mark.slow

MODELS = ["rf", "xgboost", "mlp"]
# every file a run folder documents (CONTRIBUTING.md §5, cli.py, runner.py, report/build.py)
OUTPUTS = (
    "manifest.json",
    "cells.jsonl",
    "leaderboard.csv",
    "timings.csv",
    "generators.csv",
    "leaderboard.md",
    "fidelity.csv",
    "fidelity.md",
    "significance.csv",
    "statistics.json",
    "claims.json",
    "report.md",
    "report.html",
    "stages.md",
)
UNIT_METRICS = ("recall", "f1", "roc_auc", "pr_auc", "precision", "f1_tuned", "recall_tuned", "fpr")


def run_cli(tmp_path, samplers, *args):
    out = tmp_path / "out"
    argv = [
        "run",
        *args,
        "--profile",
        "smoke",
        "--samplers",
        ",".join(samplers),
        "--models",
        ",".join(MODELS),
        "--seeds",
        "0",
        "--out",
        str(out),
        "--no-cache",
    ]
    rc = main(argv)
    (run_dir,) = run_dirs(out)
    cells = [json.loads(x) for x in (run_dir / "cells.jsonl").read_text().splitlines()]
    assert rc == 0, [(c["sampler"], c["detector"], c.get("error")) for c in cells if c["status"] != "ok"]
    return run_dir, cells


def check_run(run_dir, cells, samplers, ds, protocol):
    for name in OUTPUTS:
        p = run_dir / name
        assert p.is_file() and p.stat().st_size > 0, name
    figures = list((run_dir / "figures").glob("*.png"))
    assert figures and all(f.stat().st_size > 0 for f in figures)
    assert "cells.partial.jsonl" not in {p.name for p in run_dir.iterdir()}  # progress file removed

    # the grid: one cell per sampler × detector for the one seed, all ok
    assert len(cells) == len(samplers) * len(MODELS)
    assert {(c["sampler"], c["detector"]) for c in cells} == {(s, m) for s in samplers for m in MODELS}
    for c in cells:
        assert c["status"] == "ok", c.get("error")
        assert c["seed"] == 0 and c["fold"] == 0 and c["dataset"] == ds.name and c["task"] == "binary"
        m = c["metrics"]
        for k in UNIT_METRICS:
            assert m[k] is not None and 0.0 <= m[k] <= 1.0, (c["sampler"], c["detector"], k, m[k])
        assert -1.0 <= m["mcc"] <= 1.0
        for k, v in m.items():  # per-category recalls: in [0, 1] or undefined (with a note)
            if k.startswith(("recall[", "recall_tuned[")):
                assert (v is None and k.replace("_tuned", "") in m["notes"]) or 0.0 <= v <= 1.0, (k, v)
        # with the rows the sampler added (none adds none)
        added = c["sampler_record"]["synthetic_rows"]
        assert (added == 0) if c["sampler"] == "none" else (added > 0)
        assert c["n_test"] > 0 and c["n_fit"] > c["n_val"] > 0

    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["failed_cells"] == 0
    assert manifest["total_cells"] == len(cells)
    assert manifest["protocol"]["protocol"] == protocol and manifest["task"] == "binary"
    assert manifest["dataset"]["name"] == ds.name
    assert manifest["dataset"]["fingerprint"] == ds.fingerprint  # the data read, independently loaded
    assert manifest["fidelity_gate"] == gate.DEFAULT_GATE and manifest["seeds"] == [0]
    assert set(manifest["samplers"]) == set(samplers) and set(manifest["detectors"]) == set(MODELS)
    assert [r["test_rows"] for r in manifest["replicates"]] == [cells[0]["n_test"]]

    # the leaderboard: one row per cell (one seed: the mean is the cell's value)
    lb = pd.read_csv(run_dir / "leaderboard.csv")
    assert len(lb) == len(cells)
    by = {(c["sampler"], c["detector"]): c["metrics"] for c in cells}
    for r in lb.itertuples():
        for m in ("recall", "f1", "roc_auc", "pr_auc"):
            assert getattr(r, f"{m}_mean") == pytest.approx(by[(r.sampler, r.detector)][m], abs=1e-12)
    timings = pd.read_csv(run_dir / "timings.csv")  # the seconds of the same rows
    assert list(timings[["detector", "sampler"]].itertuples(index=False)) == list(
        lb[["detector", "sampler"]].itertuples(index=False)
    )
    for t in TIME_COLUMNS[:3]:
        assert t in timings.columns and t not in lb.columns
    assert all(g in ("pass", "n/a (no rows added)") or g.startswith("FAIL: ") for g in lb["fidelity_gate"])
    assert (lb.loc[lb.sampler == "none", "fidelity_gate"] == "n/a (no rows added)").all()
    assert lb.loc[lb.sampler != "none", "f1_diff_vs_none"].notna().all()
    md = (run_dir / "leaderboard.md").read_text()
    for s in samplers:
        assert md.count(f"| {s} ") == len(MODELS), s
    for m in MODELS:
        assert f"detector `{m}`" in md

    # fidelity rows for every sampler that added rows, and only those
    fid = pd.read_csv(run_dir / "fidelity.csv")
    assert set(fid["sampler"]) == set(samplers) - {"none"}
    assert fid["ks_stat"].between(0, 1).all()
    html = (run_dir / "report.html").read_text()
    assert html.startswith("<!doctype html>") and html.rstrip().endswith("</html>")
    for s in samplers:
        assert s in html
    stats = json.loads((run_dir / "statistics.json").read_text())
    assert "friedman_f1" in stats
    for v in lb["f1_mean"]:
        assert not math.isnan(v)


def test_demo_end_to_end(tmp_path):
    samplers = ["none", "smote", "network_traffic_gan"]  # ctgan: on NSL-KDD below (time)
    run_dir, cells = run_cli(tmp_path, samplers, "--dataset", "demo", "--demo-rows", "1500")
    ds = load_dataset("demo", None, demo_rows=1500, cache_dir=str(tmp_path / "out" / ".demo"))
    check_run(run_dir, cells, samplers, ds, "holdout")
    # the HIKARI-layout data has flow identities: validity is measured for every generator
    for c in cells:
        if c["sampler"] != "none":
            assert all("validity_all" in s for s in c["fidelity"].values())


@pytest.mark.realdata
def test_nsl_kdd_end_to_end(nsl_dir, tmp_path):
    samplers = ["none", "smote", "ctgan", "network_traffic_gan"]
    run_dir, cells = run_cli(
        tmp_path, samplers, "--dataset", "nsl-kdd", "--data", str(nsl_dir), "--subsample", "0.2"
    )
    ds = load_dataset("nsl-kdd", nsl_dir)
    check_run(run_dir, cells, samplers, ds, "official")
    assert {c["n_test"] for c in cells} == {22_544}  # all of KDDTest+
    # each generator was asked for rows of every attack category below the target, and delivered them
    for c in cells:
        rec = c["sampler_record"]
        if c["sampler"] != "none":
            assert rec["requested"] and set(rec["delivered"]) <= set(rec["requested"])
            assert sum(rec["delivered"].values()) == rec["synthetic_rows"]
