"""One (dataset, replicate, sampler) group: resample once, audit the synthetic
rows, then fit and score every detector on the same resampled set.

Each (dataset, replicate, sampler, detector) record is a cell: a self-contained
result (metrics, fidelity summary, timings, peak memory).  A failing sampler or
detector is recorded with its message; it never stops the other cells.

The group is computed in three pieces, each a JSON-able "entry" that the cache
(``benchmark.cache``) stores under its own key and ``assemble`` joins into the
cell records:

- ``fit_sampler``  -> the group entry (the sampler's record) and the ``Resampled``;
- ``audit``        -> the fidelity entry (summary, per-feature table, seconds);
- ``fit_detector`` -> one cell entry per detector (metrics, seconds, peak memory).
"""

from __future__ import annotations

import inspect
import traceback
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from benchmark import metrics as M
from benchmark.datasets.base import Dataset
from benchmark.plugins import SAMPLER_KINDS, Context, Resampled
from benchmark.processes import DEFAULT_JOBS
from benchmark.protocol import Replicate, row_hashes
from benchmark.registry import detectors, parse_spec, samplers
from benchmark.resources import Measure
from benchmark.schema import TableSchema
from benchmark.strategy import SamplingStrategy

NO_FIDELITY = {"summary": {}, "seconds": 0.0, "peak_mb": None, "table_csv": ""}


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
    # execution only (never part of a key): a cap on each plugin's threads (its
    # ``n_jobs``) when groups run side by side, and the plugin classes themselves,
    # resolved by the parent so that a worker needs no registry lookup
    threads: int | None = None
    classes: dict = field(default_factory=dict)
    attack_share: float | None = None  # the imbalance level of this replicate (None: natural)


@dataclass
class Parts:
    """One replicate's rows, cut from the dataset."""

    X_fit: pd.DataFrame
    cat_fit: np.ndarray
    X_val: pd.DataFrame
    cat_val: np.ndarray
    X_test: pd.DataFrame
    cat_test: np.ndarray
    schema: TableSchema

    @property
    def counts(self) -> dict[str, int]:
        return {str(k): int(v) for k, v in pd.Series(self.cat_fit).value_counts().items()}


def parts_of(ds: Dataset, rep: Replicate) -> Parts:
    X, cat = ds.X, ds.category.to_numpy()
    X_fit = X.iloc[rep.fit].reset_index(drop=True)
    return Parts(
        X_fit,
        cat[rep.fit],
        X.iloc[rep.val].reset_index(drop=True),
        cat[rep.val],
        X.iloc[rep.test].reset_index(drop=True),
        cat[rep.test],
        ds.schema.with_constants_of(X_fit),
    )


def error_text(e: BaseException) -> str:
    msg = f"{type(e).__name__}: {e}".strip()
    return msg if len(msg) < 2000 else msg[:2000] + "…"


def plugin_class(registry, spec: str, classes: dict | None = None) -> type:
    name = parse_spec(spec)[0]
    if classes and name in classes:
        return classes[name]
    return registry.get(name)


def make_plugin(registry, spec: str, profile: str, classes: dict | None = None, threads: int | None = None):
    """(plugin, its parameters as configured): the profile's budgets, the spec's
    overrides and, when ``threads`` is set and the plugin takes ``n_jobs``, that
    many threads (an execution detail: the recorded parameters keep the configured
    ``n_jobs``)."""
    from benchmark.errors import ConfigError

    name, overrides = parse_spec(spec)
    cls = plugin_class(registry, spec, classes)
    try:
        configured = cls.for_profile(profile, **overrides)
        params = configured.get_params()
        if threads is not None and "n_jobs" in inspect.signature(cls.__init__).parameters:
            return cls.for_profile(profile, **{**overrides, "n_jobs": int(threads)}), params
        return configured, params
    except TypeError as e:
        raise ConfigError(f"{registry.kind} {spec!r}: {e}") from None


def check_resampled(res: Resampled, X: pd.DataFrame, kind: str) -> None:
    """Cheap checks of every sampler's output; the conformance suite does the rest."""
    if list(res.X.columns) != list(X.columns):
        raise ValueError("sampler output: columns differ from the input's")
    if len(res.X) != len(res.y) or len(res.synthetic) != len(res.X):
        raise ValueError("sampler output: X, y and the synthetic mask differ in length")
    bad = []
    for c in res.X.columns:  # column by column: no float copy of the whole table
        v = res.X[c].to_numpy()
        if not np.issubdtype(v.dtype, np.number):
            raise ValueError(f"sampler output: column {c!r} is not numeric (dtype {v.dtype})")
        if np.issubdtype(v.dtype, np.floating) and not np.isfinite(v).all():
            bad.append(c)
    if bad:
        raise ValueError(f"sampler output: non-finite values in column(s) {bad[:5]}")
    orig = res.X[~np.asarray(res.synthetic, bool)]
    if kind in ("oversampler", "weighting", "none"):
        if len(orig) != len(X) or not np.array_equal(row_hashes(orig), row_hashes(X)):
            raise ValueError(
                f"sampler output: a sampler of kind {kind!r} must keep every original row, in order"
            )
    elif kind in ("undersampler", "hybrid"):
        # rows may be removed, but every row not marked synthetic must be an input row
        # (each at most as often as in the input)
        have = pd.Series(row_hashes(X)).value_counts()
        kept = pd.Series(row_hashes(orig)).value_counts()
        extra = int(kept.sub(have.reindex(kept.index).fillna(0)).clip(lower=0).sum())
        if extra:
            raise ValueError(
                f"sampler output: {extra} row(s) not marked synthetic are not input rows "
                f"(a sampler of kind {kind!r} may remove rows, never alter them)"
            )
        if kind == "undersampler" and np.asarray(res.synthetic, bool).any():
            raise ValueError("sampler output: an undersampler must not add rows")
    else:
        raise ValueError(f"sampler kind {kind!r} is not one of {', '.join(SAMPLER_KINDS)}")
    if res.sample_weight is not None:
        w = np.asarray(res.sample_weight, dtype=float)
        if w.shape != (len(res.X),) or not np.isfinite(w).all() or (w < 0).any():
            raise ValueError("sampler output: sample_weight must be finite, non-negative, one per row")


def _audit_class(c, real, synth, hold, schema, seed, cap, extra):
    """(table, summary) of one class: the fidelity suite on its synthetic vs real rows."""
    from benchmark.fidelity.suite import evaluate

    n_synth = len(synth)
    if cap and n_synth > cap:  # the budget: a seeded sample of the class's synthetic rows
        rng = np.random.default_rng([int(seed), n_synth, 17])
        synth = synth.iloc[np.sort(rng.choice(n_synth, cap, replace=False))]
    table, summary = evaluate(
        real, synth, schema, holdout=hold if len(hold) >= 2 else None, random_state=seed, **extra
    )
    if len(synth) < n_synth:
        summary["synthetic_rows_audited"] = int(len(synth))
        summary["synthetic_rows_of_class"] = int(n_synth)
    table.insert(0, "class", c)
    return table, summary


def fidelity_audit(res: Resampled, X_fit, cat_fit, X_val, cat_val, schema, seed, budget, n_jobs: int = 1):
    """Per class that received rows: the fidelity suite on synthetic vs real training
    rows; the classes in up to ``n_jobs`` worker processes (each is seeded, so the
    figures are the same as in one process)."""
    from benchmark.fidelity.suite import evaluate
    from benchmark.processes import fit_each

    accepted = set(inspect.signature(evaluate).parameters)
    extra = {k: v for k, v in budget.items() if k in accepted}
    if "detection" in accepted:
        extra["detection"] = budget.get("detection_rows", 1) > 0
    cap = int(budget.get("fidelity_rows") or 0)
    ys = res.y_synthetic.to_numpy()
    Xs = res.X_synthetic
    args = []
    for c in pd.unique(ys):
        synth = Xs[ys == c]
        real = X_fit[cat_fit == c]
        hold = X_val[cat_val == c]
        if len(real) == 0 or len(synth) == 0:
            continue
        args.append((c, real, synth, hold, schema, seed, cap, extra))
    done = fit_each(_audit_class, args, n_jobs)
    tables = [t for t, _ in done]
    summaries = {str(a[0]): summ for a, (_, summ) in zip(args, done)}
    return (pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()), summaries


def delivered(res: Resampled) -> dict:
    ys = res.y_synthetic
    counts = {str(k): int(v) for k, v in ys.value_counts().items()}
    n = int(len(ys))
    req = set(res.requested)
    share = float(ys.isin(req).mean()) if n else None
    return {
        "requested": {str(k): int(v) for k, v in res.requested.items()},
        "delivered": counts,
        "synthetic_rows": n,
        "share_of_requested_classes": share,
    }


# -- the three pieces ---------------------------------------------------------------
def group_base(ds: Dataset, rep: Replicate, spec: GroupSpec) -> dict:
    base = {
        "dataset": ds.name,
        "seed": rep.seed,
        "fold": rep.fold,
        "sampler": spec.sampler,
        "profile": spec.profile,
        "n_fit": len(rep.fit),
        "n_val": len(rep.val),
        "n_test": len(rep.test),
    }
    if spec.attack_share is not None:
        base["attack_share"] = spec.attack_share
    return base


def fit_sampler(ds: Dataset, parts: Parts, rep: Replicate, spec: GroupSpec, log=None):
    """(group entry, Resampled or None when the sampler failed)."""
    entry: dict = {"base": group_base(ds, rep, spec)}
    ctx = Context(device=spec.device, workdir=spec.workdir, log=log)
    m = Measure()
    try:
        targets = SamplingStrategy.parse(spec.strategy).targets(parts.counts, ds.attack_categories)
        sampler, params = make_plugin(samplers, spec.sampler, spec.profile, spec.classes, spec.threads)
        entry["base"].update(
            sampler_params=params, sampler_version=sampler.version, sampler_kind=sampler.kind
        )
        with m:
            res = sampler.fit_resample(
                parts.X_fit,
                pd.Series(parts.cat_fit, name="category"),
                schema=parts.schema,
                targets=targets,
                random_state=rep.seed,
                context=ctx,
            )
            check_resampled(res, parts.X_fit, sampler.kind)
    except Exception as e:  # recorded, never fatal
        err = error_text(e)
        if log:
            log(f"sampler {spec.sampler} failed on seed {rep.seed}: {err}")
        entry.update(status="failed", error=err, traceback=traceback.format_exc(limit=6))
        # what the failed attempt cost (SDGym records it too)
        entry["sampler_record"] = {"seconds": m.seconds, "cpu_seconds": m.cpu_seconds, "peak_mb": m.peak_mb}
        return entry, None
    entry["status"] = "ok"
    entry["sampler_record"] = {
        "seconds": m.seconds,
        "cpu_seconds": m.cpu_seconds,
        "peak_mb": m.peak_mb,
        "info": res.info,
        **delivered(res),
    }
    return entry, res


def audit(res: Resampled, parts: Parts, rep: Replicate, spec: GroupSpec) -> dict:
    """The fidelity entry of a group (empty when the sampler added no rows)."""
    from benchmark.cache import table_to_text

    if not np.asarray(res.synthetic, bool).any():
        return dict(NO_FIDELITY)
    table = pd.DataFrame()
    with Measure() as m:
        try:
            table, summary = fidelity_audit(
                res,
                parts.X_fit,
                parts.cat_fit,
                parts.X_val,
                parts.cat_val,
                parts.schema,
                rep.seed,
                spec.fidelity,
                # in-process runs: both cores; inside --jobs/Ray workers: their threads
                n_jobs=spec.threads or DEFAULT_JOBS,
            )
        except Exception as e:
            summary = {"error": error_text(e)}
    return {
        "summary": summary,
        "seconds": m.seconds,
        "cpu_seconds": m.cpu_seconds,
        "peak_mb": m.peak_mb,
        "table_csv": table_to_text(table),
    }


def fit_detector(
    ds: Dataset, parts: Parts, rep: Replicate, spec: GroupSpec, dspec: str, res, log=None
) -> dict:
    """The cell entry of one detector on the group's rows."""
    ctx = Context(device=spec.device, workdir=spec.workdir, log=log)
    attack = list(ds.attack_categories)
    y_res_cat = res.y.to_numpy()
    y_train = np.isin(y_res_cat, attack).astype(int) if spec.task == "binary" else y_res_cat
    entry: dict = {"detector": dspec}
    try:
        det, params = make_plugin(detectors, dspec, spec.profile, spec.classes, spec.threads)
        entry["detector_params"] = params
        with Measure() as mf:
            det.fit(
                res.X,
                y_train,
                schema=parts.schema,
                sample_weight=res.sample_weight,
                random_state=rep.seed,
                context=ctx,
            )
        with Measure() as mp:
            p_val = det.predict_proba(parts.X_val)
            p_test = det.predict_proba(parts.X_test)
        entry["metrics"] = score(ds, det.classes_, p_val, p_test, parts.cat_val, parts.cat_test, spec.task)
        entry["timings"] = {"detector_fit_s": mf.seconds, "predict_s": mp.seconds}
        entry["cpu_s"] = {"detector_fit": mf.cpu_seconds, "predict": mp.cpu_seconds}
        entry["peak_mb"] = {"detector_fit": mf.peak_mb, "predict": mp.peak_mb}
        entry["status"] = "ok"
    except Exception as e:
        entry.update(
            status="failed", stage="detector", error=error_text(e), traceback=traceback.format_exc(limit=6)
        )
        if log:
            log(f"detector {dspec} failed after {spec.sampler} on seed {rep.seed}: {entry['error']}")
    return entry


def assemble(group: dict, fid: dict | None, cell: dict | None, task: str, dspec: str) -> dict:
    """One cell record from its group, fidelity and cell entries."""
    base = {**group["base"], "task": task}
    if group.get("status") != "ok":
        return {
            **base,
            "detector": dspec,
            "status": "failed",
            "stage": "sampler",
            "error": group.get("error"),
            "traceback": group.get("traceback"),
            **(
                {
                    "timings": {"sampler_s": group["sampler_record"].get("seconds")},
                    "peak_mb": group["sampler_record"].get("peak_mb"),
                }
                if group.get("sampler_record")
                else {}
            ),
        }
    sr = group["sampler_record"]
    fid = fid or NO_FIDELITY
    info = sr.get("info") or {}
    rec = {
        **base,
        "detector": dspec,
        "sampler_record": sr,
        "fidelity": fid["summary"],
        "timings": {
            "sampler_s": sr.get("seconds"),
            # a sampler that does not split its time reports it all as fitting
            "sampler_fit_s": info.get("fit_seconds", sr.get("seconds")),
            "sampler_sample_s": info.get("sample_seconds"),
            "fidelity_s": fid["seconds"],
        },
    }
    if "detector_params" in cell:
        rec["detector_params"] = cell["detector_params"]
    if cell.get("status") == "ok":
        rec["metrics"] = cell["metrics"]
        rec["timings"].update(cell["timings"])
        stages = {"sampler": sr.get("peak_mb"), "fidelity": fid.get("peak_mb"), **cell["peak_mb"]}
        rec["peak_mb_stages"] = stages
        rec["peak_mb"] = max(v for v in stages.values() if v is not None)
        # CPU seconds of the worker process per stage (wall time above)
        rec["cpu_s"] = {
            "sampler": sr.get("cpu_seconds"),
            "fidelity": fid.get("cpu_seconds"),
            **cell.get("cpu_s", {}),
        }
        rec["status"] = "ok"
    else:
        rec.update(status="failed", stage=cell.get("stage", "detector"), error=cell.get("error"))
        rec["traceback"] = cell.get("traceback")
    return rec


def fidelity_rows(fid: dict | None, ds_name: str, rep: Replicate, spec: GroupSpec) -> pd.DataFrame:
    """The group's per-feature fidelity table, keyed like the cells."""
    from benchmark.cache import table_from_text

    table = table_from_text((fid or NO_FIDELITY)["table_csv"])
    if len(table):
        table.insert(0, "sampler", spec.sampler)
        if spec.attack_share is not None:
            table.insert(0, "attack_share", spec.attack_share)
        table.insert(0, "fold", rep.fold)
        table.insert(0, "seed", rep.seed)
        table.insert(0, "dataset", ds_name)
    return table


def run_group(ds: Dataset, rep: Replicate, spec: GroupSpec, log=None) -> tuple[list[dict], pd.DataFrame]:
    """Run one sampler on one replicate and every detector after it (no cache)."""
    parts = parts_of(ds, rep)
    group, res = fit_sampler(ds, parts, rep, spec, log)
    if res is None:
        return [assemble(group, None, None, spec.task, d) for d in spec.detectors], pd.DataFrame()
    fid = audit(res, parts, rep, spec)
    records = [
        assemble(group, fid, fit_detector(ds, parts, rep, spec, d, res, log), spec.task, d)
        for d in spec.detectors
    ]
    return records, fidelity_rows(fid, ds.name, rep, spec)


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
        y_test,
        M.attack_score(pt, all_classes, ds.benign_categories),
        cat_test,
        attack,
        y_val,
        M.attack_score(pv, all_classes, ds.benign_categories),
    )
    multi = M.multiclass_metrics(cat_test, pt, all_classes, ds.benign_categories)
    # the per-category share flagged as attack keeps its own name: the per-class
    # ``recall[<class>]`` (predicted as that very class) would silently replace it
    for c in attack:
        out[f"attack_recall[{c}]"] = out.pop(f"recall[{c}]")
    notes = {**out.pop("notes", {}), **multi.pop("notes", {})}
    out.update(multi)
    if notes:
        out["notes"] = notes
    return out


__all__ = ["GroupSpec", "run_group"]
