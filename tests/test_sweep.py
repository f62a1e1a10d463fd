"""The imbalance sweep: attack rows of the training part down-sampled per level,
stratified and seeded; the test part untouched; a leaderboard per level and a plot."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from exec_plugins import count, fast_fidelity, register, run_grid, unregister

from benchmark.errors import ConfigError
from benchmark.protocol import Replicate
from benchmark.sweep import apply_attack_share, parse_shares

ATTACK = ("A", "B", "C")


def _rep():
    """fit: 9000 benign + 800 A + 150 B + 50 C (attack share 0.1); val a tenth of
    that; test 1000 benign + 100 A."""
    parts = [("benign", 9000), ("A", 800), ("B", 150), ("C", 50)]
    fit = np.concatenate([[c] * n for c, n in parts])
    val = np.concatenate([[c] * (n // 10) for c, n in parts])
    test = np.array(["benign"] * 1000 + ["A"] * 100)
    cats = np.concatenate([fit, val, test])
    i = np.arange(len(cats))
    return Replicate(
        3, 0, i[: len(fit)], i[len(fit) : len(fit) + len(val)], i[len(fit) + len(val) :], {}
    ), cats


def test_parse_shares():
    assert parse_shares("0.068, 0.02,0.005") == [0.068, 0.02, 0.005]
    assert parse_shares(None) is None and parse_shares("") is None
    for bad in ("0", "1.5", "x"):
        with pytest.raises(ConfigError):
            parse_shares(bad)


def test_share_reached_stratified_benign_and_test_untouched():
    rep, cats = _rep()
    out = apply_attack_share(rep, cats, ATTACK, 0.02)
    fit = cats[out.fit]
    share = np.isin(fit, ATTACK).mean()
    assert share == pytest.approx(0.02, abs=0.002)
    assert (fit == "benign").sum() == (cats[rep.fit] == "benign").sum()  # every benign row kept
    assert set(out.fit) <= set(rep.fit)  # a subset, never a new row
    np.testing.assert_array_equal(out.test, rep.test)  # the test part is not touched
    # stratified: the attack categories keep their proportions (800:150:50)
    kept = out.notes["attack_share"]["fit"]["attack_rows_kept"]
    assert kept["A"] / kept["B"] == pytest.approx(800 / 150, rel=0.1)
    assert sum(kept.values()) == np.isin(fit, ATTACK).sum()
    # seeded: the same draw every time; another seed draws other rows
    again = apply_attack_share(rep, cats, ATTACK, 0.02)
    np.testing.assert_array_equal(again.fit, out.fit)
    other = apply_attack_share(Replicate(4, 0, rep.fit, rep.val, rep.test, {}), cats, ATTACK, 0.02)
    assert not np.array_equal(other.fit, out.fit)


def test_floor_of_one_row_per_category_is_recorded():
    rep, cats = _rep()
    out = apply_attack_share(rep, cats, ATTACK, 0.0005)
    rec = out.notes["attack_share"]["fit"]
    assert rec["attack_rows_kept"]["C"] == 1 and "C" in rec["kept_one_row_minimum"]
    assert set(np.unique(cats[out.fit])) == {"benign", *ATTACK}  # no category vanishes


def test_level_above_natural_share_leaves_the_part_alone():
    rep, cats = _rep()
    out = apply_attack_share(rep, cats, ATTACK, 0.5)
    np.testing.assert_array_equal(out.fit, rep.fit)
    assert out.notes["attack_share"]["fit"]["unchanged"] is True


@pytest.fixture
def plugins(monkeypatch):
    register()
    fast_fidelity(monkeypatch)
    yield
    unregister()


def test_sweep_run_one_leaderboard_per_level_and_plot(demo_csv, tmp_path, plugins):
    fits = tmp_path / "fits.log"
    samplers_ = ["none", f"counting:log={fits}"]
    d, failed, _ = run_grid(demo_csv, tmp_path / "o", samplers_, ["probe"], attack_shares=[0.05, 0.01])
    assert failed == 0
    assert count(fits) == 4  # 2 levels × 2 seeds: the level is part of the group
    lb = pd.read_csv(d / "leaderboard.csv")
    assert sorted(lb["attack_share"].unique()) == [0.01, 0.05]
    assert len(lb) == 4 and set(lb["rank"]) == {1, 2}  # ranked within each level
    cells = [json.loads(x) for x in (d / "cells.jsonl").read_text().splitlines()]
    by_level = {r["attack_share"]: r for r in cells if r["sampler"] == "none" and r["seed"] == 0}
    assert by_level[0.01]["n_fit"] < by_level[0.05]["n_fit"]  # fewer attack training rows
    assert by_level[0.01]["n_test"] == by_level[0.05]["n_test"]  # the same test part
    m = json.loads((d / "manifest.json").read_text())
    assert m["attack_shares"] == [0.05, 0.01]
    notes = [r["notes"]["attack_share"] for r in m["replicates"]]
    assert {n["level"] for n in notes} == {0.05, 0.01}
    assert all(n["fit"]["share"] == pytest.approx(n["level"], abs=0.01) for n in notes)
    assert "attack share 0.01" in (d / "leaderboard.md").read_text()
    png = d / "attack_share_f1.png"
    assert png.exists() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # rerun of one level: served from the cache (the level is in the key)
    _, _, lines = run_grid(demo_csv, tmp_path / "o", samplers_, ["probe"], attack_shares=[0.01])
    assert count(fits) == 4 and any("4/4 cells from cache" in ln for ln in lines)
