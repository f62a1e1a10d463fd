"""One conformance report per registered sampler per test session, shared by
tests/test_conformance.py and tests/test_hostile_inputs.py (each sampler runs once)."""

from __future__ import annotations

from benchmark.testing import check_sampler

_REPORTS: dict = {}


def sampler_report(name: str):
    if name not in _REPORTS:
        _REPORTS[name] = check_sampler(name, profile="smoke")
    return _REPORTS[name]
