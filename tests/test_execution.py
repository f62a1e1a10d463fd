"""Parallel execution: one sampler fit per group under joblib and Ray, single-threaded
plugins inside workers, the same leaderboard as a serial run."""

from __future__ import annotations

import json
import os
import sys

import pandas as pd
import pytest
from exec_plugins import count, fast_fidelity, register, run_grid, score_columns, unregister

from benchmark.cli import main


@pytest.fixture
def plugins(monkeypatch):
    register()
    fast_fidelity(monkeypatch)
    yield
    unregister()


def _lb(run_dir) -> pd.DataFrame:
    return pd.read_csv(run_dir / "leaderboard.csv")


def _count_calls(monkeypatch, module, name) -> list:
    calls: list = []
    real = getattr(module, name)

    def wrapper(*a, **k):
        calls.append(1)
        return real(*a, **k)

    monkeypatch.setattr(module, name, wrapper)
    return calls


def test_parallel_fits_each_sampler_once_and_matches_serial(demo_csv, tmp_path, plugins, monkeypatch):
    """--jobs 2 (loky workers): each (seed, sampler) fitted once for its three
    detectors, detectors single-threaded in the workers, scores as a serial run's
    (rf and xgboost give the same numbers on 1 thread as on 2)."""
    fits, dets = tmp_path / "fits.log", tmp_path / "dets.log"
    samplers_ = ["none", f"counting:log={fits}"]
    detectors_ = [f"probe:log={dets}", "rf", "xgboost"]
    import joblib

    dumps = _count_calls(monkeypatch, joblib, "dump")
    par, failed, lines = run_grid(demo_csv, tmp_path / "par", samplers_, detectors_, jobs=2)
    assert failed == 0
    assert len(dumps) == 1  # the dataset shipped once (memory-mapped by the workers), not per task
    assert count(fits) == 2  # 2 seeds × 1 counting sampler, whatever the number of detectors
    pids = {int(ln.split("pid=")[1].split()[0]) for ln in fits.read_text().splitlines()}
    assert os.getpid() not in pids  # fitted in the workers
    assert {ln.split()[1] for ln in dets.read_text().splitlines()} == {"n_jobs=1"}  # capped in workers
    m = json.loads((par / "manifest.json").read_text())
    assert m["execution"]["jobs"] == 2 and m["execution"]["threads_per_group"] == 1
    rec = [json.loads(x) for x in (par / "cells.jsonl").read_text().splitlines()]
    assert {r["detector_params"]["n_jobs"] for r in rec if r["detector"] == "rf"} == {2}  # as configured
    # grid order, whatever order the workers finished in
    assert [(r["seed"], r["sampler"][:5], r["detector"][:5]) for r in rec][:4] == [
        (0, "none", "probe"),
        (0, "none", "rf"),
        (0, "none", "xgboo"),
        (0, "count", "probe"),
    ]
    ser, _, _ = run_grid(demo_csv, tmp_path / "ser", samplers_, detectors_, no_cache=True)
    assert count(fits) == 4
    serial_threads = {ln.split()[1] for ln in dets.read_text().splitlines()[-4:]}
    assert serial_threads == {"n_jobs=2"}  # in-process: as configured
    pd.testing.assert_frame_equal(score_columns(_lb(par)), score_columns(_lb(ser)))
    # and the parallel run's cache serves a serial rerun: nothing fitted
    _, _, lines = run_grid(demo_csv, tmp_path / "par", samplers_, detectors_)
    assert count(fits) == 4 and any("12/12 cells from cache" in ln for ln in lines)


def test_parallel_resumes_cells_missing_from_a_group(demo_csv, tmp_path, plugins):
    """A group whose rows are cached but one detector is new: the worker reuses the rows."""
    fits = tmp_path / "fits.log"
    samplers_ = [f"counting:log={fits}", "none"]
    run_grid(demo_csv, tmp_path / "o", samplers_, ["probe"], jobs=2)
    assert count(fits) == 2
    d, _, lines = run_grid(demo_csv, tmp_path / "o", samplers_, ["probe", "rf"], jobs=2)
    assert count(fits) == 2
    m = json.loads((d / "manifest.json").read_text())
    assert m["cache"]["sampler_rows_from_cache"] == 4 and m["cache"]["samplers_fitted"] == 0


def test_ray_backend_without_ray_is_one_line_exit_2(monkeypatch, capsys, tmp_path):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray -> ImportError
    rc = main(["run", "--samplers", "none", "--models", "rf", "--backend", "ray", "--out", str(tmp_path)])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2 and len(err) == 1 and "needs Ray" in err[0] and "pip install" in err[0]
    assert not any(tmp_path.iterdir())  # no results folder


@pytest.mark.ray
def test_ray_local_cluster_matches_serial(demo_csv, tmp_path, plugins, capsys, monkeypatch):
    """A small grid on a local Ray cluster (2 CPUs): the dataset shipped once with
    ray.put, each group a task, the same leaderboard as the serial run."""
    ray = pytest.importorskip("ray")
    puts = _count_calls(monkeypatch, ray, "put")
    fits = tmp_path / "fits.log"
    samplers_ = ["none", f"counting:log={fits}"]
    detectors_ = ["probe", "rf"]
    ray_dir, failed, lines = run_grid(
        demo_csv, tmp_path / "ray", samplers_, detectors_, backend="ray", jobs=2
    )
    assert failed == 0, lines
    assert count(fits) == 2  # one fit per (seed, sampler), in the Ray workers
    assert len(puts) == 1  # the dataset, once, for the 4 tasks
    pids = {int(ln.split("pid=")[1].split()[0]) for ln in fits.read_text().splitlines()}
    assert os.getpid() not in pids
    ser, _, _ = run_grid(demo_csv, tmp_path / "ser", samplers_, detectors_, no_cache=True)
    a, b = score_columns(_lb(ray_dir)), score_columns(_lb(ser))
    pd.testing.assert_frame_equal(a, b)
    m = json.loads((ray_dir / "manifest.json").read_text())
    assert m["execution"]["backend"] == "ray" and m["execution"]["threads_per_group"] == 1
    with capsys.disabled():
        print("\nray leaderboard (F1 mean):", a[["detector", "sampler", "f1_mean"]].to_dict("records"))


def _tasks(ds, **kw):
    from pathlib import Path

    from benchmark.cache import Cache
    from benchmark.profiles import get_profile
    from benchmark.protocol import ProtocolConfig, make_replicates
    from benchmark.runner import RunConfig, plan

    proto = ProtocolConfig("holdout")
    cfg = RunConfig(profile="smoke", **kw)
    _, tasks = plan(
        ds,
        [(None, make_replicates(ds, proto, [0]))],
        cfg,
        get_profile("smoke"),
        proto,
        Cache(None),
        Path("."),
    )
    return tasks


def test_gpu_groups_request_a_gpu_only_under_cuda(demo, plugins):
    from exec_plugins import ProbeDetector

    cpu = _tasks(demo, samplers=["none", "ctgan"], detectors=["rf"], backend="ray")
    assert [t.gpus for t in cpu] == [0.0, 0.0] and {t.spec.threads for t in cpu} == {1}
    cuda = _tasks(demo, samplers=["none", "ctgan"], detectors=["rf"], backend="ray", device="cuda")
    assert [t.gpus for t in cuda] == [1.0, 1.0]  # every detector is handed the device (xgboost uses it)
    half = _tasks(demo, samplers=["ctgan"], detectors=["rf"], device="cuda", gpus_per_group=0.5)
    assert [t.gpus for t in half] == [0.5]
    ProbeDetector.uses_gpu = False  # a detector that declares it never uses the GPU
    try:
        t = _tasks(demo, samplers=["none", "ctgan"], detectors=["probe"], device="cuda")
        assert [x.gpus for x in t] == [0.0, 1.0]  # only the generative sampler's group needs one
    finally:
        del ProbeDetector.uses_gpu
