"""Sampling strategy and schema enforcement."""

from __future__ import annotations

import pandas as pd
import pytest

from benchmark.errors import ConfigError
from benchmark.schema import ColumnSpec, TableSchema
from benchmark.strategy import SamplingStrategy


def test_ratio_targets():
    counts = {"benign": 1000, "p": 300, "q": 10, "big": 900}
    t = SamplingStrategy.parse("0.25").targets(counts, ["p", "q", "big", "absent"])
    assert t == {"p": 300, "q": 250, "big": 900}
    assert SamplingStrategy.parse("auto").targets(counts, ["q"]) == {"q": 1000}


def test_explicit_targets_and_errors():
    s = SamplingStrategy.parse("q=50,p=400")
    assert s.targets({"benign": 10, "p": 300, "q": 10}, ["p", "q"]) == {"q": 50, "p": 400}
    with pytest.raises(ConfigError, match="class 'p' has 300 training rows"):
        SamplingStrategy.parse("p=100").targets({"p": 300}, ["p"])
    with pytest.raises(ConfigError, match="'benign', which is not an attack class"):
        SamplingStrategy.parse("benign=100").targets({"benign": 3}, ["p"])
    with pytest.raises(ConfigError, match="outside"):
        SamplingStrategy.parse("1.5")
    with pytest.raises(ConfigError):
        SamplingStrategy.parse("lots")


def test_enforce_counts_repairs():
    schema = TableSchema(
        [
            ColumnSpec("n", "count", nonnegative=True),
            ColumnSpec("b", "binary"),
            ColumnSpec("port", "categorical", categories=(22, 80, 443)),
            ColumnSpec("x", "continuous", nonnegative=True),
            ColumnSpec("z", "count", constant=0.0),
        ]
    )
    X = pd.DataFrame(
        {
            "n": [1.4, -2.0, 3.0],
            "b": [0.7, 1.0, 2.0],
            "port": [81.0, 300.0, 443.0],
            "x": [-0.5, 2.5, 1.0],
            "z": [0.0, 0.3, 0.0],
        }
    )
    assert schema.violations(X) == {"n": 2, "b": 2, "port": 2, "x": 1, "z": 1}
    out, repairs = schema.enforce(X)
    assert out["n"].tolist() == [1, 0, 3]
    assert out["b"].tolist() == [1, 1, 1]
    assert out["port"].tolist() == [80, 443, 443]
    assert out["x"].tolist() == [0.0, 2.5, 1.0]
    assert out["z"].tolist() == [0, 0, 0]
    assert repairs == {"n": 2, "b": 2, "port": 2, "x": 1, "z": 1}
    assert schema.violations(out) == {}


def test_with_constants_of_training_part():
    schema = TableSchema([ColumnSpec("a", "count"), ColumnSpec("b", "continuous")])
    s = schema.with_constants_of(pd.DataFrame({"a": [0, 0, 0], "b": [1.0, 2.0, 3.0]}))
    assert s["a"].constant == 0.0 and s["b"].constant is None
    assert TableSchema.from_dict(s.to_dict()) == s
