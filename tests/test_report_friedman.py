"""The report when a Friedman figure is undefined: every block ranking the samplers
alike (Iman–Davenport divides by zero) once crashed the report, and with it the run,
after every cell had been computed."""

from __future__ import annotations

import pandas as pd
from flow_tables import csv_args, run_dirs, write_flows

from benchmark import stats
from benchmark.cli import main
from benchmark.report import analysis as A
from benchmark.report.build import build_report


def test_report_survives_undefined_friedman_figures(tmp_path, monkeypatch, capsys):
    data = write_flows(tmp_path / "flows.csv")
    assert main(csv_args(data, tmp_path / "out", "none,random_oversampling", "rf", "--no-cache")) == 0
    (run_dir,) = run_dirs(tmp_path / "out")

    # three samplers ranked 1, 2, 3 in each of four blocks: perfect agreement
    agree = pd.DataFrame(
        [
            {"detector": f"d{b}", "replicate": "0.0", "sampler": s, "f1": v}
            for b in range(4)
            for s, v in zip("abc", (3, 2, 1))
        ]
    )
    res = stats.friedman(agree, "f1", block_cols=("detector", "replicate"))
    assert res["reason"] is None and res["p_value"] is not None and res["iman_davenport_p"] is None
    no_cd = {**res, "cd": None}  # as beyond 20 samplers
    monkeypatch.setattr(A, "friedman_tests", lambda cells, metric="f1": {"flows": res, "more": no_cd})

    build_report(run_dir)
    report = (run_dir / "report.md").read_text()
    assert (
        f"p = {res['p_value']:.3g}; Iman–Davenport p = undefined (every block ranks the samplers alike)"
        in report
    )
    assert f"Nemenyi CD = {res['cd']:.2f}." in report and "Nemenyi CD = —." in report
