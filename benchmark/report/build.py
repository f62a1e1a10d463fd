"""Everything a run writes after its cells: leaderboards, fidelity tables, the
statistics, and ``report.md`` / ``report.html`` (``python -m benchmark report``)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from benchmark.fidelity import gate
from benchmark.jsonio import read_jsonl, write_json, write_text
from benchmark.report import analysis as A
from benchmark.report import figures as F
from benchmark.report import generators as G
from benchmark.report.claims import claims_section
from benchmark.report.document import Doc, to_html, to_markdown
from benchmark.report.generators import generator_markdown, generator_table
from benchmark.report.leaderboard import (
    MARK,
    TIME_COLUMNS,
    cells_frame,
    leaderboard,
    leaderboard_markdown,
)


def _with_tests(lb: pd.DataFrame, tests: pd.DataFrame, gates: pd.DataFrame) -> pd.DataFrame:
    lb = lb.copy()
    keys = ["dataset", *[c for c in A.LEVEL_COLUMNS if c in lb.columns], "detector", "sampler"]
    if not tests.empty:
        t = tests[tests["metric"] == "f1"][[*keys, "mean_diff", "ci_low", "ci_high", "p_holm", "verdict"]]
        t = t.rename(
            columns={
                "mean_diff": "f1_diff_vs_none",
                "ci_low": "f1_diff_ci_low",
                "ci_high": "f1_diff_ci_high",
                "p_holm": "f1_p_holm",
                "verdict": "f1_verdict",
            }
        )
        lb = lb.merge(t, on=keys, how="left")
    if not gates.empty:
        gk = [k for k in ("dataset", *A.LEVEL_COLUMNS, "sampler") if k in gates.columns and k in lb.columns]
        lb = lb.merge(gates, on=gk, how="left")
        lb["fidelity_gate"] = lb["fidelity_gate"].fillna("n/a (no rows added)")
    return lb


def build_report(run_dir: str | Path, log=None) -> dict:
    run_dir = Path(run_dir)
    manifest = json.loads((run_dir / "manifest.json").read_text())
    records = read_jsonl(run_dir / "cells.jsonl")
    cells = cells_frame(records)
    rules = gate.parse_gate(manifest.get("fidelity_gate"))
    fid_path = run_dir / "fidelity.csv"
    fid = pd.read_csv(fid_path) if fid_path.exists() else pd.DataFrame()

    lb = leaderboard(cells)
    tests = A.paired_tests(cells) if not cells.empty and (cells["status"] == "ok").any() else pd.DataFrame()
    fid_class = A.fidelity_by_class(A.fidelity_frame(records))
    gates = A.apply_gate(fid_class, rules)
    if not lb.empty:
        lb = A.add_confidence_intervals(lb, cells)
        lb = _with_tests(lb, tests, gates)
    write_leaderboard_csvs(lb, run_dir)
    if not tests.empty:
        tests.to_csv(run_dir / "significance.csv", index=False)
    fried = A.friedman_tests(cells) if not cells.empty and (cells["status"] == "ok").any() else {}
    write_json(run_dir / "statistics.json", {"friedman_f1": fried})

    head = (
        f"# Leaderboard — {manifest['dataset']['name']}, profile `{manifest['profile']['name']}`\n\n"
        f"Protocol `{manifest['protocol']['protocol']}`, task `{manifest['task']}`, "
        f"seeds {manifest['seeds']}, sampling strategy `{manifest['sampling_strategy']['spec']}`. "
        "Mean ± std over replicates; ranked by F1 (threshold 0.5) within each detector. "
        "Δ F1 vs `none`: paired by replicate, ▲ better / ▼ worse / = no detectable difference "
        "(Wilcoxon, Holm) / ? too few seeds for any test to reach p < 0.05, with its 95% CI. "
        f"Fidelity gate `{gate.describe(manifest.get('fidelity_gate'))}`: `pass`, or `FAIL` with the "
        "figures some class of the sampler's synthetic rows broke (cells stay, marked).\n\n"
        f"Command: `{manifest.get('command', '')}`\n\n"
    )
    write_text(run_dir / "leaderboard.md", head + leaderboard_markdown(lb))
    if "attack_share" in lb.columns:  # imbalance sweep: attack F1 against the training attack share
        from benchmark.sweep import plot_attack_share

        plot_attack_share(lb, run_dir / "attack_share_f1.png")
    gen = generator_table(records)
    if not gen.empty:
        gen.to_csv(run_dir / "generators.csv", index=False)
    write_text(
        run_dir / "fidelity.md",
        "# Fidelity — synthetic rows vs the real training rows of their class\n\n"
        "Per sampler and class, averaged over replicates: the median and max over features of the "
        "KS statistic, the share of features whose synthetic mean is within 10% of the real one, "
        "the share of rows satisfying every flow identity (HIKARI layout), the share of the rows "
        "asked for the class that are of the class, and the class model's training seconds and "
        "seconds per epoch where the sampler records them.\n\n" + generator_markdown(gen),
    )

    claims = write_full_report(
        run_dir, manifest, records, cells, lb, tests, fried, fid, fid_class, gates, gen
    )
    if log:
        log(f"results: {run_dir}")
        log((run_dir / "leaderboard.md").read_text())
        log(f"report: {run_dir / 'report.html'}")
    return {"leaderboard": lb, "generators": gen, "tests": tests, "claims": claims}


def write_leaderboard_csvs(lb: pd.DataFrame, run_dir: Path) -> None:
    """``leaderboard.csv``: the scores, so that the same seed gives the same file byte for
    byte; ``timings.csv``: the same rows' seconds and peak memory, which vary from run to
    run (both are in ``leaderboard.md``)."""
    measured = [c for c in (*TIME_COLUMNS, "peak_mb") if c in lb.columns]
    lb.drop(columns=measured).to_csv(run_dir / "leaderboard.csv", index=False)
    keys = [c for c in ("dataset", *A.LEVEL_COLUMNS, "detector", "sampler") if c in lb.columns]
    if not lb.empty:
        lb[keys + measured].to_csv(run_dir / "timings.csv", index=False)


def _f(v, d=3):
    return None if v is None or pd.isna(v) else round(float(v), d)


def _ci(r, m):
    mean = r.get(f"{m}_mean")
    if mean is None or pd.isna(mean):
        return "—"
    lo, hi = r.get(f"{m}_ci_low"), r.get(f"{m}_ci_high")
    return f"{mean:.3f} [{lo:.3f}, {hi:.3f}]" if pd.notna(lo) else f"{mean:.3f}"


def write_full_report(run_dir, manifest, records, cells, lb, tests, fried, fid, fid_class, gates, gen):
    doc = Doc()
    ds = manifest["dataset"]
    figdir = run_dir / "figures"
    doc.h(1, f"Report — {ds['name']}, profile `{manifest['profile']['name']}`")
    dup = [r["duplicates"] for r in manifest.get("replicates", [])]
    seen = (
        (sum(d["test_rows_seen_in_train"] for d in dup) / max(1, sum(d["test_rows"] for d in dup)))
        if dup
        else 0
    )
    doc.bullets(
        [
            f"Command: `{manifest.get('command', '')}`",
            f"Data: `{ds['name']}`, {ds['rows']:,} rows × {ds['features']} features, attack share "
            f"{ds['attack_share']:.3f}, fingerprint `{ds['fingerprint']}`; classes "
            + ", ".join(f"{k} {v:,}" for k, v in ds["class_counts"].items()),
            f"Protocol: `{manifest['protocol']['protocol']}` ({json.dumps(manifest['protocol'])}); task "
            f"`{manifest['task']}`; seeds {manifest['seeds']}; sampling strategy "
            f"`{manifest['sampling_strategy']['spec']}` ({manifest['sampling_strategy']['doc']})",
            f"Duplicates: {seen:.1%} of test rows exactly equal a training row (mean over replicates); "
            f"{sum(d['duplicate_rows_within_train'] for d in dup) / max(1, len(dup)):,.0f} duplicate rows within "
            f"each training part"
            + (" — removed before splitting (--dedupe)" if manifest.get("dedupe") else ""),
            f"Cells: {manifest.get('total_cells', len(cells))} total, {manifest.get('failed_cells', 0)} failed; "
            f"wall time {manifest.get('wall_seconds', 0):.0f} s",
            "Fidelity gate: " + gate.describe(manifest.get("fidelity_gate")),
        ]
    )

    claims = claims_section(
        doc,
        tests,
        fid_class,
        sorted(cells["dataset"].dropna().unique()) if len(cells) else [],
        set(cells["sampler"]) if len(cells) else set(),
    )

    doc.h(2, "Leaderboard")
    doc.p(
        "Mean over replicates with 95% bootstrap CI; Δ F1 vs `none` paired by replicate with its CI, "
        "Wilcoxon signed-rank p (Holm-corrected within each detector) and verdict; the fidelity gate of the "
        "sampler's synthetic rows. Failed cells are listed with their message."
    )
    level_cols = [c for c in A.LEVEL_COLUMNS if c in lb.columns]
    for key, g in lb.groupby(["dataset", *level_cols, "detector"], sort=False):
        key = key if isinstance(key, tuple) else (key,)
        rows = []
        for _, r in g.iterrows():
            diff = "—"
            if pd.notna(r.get("f1_diff_vs_none")):
                diff = (
                    f"{MARK.get(r['f1_verdict'], '')} {r['f1_diff_vs_none']:+.3f} "
                    f"[{r['f1_diff_ci_low']:+.3f}, {r['f1_diff_ci_high']:+.3f}]"
                    + (f" p={r['f1_p_holm']:.2g}" if pd.notna(r.get("f1_p_holm")) else "")
                )
            status = "ok" if r["n_failed"] == 0 else f"FAILED {int(r['n_failed'])}: {str(r['error'])[:100]}"
            rows.append(
                [
                    r["rank"],
                    r["sampler"],
                    _ci(r, "recall"),
                    _ci(r, "f1"),
                    _ci(r, "roc_auc"),
                    _ci(r, "pr_auc"),
                    _ci(r, "f1_tuned"),
                    diff,
                    r.get("fidelity_gate", "—"),
                    status,
                ]
            )
        doc.table(
            [
                "rank",
                "sampler",
                "recall",
                "F1",
                "ROC-AUC",
                "PR-AUC",
                "F1 (tuned threshold)",
                "Δ F1 vs none",
                "fidelity gate",
                "status",
            ],
            rows,
            caption=" · ".join(str(k) for k in key),
        )

    ok = A.ok_cells(cells) if len(cells) else cells
    # the share of each attack category's rows flagged as attack; under --task multiclass
    # ``recall[<class>]`` is the per-class recall (predicted as that class) instead
    prefix = "attack_recall[" if any(c.startswith("attack_recall[") for c in ok.columns) else "recall["
    cat_cols = [c for c in ok.columns if c.startswith(prefix)]
    if cat_cols:
        doc.h(2, "Recall per attack category")
        doc.p(
            "Share of each category's test rows flagged as attack (threshold 0.5), mean over replicates. "
            "— means undefined (no test rows of that category), never averaged in as 0."
        )
        t = ok.groupby(["dataset", "detector", "sampler"])[cat_cols].mean().reset_index()
        doc.table(
            ["dataset", "detector", "sampler", *[c[len(prefix) : -1] for c in cat_cols]],
            [[r.dataset, r.detector, r.sampler, *[_f(r[c]) for c in cat_cols]] for _, r in t.iterrows()],
        )

    doc.h(2, "Statistics over seeds")
    if tests.empty:
        doc.p("No `none` baseline in this run: no paired tests.")
    else:
        n_pairs = int(tests["n_pairs"].max())
        doc.p(
            f"Each sampler is paired with `none` by replicate ({n_pairs} pairs). "
            + (
                "With this few replicates no Holm-corrected Wilcoxon test can reach p < 0.05, so no verdict "
                "is printed (`too few seeds`); the differences and CIs below are descriptive. "
                if (tests["verdict"] == "too few seeds").all()
                else ""
            )
        )
        tt = tests[tests["metric"].isin(["f1", "recall", "pr_auc"])]
        doc.table(
            ["metric", "dataset", "detector", "sampler", "n", "Δ mean", "95% CI", "p (Holm)", "verdict"],
            [
                [
                    r.metric,
                    r.dataset,
                    r.detector,
                    r.sampler,
                    int(r.n_pairs),
                    _f(r.mean_diff),
                    f"[{r.ci_low:+.3f}, {r.ci_high:+.3f}]",
                    None if pd.isna(r.p_holm) else f"{r.p_holm:.3g}",
                    r.verdict,
                ]
                for r in tt.itertuples()
            ],
        )
    for key, res in fried.items():
        if res.get("reason"):
            doc.p(f"Friedman test over samplers ({key}): not run — {res['reason']}.")
        else:
            # Iman–Davenport is undefined when every block ranks the samplers alike (its F
            # divides by zero), the Nemenyi CD beyond 20 samplers: None, printed as such
            idp = res.get("iman_davenport_p")
            idp = "undefined (every block ranks the samplers alike)" if idp is None else f"{idp:.3g}"
            cd = "—" if res.get("cd") is None else f"{res['cd']:.2f}"
            doc.p(
                f"Friedman test over {res['k']} samplers ({key}, {res['n_blocks']} blocks of detector × "
                f"replicate, F1): χ² = {res['statistic']:.2f}, p = {res['p_value']:.3g}; Iman–Davenport "
                f"p = {idp}; Nemenyi CD = {cd}." + (f" Note: {res['warning']}" if res.get("warning") else "")
            )

    doc.h(2, "Fidelity")
    doc.p(
        "Synthetic rows of each class against the real training rows of that class (replicate means). "
        "KS is the effect size (0 same, 1 disjoint); its p-value is not a verdict at these sample sizes. "
        "Detection AUC: a fixed classifier telling real from synthetic (0.5 = indistinguishable). "
        "DCR ratio: distance of synthetic rows to their closest training row over that of real held-out "
        "rows (≪ 1 = copies). Validity: share of rows satisfying every HIKARI flow identity."
    )
    if not gen.empty:
        doc.table(
            G.HEADERS,
            G.generator_rows(gen),
            caption="Per class: KS, means, valid flows, delivered share, training cost (fidelity.md)",
        )
    if not fid_class.empty:
        cols = [c for c in A.FIDELITY_COLUMNS if c in fid_class.columns]
        doc.table(
            ["dataset", "sampler", "class", *cols],
            [
                [r["dataset"], r["sampler"], r["class"], *[_f(r[c]) for c in cols]]
                for _, r in fid_class.iterrows()
            ],
        )
    if not gates.empty:
        doc.p(
            "Fidelity gate (" + gate.describe(manifest.get("fidelity_gate")) + "): a sampler fails "
            "when any class it generated breaks a threshold; its cells stay in every table, marked."
        )
        doc.table(
            ["dataset", "sampler", "fidelity gate", "broken thresholds"],
            [
                [r["dataset"], r["sampler"], r["fidelity_gate"], r["fidelity_gate_detail"] or "—"]
                for _, r in gates.iterrows()
            ],
        )

    doc.h(2, "Figures")
    figs = []
    for fn in (
        lambda: F.metric_figures(lb, figdir),
        lambda: F.cd_figures(fried, figdir),
        lambda: F.ks_figures(fid, figdir),
        lambda: F.sample_figures(run_dir, fid, figdir),
        lambda: F.loss_figures(records, figdir),
    ):
        try:
            figs += fn()
        except Exception as e:  # a figure must never cost the report
            doc.p(f"(a figure could not be drawn: {type(e).__name__}: {e})")
    for p, cap in figs:
        doc.image(p, cap)

    doc.h(2, "Versions")
    doc.code(json.dumps(manifest.get("versions", {}), indent=1))
    write_text(run_dir / "report.md", to_markdown(doc, run_dir))
    write_text(run_dir / "report.html", to_html(doc, f"Report — {ds['name']}"))
    write_json(run_dir / "claims.json", claims)
    return claims
