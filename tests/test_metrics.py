"""Metrics and the validation-chosen threshold."""

from __future__ import annotations

import numpy as np
import pytest

from benchmark.metrics import binary_metrics, choose_threshold, multiclass_metrics


def test_threshold_maximises_validation_f1():
    y = np.array([0, 0, 0, 1, 1, 1])
    s = np.array([0.1, 0.2, 0.35, 0.3, 0.6, 0.9])
    t = choose_threshold(y, s)
    # best F1 = 1.0 is impossible; cut between 0.35 and 0.6 gives P=1,R=2/3 (F1 0.8);
    # cut between 0.2 and 0.3 gives P=3/4,R=1 (F1 0.857)
    assert 0.2 < t < 0.3


def test_threshold_does_not_depend_on_test_labels():
    rng = np.random.default_rng(0)
    yv, sv = rng.integers(0, 2, 200), rng.random(200)
    yt, st = rng.integers(0, 2, 300), rng.random(300)
    a = binary_metrics(yt, st, np.where(yt == 1, "x", "benign"), ["x"], yv, sv)
    b = binary_metrics(1 - yt, st, np.where(yt == 0, "x", "benign"), ["x"], yv, sv)
    assert a["threshold_tuned"] == b["threshold_tuned"]
    assert a["f1"] != b["f1"]


def test_binary_metrics_by_hand():
    y = np.array([0, 0, 1, 1, 1])
    s = np.array([0.1, 0.7, 0.8, 0.4, 0.9])
    cats = np.array(["benign", "benign", "p", "q", "p"])
    m = binary_metrics(y, s, cats, ["p", "q", "r"])
    assert m["precision"] == pytest.approx(2 / 3) and m["recall"] == pytest.approx(2 / 3)
    assert m["f1"] == pytest.approx(2 / 3) and m["fpr"] == pytest.approx(0.5)
    assert m["recall[p]"] == 1.0 and m["recall[q]"] == 0.0
    assert m["recall[r]"] is None and "undefined" in m["notes"]["recall[r]"]
    assert m["roc_auc"] == pytest.approx(5 / 6)


def test_auc_undefined_with_one_class():
    m = binary_metrics(np.ones(4), np.array([0.2, 0.6, 0.7, 0.9]), np.array(["p"] * 4), ["p"])
    assert m["roc_auc"] is None and m["recall"] == 0.75


def test_multiclass_absent_category_not_averaged_as_zero():
    classes = ["benign", "p", "q"]
    cats = np.array(["benign", "benign", "p", "p"])
    proba = np.array([[0.9, 0.1, 0], [0.8, 0.2, 0], [0.1, 0.9, 0], [0.2, 0.7, 0.1]])
    m = multiclass_metrics(cats, proba, classes, ["benign"])
    assert m["macro_f1"] == 1.0  # q has no test rows: left out, not a 0
    assert m["f1[q]"] is None and "q" in m["notes"]
