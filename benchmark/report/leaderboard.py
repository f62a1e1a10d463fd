"""Leaderboards and fidelity tables from a run's records (data first: CSV; then Markdown)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from tabulate import tabulate

from benchmark.metrics import HEADLINE

SCORE_COLUMNS = (*HEADLINE, "precision", "f1_tuned", "recall_tuned", "mcc", "macro_f1")
TIME_COLUMNS = ("sampler_s", "sampler_fit_s", "sampler_sample_s", "detector_fit_s", "predict_s", "fidelity_s")
# the verdict of a paired test against ``none`` (``benchmark.stats``), as one mark
MARK = {"better": "▲", "worse": "▼", "no detectable difference": "=", "too few seeds": "?"}


def cells_frame(records: list[dict]) -> pd.DataFrame:
    """One row per cell: keys, status, flat metrics, timings."""
    rows = []
    for r in records:
        row = {
            k: r.get(k)
            for k in ("dataset", "seed", "fold", "sampler", "detector", "task", "status", "stage", "error")
        }
        if r.get("attack_share") is not None:  # an imbalance sweep: one leaderboard per level
            row["attack_share"] = r["attack_share"]
        for k, v in (r.get("metrics") or {}).items():
            if k != "notes":
                row[k] = v
        for k, v in (r.get("timings") or {}).items():
            row[k] = v
        row["peak_mb"] = r.get("peak_mb")
        rows.append(row)
    return pd.DataFrame(rows)


def _fmt(mean, std, digits=3):
    if mean is None or (isinstance(mean, float) and np.isnan(mean)):
        return "—"
    if std is None or np.isnan(std):
        return f"{mean:.{digits}f}"
    return f"{mean:.{digits}f} ± {std:.{digits}f}"


def leaderboard(cells: pd.DataFrame) -> pd.DataFrame:
    """Per dataset × detector × sampler: mean and std over replicates, ranked by F1."""
    out = []
    level = ["attack_share"] if "attack_share" in cells and cells["attack_share"].notna().any() else []
    keys = ["dataset", *level, "detector", "sampler"]
    for key, g in cells.groupby(keys, sort=False):
        ok = g[g["status"] == "ok"]
        row = dict(zip(keys, key))
        row["n_ok"] = int(len(ok))
        row["n_failed"] = int((g["status"] != "ok").sum())
        row["error"] = None if row["n_failed"] == 0 else str(g.loc[g["status"] != "ok", "error"].iloc[0])
        for m in SCORE_COLUMNS:
            if m in ok and ok[m].notna().any():
                vals = ok[m].astype(float)
                row[f"{m}_mean"] = float(vals.mean())
                row[f"{m}_std"] = float(vals.std(ddof=1)) if vals.notna().sum() > 1 else np.nan
        for t in (*TIME_COLUMNS, "peak_mb"):
            if t in ok and ok[t].notna().any():
                row[t] = float(ok[t].astype(float).mean())
        out.append(row)
    lb = pd.DataFrame(out)
    if lb.empty:
        return lb
    lb["_f1"] = lb.get("f1_mean", pd.Series(np.nan, index=lb.index)).fillna(-1)
    lb = lb.sort_values(
        ["dataset", *level, "detector", "_f1"], ascending=[True, *[False] * len(level), True, False]
    ).drop(columns="_f1")
    lb["rank"] = lb.groupby(["dataset", *level, "detector"]).cumcount() + 1
    lead = ["dataset", *level, "detector", "rank", "sampler"]
    return lb[lead + [c for c in lb.columns if c not in lead]].reset_index(drop=True)


def f1_diff_text(r) -> str:
    """Δ F1 vs ``none`` of a leaderboard row: the verdict's mark, the paired mean
    difference and its CI (``—`` for ``none`` itself or when ``none`` was not run)."""
    d = r.get("f1_diff_vs_none")
    if d is None or pd.isna(d):
        return "—"
    text = f"{MARK.get(r.get('f1_verdict'), '')} {d:+.3f}".strip()
    lo, hi = r.get("f1_diff_ci_low"), r.get("f1_diff_ci_high")
    if lo is not None and hi is not None and pd.notna(lo) and pd.notna(hi):
        text += f" [{lo:+.3f}, {hi:+.3f}]"
    return text


def leaderboard_markdown(lb: pd.DataFrame, extra: dict[str, list[str]] | None = None) -> str:
    """``extra`` maps a leaderboard row key (dataset|detector|sampler) to marks (e.g. significance).
    The Δ F1 vs ``none`` and fidelity-gate columns appear when the leaderboard has them
    (``benchmark.report.build`` adds them)."""
    parts = []
    level = ["attack_share"] if "attack_share" in lb else []
    with_diff = "f1_diff_vs_none" in lb
    with_gate = "fidelity_gate" in lb
    for key, g in lb.groupby(["dataset", *level, "detector"], sort=False):
        dataset, det = key[0], key[-1]
        rows = []
        for _, r in g.iterrows():
            status = (
                "ok"
                if r["n_failed"] == 0
                else (f"FAILED {r['n_failed']}/{r['n_failed'] + r['n_ok']}: {str(r['error'])[:120]}")
            )
            rows.append(
                [
                    r["rank"],
                    r["sampler"],
                    *[
                        _fmt(r.get(f"{m}_mean"), r.get(f"{m}_std"))
                        for m in ("recall", "f1", "roc_auc", "pr_auc")
                    ],
                    _fmt(r.get("f1_tuned_mean"), r.get("f1_tuned_std")),
                    *([f1_diff_text(r)] if with_diff else []),
                    *(
                        [r.get("fidelity_gate") if pd.notna(r.get("fidelity_gate")) else "—"]
                        if with_gate
                        else []
                    ),
                    int(r["n_ok"]),
                    *[
                        _fmt(r.get(t), None, 1)
                        for t in (
                            "sampler_fit_s",
                            "sampler_sample_s",
                            "fidelity_s",
                            "detector_fit_s",
                            "predict_s",
                        )
                    ],
                    _fmt(r.get("peak_mb"), None, 0),
                    status,
                ]
            )
        share = f" · attack share {key[1]:g}" if level else ""
        parts.append(f"### {dataset}{share} · detector `{det}`\n")
        parts.append(
            tabulate(
                rows,
                headers=[
                    "rank",
                    "sampler",
                    "recall",
                    "F1",
                    "ROC-AUC",
                    "PR-AUC",
                    "F1 (tuned thr.)",
                    *(["Δ F1 vs none"] if with_diff else []),
                    *(["fidelity gate"] if with_gate else []),
                    "n",
                    "sampler fit s",
                    "sample s",
                    "fidelity s",
                    "detector fit s",
                    "predict s",
                    "peak MB",
                    "status",
                ],
                tablefmt="github",
            )
        )
        parts.append("")
    return "\n".join(parts)
