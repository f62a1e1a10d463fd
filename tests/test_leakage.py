"""No test row reaches anything that learns: a spy sampler and a spy detector,
run through the real runner under every protocol, record a hash of every row they
are given.

The checks are on row hashes, not on counts or indices, so they hold whatever the
protocol code says about itself: a test row is *identifiable* when every copy of
its values in the dataset lies in the test part (an exact duplicate of a training
row cannot be told apart from it, and is allowed); no identifiable test row may
reach the sampler's fit, the detector's fit, the validation rows (the threshold)
or the fidelity audit.  ``test_a_leaking_split_is_caught`` runs the same checks
on a split that leaks on purpose and asserts that they fail.
"""

from __future__ import annotations

import functools
import json
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from sklearn.tree import DecisionTreeClassifier

import benchmark.fidelity.suite as suite
import benchmark.runner as runner
from benchmark.datasets import load_dataset
from benchmark.plugins import Detector, Sampler, combine
from benchmark.protocol import row_hashes
from benchmark.registry import detectors, samplers
from benchmark.runner import RunConfig, run

EVENTS: list[tuple[str, np.ndarray]] = []  # (what, row hashes), in call order


def hashes(X) -> np.ndarray:
    """Row hashes of the values alone (dtypes normalised: a sampler may hand back
    int columns as float and the row is still the same row)."""
    return row_hashes(pd.DataFrame(np.asarray(X, dtype=np.float64)))


class SpySampler(Sampler):
    """Records its input, then adds copies of some rows of the largest attack class
    that is to gain rows (so the detector and the fidelity audit see synthetic rows too)."""

    name = "spy_sampler_for_test"
    kind = "oversampler"

    def _fit_resample(self, X, y, *, schema, targets, random_state, context):
        EVENTS.append(("sampler_fit", hashes(X)))
        add = self.additions(y, targets)
        parts, labels = [], []
        if add:
            c = max(add, key=lambda k: (int((y == k).sum()), str(k)))
            idx = np.flatnonzero(y.to_numpy() == c)
            n = min(add[c], 50)
            pick = np.random.default_rng(random_state).choice(idx, n)
            parts.append(X.iloc[pick].reset_index(drop=True))
            labels.append(pd.Series([c] * n))
            add = {c: n}
        return combine(X, y, parts, labels, schema, add, {})


class SpyDetector(Detector):
    name = "spy_detector_for_test"

    def fit(self, X, y, *, schema, sample_weight=None, random_state=0, context=None):
        EVENTS.append(("detector_fit", hashes(X)))
        self.model = DecisionTreeClassifier(max_depth=3, random_state=random_state)
        self.model.fit(np.asarray(X, dtype=float), np.asarray(y), sample_weight=sample_weight)
        self.classes_ = self.model.classes_
        return self

    def predict_proba(self, X):
        EVENTS.append(("predict", hashes(X)))
        return self.model.predict_proba(np.asarray(X, dtype=float))


@pytest.fixture
def spies(monkeypatch):
    samplers.load()
    detectors.load()
    samplers.register(SpySampler)
    detectors.register(SpyDetector)
    real = suite.evaluate

    @functools.wraps(real)  # keeps the signature the audit inspects
    def spy_evaluate(real_rows, synth, schema, holdout=None, **kw):
        EVENTS.append(("audit_real", hashes(real_rows)))
        if holdout is not None:
            EVENTS.append(("audit_holdout", hashes(holdout)))
        return real(real_rows, synth, schema, holdout=holdout, **kw)

    monkeypatch.setattr(suite, "evaluate", spy_evaluate)
    EVENTS.clear()
    yield
    EVENTS.clear()
    for reg, cls in ((samplers, SpySampler), (detectors, SpyDetector)):
        reg._items.pop(cls.name, None)
        reg._origin.pop(cls.name, None)


def run_spied(tmp_path, dataset, data, seeds, **kw):
    cfg = RunConfig(
        dataset=dataset,
        data=str(data),
        samplers=[SpySampler.name],
        detectors=[SpyDetector.name],
        seeds=list(seeds),
        profile="smoke",
        out=str(tmp_path / "out"),
        no_cache=True,
        **kw,
    )
    run_dir, failed = run(cfg, log=lambda m: None)
    cells = [json.loads(x) for x in (run_dir / "cells.jsonl").read_text().splitlines()]
    assert failed == 0, [c.get("error") for c in cells]
    return run_dir, cells


def replicates_seen() -> list[dict]:
    """The events cut into replicates: each starts with the sampler's fit; then the
    audit, the detector's fit, and its two predictions (validation, then test)."""
    reps, cur = [], None
    for what, h in EVENTS:
        if what == "sampler_fit":
            cur = {"sampler_fit": h, "predict": [], "audit_real": [], "audit_holdout": []}
            reps.append(cur)
        elif what in ("predict", "audit_real", "audit_holdout"):
            cur[what].append(h)
        else:
            cur[what] = h
    for r in reps:
        assert len(r["predict"]) == 2, "the detector predicts validation, then test"
        r["val"], r["test"] = r["predict"]
    return reps


def only_in(part: np.ndarray, all_rows: Counter) -> set:
    """Hashes all of whose copies in the dataset lie in ``part``: rows identifiable as its own."""
    c = Counter(part.tolist())
    return {h for h, k in c.items() if all_rows[h] == k}


def leaks(rep: dict, all_rows: Counter) -> dict[str, int]:
    """Per place that must never see them: identifiable test (and validation) rows found there."""
    test_own = only_in(rep["test"], all_rows)
    val_own = only_in(rep["val"], all_rows)
    found = {
        "test rows in sampler fit": test_own & set(rep["sampler_fit"].tolist()),
        "test rows in detector fit": test_own & set(rep["detector_fit"].tolist()),
        "test rows in validation": test_own & set(rep["val"].tolist()),
        "validation rows in sampler fit": val_own & set(rep["sampler_fit"].tolist()),
        "validation rows in detector fit": val_own & set(rep["detector_fit"].tolist()),
    }
    audited = [h for a in (*rep["audit_real"], *rep["audit_holdout"]) for h in a.tolist()]
    found["test rows in the fidelity audit"] = test_own & set(audited)
    return {k: len(v) for k, v in found.items()}


def check_no_leak(reps, cells, all_rows: Counter, min_identifiable: float):
    assert len(reps) == len(cells)
    for rep, cell in zip(reps, cells):
        # the runner's own record agrees with what the plugins were given
        assert len(rep["sampler_fit"]) == cell["n_fit"]
        assert len(rep["val"]) == cell["n_val"] and len(rep["test"]) == cell["n_test"]
        # not vacuous: most test rows are identifiable, and the detector got synthetic rows
        assert len(only_in(rep["test"], all_rows)) >= min_identifiable * len(rep["test"])
        assert len(rep["detector_fit"]) > len(rep["sampler_fit"])
        assert rep["audit_real"] and rep["audit_holdout"]
        assert leaks(rep, all_rows) == dict.fromkeys(leaks(rep, all_rows), 0)
        # the sampler's fit rows are the detector's real rows, in order
        assert np.array_equal(rep["detector_fit"][: len(rep["sampler_fit"])], rep["sampler_fit"])
        # every part is made of dataset rows, no row used more often than it exists
        used = Counter([*rep["sampler_fit"].tolist(), *rep["val"].tolist(), *rep["test"].tolist()])
        assert not used - all_rows


def test_holdout_never_shows_test_rows(spies, demo_csv, tmp_path):
    ds = load_dataset("demo", demo_csv)
    h = hashes(ds.X)
    all_rows = Counter(h.tolist())
    _, cells = run_spied(tmp_path, "demo", demo_csv, seeds=[0, 1], protocol="holdout")
    reps = replicates_seen()
    assert len(reps) == 2
    check_no_leak(reps, cells, all_rows, 0.5)  # the simulated flows hold many exact duplicates
    for rep in reps:
        # the three parts are the whole dataset, and the test part is the 20% share scored
        assert (
            Counter([*rep["sampler_fit"].tolist(), *rep["val"].tolist(), *rep["test"].tolist()]) == all_rows
        )
        assert len(rep["test"]) == pytest.approx(0.2 * len(ds.X), abs=len(ds.categories))
    assert set(reps[0]["test"].tolist()) != set(reps[1]["test"].tolist())  # a new split per seed


def test_official_tests_on_kddtest_and_never_trains_on_it(spies, nsl_dir, tmp_path):
    ds = load_dataset("nsl-kdd", nsl_dir)
    h = hashes(ds.X)
    all_rows = Counter(h.tolist())
    is_test = ds.split.to_numpy() == "test"
    _, cells = run_spied(tmp_path, "nsl-kdd", nsl_dir, seeds=[0], protocol="official")
    (rep,) = replicates_seen()
    check_no_leak([rep], cells, all_rows, 0.9)
    # the rows scored are exactly KDDTest+, in file order ...
    assert np.array_equal(rep["test"], h[is_test])
    # ... and everything learned from comes from the official training file
    train_file = set(h[~is_test].tolist())
    for part in ("sampler_fit", "detector_fit", "val"):
        assert set(rep[part].tolist()) <= train_file, part
    kdd_only = set(h[is_test].tolist()) - train_file  # KDDTest+ rows absent from the training file
    assert len(kdd_only) > 0.9 * is_test.sum()
    for part in ("sampler_fit", "detector_fit", "val"):
        assert not kdd_only & set(rep[part].tolist()), part


def test_cv_never_shows_test_rows_and_tests_each_row_once(spies, demo_csv, tmp_path):
    ds = load_dataset("demo", demo_csv)
    h = hashes(ds.X)
    all_rows = Counter(h.tolist())
    _, cells = run_spied(
        tmp_path, "demo", demo_csv, seeds=[0], protocol="cv", protocol_options={"cv_folds": 3}
    )
    reps = replicates_seen()
    assert len(reps) == 3 and [c["fold"] for c in cells] == [0, 1, 2]
    check_no_leak(reps, cells, all_rows, 0.5)
    # every row of the dataset is scored exactly once over the folds of a seed
    assert Counter(x for r in reps for x in r["test"].tolist()) == all_rows


def test_a_leaking_split_is_caught(spies, demo_csv, tmp_path, monkeypatch):
    """The checks above can fail: a split that also puts 30 of its test rows into the
    training part is reported as a leak, of exactly those of the 30 that are identifiable."""
    real = runner.make_replicates
    leaked = []

    def leaky(ds, proto, seeds):
        reps = real(ds, proto, seeds)
        for r in reps:
            leaked.extend(r.test[:30].tolist())
            r.fit = np.sort(np.concatenate([r.fit, r.test[:30]]))
        return reps

    monkeypatch.setattr(runner, "make_replicates", leaky)
    ds = load_dataset("demo", demo_csv)
    h = hashes(ds.X)
    all_rows = Counter(h.tolist())
    _, cells = run_spied(tmp_path, "demo", demo_csv, seeds=[0], protocol="holdout")
    (rep,) = replicates_seen()
    expected = len(set(h[leaked].tolist()) & only_in(rep["test"], all_rows))
    assert expected >= 10
    found = leaks(rep, all_rows)
    assert found["test rows in sampler fit"] == expected
    assert found["test rows in detector fit"] == expected
    with pytest.raises(AssertionError):
        check_no_leak([rep], cells, all_rows, 0.5)
