"""Benchmark of the demo simulator (skipped by default; run
``pytest tests/benchmarks --benchmark-only``)."""

from benchmark.datasets.demo_simulator import simulate_flows


def test_bench_simulate_flows_50k(benchmark):
    df = benchmark.pedantic(simulate_flows, args=(50_000,), kwargs={"seed": 0}, rounds=3, iterations=1)
    assert len(df) == 50_000
