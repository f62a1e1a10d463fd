"""One (dataset, replicate, sampler) group: resample once, audit the synthetic
rows, then fit and score every detector on the same resampled set.

Each (dataset, replicate, sampler, detector) record is a cell: a self-contained
result (metrics, fidelity summary, timings, peak memory).  A failing sampler or
detector is recorded with its message; it never stops the other cells.
"""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from benchmark import metrics as M
from benchmark.datasets.base import Dataset
from benchmark.plugins import Context, Resampled
from benchmark.protocol import Replicate, row_hashes
from benchmark.registry import detectors, instantiate, samplers
from benchmark.resources import Measure
from benchmark.schema import TableSchema
from benchmark.strategy import SamplingStrategy


@dataclass
class GroupSpec:
    """Everything a group depends on besides the dataset itself."""

    sampler: str
    detectors: list[str]
    profile: str
    strategy: str
    task: str = "binary"
    device: str = "cpu"
    fidelity: dict = field(default_factory=dict)  # budgets: detection_rows, detection_folds, dcr_rows
    workdir: str | None = None


def error_text(e: BaseException) -> str:
    msg = f"{type(e).__name__}: {e}".strip()
    return msg if len(msg) < 2000 else msg[:2000] + "…"


def check_resampled(res: Resampled, X: pd.DataFrame, kind: str) -> None:
    """Cheap checks of every sampler's output; the conformance suite does the rest."""
    if list(res.X.columns) != list(X.columns):
        raise ValueError("sampler output: columns differ from the input's")
    if len(res.X) != len(res.y) or len(res.synthetic) != len(res.X):
        raise ValueError("sampler output: X, y and the synthetic mask differ in length")
    vals = res.X.to_numpy(dtype=float)
    if not np.isfinite(vals).all():
        bad = [c for c, n in zip(res.X.columns, (~np.isfinite(vals)).sum(0)) if n]
        raise ValueError(f"sampler output: non-finite values in column(s) {bad[:5]}")
    if kind == "oversampler":
        orig = res.X[~res.synthetic]
        if len(orig) != len(X) or not np.array_equal(row_hashes(orig), row_hashes(X)):
            raise ValueError("sampler output: an oversampler must keep every original row, in order")
    if res.sample_weight is not None:
        w = np.asarray(res.sample_weight, dtype=float)
        if w.shape != (len(res.X),) or not np.isfinite(w).all() or (w < 0).any():
            raise ValueError("sampler output: sample_weight must be finite, non-negative, one per row")


def fidelity_audit(res: Resampled, X_fit, cat_fit, X_val, cat_val, schema, seed, budget):
    """Per class that received rows: the fidelity suite on synthetic vs real training rows."""
    from benchmark.fidelity.suite import evaluate

    tables, summaries = [], {}
    ys = res.y_synthetic.to_numpy()
    Xs = res.X_synthetic
    for c in pd.unique(ys):
        synth = Xs[ys == c]
        real = X_fit[cat_fit == c]
        hold = X_val[cat_val == c]
        if len(real) == 0 or len(synth) == 0:
            continue
        table, summary = evaluate(
            real, synth, schema, holdout=hold if len(hold) >= 2 else None, random_state=seed,
            detection=budget.get("detection_rows", 0) > 0, memorisation=True,
            **{k: v for k, v in budget.items() if k in ("detection_rows", "detection_folds", "dcr_rows")},
        )
        table.insert(0, "class", c)
        tables.append(table)
        summaries[str(c)] = summary
    return (pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()), summaries


def delivered(res: Resampled) -> dict:
    ys = res.y_synthetic
    counts = {str(k): int(v) for k, v in ys.value_counts().items()}
    n = int(len(ys))
    req = set(res.requested)
    share = float(ys.isin(req).mean()) if n else None
    return {"requested": {str(k): int(v) for k, v in res.requested.items()}, "delivered": counts,
            "synthetic_rows": n, "share_of_requested_classes": share}


def run_group(ds: Dataset, rep: Replicate, spec: GroupSpec, log=None) -> tuple[list[dict], pd.DataFrame]:
    """Run one sampler on one replicate and every detector after it."""
    X, cat = ds.X, ds.category.to_numpy()
    X_fit = X.iloc[rep.fit].reset_index(drop=True)
    cat_fit = cat[rep.fit]
    X_val, cat_val = X.iloc[rep.val].reset_index(drop=True), cat[rep.val]
    X_test, cat_test = X.iloc[rep.test].reset_index(drop=True), cat[rep.test]
    schema: TableSchema = ds.schema.with_constants_of(X_fit)
    counts = {str(k): int(v) for k, v in pd.Series(cat_fit).value_counts().items()}
    strategy = SamplingStrategy.parse(spec.strategy)
    base = {
        "dataset": ds.name, "seed": rep.seed, "fold": rep.fold, "sampler": spec.sampler,
        "profile": spec.profile, "task": spec.task, "n_fit": len(rep.fit), "n_val": len(rep.val),
        "n_test": len(rep.test),
    }
    ctx = Context(device=spec.device, workdir=spec.workdir, log=log)
    sampler_rec: dict = {}
    fid_table = pd.DataFrame()
    res = None
    try:
        targets = strategy.targets(counts, ds.attack_categories)
        sampler = instantiate(samplers, spec.sampler, spec.profile)
        base["sampler_params"] = sampler.get_params()
        base["sampler_version"] = sampler.version
        base["sampler_kind"] = sampler.kind
        with Measure() as m:
            res = sampler.fit_resample(X_fit, pd.Series(cat_fit, name="category"), schema=schema,
                                       targets=targets, random_state=rep.seed, context=ctx)
            check_resampled(res, X_fit, sampler.kind)
        sampler_rec = {"seconds": m.seconds, "peak_mb": m.peak_mb, "info": res.info, **delivered(res)}
    except Exception as e:  # recorded, never fatal
        err = error_text(e)
        if log:
            log(f"sampler {spec.sampler} failed on seed {rep.seed}: {err}")
        return [
            {**base, "detector": d, "status": "failed", "stage": "sampler", "error": err,
             "traceback": traceback.format_exc(limit=6)}
            for d in spec.detectors
        ], fid_table

    fidelity: dict = {}
    t0 = time.perf_counter()
    if res.synthetic.any():
        try:
            fid_table, fidelity = fidelity_audit(res, X_fit, cat_fit, X_val, cat_val, schema, rep.seed,
                                                 spec.fidelity)
        except Exception as e:
            fidelity = {"error": error_text(e)}
    fidelity_seconds = time.perf_counter() - t0

    records = []
    attack = set(ds.attack_categories)
    y_res_cat = res.y.to_numpy()
    if spec.task == "binary":
        y_train = np.isin(y_res_cat, list(attack)).astype(int)
    else:
        y_train = y_res_cat
    for dspec in spec.detectors:
        rec = {**base, "detector": dspec, "sampler_record": sampler_rec, "fidelity": fidelity,
               "timings": {"sampler_s": sampler_rec.get("seconds"),
                           "sampler_fit_s": res.info.get("fit_seconds"),
                           "sampler_sample_s": res.info.get("sample_seconds"),
                           "fidelity_s": fidelity_seconds}}
        try:
            det = instantiate(detectors, dspec, spec.profile)
            rec["detector_params"] = det.get_params()
            with Measure() as mf:
                det.fit(res.X, y_train, schema=schema, sample_weight=res.sample_weight,
                        random_state=rep.seed, context=ctx)
            with Measure() as mp:
                p_val = det.predict_proba(X_val)
                p_test = det.predict_proba(X_test)
            rec["metrics"] = score(ds, det.classes_, p_val, p_test, cat_val, cat_test, spec.task)
            rec["timings"].update({"detector_fit_s": mf.seconds, "predict_s": mp.seconds})
            rec["peak_mb"] = max(sampler_rec.get("peak_mb", 0), mf.peak_mb, mp.peak_mb)
            rec["status"] = "ok"
        except Exception as e:
            rec.update(status="failed", stage="detector", error=error_text(e),
                       traceback=traceback.format_exc(limit=6))
            if log:
                log(f"detector {dspec} failed after {spec.sampler} on seed {rep.seed}: {rec['error']}")
        records.append(rec)
    if len(fid_table):
        fid_table.insert(0, "sampler", spec.sampler)
        fid_table.insert(0, "fold", rep.fold)
        fid_table.insert(0, "seed", rep.seed)
        fid_table.insert(0, "dataset", ds.name)
    return records, fid_table


def full_proba(p: np.ndarray, classes, all_classes) -> np.ndarray:
    """Probabilities over every class of the task (0 for a class unseen in training)."""
    out = np.zeros((len(p), len(all_classes)))
    idx = {c: i for i, c in enumerate(all_classes)}
    for j, c in enumerate(classes):
        out[:, idx[c]] = p[:, j]
    return out


def score(ds: Dataset, classes, p_val, p_test, cat_val, cat_test, task) -> dict:
    attack = list(ds.attack_categories)
    y_val = np.isin(cat_val, attack).astype(int)
    y_test = np.isin(cat_test, attack).astype(int)
    classes = [c.item() if hasattr(c, "item") else c for c in classes]
    if task == "binary":
        pv, pt = full_proba(p_val, classes, [0, 1]), full_proba(p_test, classes, [0, 1])
        return M.binary_metrics(y_test, pt[:, 1], cat_test, attack, y_val, pv[:, 1])
    all_classes = list(ds.categories)
    pv, pt = full_proba(p_val, classes, all_classes), full_proba(p_test, classes, all_classes)
    out = M.binary_metrics(
        y_test, M.attack_score(pt, all_classes, ds.benign_categories), cat_test, attack, y_val,
        M.attack_score(pv, all_classes, ds.benign_categories),
    )
    multi = M.multiclass_metrics(cat_test, pt, all_classes, ds.benign_categories)
    notes = {**out.pop("notes", {}), **multi.pop("notes", {})}
    out.update(multi)
    if notes:
        out["notes"] = notes
    return out


__all__ = ["GroupSpec", "run_group"]
