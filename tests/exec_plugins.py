"""Plugins for the execution-layer tests (cache, resume, parallel, accounting).

They write one line per call to a log file named in their parameters, so that a
test can count fits across worker processes.  Registered by the ``exec_plugins``
fixture (tests/test_cache.py and friends) and removed after the test.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import numpy as np
import pandas as pd

from benchmark.plugins import Detector, Resampled, Sampler, combine


def _note(path: str | None, text: str) -> int:
    """Append a line; return how many lines the file holds now."""
    if not path:
        return 0
    with open(path, "a") as f:
        f.write(text + "\n")
    return len(Path(path).read_text().splitlines())


class CountingSampler(Sampler):
    """Random oversampling (seeded) of the ``classes`` smallest attack classes that
    logs each fit; ``kill_at``: on that fit, SIGKILL this process when the file
    ``arm`` exists (a real kill, mid-run); ``sleep``/``alloc_mb``: seconds and
    resident megabytes spent fitting (for the accounting tests)."""

    name = "counting"
    kind = "oversampler"

    def __init__(
        self,
        log: str = "",
        kill_at: int = 0,
        arm: str = "",
        sleep: float = 0.0,
        alloc_mb: int = 0,
        classes: int = 1,
        fail_if: str = "",
    ):
        super().__init__(
            log=log,
            kill_at=kill_at,
            arm=arm,
            sleep=sleep,
            alloc_mb=alloc_mb,
            classes=classes,
            fail_if=fail_if,
        )

    def _fit_resample(self, X, y, *, schema, targets, random_state, context):
        p = self.params
        n = _note(p["log"], f"fit pid={os.getpid()} seed={random_state}")
        if p["kill_at"] and n == p["kill_at"] and p["arm"] and Path(p["arm"]).exists():
            os.kill(os.getpid(), signal.SIGKILL)
        if p["fail_if"] and Path(p["fail_if"]).exists():
            raise ValueError("counting: asked to fail")
        t0 = time.perf_counter()
        if p["alloc_mb"]:
            block = np.ones(p["alloc_mb"] * 2**20 // 8)  # touched: resident
            time.sleep(0.2)
            del block
        if p["sleep"]:
            time.sleep(p["sleep"])
        rng = np.random.default_rng(random_state)
        add = self.additions(y, targets)
        counts = y.value_counts()
        add = dict(sorted(add.items(), key=lambda kv: (counts.get(kv[0], 0), kv[0]))[: p["classes"]])
        parts, labels = [], []
        for c, k in sorted(add.items()):
            idx = np.flatnonzero(y.to_numpy() == c)
            parts.append(X.iloc[rng.choice(idx, size=k, replace=True)].reset_index(drop=True))
            labels.append(pd.Series([c] * k))
        info = {"fit_seconds": time.perf_counter() - t0, "sample_seconds": 0.0}
        return combine(X, y, parts, labels, schema, add, info)


class HalvingUndersampler(Sampler):
    """Keeps every other benign row (a subset of the originals, reordered)."""

    name = "halving"
    kind = "undersampler"

    def __init__(self, log: str = ""):
        super().__init__(log=log)

    def _fit_resample(self, X, y, *, schema, targets, random_state, context):
        _note(self.params["log"], "fit")
        attack = set(targets)
        keep = np.array([i for i in range(len(y)) if y.iloc[i] in attack or i % 2 == 0])[::-1]
        Xr = X.iloc[keep].reset_index(drop=True)
        yr = y.iloc[keep].reset_index(drop=True)
        w = np.where(yr.isin(attack), 1.0, 2.0)
        return Resampled(Xr, yr, np.zeros(len(Xr), bool), w, {}, {"kept": int(len(keep))})


class ProbeDetector(Detector):
    """A shallow decision tree that logs its thread setting on every fit; ``fail_at``:
    raise KeyboardInterrupt (not an Exception: it ends the run) on that fit when
    the file ``arm`` exists; ``sleep_predict``: seconds spent in predict."""

    name = "probe"

    def __init__(
        self, log: str = "", n_jobs: int = 2, fail_at: int = 0, arm: str = "", sleep_predict: float = 0.0
    ):
        super().__init__(log=log, n_jobs=n_jobs, fail_at=fail_at, arm=arm, sleep_predict=sleep_predict)

    def fit(self, X, y, *, schema, sample_weight=None, random_state=0, context=None):
        from sklearn.tree import DecisionTreeClassifier

        p = self.params
        n = _note(p["log"], f"detector n_jobs={p['n_jobs']} pid={os.getpid()}")
        if p["fail_at"] and n == p["fail_at"] and p["arm"] and Path(p["arm"]).exists():
            raise KeyboardInterrupt("injected")
        self.model = DecisionTreeClassifier(max_depth=4, random_state=random_state)
        self.model.fit(np.asarray(X, dtype=float), np.asarray(y), sample_weight=sample_weight)
        self.classes_ = self.model.classes_
        return self

    def predict_proba(self, X):
        if self.params["sleep_predict"]:
            time.sleep(self.params["sleep_predict"] / 2)  # called twice: validation and test
        return self.model.predict_proba(np.asarray(X, dtype=float))


PLUGINS = {"samplers": [CountingSampler, HalvingUndersampler], "detectors": [ProbeDetector]}


# -- test helpers ---------------------------------------------------------------------
TIME_LIKE = ("_s", "peak_mb")


def register():
    from benchmark.registry import detectors, samplers

    samplers.load()
    detectors.load()
    for c in PLUGINS["samplers"]:
        samplers.register(c)
    for c in PLUGINS["detectors"]:
        detectors.register(c)


def unregister():
    from benchmark.registry import detectors, samplers

    for reg, kind in ((samplers, "samplers"), (detectors, "detectors")):
        for c in PLUGINS[kind]:
            reg._items.pop(c.name, None)
            reg._origin.pop(c.name, None)


def fast_fidelity(monkeypatch):
    """Tests of the execution layer skip what they do not test: the detection-AUC
    classifier of the fidelity audit and the HTML/figure report (the leaderboard
    files are still written).  In-process only: loky/Ray workers run the real audit."""
    import benchmark.report.build as B
    import benchmark.runner as R

    monkeypatch.setattr(
        R,
        "_fidelity_budget",
        lambda p: {"detection_rows": 0, "detection_folds": 2, "dcr_rows": 200, "fidelity_rows": 500},
    )
    monkeypatch.setattr(B, "write_full_report", lambda *a, **k: None)


def run_grid(data, out, samplers, detectors, seeds=(0, 1), **kw):
    """Run in this process; returns (run folder, failed cells, log lines)."""
    from benchmark.runner import RunConfig, run

    lines: list[str] = []
    cfg = RunConfig(
        dataset="hikari2021",
        data=str(data),
        samplers=list(samplers),
        detectors=list(detectors),
        seeds=list(seeds),
        profile="smoke",
        out=str(out),
        **kw,
    )
    run_dir, failed = run(cfg, log=lines.append)
    return run_dir, failed, lines


def score_columns(lb: pd.DataFrame) -> pd.DataFrame:
    """The leaderboard without the measured columns (seconds, memory), which differ
    between any two runs that computed the cells."""
    keep = [c for c in lb.columns if not any(c.endswith(t) for t in TIME_LIKE)]
    return lb[keep]


def count(path) -> int:
    p = Path(path)
    return len(p.read_text().splitlines()) if p.exists() else 0
