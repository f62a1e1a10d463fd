"""The command line: ``--help`` on every command, unknown options, and the
``--fidelity-gate`` option from the parser through the manifest to the leaderboards."""

from __future__ import annotations

import argparse
import json

import pandas as pd
import pytest
from flow_tables import run_dirs

from benchmark.cli import build_parser, main
from benchmark.errors import ConfigError
from benchmark.fidelity import gate


def _subcommands() -> list[str]:
    """Every subcommand the parser knows (so a new one is covered without editing this test)."""
    (action,) = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return list(action.choices)


def test_the_subcommands_are_the_documented_ones():
    assert set(_subcommands()) >= {"list", "run", "report"}


@pytest.mark.parametrize("argv", [[], *[[c] for c in _subcommands()]], ids=lambda a: " ".join(a) or "top")
def test_help_exits_0_and_prints_usage(argv, capsys):
    with pytest.raises(SystemExit) as e:
        main([*argv, "--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: python -m benchmark{''.join(' ' + a for a in argv)}")
    if not argv:  # the top level lists every subcommand
        for c in _subcommands():
            assert c in out
    if argv == ["run"]:
        for opt in ("--samplers", "--models", "--seeds", "--profile", "--task", "--fidelity-gate"):
            assert opt in out
        assert gate.DEFAULT_GATE in out  # the default is shown


# the required positionals of a command (so that the unknown option is what fails)
POSITIONALS = {"report": ["some-run-dir"]}


@pytest.mark.parametrize("argv", [[], *[[c] for c in _subcommands()]], ids=lambda a: " ".join(a) or "top")
def test_unknown_option_exits_2(argv, capsys):
    full = (
        [*argv, *POSITIONALS.get(argv[0], []), "--no-such-option"] if argv else ["--no-such-option", "list"]
    )
    with pytest.raises(SystemExit) as e:
        main(full)
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert "usage:" in err and "--no-such-option" in err


def test_missing_subcommand_exits_2(capsys):
    with pytest.raises(SystemExit) as e:
        main([])
    assert e.value.code == 2
    assert "usage:" in capsys.readouterr().err


# -- --fidelity-gate ----------------------------------------------------------------------
def _demo_args(demo_csv, out, *extra):
    return [
        "run",
        "--dataset",
        "demo",
        "--data",
        str(demo_csv),
        "--profile",
        "smoke",
        "--samplers",
        "none,smote",
        "--models",
        "rf",
        "--seeds",
        "0",
        "--out",
        str(out),
        *extra,
    ]


def _md_line(md: str, sampler: str) -> str:
    return next(line for line in md.splitlines() if line.startswith("|") and f"| {sampler} " in line)


@pytest.mark.slow
def test_fidelity_gate_reaches_manifest_and_leaderboards(demo_csv, tmp_path, capsys):
    out = tmp_path / "out"
    lax = "ks_median<=1,ks_max<=1,validity_all>=0"
    strict = "ks_median<=0.0"
    assert main(_demo_args(demo_csv, out, "--fidelity-gate", lax)) == 0
    # the gate is applied by the report, not part of any cache key: the second run takes
    # every cell from the cache and only judges them differently
    assert main(_demo_args(demo_csv, out, "--fidelity-gate", strict)) == 0
    first, second = run_dirs(out)
    assert json.loads((second / "manifest.json").read_text())["cache"]["cells_from_cache"] == 2

    for run_dir, spec in ((first, lax), (second, strict)):
        manifest = json.loads((run_dir / "manifest.json").read_text())
        assert manifest["fidelity_gate"] == spec
        assert manifest["config"]["fidelity_gate"] == spec
        assert f"Fidelity gate: {spec}" in (run_dir / "report.md").read_text()

    # what the strict gate must say follows from the fidelity figures in cells.jsonl
    cell = next(
        json.loads(x)
        for x in (second / "cells.jsonl").read_text().splitlines()
        if json.loads(x)["sampler"] == "smote"
    )
    ks = {c: s["ks_median"] for c, s in cell["fidelity"].items()}
    assert ks and all(0 <= v <= 1 for v in ks.values())
    broken = sorted(c for c, v in ks.items() if v > 0.0)
    assert broken  # smote's rows are not exact copies of the real marginals
    expected_fail = f"FAIL: ks_median ({len(broken)} of {len(ks)} classes)"

    for run_dir, verdict in ((first, "pass"), (second, expected_fail)):
        lb = pd.read_csv(run_dir / "leaderboard.csv").set_index("sampler")
        assert lb.loc["smote", "fidelity_gate"] == verdict
        assert lb.loc["none", "fidelity_gate"] == "n/a (no rows added)"
        md = (run_dir / "leaderboard.md").read_text()
        assert "| fidelity gate " in md and "| Δ F1 vs none " in md
        assert f"| {verdict} " in _md_line(md, "smote")
        assert "| n/a (no rows added) " in _md_line(md, "none")
    detail = pd.read_csv(second / "leaderboard.csv").set_index("sampler").loc["smote", "fidelity_gate_detail"]
    for c in broken:
        assert f"ks_median {ks[c]:.3g} > 0 ({c})" in detail

    # the paired difference vs none, with its mark: one seed, so no test can decide ('?')
    lb = pd.read_csv(second / "leaderboard.csv").set_index("sampler")
    diff = lb.loc["smote", "f1_mean"] - lb.loc["none", "f1_mean"]
    assert lb.loc["smote", "f1_diff_vs_none"] == pytest.approx(diff, abs=1e-12)
    assert lb.loc["smote", "f1_verdict"] == "too few seeds"
    md = (second / "leaderboard.md").read_text()
    assert f"| ? {diff:+.3f} [{diff:+.3f}, {diff:+.3f}] " in _md_line(md, "smote")
    assert pd.isna(lb.loc["none", "f1_diff_vs_none"]) and "| — " in _md_line(md, "none")


@pytest.mark.parametrize(
    "rules, bad",
    [
        ("ks_median<=0.2,ks_max<0.6", "ks_max<0.6"),  # not <= / >=
        ("ks_median<=0.2,ks_medain<=0.2", "ks_medain<=0.2"),  # a typo would gate nothing
        ("validity_all>=0..9", "validity_all>=0..9"),  # not a number
        ("ks_median=0.2", "ks_median=0.2"),
    ],
)
def test_invalid_fidelity_gate_is_one_line_and_exit_2(rules, bad, tmp_path, capsys):
    out = tmp_path / "out"
    rc = main(_demo_args(tmp_path / "never-read.csv", out, "--fidelity-gate", rules))
    assert rc == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert err.startswith("error: fidelity gate:") and repr(bad) in err
    assert run_dirs(out) == []  # rejected before anything was loaded or written
    with pytest.raises(ConfigError, match="fidelity gate"):
        gate.parse_gate(rules)


def test_fidelity_gate_default_and_empty():
    args = build_parser().parse_args(["run", "--samplers", "none", "--models", "rf"])
    assert args.fidelity_gate == gate.DEFAULT_GATE
    assert [r[0] for r in gate.parse_gate(args.fidelity_gate)] == ["ks_median", "ks_max", "validity_all"]
    assert gate.parse_gate("") == [] and "no rules" in gate.describe("")
    assert gate.describe(None) == gate.DEFAULT_GATE
