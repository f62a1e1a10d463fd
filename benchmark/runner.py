"""A run: load the data, make the replicates, run every (replicate, sampler)
group, write the results, render the report."""

from __future__ import annotations

import datetime as dt
import os
import platform
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from benchmark.cell import GroupSpec, run_group
from benchmark.datasets import load_dataset
from benchmark.errors import ConfigError
from benchmark.jsonio import append_jsonl, write_json
from benchmark.profiles import get_profile
from benchmark.protocol import (
    ProtocolConfig,
    dedupe,
    default_protocol,
    duplicate_report,
    make_replicates,
    row_hashes,
)
from benchmark.registry import detectors, parse_spec, samplers
from benchmark.strategy import DEFAULT as DEFAULT_STRATEGY
from benchmark.strategy import SamplingStrategy

TASKS = ("binary", "multiclass")


@dataclass
class RunConfig:
    dataset: str = "demo"
    data: str | None = None
    dataset_options: dict = field(default_factory=dict)
    samplers: list[str] = field(default_factory=list)
    detectors: list[str] = field(default_factory=list)
    seeds: list[int] | None = None
    profile: str = "quick"
    protocol: str | None = None
    protocol_options: dict = field(default_factory=dict)
    task: str = "binary"
    sampling_strategy: str = DEFAULT_STRATEGY
    out: str = "results"
    device: str = "cpu"
    dedupe: bool = False
    command: str = ""
    run_id: str | None = None


def new_run_dir(out: str | Path, dataset: str, profile: str, run_id: str | None = None) -> Path:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    base = run_id or f"{stamp}-{dataset}-{profile}"
    for i in range(1000):
        p = out / (base if i == 0 else f"{base}-{i}")
        try:
            p.mkdir()
            return p
        except FileExistsError:
            continue
    raise ConfigError(f"cannot make a new run folder under {out}")


def versions() -> dict:
    from importlib import metadata

    out = {"python": platform.python_version(), "platform": platform.platform()}
    for pkg in ("ids-oversampling-benchmark", "numpy", "pandas", "scipy", "scikit-learn",
                "imbalanced-learn", "xgboost", "torch", "ctgan", "sdv", "ray"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            pass
    return out


def validate_config(cfg: RunConfig) -> None:
    get_profile(cfg.profile)
    if cfg.task not in TASKS:
        raise ConfigError(f"unknown task {cfg.task!r}; one of {', '.join(TASKS)}")
    SamplingStrategy.parse(cfg.sampling_strategy)
    for s in cfg.samplers:
        samplers.get(parse_spec(s)[0])
    for d in cfg.detectors:
        detectors.get(parse_spec(d)[0])
    if not cfg.samplers or not cfg.detectors:
        raise ConfigError("nothing to run: give --samplers and --models, or --all")


def run(cfg: RunConfig, log=None) -> tuple[Path, int]:
    """Run the grid; returns the run folder and the number of failed cells."""
    say = log or (lambda m: print(m, file=sys.stderr, flush=True))
    validate_config(cfg)
    profile = get_profile(cfg.profile)
    seeds = list(cfg.seeds) if cfg.seeds else list(profile.seeds)
    t_start = time.perf_counter()

    options = dict(cfg.dataset_options)
    if cfg.dataset == "demo":
        options.setdefault("demo_rows", profile.demo_rows)
        options.setdefault("cache_dir", str(Path(cfg.out) / ".demo"))
    t0 = time.perf_counter()
    ds = load_dataset(cfg.dataset, cfg.data, **options)  # errors before any folder is made
    load_s = time.perf_counter() - t0
    dedupe_record = None
    if cfg.dedupe:
        ds, dedupe_record = dedupe(ds)
    proto = ProtocolConfig(cfg.protocol or default_protocol(ds), **cfg.protocol_options)
    reps = make_replicates(ds, proto, seeds)

    run_dir = new_run_dir(cfg.out, ds.name, cfg.profile, cfg.run_id)
    say(f"run folder: {run_dir}")
    say(f"dataset {ds.name}: {len(ds.X):,} rows × {ds.X.shape[1]} features, "
        f"attack share {ds.y.mean():.3f}; loaded in {load_s:.1f}s")
    hashes = row_hashes(ds.X)
    manifest = {
        "command": cfg.command,
        "config": asdict(cfg),
        "profile": profile.to_dict(),
        "seeds": seeds,
        "protocol": proto.describe(),
        "task": cfg.task,
        "sampling_strategy": {"spec": str(SamplingStrategy.parse(cfg.sampling_strategy)),
                              "doc": "attack categories raised to ceil(ratio × largest category) "
                                     "of each training part; benign categories untouched"},
        "dataset": ds.describe(),
        "dedupe": dedupe_record,
        "replicates": [
            {"seed": r.seed, "fold": r.fold, "fit_rows": len(r.fit), "val_rows": len(r.val),
             "test_rows": len(r.test), "notes": r.notes,
             "duplicates": duplicate_report(ds, r, hashes)}
            for r in reps
        ],
        "samplers": {s: samplers.origin(parse_spec(s)[0]) for s in cfg.samplers},
        "detectors": {d: detectors.origin(parse_spec(d)[0]) for d in cfg.detectors},
        "device": cfg.device,
        "versions": versions(),
        "started": dt.datetime.now().isoformat(timespec="seconds"),
        "status": "running",
    }
    write_json(run_dir / "manifest.json", manifest)

    cells_path = run_dir / "cells.jsonl"
    n_total = len(reps) * len(cfg.samplers) * len(cfg.detectors)
    done = failed = 0
    fid_tables = []
    for rep in reps:
        for s in cfg.samplers:
            spec = GroupSpec(
                sampler=s, detectors=list(cfg.detectors), profile=cfg.profile,
                strategy=cfg.sampling_strategy, task=cfg.task, device=cfg.device,
                fidelity={"detection_rows": profile.detection_rows,
                          "detection_folds": profile.detection_folds, "dcr_rows": profile.dcr_rows},
                workdir=str(run_dir / "artifacts" / f"seed{rep.seed}.{rep.fold}" / s.replace(":", "_")),
            )
            say(f"[{done + 1:>4}/{n_total}] seed {rep.seed}{'' if proto.name != 'cv' else f' fold {rep.fold}'}"
                f" · {s} → {', '.join(cfg.detectors)}")
            t0 = time.perf_counter()
            records, fid = run_group(ds, rep, spec, log=say)
            append_jsonl(cells_path, records)
            if len(fid):
                fid_tables.append(fid)
            for r in records:
                done += 1
                failed += r["status"] != "ok"
                if r["status"] == "ok":
                    m = r["metrics"]
                    say(f"        {r['detector']:<10} F1 {m['f1']:.3f}  recall {m['recall']:.3f}  "
                        f"ROC-AUC {m['roc_auc'] if m['roc_auc'] is None else round(m['roc_auc'], 3)}")
                else:
                    say(f"        {r['detector']:<10} FAILED ({r['stage']}): {r['error'][:200]}")
            say(f"        ({time.perf_counter() - t0:.1f}s)")
    if fid_tables:
        pd.concat(fid_tables, ignore_index=True).to_csv(run_dir / "fidelity.csv", index=False)

    from benchmark.report.build import build_report

    manifest.update(status="complete" if not failed else "complete with failures",
                    failed_cells=failed, total_cells=n_total,
                    wall_seconds=round(time.perf_counter() - t_start, 2),
                    finished=dt.datetime.now().isoformat(timespec="seconds"), pid=os.getpid())
    write_json(run_dir / "manifest.json", manifest)
    build_report(run_dir, log=say)
    return run_dir, failed
