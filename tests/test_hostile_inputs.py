"""Hostile inputs: each gives a clear message or a documented, recorded fallback;
never a traceback, never silent garbage.  One test (or one parametrised test) per case.

Per-sampler cases read the outputs of the shared conformance run
(``conformance_cache.sampler_report``: every registered sampler, smoke budgets, on
``benchmark.testing.conformance_table``), so each sampler is fitted once per session.
"""

from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest
from conformance_cache import sampler_report
from flow_tables import ODD, csv_args, flow_frame, run_dirs, write_flows

from benchmark.cli import main
from benchmark.datasets import load_dataset
from benchmark.errors import SamplerError
from benchmark.plugins import Context, Detector, GenerativeSampler, Resampled, Sampler, combine
from benchmark.registry import detectors, samplers
from benchmark.testing import RARE, conformance_table

ALL = samplers.names()
SMOTE_FAMILY = ("smote", "borderline_smote", "adasyn", "smote_tomek")
PER_CLASS_NETS = ("ctgan", "tvae")


def _temporarily(reg, *classes):
    for c in classes:
        reg.register(c)
    return classes


def _forget(reg, *classes):
    for c in classes:
        reg._items.pop(c.name, None)
        reg._origin.pop(c.name, None)


# -- 1. an attack class with 1, 2 or 5 training rows, for every sampler ------------------
@pytest.mark.parametrize("size", (1, 2, 5))
@pytest.mark.parametrize("name", ALL)
def test_tiny_attack_class(name, size):
    report = sampler_report(name)
    check = report[f"tiny_class_{size}"]
    assert check["status"] == "pass", report.table()
    got = report.outputs[f"tiny_class_{size}"]
    if isinstance(got, Exception):
        assert isinstance(got, SamplerError) and RARE in str(got)
        return
    assert isinstance(got, Resampled)
    info = got.info
    if name in SMOTE_FAMILY:  # SMOTE's default k needs 6 rows: a recorded fallback
        note = info["fallbacks"][RARE]
        assert ("repeated" in note) if size == 1 else ("k_neighbors reduced" in note), note
    if name in PER_CLASS_NETS:  # one row cannot be learnt from (a clear error above); else the batch clamp
        assert size > 1
        notes = info["training"]["models"][RARE]["fallbacks"]
        assert any("clamped" in n for n in notes), notes


def test_tiny_class_error_is_one_line_through_the_cli(tmp_path, capsys):
    """Through the harness a sampler's SamplerError is a recorded failed cell with the message."""
    # one row: the split keeps it in training (recorded), so ctgan is asked to learn from it
    data = write_flows(tmp_path / "f.csv", sizes={"benign": 200, "probe": 40, "rare": 1})
    rc = main(csv_args(data, tmp_path / "out", "ctgan,none", "rf", "--no-cache"))
    assert rc == 1
    (run_dir,) = run_dirs(tmp_path / "out")
    cells = {c["sampler"]: c for c in map(json.loads, (run_dir / "cells.jsonl").read_text().splitlines())}
    assert cells["none"]["status"] == "ok"
    assert cells["ctgan"]["status"] == "failed"
    assert "SamplerError: ctgan: class 'rare' has 1 training row(s)" in cells["ctgan"]["error"]


# -- 2. NaN and +inf in a rate column ---------------------------------------------------
def _with_nonfinite(tmp_path):
    df = flow_frame()
    rate = ODD["rate"]
    df[rate] = df[rate].astype(float)
    df.loc[[0, 5, 9], rate] = np.nan
    df.loc[[1, 2], rate] = np.inf
    return write_flows(tmp_path / "nonfinite.csv", frame=df), df


@pytest.mark.parametrize("policy", ("zero", "drop"))
def test_nonfinite_rate_values_follow_the_one_policy(tmp_path, policy):
    path, df = _with_nonfinite(tmp_path)
    ds = load_dataset("csv", path, label="label", nonfinite=policy)
    assert ds.cleaning["policy"] == policy
    assert ds.cleaning["nonfinite_values"] == {ODD["rate"]: 5}
    assert ds.cleaning["rows_affected"] == 5
    assert np.isfinite(ds.X.to_numpy(dtype=float)).all()
    if policy == "zero":
        assert len(ds.X) == len(df) and (ds.X.loc[[0, 1, 2, 5, 9], ODD["rate"]] == 0).all()
    else:
        assert len(ds.X) == len(df) - 5 and ds.cleaning["rows_dropped"] == 5


def test_nonfinite_values_in_a_hikari_file_are_counted(tmp_path, hikari_fragment):
    df = pd.read_csv(hikari_fragment)
    df.loc[0, "flow_pkts_per_sec"] = np.nan
    df.loc[1, "flow_pkts_per_sec"] = np.inf
    df.loc[2, "fwd_pkts_per_sec"] = -np.inf
    path = tmp_path / "hikari.csv"
    df.to_csv(path, index=False)
    ds = load_dataset("hikari2021", path)
    assert ds.cleaning["nonfinite_values"] == {"fwd_pkts_per_sec": 1, "flow_pkts_per_sec": 2}
    assert np.isfinite(ds.X.to_numpy(dtype=float)).all()


class NonfiniteEmitter(GenerativeSampler):
    """Fails the cell if it is given a non-finite value; emits NaN and inf itself."""

    name = "nonfinite_emitter_for_test"
    description = "test spy"

    def _fit(self, X, y, classes, schema, random_state, context):
        if not np.isfinite(X.to_numpy(dtype=float)).all():
            raise AssertionError("the sampler was given a non-finite value")
        self.rows = {c: X[(y == c).to_numpy()] for c in classes}

    def _sample(self, cls, n, random_state):
        out = self.rows[cls].sample(n, replace=True, random_state=random_state).astype(float)
        out.iloc[0, 0] = np.nan
        out.iloc[-1, 1] = np.inf
        return out.reset_index(drop=True)


class FiniteSpyDetector(Detector):
    name = "finite_spy_for_test"
    description = "test spy: a prior that fails on a non-finite input"

    def fit(self, X, y, *, schema, sample_weight=None, random_state=0, context=None):
        if not np.isfinite(np.asarray(X, dtype=float)).all():
            raise AssertionError("the detector was given a non-finite value to fit on")
        self.classes_, counts = np.unique(np.asarray(y), return_counts=True)
        self.prior = counts / counts.sum()
        return self

    def predict_proba(self, X):
        if not np.isfinite(np.asarray(X, dtype=float)).all():
            raise AssertionError("the detector was given a non-finite value to score")
        return np.tile(self.prior, (len(X), 1))


def test_no_sampler_or_detector_ever_sees_a_nonfinite_value(tmp_path, capsys):
    path, _ = _with_nonfinite(tmp_path)
    _temporarily(samplers, NonfiniteEmitter)
    _temporarily(detectors, FiniteSpyDetector)
    try:
        rc = main(
            csv_args(
                path,
                tmp_path / "out",
                "nonfinite_emitter_for_test,smote",
                "finite_spy_for_test,xgboost",
                "--no-cache",
            )
        )
    finally:
        _forget(samplers, NonfiniteEmitter)
        _forget(detectors, FiniteSpyDetector)
    (run_dir,) = run_dirs(tmp_path / "out")
    cells = [json.loads(x) for x in (run_dir / "cells.jsonl").read_text().splitlines()]
    assert rc == 0, [c.get("error") for c in cells]
    assert all(c["status"] == "ok" for c in cells)
    emitter = next(c for c in cells if c["sampler"] == "nonfinite_emitter_for_test")
    n_classes = len(emitter["sampler_record"]["requested"])
    assert n_classes >= 1
    assert emitter["sampler_record"]["info"]["nonfinite_replaced"] == 2 * n_classes  # a NaN and an inf each
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["dataset"]["cleaning"]["nonfinite_values"] == {ODD["rate"]: 5}


@pytest.mark.parametrize("name", ALL)
def test_every_sampler_output_is_finite(name):
    res = sampler_report(name).outputs["main"]
    assert np.isfinite(res.X.to_numpy(dtype=float)).all()


def test_the_harness_rejects_nonfinite_output_it_did_not_make():
    from benchmark.cell import check_resampled

    X, y, _, _ = conformance_table()
    bad = X.copy()
    bad.loc[3, "rate"] = np.nan
    res = Resampled(bad, y, np.zeros(len(X), bool), np.ones(len(X)), {}, {})
    with pytest.raises(ValueError, match="non-finite values in column.*rate"):
        check_resampled(res, X, "weighting")


# -- 3. a constant column ----------------------------------------------------------------
@pytest.mark.parametrize("name", ALL)
def test_a_constant_column_stays_constant(name):
    res = sampler_report(name).outputs["main"]
    col = "urg_flag_count]"  # all zero in the conformance table
    assert (res.X[col] == 0).all()


def test_fidelity_handles_a_constant_column():
    from benchmark.fidelity.suite import evaluate

    X, y, schema, _ = conformance_table()
    real = X[(y == "attack").to_numpy()]
    synth = real.sample(50, replace=True, random_state=0).reset_index(drop=True)
    synth["rate"] = synth["rate"] * 1.1
    table, summary = evaluate(real, synth, schema, detection=False, memorisation=False)
    row = table.set_index("feature").loc["urg_flag_count]"]
    assert row["ks_stat"] == 0 and row["wasserstein_std"] == 0
    assert json.dumps(summary, allow_nan=False)  # JSON-safe: no NaN/inf in the summary
    assert summary["corr_n_excluded_constant"] >= 1


# -- 4. a class smaller than the batch or the mixture components --------------------------
@pytest.mark.parametrize("name", PER_CLASS_NETS)
def test_a_class_smaller_than_the_batch_is_clamped_and_recorded(name):
    X, y, schema, _ = conformance_table(n_rare=8)
    sampler = samplers.get(name)(epochs=1, batch_size=500)
    res = sampler.fit_resample(X, y, schema=schema, targets={RARE: 30}, random_state=0)
    rec = res.info["training"]["models"][RARE]
    assert rec["rows"] == 8 and rec["batch_size"] <= 8
    notes = " ".join(rec["fallbacks"])
    assert "batch 500 clamped to 8 (8 rows)" in notes
    assert "mixture components per column capped at 8" in notes
    if name == "ctgan":
        assert rec["pac"] == 1 and "pac reduced to 1" in notes
    assert int((res.y_synthetic == RARE).sum()) == 22


# -- 5. CTGAN / TVAE seeded twice -----------------------------------------------------------
@pytest.mark.parametrize("name", PER_CLASS_NETS)
def test_ctgan_and_tvae_same_seed_same_rows(name):
    # 520 rows: above ctgan's threshold (500) for encoding columns in worker processes
    X, y, schema, _ = conformance_table(n_benign=50, n_attack=520, n_rare=5)
    slow = ["bytes[fwd]", "duration", "delta"]  # fewer mixtures to fit: a fast test
    X, schema = X.drop(columns=slow), schema.without(slow)

    def draw(seed):
        s = samplers.get(name)(epochs=1, batch_size=200)
        return s.fit_resample(X, y, schema=schema, targets={"attack": 600}, random_state=seed).X_synthetic

    a, b = draw(3), draw(3)
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))
    assert not draw(4).reset_index(drop=True).equals(a.reset_index(drop=True))


# -- 6. a rare category absent from the test split ------------------------------------------
@pytest.fixture(scope="module")
def single_row_run(tmp_path_factory):
    """A CSV whose category ``rare`` has one row: kept in training, so absent from test."""
    tmp = tmp_path_factory.mktemp("single")
    data = write_flows(tmp / "f.csv", sizes={"benign": 250, "probe": 60, "rare": 1})
    rc = main(csv_args(data, tmp / "out", "none,smote", "xgboost,rf", "--task", "multiclass", "--no-cache"))
    (run_dir,) = run_dirs(tmp / "out")
    cells = [json.loads(x) for x in (run_dir / "cells.jsonl").read_text().splitlines()]
    yield rc, run_dir, cells
    shutil.rmtree(tmp, ignore_errors=True)


def test_rare_category_absent_from_test_is_undefined_not_zero(single_row_run):
    rc, _, cells = single_row_run
    assert rc == 0, [c.get("error") for c in cells]
    for c in cells:
        m = c["metrics"]
        assert m["recall[rare]"] is None and m["recall_tuned[rare]"] is None
        assert m["precision[rare]"] is None and m["f1[rare]"] is None
        assert "undefined" in m["notes"]["recall[rare]"] and "undefined" in m["notes"]["rare"]
        assert m["recall[probe]"] is not None and m["roc_auc"] is not None


def test_label_encoding_covers_every_training_class(single_row_run):
    from benchmark.cell import full_proba

    rc, _, cells = single_row_run
    assert all(c["status"] == "ok" for c in cells)  # xgboost's label codes include the 1-row class
    p = full_proba(np.array([[0.2, 0.8]]), ["benign", "rare"], ["benign", "probe", "rare"])
    assert p.tolist() == [[0.2, 0.0, 0.8]]


def test_undefined_metrics_are_left_out_of_the_leaderboard_means():
    from benchmark.metrics import binary_metrics
    from benchmark.report.leaderboard import cells_frame, leaderboard, leaderboard_markdown

    one_class = binary_metrics(np.ones(5), np.linspace(0, 1, 5), np.array(["a"] * 5), ["a", "b"])
    assert one_class["roc_auc"] is None and "undefined" in one_class["notes"]["roc_auc"]
    assert one_class["recall[b]"] is None and "undefined" in one_class["notes"]["recall[b]"]

    def cell(seed, sampler, auc):
        return {
            "dataset": "d",
            "seed": seed,
            "fold": 0,
            "sampler": sampler,
            "detector": "rf",
            "task": "binary",
            "status": "ok",
            "metrics": {"f1": 0.5, "recall": 0.5, "roc_auc": auc, "pr_auc": auc},
        }

    lb = leaderboard(
        cells_frame(
            [cell(0, "s", 0.8), cell(1, "s", None), cell(2, "s", 0.6), cell(0, "t", None), cell(1, "t", None)]
        )
    )
    s = lb[lb.sampler == "s"].iloc[0]
    assert s.roc_auc_mean == pytest.approx(0.7)  # never (0.8 + 0 + 0.6) / 3
    t = lb[lb.sampler == "t"].iloc[0]
    assert pd.isna(t.get("roc_auc_mean"))
    from benchmark.report.analysis import add_confidence_intervals

    cells = cells_frame([cell(0, "s", 0.8), cell(1, "s", None), cell(2, "s", 0.6)])
    ci = add_confidence_intervals(leaderboard(cells), cells).iloc[0]
    assert 0.6 <= ci.roc_auc_ci_low <= ci.roc_auc_ci_high <= 0.8  # the undefined replicate left out
    md = leaderboard_markdown(lb)
    t_line = next(line for line in md.splitlines() if "| t " in line)
    assert "—" in t_line


# -- 7. column names with [ ] < in a generic CSV ----------------------------------------------
def test_odd_column_names_work_with_xgboost_and_stay_in_reports(tmp_path, capsys):
    data = write_flows(tmp_path / "f.csv")
    rc = main(csv_args(data, tmp_path / "out", "smote", "xgboost", "--no-cache"))
    (run_dir,) = run_dirs(tmp_path / "out")
    cells = [json.loads(x) for x in (run_dir / "cells.jsonl").read_text().splitlines()]
    assert rc == 0, [c.get("error") for c in cells]
    assert cells[0]["metrics"]["roc_auc"] > 0.5
    manifest = json.loads((run_dir / "manifest.json").read_text())
    kept = {ODD["bytes"], ODD["pkts"], ODD["flag"]}
    features = pd.read_csv(run_dir / "fidelity.csv")["feature"]
    assert kept <= set(features)
    assert "fwd_URG_flag_count" in manifest["dataset"]["dropped_columns"]  # constant: dropped, recorded


# -- 8. a stratified split where a category has a single row ----------------------------------
def test_single_row_category_is_kept_in_training_and_recorded(single_row_run, tmp_path):
    from benchmark.protocol import ProtocolConfig, make_replicates

    _, run_dir, _ = single_row_run
    manifest = json.loads((run_dir / "manifest.json").read_text())
    notes = manifest["replicates"][0]["notes"]
    assert notes["single_row_categories_kept_in_training"] == ["rare"]
    data = write_flows(tmp_path / "f.csv", sizes={"benign": 50, "probe": 10, "rare": 1})
    ds = load_dataset("csv", data, label="label")
    (rep,) = make_replicates(ds, ProtocolConfig("holdout"), [0])
    rare_row = np.flatnonzero(ds.category.to_numpy() == "rare")
    assert np.isin(rare_row, rep.fit).all() and not np.isin(rare_row, rep.test).any()


# -- 9. bad files: a one-line error, exit code 2, no results folder --------------------------
def _expect_input_error(args, out, capsys, *needles):
    rc = main(args)
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert rc == 2
    assert len(err) == 1 and err[0].startswith("error: "), err
    for n in needles:
        assert n in err[0], err[0]
    assert not any((d / "manifest.json").exists() for d in run_dirs(out)), "a results folder was written"
    assert not run_dirs(out)


def test_missing_file(tmp_path, capsys):
    out = tmp_path / "out"
    _expect_input_error(
        csv_args(tmp_path / "nope.csv", out, "none", "rf"), out, capsys, "file not found", "nope.csv"
    )


def test_empty_file(tmp_path, capsys):
    (tmp_path / "empty.csv").write_text("")
    out = tmp_path / "out"
    _expect_input_error(csv_args(tmp_path / "empty.csv", out, "none", "rf"), out, capsys, "empty")


def test_header_only_file(tmp_path, capsys):
    (tmp_path / "head.csv").write_text("a,b,label\n")
    out = tmp_path / "out"
    _expect_input_error(csv_args(tmp_path / "head.csv", out, "none", "rf"), out, capsys, "no rows")


def test_csv_without_the_label_column(tmp_path, capsys):
    data = write_flows(tmp_path / "f.csv", frame=flow_frame().drop(columns=["label"]))
    out = tmp_path / "out"
    _expect_input_error(csv_args(data, out, "none", "rf"), out, capsys, "no label column 'label'")


def test_hikari_file_with_a_renamed_column(tmp_path, capsys, hikari_fragment):
    text = hikari_fragment.read_text().splitlines()
    text[0] = text[0].replace("flow_SYN_flag_count", "flow_syn_flags")
    path = tmp_path / "renamed.csv"
    path.write_text("\n".join(text) + "\n")
    out = tmp_path / "out"
    args = [
        "run",
        "--dataset",
        "hikari2021",
        "--data",
        str(path),
        "--samplers",
        "none",
        "--models",
        "rf",
        "--profile",
        "smoke",
        "--out",
        str(out),
    ]
    _expect_input_error(
        args,
        out,
        capsys,
        "missing column(s) ['flow_SYN_flag_count']",
        "unexpected column(s) ['flow_syn_flags']",
    )


def test_nsl_kdd_folder_missing(tmp_path, capsys):
    out = tmp_path / "out"
    args = [
        "run",
        "--dataset",
        "nsl-kdd",
        "--data",
        str(tmp_path / "nope"),
        "--samplers",
        "none",
        "--models",
        "rf",
        "--profile",
        "smoke",
        "--out",
        str(out),
    ]
    _expect_input_error(args, out, capsys, "folder not found")


def test_unknown_sampler_is_a_one_line_error(tmp_path, capsys):
    data = write_flows(tmp_path / "f.csv")
    out = tmp_path / "out"
    _expect_input_error(
        csv_args(data, out, "no_such_sampler", "rf"), out, capsys, "unknown sampler 'no_such_sampler'"
    )


# -- 10. fractional or negative generated counts --------------------------------------------
@pytest.mark.parametrize("name", ALL)
def test_every_sampler_output_has_integral_nonnegative_counts(name):
    _, _, schema, _ = conformance_table()
    res = sampler_report(name).outputs["main"]
    for c in schema.integer_columns:
        v = res.X[c].to_numpy(dtype=float)
        assert (v >= 0).all() and (v == np.round(v)).all(), c
    assert schema.violations(res.X) == {}


class SloppyGenerative(GenerativeSampler):
    name = "sloppy_generative_for_test"
    description = "emits fractional and negative counts"

    def _fit(self, X, y, classes, schema, random_state, context):
        self.cols = list(X.columns)

    def _sample(self, cls, n, random_state):
        rng = np.random.default_rng(random_state)
        return pd.DataFrame(rng.normal(0.0, 5.0, (n, len(self.cols))), columns=self.cols)


class SloppyRaw(Sampler):
    """Builds its own Resampled (bypassing combine) with fractional, negative counts."""

    name = "sloppy_raw_for_test"
    description = "bypasses combine"

    def _fit_resample(self, X, y, *, schema, targets, random_state, context):
        add = self.additions(y, targets)
        c, n = next(iter(add.items()))
        new = X[(y == c).to_numpy()].sample(n, replace=True, random_state=0).astype(float) - 0.4
        Xr = pd.concat([X.astype(float), new], ignore_index=True)
        yr = pd.concat([y, pd.Series([c] * n)], ignore_index=True)
        return Resampled(Xr, yr, np.r_[np.zeros(len(X), bool), np.ones(n, bool)], None, {c: n}, {})


@pytest.mark.parametrize("cls", (SloppyGenerative, SloppyRaw))
def test_fractional_and_negative_counts_are_repaired_and_recorded(cls):
    X, y, schema, targets = conformance_table()
    if cls is SloppyRaw:
        targets = {"attack": targets["attack"], RARE: int((y == RARE).sum())}
    res = cls().fit_resample(X, y, schema=schema, targets=targets, random_state=0, context=Context())
    assert schema.violations(res.X) == {}
    assert all(res.X[c].dtype == X[c].dtype for c in X.columns)
    repairs = res.info["schema_repairs"]
    assert repairs["bytes[fwd]"] > 0 and repairs["pkts<1s"] > 0
    assert 0 < res.info["schema_repair_share"] <= 1
    # originals untouched
    pd.testing.assert_frame_equal(res.X[~res.synthetic].reset_index(drop=True), X)


def test_combine_is_the_one_repair_for_generative_samplers():
    X, y, schema, _ = conformance_table()
    part = X.iloc[:4].astype(float).copy()
    part["pkts<1s"] = [-2.0, 1.4, 2.6, 3.0]
    res = combine(X, y, [part], [pd.Series(["attack"] * 4)], schema, {"attack": 4}, {})
    assert res.X_synthetic["pkts<1s"].tolist() == [0, 1, 3, 3]
    assert res.info["schema_repairs"]["pkts<1s"] == 3
