"""Dataset adapters.  Each ``load(data, **options) -> Dataset``."""

from __future__ import annotations

from benchmark.datasets.base import Dataset
from benchmark.errors import ConfigError


def _hikari(data=None, **kw):
    from benchmark.datasets.hikari import load_hikari

    return load_hikari(data, **kw)


def _nslkdd(data=None, **kw):
    from benchmark.datasets.nslkdd import load_nslkdd

    return load_nslkdd(data, **kw)


def _csv(data=None, **kw):
    from benchmark.datasets.csvfile import load_csv

    return load_csv(data, **kw)


def _demo(data=None, **kw):
    from benchmark.datasets.demo import load_demo

    return load_demo(data, **kw)


ADAPTERS = {
    "demo": (_demo, "simulated flows in the exact HIKARI-2021 layout (embedded default; --demo-rows)"),
    "hikari2021": (_hikari, "ALLFLOWMETER_HIKARI2021.csv by path (--data FILE)"),
    "nsl-kdd": (_nslkdd, "NSL-KDD folder with KDDTrain+[_20Percent].txt and KDDTest+.txt (--data DIR)"),
    "csv": (_csv, "any CSV with a label column (--data FILE --label COLUMN)"),
}


def load_dataset(name: str, data=None, **options) -> Dataset:
    try:
        fn, _ = ADAPTERS[name]
    except KeyError:
        raise ConfigError(f"unknown dataset {name!r}; one of {', '.join(ADAPTERS)}") from None
    return fn(data, **options)


__all__ = ["ADAPTERS", "Dataset", "load_dataset"]
