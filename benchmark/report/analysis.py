"""The numbers behind the report: confidence intervals, paired tests against
``none``, the Friedman test, fidelity summaries and the gate."""

from __future__ import annotations

import numpy as np
import pandas as pd

from benchmark import stats
from benchmark.fidelity import gate

BASELINE = "none"
TESTED_METRICS = ("f1", "recall", "pr_auc", "roc_auc", "f1_tuned")
# columns that split a run into separate leaderboards (e.g. an imbalance sweep)
LEVEL_COLUMNS = ("attack_share",)


def levels(cells: pd.DataFrame) -> list[str]:
    return [c for c in LEVEL_COLUMNS if c in cells.columns and cells[c].notna().any()]


def ok_cells(cells: pd.DataFrame) -> pd.DataFrame:
    ok = cells[cells["status"] == "ok"].copy()
    ok["replicate"] = ok["seed"].astype(str) + "." + ok["fold"].fillna(0).astype(int).astype(str)
    return ok


def add_confidence_intervals(
    lb: pd.DataFrame, cells: pd.DataFrame, metrics=("recall", "f1", "roc_auc", "pr_auc", "f1_tuned")
):
    ok = ok_cells(cells)
    keys = ["dataset", *levels(cells), "detector", "sampler"]
    lb = lb.copy()
    for m in metrics:
        if m not in ok:
            continue
        ci = {k: stats.bootstrap_ci(g[m].astype(float).to_numpy(), n_boot=4000) for k, g in ok.groupby(keys)}
        idx = [tuple(r) for r in lb[keys].itertuples(index=False)]
        lb[f"{m}_ci_low"] = [ci.get(k, (np.nan, np.nan))[0] for k in idx]
        lb[f"{m}_ci_high"] = [ci.get(k, (np.nan, np.nan))[1] for k in idx]
    return lb


def paired_tests(cells: pd.DataFrame, metrics=TESTED_METRICS) -> pd.DataFrame:
    """Every sampler vs ``none``, paired by replicate, per dataset × detector (× level)."""
    ok = ok_cells(cells)
    if BASELINE not in set(ok["sampler"]):
        return pd.DataFrame()
    by = ("dataset", *levels(cells), "detector")
    out = []
    for m in metrics:
        if m not in ok or ok[m].isna().all():
            continue
        t = stats.paired_vs_baseline(
            ok[[*by, "replicate", "sampler", m]], m, baseline=BASELINE, by=by, unit="replicate", n_boot=4000
        )
        t.insert(0, "metric", m)
        out.append(t)
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame()


def friedman_tests(cells: pd.DataFrame, metric="f1") -> dict:
    """Friedman over samplers, blocks = detector × replicate, one per dataset (× level)."""
    ok = ok_cells(cells)
    res = {}
    keys = ["dataset", *levels(cells)]
    for key, g in ok.groupby(keys):
        key = key if isinstance(key, tuple) else (key,)
        res[" · ".join(str(k) for k in key)] = stats.friedman(
            g[["detector", "replicate", "sampler", metric]], metric, block_cols=("detector", "replicate")
        )
    return res


def audited_groups(records: list[dict]):
    """``(key, record)`` once per (dataset, attack_share, seed, fold, sampler) whose rows were
    audited: the detectors of a group share one sampler fit and one fidelity summary."""
    seen = set()
    for r in records:
        key = (r.get("dataset"), r.get("attack_share"), r.get("seed"), r.get("fold"), r.get("sampler"))
        if key in seen or not isinstance(r.get("fidelity"), dict):
            continue
        seen.add(key)
        yield key, r


def fidelity_frame(records: list[dict]) -> pd.DataFrame:
    """One row per (dataset, replicate, sampler, class): the suite's summary (once per group)."""
    rows = []
    for key, r in audited_groups(records):
        share = (r.get("sampler_record") or {}).get("share_of_requested_classes")
        for cls, summ in r["fidelity"].items():
            if not isinstance(summ, dict):
                continue
            row = {
                "dataset": key[0],
                "seed": key[2],
                "fold": key[3],
                "sampler": key[4],
                "class": cls,
                "share_of_requested_classes": share,
            }
            if key[1] is not None:
                row["attack_share"] = key[1]
            row.update({k: v for k, v in summ.items() if isinstance(v, (int, float, bool)) or v is None})
            rows.append(row)
    return pd.DataFrame(rows)


FIDELITY_COLUMNS = gate.FIGURES


def fidelity_by_class(fid: pd.DataFrame) -> pd.DataFrame:
    """Replicate-averaged summary per dataset × sampler × class."""
    if fid.empty:
        return fid
    keys = [k for k in ("dataset", "attack_share", "sampler", "class") if k in fid.columns]
    cols = [c for c in FIDELITY_COLUMNS if c in fid.columns]
    agg = fid.groupby(keys)[cols].mean(numeric_only=True).reset_index()
    agg["replicates"] = fid.groupby(keys).size().to_numpy()
    return agg


def apply_gate(fid_class: pd.DataFrame, rules) -> pd.DataFrame:
    """Per dataset × sampler: ``fidelity_gate`` ('pass', or 'FAIL' with the broken figures and
    how many classes broke them) and ``fidelity_gate_detail`` (every broken rule, with its class)."""
    rows = []
    if fid_class.empty:
        return pd.DataFrame(columns=["dataset", "sampler", "fidelity_gate", "fidelity_gate_detail"])
    keys = [k for k in ("dataset", "attack_share", "sampler") if k in fid_class.columns]
    for key, g in fid_class.groupby(keys):
        key = key if isinstance(key, tuple) else (key,)
        detail, names, classes = [], [], set()
        for _, r in g.iterrows():
            summary = {k: (None if pd.isna(v) else float(v)) for k, v in r.items() if k in FIDELITY_COLUMNS}
            for b in gate.check(summary, rules):
                detail.append(f"{b} ({r['class']})")
                names.append(b.split()[0])
                classes.add(r["class"])
        short = (
            "pass"
            if not detail
            else (f"FAIL: {', '.join(dict.fromkeys(names))} ({len(classes)} of {len(g)} classes)")
        )
        rows.append(
            {**dict(zip(keys, key)), "fidelity_gate": short, "fidelity_gate_detail": "; ".join(detail)}
        )
    return pd.DataFrame(rows)
