"""The conformance suite (benchmark.testing) on EVERY registered sampler and detector,
with the smoke profile's budgets, on the small realistic table of
``benchmark.testing.conformance_table``."""

from __future__ import annotations

import pytest
from conformance_cache import sampler_report

from benchmark.registry import detectors, samplers
from benchmark.testing import (
    ConformanceError,
    check_detector,
    check_sampler,
    conformance_table,
    summary_frame,
)


@pytest.mark.parametrize("name", samplers.names())
def test_sampler_conforms(name):
    report = sampler_report(name)  # check_sampler(name, profile="smoke"), shared with other tests
    assert report.ok, report.table()
    # every check ran (a skip would hide a failure)
    assert all(v["status"] == "pass" for v in report.values()), report.table()


@pytest.mark.parametrize("name", detectors.names())
def test_detector_conforms(name):
    report = check_detector(name, profile="smoke")
    assert report.ok, report.table()
    assert report["sample_weight"]["status"] == "pass", report.table()


def test_the_table_has_every_column_kind_and_a_constant():
    X, y, schema, targets = conformance_table()
    kinds = {c.kind for c in schema.columns}
    assert kinds == {"continuous", "count", "binary", "categorical"}
    assert [c.name for c in schema.columns if c.constant is not None] == ["urg_flag_count]"]
    assert set(targets) == {"attack", "rare_attack"} and "benign" in set(y)
    assert schema.violations(X) == {}


def test_a_broken_sampler_fails_with_named_checks():
    import numpy as np

    from benchmark.plugins import Resampled, Sampler

    class Broken(Sampler):
        name = "broken_for_test"
        description = "adds fractional, negative rows of the wrong class and mutates its input"

        def _fit_resample(self, X, y, *, schema, targets, random_state, context):
            X["delta"] += np.random.default_rng().normal(size=len(X))  # not seeded
            new = X.iloc[:3].copy()
            new.iloc[:, 0] = -1.5
            Xr = __import__("pandas").concat([X, new], ignore_index=True)
            yr = __import__("pandas").concat([y, y.iloc[:3] * 0 + "benign"], ignore_index=True)
            return Resampled(Xr, yr, np.r_[np.zeros(len(X), bool), np.ones(3, bool)], None, {}, {})

    X, y, schema, targets = conformance_table()
    report = check_sampler(Broken(), X.copy(), y, schema, targets)
    failed = set(report.failed)
    assert {"originals", "counts", "deterministic"} <= failed, report.table()
    # the repair in Sampler.fit_resample keeps even this output inside the schema
    assert report["schema"]["status"] == "pass"
    with pytest.raises(ConformanceError, match="counts"):
        check_sampler(Broken(), X.copy(), y, schema, targets, raise_on_failure=True)
    frame = summary_frame([report])
    assert frame.loc["sampler broken_for_test", "counts"] == "fail"


def test_a_detector_that_ignores_weights_fails():
    import numpy as np

    from benchmark.plugins import Detector

    class NoWeights(Detector):
        name = "ignores_weights_for_test"
        description = "predicts the training prior"

        def fit(self, X, y, *, schema, sample_weight=None, random_state=0, context=None):
            self.classes_, counts = np.unique(np.asarray(y), return_counts=True)
            self.prior = counts / counts.sum()
            return self

        def predict_proba(self, X):
            return np.tile(self.prior, (len(X), 1))

    report = check_detector(NoWeights())
    assert report["binary"]["status"] == "pass"
    assert report["sample_weight"]["status"] == "fail", report.table()
