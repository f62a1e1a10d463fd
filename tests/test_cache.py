"""The result cache: keys, exact round trips, atomic entries, rerun and resume."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from exec_plugins import count, fast_fidelity, register, run_grid, score_columns, unregister

from benchmark.cache import (
    Cache,
    digest,
    resampled_from_payload,
    rows_payload,
    table_from_text,
    table_to_text,
)
from benchmark.jsonio import atomic_path, read_jsonl

TESTS = Path(__file__).resolve().parent


@pytest.fixture
def plugins(monkeypatch):
    register()
    fast_fidelity(monkeypatch)
    yield
    unregister()


# -- keys and entries --------------------------------------------------------------
def test_digest_is_canonical_and_sensitive():
    a = {"x": 1, "y": [1, 2], "z": {"b": 1.5, "a": None}}
    b = {"z": {"a": None, "b": 1.5}, "y": [1, 2], "x": 1}
    assert digest(a) == digest(b)
    assert digest(a) != digest({**a, "x": 2})
    assert digest({"p": np.float64(0.25)}) == digest({"p": 0.25})


def test_json_entry_round_trip_and_torn_entries(tmp_path):
    c = Cache(tmp_path / "c")
    assert (tmp_path / "c" / "CACHEDIR.TAG").exists()
    c.put("cells", "ab" + "0" * 62, {"m": 1}, {"status": "ok", "metrics": {"f1": 0.5, "auc": float("nan")}})
    got = c.get("cells", "ab" + "0" * 62)
    assert got == {"status": "ok", "metrics": {"f1": 0.5, "auc": None}}
    # immutable: a second put with the same key does not replace the entry
    c.put("cells", "ab" + "0" * 62, {"m": 1}, {"status": "failed"})
    assert c.get("cells", "ab" + "0" * 62)["status"] == "ok"
    # a torn file (a kill in the middle of a non-atomic write) is a miss, not a record
    key = "cd" + "1" * 62
    p = c._path("cells", key, ".json")
    p.parent.mkdir(parents=True)
    full = json.dumps({"format": 1, "kind": "cells", "key": key, "material": {}, "value": {"status": "ok"}})
    p.write_text(full[: len(full) // 2])
    assert c.get("cells", key) is None and c.corrupt == 1
    # an entry whose stored key differs (a file copied to the wrong name) is a miss too
    p.write_text(full.replace(key, "ee" + "2" * 62))
    assert c.get("cells", key) is None and c.corrupt == 2
    # a torn rows file
    rk = "ef" + "3" * 62
    rp = c._path("groups", rk, ".npz")
    rp.parent.mkdir(parents=True)
    rp.write_bytes(b"PK\x03\x04 not a whole zip")
    assert c.get_rows(rk) is None and c.corrupt == 3
    # the unreadable entries are removed, so the recomputed result can be stored
    assert not p.exists() and not rp.exists()
    c.put("cells", key, {}, {"status": "ok"})
    assert c.get("cells", key) == {"status": "ok"}


def test_atomic_path_never_leaves_a_partial_file(tmp_path):
    target = tmp_path / "x.json"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("killed")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"]  # no temporary left behind


def test_disabled_cache_stores_nothing(tmp_path):
    c = Cache(None)
    c.put("cells", "00" * 32, {}, {"a": 1})
    assert not c.enabled and c.get("cells", "00" * 32) is None and c.get_rows("00" * 32) is None


def _check_round_trip(res, X_fit, y_fit, tmp_path):
    c = Cache(tmp_path / "c")
    key = "aa" * 32
    c.put_rows(key, rows_payload(res, X_fit, y_fit, key))
    back = resampled_from_payload(c.get_rows(key), X_fit, y_fit)
    pd.testing.assert_frame_equal(back.X, res.X.reset_index(drop=True))
    pd.testing.assert_series_equal(back.y, res.y.reset_index(drop=True))
    assert np.array_equal(back.synthetic, res.synthetic)
    if res.sample_weight is None:
        assert back.sample_weight is None
    else:
        assert np.array_equal(back.sample_weight, res.sample_weight)
    assert back.requested == res.requested and back.info == json.loads(json.dumps(res.info))
    return c._path("groups", key, ".npz").stat().st_size


def test_rows_round_trip_exactly(demo, tmp_path):
    """Oversampler, undersampler and weighting results rebuild exactly from the stored
    new rows plus the training part -- and the originals are not stored."""
    from exec_plugins import CountingSampler, HalvingUndersampler

    from benchmark.registry import samplers

    X, y = (
        demo.X.iloc[:1500].reset_index(drop=True),
        pd.Series(demo.category.to_numpy()[:1500], name="category"),
    )
    schema = demo.schema.with_constants_of(X)
    targets = {c: 200 for c in demo.attack_categories if (y == c).any()}
    over = CountingSampler().fit_resample(X, y, schema=schema, targets=targets, random_state=3)
    size_over = _check_round_trip(over, X, y, tmp_path / "o")
    n_new = int(over.synthetic.sum())
    assert n_new > 0
    # stored bytes ~ the new rows only (plus <600 bytes of headers per column), far
    # below the whole resampled table
    per_row = over.X.memory_usage(index=False).sum() / len(over.X)
    assert size_over < per_row * n_new + 600 * over.X.shape[1] < 0.5 * per_row * len(over.X)
    under = HalvingUndersampler().fit_resample(X, y, schema=schema, targets=targets, random_state=0)
    assert len(under.X) < len(X)
    _check_round_trip(under, X, y, tmp_path / "u")
    for name in ("class_weights", "random_undersampling", "smote_tomek"):
        if name in samplers.names():  # the registry's own non-oversamplers, when present
            r = (
                samplers.get(name)
                .for_profile("smoke")
                .fit_resample(X, y, schema=schema, targets=targets, random_state=0)
            )
            _check_round_trip(r, X, y, tmp_path / name)


def test_fidelity_table_text_round_trip():
    t = pd.DataFrame(
        {"feature": ["a", "b"], "ks_stat": [0.1 + 0.2, 1 / 3], "n": [3, 4], "flag": [True, False]}
    )
    back = table_from_text(table_to_text(t))
    pd.testing.assert_frame_equal(back, t)
    assert table_from_text(table_to_text(pd.DataFrame())).empty


# -- keys cover what a result depends on ----------------------------------------------
def _keys(ds, **kw):
    from benchmark.cache import Cache
    from benchmark.profiles import get_profile
    from benchmark.protocol import ProtocolConfig, make_replicates
    from benchmark.runner import RunConfig, plan

    seeds = kw.pop("seeds", [0])
    proto = ProtocolConfig("holdout", test_share=kw.pop("test_share", 0.2))
    cfg = RunConfig(samplers=kw.pop("samplers", ["smote"]), detectors=kw.pop("detectors", ["rf"]), **kw)
    groups, _ = plan(
        ds,
        [(None, make_replicates(ds, proto, seeds))],
        cfg,
        get_profile(cfg.profile),
        proto,
        Cache(None),
        Path("."),
    )
    g = groups[0]
    return g["group_key"], g["fidelity_key"], next(iter(g["cell_keys"].values()))


def test_keys_change_with_every_dependency_but_not_threads(demo):
    base = _keys(demo, profile="smoke")
    assert base == _keys(demo, profile="smoke")  # deterministic
    assert _keys(demo, profile="smoke", jobs=2) == base  # execution never changes a key
    assert _keys(demo, profile="smoke", detectors=["rf:n_jobs=1"])[0] == base[0]
    assert _keys(demo, profile="smoke", detectors=["rf:n_jobs=1"])[2] != base[2]  # the spec is the row's name
    assert _keys(demo, profile="smoke", detectors=["rf:n_estimators=7"])[2] != base[2]
    assert _keys(demo, profile="smoke", detectors=["rf:n_estimators=7"])[0] == base[0]  # same sampler rows
    assert _keys(demo, profile="smoke", task="multiclass")[0] == base[0]  # rows do not depend on the task
    assert _keys(demo, profile="smoke", task="multiclass")[2] != base[2]
    for changed in (
        dict(profile="quick"),
        dict(profile="smoke", seeds=[1]),
        dict(profile="smoke", test_share=0.3),
        dict(profile="smoke", samplers=["smote:k_neighbors=3"]),
        dict(profile="smoke", sampling_strategy="0.5"),
        dict(profile="smoke", device="cuda"),
    ):
        k = _keys(demo, **changed)
        assert k[0] != base[0] and k[1] != base[1] and k[2] != base[2], changed
    other = demo.__class__(
        **{**demo.__dict__, "X": demo.X.assign(flow_duration=demo.X["flow_duration"] + 1.0)}
    )
    assert _keys(other, profile="smoke")[0] != base[0]  # the data fingerprint


# -- rerun and resume ------------------------------------------------------------------
def test_rerun_computes_nothing_and_says_so(demo_csv, tmp_path, plugins):
    log = tmp_path / "fits.log"
    samplers_ = ["none", f"counting:log={log}"]
    d1, f1, _ = run_grid(demo_csv, tmp_path / "out", samplers_, ["rf", "probe"])
    assert f1 == 0 and count(log) == 2  # one fit per (seed, sampler) for two detectors
    d2, f2, lines = run_grid(demo_csv, tmp_path / "out", samplers_, ["rf", "probe"])
    assert d2 != d1 and d1.exists()  # a new folder; the first one kept
    assert count(log) == 2  # nothing refitted
    assert any("8/8 cells from cache" in ln and "nothing to compute" in ln for ln in lines)
    m = json.loads((d2 / "manifest.json").read_text())
    assert m["cache"]["cells_from_cache"] == 8 and m["cache"]["cells_computed"] == 0
    assert m["cache"]["samplers_fitted"] == 0
    # every cell (with its recorded timings) comes back: the leaderboards are the same file
    lb1, lb2 = pd.read_csv(d1 / "leaderboard.csv"), pd.read_csv(d2 / "leaderboard.csv")
    pd.testing.assert_frame_equal(lb1, lb2)
    assert (d1 / "fidelity.csv").read_text() == (d2 / "fidelity.csv").read_text()
    assert read_jsonl(d1 / "cells.jsonl") == read_jsonl(d2 / "cells.jsonl")
    # a new detector: only its cells are computed, on the cached rows (no refit)
    d3, _, lines = run_grid(demo_csv, tmp_path / "out", samplers_, ["rf", "probe", "probe:n_jobs=1"])
    assert count(log) == 2
    assert any("8/12 cells from cache" in ln for ln in lines)
    # --no-cache computes everything again and writes nothing to the cache
    before = sorted(p.name for p in (tmp_path / "out" / ".cache").rglob("*.json"))
    run_grid(demo_csv, tmp_path / "out", samplers_, ["rf"], no_cache=True)
    assert count(log) == 4
    assert sorted(p.name for p in (tmp_path / "out" / ".cache").rglob("*.json")) == before


def test_explicit_cache_folder(demo_csv, tmp_path, plugins):
    run_grid(demo_csv, tmp_path / "a", ["none"], ["probe"], cache=str(tmp_path / "shared-cache"))
    assert not (tmp_path / "a" / ".cache").exists()
    _, _, lines = run_grid(
        demo_csv, tmp_path / "b", ["none"], ["probe"], cache=str(tmp_path / "shared-cache")
    )
    assert any("2/2 cells from cache" in ln for ln in lines)


def test_interrupted_detector_resumes_without_refitting(demo_csv, tmp_path, plugins):
    """An exception that ends the run (KeyboardInterrupt) in seed 1's first detector:
    the rerun refits no sampler and computes only the missing cells."""
    log, dlog, arm = tmp_path / "fits.log", tmp_path / "det.log", tmp_path / "arm"
    arm.touch()
    samplers_ = [f"counting:log={log}"]
    dets = [f"probe:log={dlog}:fail_at=2:arm={arm}", "rf"]
    with pytest.raises(KeyboardInterrupt):
        run_grid(demo_csv, tmp_path / "out", samplers_, dets)
    assert count(log) == 2 and count(dlog) == 2  # seed 0 whole; seed 1 fitted, its first cell died
    arm.unlink()
    d, failed, lines = run_grid(demo_csv, tmp_path / "out", samplers_, dets)
    assert failed == 0 and count(log) == 2  # seed 1's rows came from the cache
    assert count(dlog) == 3  # only the missing probe cell was fitted again
    assert any("2/4 cells from cache" in ln for ln in lines)
    ref, _, _ = run_grid(demo_csv, tmp_path / "ref", samplers_, dets, no_cache=True)
    pd.testing.assert_frame_equal(
        score_columns(pd.read_csv(d / "leaderboard.csv")), score_columns(pd.read_csv(ref / "leaderboard.csv"))
    )


KILL_SCRIPT = """
import sys
sys.path.insert(0, {tests!r})
import exec_plugins
exec_plugins.register()
import benchmark.runner as R
R._fidelity_budget = lambda p: {{"detection_rows": 0, "detection_folds": 2, "dcr_rows": 200}}
from benchmark.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.slow
def test_killed_run_resumes_and_matches_an_uninterrupted_one(demo_csv, tmp_path):
    """SIGKILL (no cleanup at all) during the 3rd sampler fit of 4; the rerun computes
    only what is missing and its leaderboard equals an uninterrupted run's."""
    log, arm = tmp_path / "fits.log", tmp_path / "arm"
    arm.touch()
    script = tmp_path / "run.py"
    script.write_text(KILL_SCRIPT.format(tests=str(TESTS)))
    args = ["run", "--dataset", "hikari2021", "--data", str(demo_csv), "--profile", "smoke", "--seeds", "0,1"]
    args += ["--samplers", f"none,counting:log={log}:kill_at=2:arm={arm}", "--models", "rf,probe"]
    env = {**os.environ, "PYTHONPATH": str(TESTS.parent)}
    p = subprocess.run(
        [sys.executable, str(script), *args, "--out", str(tmp_path / "out")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert p.returncode == -9, p.stderr[-2000:]  # killed
    assert count(log) == 2
    killed = [d for d in (tmp_path / "out").iterdir() if not d.name.startswith(".")]
    assert len(killed) == 1 and json.loads((killed[0] / "manifest.json").read_text())["status"] == "running"
    n_done = len(read_jsonl(killed[0] / "cells.partial.jsonl"))
    assert n_done == 6  # seed 0 (none, counting) and seed 1 none, 2 detectors each
    arm.unlink()
    p = subprocess.run(
        [sys.executable, str(script), *args, "--out", str(tmp_path / "out")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert p.returncode == 0, p.stderr[-2000:]
    assert "6/8 cells from cache" in p.stderr
    assert count(log) == 3  # only the killed group was fitted again
    p2 = subprocess.run(
        [sys.executable, str(script), *args, "--out", str(tmp_path / "ref"), "--no-cache"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert p2.returncode == 0, p2.stderr[-2000:]
    (resumed,) = [d for d in (tmp_path / "out").iterdir() if not d.name.startswith(".") and d != killed[0]]
    (ref,) = [d for d in (tmp_path / "ref").iterdir() if not d.name.startswith(".")]
    a, b = pd.read_csv(resumed / "leaderboard.csv"), pd.read_csv(ref / "leaderboard.csv")
    assert len(a) == 4
    pd.testing.assert_frame_equal(score_columns(a), score_columns(b))


def test_failures_are_cached_and_retried_on_request(demo_csv, tmp_path, plugins):
    log, flag = tmp_path / "fits.log", tmp_path / "fail"
    flag.touch()
    samplers_ = [f"counting:log={log}:fail_if={flag}"]
    d, failed, _ = run_grid(demo_csv, tmp_path / "o", samplers_, ["probe"])
    assert failed == 2 and count(log) == 2
    rec = read_jsonl(d / "cells.jsonl")[0]
    assert rec["stage"] == "sampler" and "asked to fail" in rec["error"]
    assert rec["timings"]["sampler_s"] >= 0  # what the failed attempt cost is recorded
    flag.unlink()
    _, failed, lines = run_grid(demo_csv, tmp_path / "o", samplers_, ["probe"])
    assert failed == 2 and count(log) == 2  # a recorded failure is a result: not recomputed
    assert any("2/2 cells from cache" in ln for ln in lines)
    _, failed, _ = run_grid(demo_csv, tmp_path / "o", samplers_, ["probe"], retry_failed=True)
    assert failed == 0 and count(log) == 4
