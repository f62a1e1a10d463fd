"""A sampler or a detector that raises is recorded in cells.jsonl and shown as
failed, with its message, in the leaderboard; every other cell completes; the exit
code is 1."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from flow_tables import csv_args, run_dirs, write_flows

from benchmark.cli import main
from benchmark.plugins import Detector, Sampler
from benchmark.registry import detectors, samplers


class ExplodingSampler(Sampler):
    name = "explodes_for_test"
    description = "raises on purpose"

    def _fit_resample(self, X, y, *, schema, targets, random_state, context):
        raise RuntimeError("sampler exploded on purpose")


class ExplodingDetector(Detector):
    name = "explodes_detector_for_test"
    description = "raises on purpose"

    def fit(self, X, y, *, schema, sample_weight=None, random_state=0, context=None):
        raise ValueError("detector exploded on purpose")

    def predict_proba(self, X):  # pragma: no cover - never reached
        raise AssertionError


@pytest.fixture
def exploding():
    samplers.register(ExplodingSampler)
    detectors.register(ExplodingDetector)
    yield
    for reg, cls in ((samplers, ExplodingSampler), (detectors, ExplodingDetector)):
        reg._items.pop(cls.name, None)
        reg._origin.pop(cls.name, None)


def test_failures_are_recorded_and_isolated(exploding, tmp_path, capsys):
    data = write_flows(tmp_path / "flows.csv")
    out = tmp_path / "out"
    rc = main(
        csv_args(
            data,
            out,
            "none,explodes_for_test,random_oversampling",
            "rf,explodes_detector_for_test",
            "--no-cache",
        )
    )
    assert rc == 1
    err = capsys.readouterr().err
    assert "cell(s) failed" in err
    (run_dir,) = run_dirs(out)
    cells = [json.loads(x) for x in (run_dir / "cells.jsonl").read_text().splitlines()]
    by = {(c["sampler"], c["detector"]): c for c in cells}
    assert len(by) == 6
    for det in ("rf", "explodes_detector_for_test"):
        c = by[("explodes_for_test", det)]
        assert c["status"] == "failed" and c["stage"] == "sampler"
        assert "RuntimeError: sampler exploded on purpose" in c["error"]
    for s in ("none", "random_oversampling"):
        c = by[(s, "explodes_detector_for_test")]
        assert c["status"] == "failed" and c["stage"] == "detector"
        assert "ValueError: detector exploded on purpose" in c["error"]
        ok = by[(s, "rf")]
        assert ok["status"] == "ok" and ok["metrics"]["f1"] is not None
    lb = pd.read_csv(run_dir / "leaderboard.csv")
    row = lb[(lb.sampler == "explodes_for_test") & (lb.detector == "rf")].iloc[0]
    assert row.n_failed == 1 and row.n_ok == 0 and "sampler exploded on purpose" in row.error
    row = lb[(lb.sampler == "none") & (lb.detector == "explodes_detector_for_test")].iloc[0]
    assert row.n_failed == 1 and "detector exploded on purpose" in row.error
    good = lb[(lb.sampler == "none") & (lb.detector == "rf")].iloc[0]
    assert good.n_failed == 0 and good.f1_mean > 0
    md = (run_dir / "leaderboard.md").read_text()
    assert "FAILED" in md and "sampler exploded on purpose" in md and "detector exploded on purpose" in md
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["status"] == "complete with failures" and manifest["failed_cells"] == 4


def test_a_sampler_breaking_its_contract_is_a_recorded_failure(tmp_path, capsys):
    """Output that alters real rows is caught by the harness's check, not scored."""
    import numpy as np

    from benchmark.plugins import Resampled

    class Corrupting(Sampler):
        name = "corrupts_for_test"
        description = "changes a real row"

        def _fit_resample(self, X, y, *, schema, targets, random_state, context):
            X = X.copy()
            X.iloc[0, 0] = X.iloc[0, 0] + 1
            return Resampled(X, y, np.zeros(len(X), bool), None, {}, {})

    samplers.register(Corrupting)
    try:
        data = write_flows(tmp_path / "flows.csv")
        rc = main(csv_args(data, tmp_path / "out", "corrupts_for_test,none", "rf", "--no-cache"))
    finally:
        samplers._items.pop("corrupts_for_test", None)
        samplers._origin.pop("corrupts_for_test", None)
    assert rc == 1
    (run_dir,) = run_dirs(tmp_path / "out")
    cells = {c["sampler"]: c for c in map(json.loads, (run_dir / "cells.jsonl").read_text().splitlines())}
    assert cells["corrupts_for_test"]["status"] == "failed"
    assert "must keep every original row" in cells["corrupts_for_test"]["error"]
    assert cells["none"]["status"] == "ok"
