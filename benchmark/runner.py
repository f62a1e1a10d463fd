"""A run: load the data, make the replicates, run every (replicate, sampler)
group -- from the cache where it holds the result, else in this process, in
local workers or on Ray -- write the results, render the report."""

from __future__ import annotations

import datetime as dt
import os
import platform
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from benchmark.cache import (
    VERSIONED_PACKAGES,
    Cache,
    code_hash,
    digest,
    harness_code_hash,
    index_hash,
    key_params,
    package_versions,
)
from benchmark.cell import GroupSpec, assemble, fidelity_rows, plugin_class
from benchmark.datasets import load_dataset
from benchmark.errors import ConfigError
from benchmark.execution import BACKENDS, GroupTask, ray_or_exit, run_tasks
from benchmark.fidelity import gate
from benchmark.jsonio import append_jsonl, dumps, write_json, write_text
from benchmark.plugins import GenerativeSampler
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
from benchmark.resources import Measure, max_rss_mb, release_free_memory
from benchmark.strategy import DEFAULT as DEFAULT_STRATEGY
from benchmark.strategy import SamplingStrategy
from benchmark.sweep import apply_attack_share

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
    # thresholds that mark a sampler's cells as failing fidelity (benchmark.fidelity.gate);
    # applied by the report, so it is in no cache key
    fidelity_gate: str = gate.DEFAULT_GATE
    out: str = "results"
    device: str = "cpu"
    dedupe: bool = False
    command: str = ""
    run_id: str | None = None
    # execution (never changes a number)
    jobs: int | None = None  # groups side by side (None: 1 locally, the cluster's CPUs on Ray)
    backend: str = "local"
    cache: str | None = None  # folder; None: <out>/.cache
    no_cache: bool = False
    retry_failed: bool = False
    gpus_per_group: float = 1.0
    # the imbalance sweep: attack shares of the training part (None: as it is)
    attack_shares: list[float] | None = None


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
    for pkg in (*VERSIONED_PACKAGES, "ray"):
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
    gate.parse_gate(cfg.fidelity_gate)
    for s in cfg.samplers:
        samplers.get(parse_spec(s)[0])
    for d in cfg.detectors:
        detectors.get(parse_spec(d)[0])
    if not cfg.samplers or not cfg.detectors:
        raise ConfigError("nothing to run: give --samplers and --models, or --all")
    for what, items in (("seed", cfg.seeds or ()), ("sampler", cfg.samplers), ("detector", cfg.detectors)):
        twice = sorted({str(x) for x in items if list(items).count(x) > 1})
        if twice:  # a replicate or a leaderboard row given twice would be paired with itself
            raise ConfigError(f"{what}(s) given more than once: {', '.join(twice)}")
    if cfg.backend not in BACKENDS:
        raise ConfigError(f"unknown backend {cfg.backend!r}; one of {', '.join(BACKENDS)}")
    if cfg.jobs is not None and cfg.jobs < 1:
        raise ConfigError("--jobs must be at least 1")
    if cfg.gpus_per_group < 0:
        raise ConfigError("--gpus-per-group must be >= 0")
    if cfg.backend == "ray":
        ray_or_exit()


class Stages:
    """Seconds and peak memory of the run's own stages (load, split, report)."""

    def __init__(self):
        self.rows: dict[str, dict] = {}

    def measure(self, name: str):
        stages = self

        class _M(Measure):
            def __exit__(self, *exc):
                super().__exit__(*exc)
                stages.add(name, self.seconds, self.peak_mb, cpu=self.cpu_seconds)
                return False

        return _M()

    def add(self, name, seconds, peak_mb=None, n=1, computed=None, cpu=None):
        if seconds is None:
            return
        r = self.rows.setdefault(
            name, {"stage": name, "seconds": 0.0, "cpu_seconds": 0.0, "n": 0, "peak_mb": None}
        )
        r["seconds"] += float(seconds)
        r["cpu_seconds"] += float(seconds if cpu is None else cpu)
        r["n"] += n
        if peak_mb is not None:
            r["peak_mb"] = max(r["peak_mb"] or 0.0, float(peak_mb))
        if computed is not None:
            r["computed_now"] = r.get("computed_now", 0) + int(computed)


def cell_stages(stages: Stages, records: list[dict], computed: set) -> None:
    """Per sampler fit/sample, fidelity, per detector fit/predict -- from the cells'
    records (a group's sampler and fidelity once, not once per detector).  A
    sampler's CPU time is split between fit and sample in proportion to its wall
    times."""
    seen = set()
    for r in records:
        if r.get("status") != "ok":
            continue
        gid = (r.get("attack_share"), r["seed"], r["fold"], r["sampler"])
        t, ps, cpu = r.get("timings") or {}, r.get("peak_mb_stages") or {}, r.get("cpu_s") or {}
        if gid not in seen:
            seen.add(gid)
            total = t.get("sampler_s") or 0.0
            fit = t.get("sampler_fit_s")
            fit = total if fit is None else fit
            sample = t.get("sampler_sample_s") or 0.0
            c = cpu.get("sampler")
            share = (fit / (fit + sample)) if (fit + sample) > 0 else 1.0
            stages.add(
                f"sampler {r['sampler']}: fit", fit, ps.get("sampler"), cpu=None if c is None else c * share
            )
            stages.add(f"sampler {r['sampler']}: sample", sample, cpu=None if c is None else c * (1 - share))
            if t.get("fidelity_s"):
                stages.add("fidelity", t["fidelity_s"], ps.get("fidelity"), cpu=cpu.get("fidelity"))
        fresh = (gid, r["detector"]) in computed
        d = r["detector"]
        stages.add(
            f"detector {d}: fit",
            t.get("detector_fit_s"),
            ps.get("detector_fit"),
            computed=fresh,
            cpu=cpu.get("detector_fit"),
        )
        stages.add(f"detector {d}: predict", t.get("predict_s"), ps.get("predict"), cpu=cpu.get("predict"))


def _fidelity_budget(profile) -> dict:
    return {
        "detection_rows": profile.detection_rows,
        "detection_folds": profile.detection_folds,
        "dcr_rows": profile.dcr_rows,
        "fidelity_rows": profile.fidelity_rows,
    }


def plan(ds, levels, cfg: RunConfig, profile, proto: ProtocolConfig, cache: Cache, run_dir: Path):
    """Every group of the grid with its keys; the cached entries; the tasks to run."""
    versions_ = package_versions()
    data = {"name": ds.name, "fingerprint": ds.fingerprint}
    strategy = str(SamplingStrategy.parse(cfg.sampling_strategy))
    threads = None  # in-process, one group at a time: the plugins' own thread counts
    if cfg.backend == "ray":
        threads = 1
    elif (cfg.jobs or 1) > 1:
        threads = max(1, (os.cpu_count() or 1) // cfg.jobs)
    groups, tasks = [], []
    sampler_info = {}
    for s in cfg.samplers:
        cls = plugin_class(samplers, s)
        inst = cls.for_profile(cfg.profile, **parse_spec(s)[1])
        sampler_info[s] = (cls, inst)
    det_info = {}
    for d in cfg.detectors:
        cls = plugin_class(detectors, d)
        inst = cls.for_profile(cfg.profile, **parse_spec(d)[1])
        det_info[d] = (
            cls,
            {
                "spec": d,
                "name": parse_spec(d)[0],
                "class": f"{cls.__module__}.{cls.__qualname__}",
                "params": key_params(inst.get_params()),
                "version": str(cls.version),
                "code": code_hash(cls),
            },
        )
    classes = {parse_spec(x)[0]: c for x, (c, _) in {**sampler_info, **det_info}.items()}
    fid_budget = _fidelity_budget(profile)
    for level, reps in levels:
        for rep in reps:
            replicate = {
                "protocol": proto.describe(),
                "seed": rep.seed,
                "fold": rep.fold,
                "attack_share": level,
                "rows": index_hash(rep.fit, rep.val, rep.test),
            }
            for s in cfg.samplers:
                cls, inst = sampler_info[s]
                sdesc = {
                    "spec": s,
                    "name": parse_spec(s)[0],
                    "class": f"{cls.__module__}.{cls.__qualname__}",
                    "params": key_params(inst.get_params()),
                    "version": str(cls.version),
                    "code": code_hash(cls),
                }
                gm = {
                    "kind": "group",
                    "data": data,
                    "replicate": replicate,
                    "sampler": sdesc,
                    "sampling_strategy": strategy,
                    "profile": cfg.profile,
                    "device": cfg.device,
                    "versions": versions_,
                    "harness": harness_code_hash("group"),
                }
                gkey = digest(gm)
                fm = {
                    "kind": "fidelity",
                    "group": gkey,
                    "budget": fid_budget,
                    "code": harness_code_hash("fidelity"),
                }
                fkey = digest(fm)
                cells = {}
                materials = {gkey: gm, fkey: fm}
                for d in cfg.detectors:
                    cm = {
                        "kind": "cell",
                        "group": gkey,
                        "detector": det_info[d][1],
                        "task": cfg.task,
                        "device": cfg.device,
                        "code": harness_code_hash("cell"),
                    }
                    cells[d] = digest(cm)
                    materials[cells[d]] = cm
                spec = GroupSpec(
                    sampler=s,
                    detectors=list(cfg.detectors),
                    profile=cfg.profile,
                    strategy=cfg.sampling_strategy,
                    task=cfg.task,
                    device=cfg.device,
                    fidelity=fid_budget,
                    workdir=str(
                        run_dir
                        / "artifacts"
                        / (f"share{level:g}" if level is not None else "")
                        / f"seed{rep.seed}.{rep.fold}"
                        / s.replace(":", "_")
                    ),
                    threads=threads,
                    classes=classes,
                    attack_share=level,
                )
                g = {
                    "index": len(groups),
                    "rep": rep,
                    "spec": spec,
                    "group_key": gkey,
                    "fidelity_key": fkey,
                    "cell_keys": cells,
                }
                # what the cache already holds
                group = cache.get("groups", gkey)
                if group is not None and group.get("status") != "ok" and cfg.retry_failed:
                    group = None
                g["group"] = group
                g["fidelity"] = cache.get("fidelity", fkey) if group is not None else None
                g["cells"] = {}
                if group is not None:
                    for d, k in cells.items():
                        c = cache.get("cells", k)
                        if c is not None and (c.get("status") == "ok" or not cfg.retry_failed):
                            g["cells"][d] = c
                failed_group = group is not None and group.get("status") != "ok"
                todo = [] if failed_group else [d for d in cfg.detectors if d not in g["cells"]]
                need_fid = not failed_group and g["fidelity"] is None
                if group is None or todo or need_fid:
                    gpus = 0.0
                    if cfg.device.startswith("cuda") and (
                        uses_gpu(cls) or any(uses_gpu(det_info[d][0], True) for d in cfg.detectors)
                    ):
                        gpus = float(cfg.gpus_per_group)
                    tasks.append(
                        GroupTask(
                            index=g["index"],
                            rep=rep,
                            spec=spec,
                            group_key=gkey,
                            fidelity_key=fkey,
                            cell_keys=cells,
                            todo=todo if group is not None else list(cfg.detectors),
                            need_fidelity=need_fid or group is None,
                            materials=materials,
                            retry_failed=cfg.retry_failed,
                            gpus=gpus,
                        )
                    )
                groups.append(g)
    return groups, tasks


def uses_gpu(cls, default: bool | None = None) -> bool:
    """Whether a plugin runs on the GPU under ``--device cuda``: its ``uses_gpu``
    attribute; else, for a sampler, whether it is generative (torch models); for a
    detector ``default`` (True: it is handed the device, as xgboost uses it)."""
    flag = getattr(cls, "uses_gpu", None)
    if flag is not None:
        return bool(flag)
    return issubclass(cls, GenerativeSampler) if default is None else default


def _log_cells(say, records):
    for r in records:
        if r["status"] == "ok":
            m = r["metrics"]
            auc = m["roc_auc"] if m["roc_auc"] is None else round(m["roc_auc"], 3)
            say(f"        {r['detector']:<10} F1 {m['f1']:.3f}  recall {m['recall']:.3f}  ROC-AUC {auc}")
        else:
            say(f"        {r['detector']:<10} FAILED ({r.get('stage')}): {str(r.get('error'))[:200]}")


def run(cfg: RunConfig, log=None) -> tuple[Path, int]:
    """Run the grid; returns the run folder and the number of failed cells."""
    say = log or (lambda m: print(m, file=sys.stderr, flush=True))
    validate_config(cfg)
    profile = get_profile(cfg.profile)
    seeds = list(cfg.seeds) if cfg.seeds else list(profile.seeds)
    t_start = time.perf_counter()
    stages = Stages()

    options = dict(cfg.dataset_options)
    if cfg.dataset == "demo":
        options.setdefault("demo_rows", profile.demo_rows)
        options.setdefault("cache_dir", str(Path(cfg.out) / ".demo"))
    with stages.measure("load") as m_load:
        ds = load_dataset(cfg.dataset, cfg.data, **options)  # errors before any folder is made
    release_free_memory()  # the parser's freed buffers: ~0.6 GB at the full HIKARI size
    dedupe_record = None
    with stages.measure("split"):
        if cfg.dedupe:
            ds, dedupe_record = dedupe(ds)
        proto = ProtocolConfig(cfg.protocol or default_protocol(ds), **cfg.protocol_options)
        reps = make_replicates(ds, proto, seeds)
        cats = ds.category.to_numpy()
        if cfg.attack_shares:
            levels = [
                (s, [apply_attack_share(r, cats, ds.attack_categories, s) for r in reps])
                for s in cfg.attack_shares
            ]
        else:
            levels = [(None, reps)]
        hashes = row_hashes(ds.X)
        replicates = [
            {
                **({"attack_share": level} if level is not None else {}),
                "seed": r.seed,
                "fold": r.fold,
                "fit_rows": len(r.fit),
                "val_rows": len(r.val),
                "test_rows": len(r.test),
                "notes": r.notes,
                "duplicates": duplicate_report(ds, r, hashes),
            }
            for level, rs in levels
            for r in rs
        ]
        del hashes

    run_dir = new_run_dir(cfg.out, ds.name, cfg.profile, cfg.run_id)
    say(f"run folder: {run_dir}")
    say(
        f"dataset {ds.name}: {len(ds.X):,} rows × {ds.X.shape[1]} features, "
        f"attack share {ds.y.mean():.3f}; loaded in {m_load.seconds:.1f}s (peak {m_load.peak_mb:.0f} MB)"
    )
    cache_dir = None if cfg.no_cache else (cfg.cache or str(Path(cfg.out) / ".cache"))
    cache = Cache(cache_dir)
    groups, tasks = plan(ds, levels, cfg, profile, proto, cache, run_dir)
    n_total = len(groups) * len(cfg.detectors)
    n_todo = sum(len(t.todo) for t in tasks)
    n_cached = n_total - n_todo
    if cache.enabled:
        fid_todo = sum(t.need_fidelity for t in tasks)
        if not tasks:
            say(f"{n_cached}/{n_total} cells from cache ({cache.root}); nothing to compute")
        else:
            say(
                f"{n_cached}/{n_total} cells from cache ({cache.root}); computing {n_todo} cell(s) "
                f"in {len(tasks)} group(s)" + (f", {fid_todo} fidelity audit(s)" if fid_todo else "")
            )
    else:
        say(f"cache off: computing all {n_total} cells in {len(tasks)} group(s)")

    manifest = {
        "command": cfg.command,
        "config": asdict(cfg),
        "profile": profile.to_dict(),
        "seeds": seeds,
        "protocol": proto.describe(),
        "task": cfg.task,
        "sampling_strategy": {
            "spec": str(SamplingStrategy.parse(cfg.sampling_strategy)),
            "doc": "attack categories raised to ceil(ratio × largest category) "
            "of each training part; benign categories untouched",
        },
        "fidelity_gate": cfg.fidelity_gate,
        "attack_shares": cfg.attack_shares,
        "dataset": ds.describe(),
        "dedupe": dedupe_record,
        "replicates": replicates,
        "samplers": {s: samplers.origin(parse_spec(s)[0]) for s in cfg.samplers},
        "detectors": {d: detectors.origin(parse_spec(d)[0]) for d in cfg.detectors},
        "device": cfg.device,
        "execution": {
            "backend": cfg.backend,
            "jobs": cfg.jobs,
            "threads_per_group": tasks[0].spec.threads if tasks else None,
        },
        "versions": versions(),
        "started": dt.datetime.now().isoformat(timespec="seconds"),
        "status": "running",
    }
    write_json(run_dir / "manifest.json", manifest)

    # progress: cells as they are computed (the final cells.jsonl is rewritten in grid order)
    progress = run_dir / "cells.partial.jsonl"
    by_index = {g["index"]: g for g in groups}
    computed: set = set()
    fitted = rows_reused = 0
    harness_errors = []
    done = n_cached
    t_exec = time.perf_counter()
    jobs = cfg.jobs or (None if cfg.backend == "ray" else 1)
    for task, res in run_tasks(tasks, ds, cache, cfg.backend, jobs, log=say):
        g = by_index[task.index]
        rep, spec = g["rep"], g["spec"]
        if res.error:
            harness_errors.append(res.error)
            say(f"group {spec.sampler} seed {rep.seed} failed in the harness: {res.error.splitlines()[0]}")
            g["group"] = {
                "base": {"dataset": ds.name, "seed": rep.seed, "fold": rep.fold, "sampler": spec.sampler},
                "status": "failed",
                "error": res.error.splitlines()[0],
                "traceback": res.error,
            }
            continue
        g["group"] = res.group
        if res.fidelity is not None:
            g["fidelity"] = res.fidelity
        g["cells"].update(res.cells)
        fitted += res.fitted
        rows_reused += res.rows_from_cache
        gid = (spec.attack_share, rep.seed, rep.fold, spec.sampler)
        fresh = [
            assemble(g["group"], g["fidelity"], g["cells"].get(d), cfg.task, d)
            for d in (task.todo or spec.detectors)
        ]
        for d in task.todo:
            computed.add((gid, d))
        append_jsonl(progress, fresh)
        done += len(task.todo)
        level = "" if spec.attack_share is None else f" share {spec.attack_share:g}"
        how = "fitted" if res.fitted else ("rows from cache" if res.rows_from_cache else "")
        say(
            f"[{done:>4}/{n_total}]{level} seed {rep.seed}"
            f"{'' if proto.name != 'cv' else f' fold {rep.fold}'} · {spec.sampler} ({how}) → "
            f"{', '.join(task.todo) or 'fidelity only'} ({res.seconds:.1f}s)"
        )
        _log_cells(say, [r for r in fresh if r["detector"] in task.todo])
    exec_s = time.perf_counter() - t_exec

    # every cell, in grid order, from the cache or from this run
    records, fid_tables = [], []
    for g in groups:
        for d in cfg.detectors:
            records.append(assemble(g["group"], g["fidelity"], g["cells"].get(d), cfg.task, d))
        if g["group"] is not None and g["group"].get("status") == "ok":
            t = fidelity_rows(g["fidelity"], ds.name, g["rep"], g["spec"])
            if len(t):
                fid_tables.append(t)
    write_text(run_dir / "cells.jsonl", "".join(dumps(r) + "\n" for r in records))
    if progress.exists():
        progress.unlink()
    if fid_tables:
        pd.concat(fid_tables, ignore_index=True).to_csv(run_dir / "fidelity.csv", index=False)
    failed = sum(r["status"] != "ok" for r in records)
    cell_stages(stages, records, computed)
    peak_cells = max((r.get("peak_mb") or 0 for r in records), default=0)

    from benchmark.report.build import build_report

    manifest.update(
        status="complete" if not failed else "complete with failures",
        failed_cells=failed,
        total_cells=n_total,
        cache={
            **cache.stats(),
            "cells_from_cache": n_cached,
            "cells_computed": n_todo,
            "samplers_fitted": fitted,
            "sampler_rows_from_cache": rows_reused,
            "corrupt_entries_ignored": cache.corrupt,
        },
        harness_errors=harness_errors,
        execution={**manifest["execution"], "seconds": round(exec_s, 2)},
        finished=dt.datetime.now().isoformat(timespec="seconds"),
        pid=os.getpid(),
    )
    write_json(run_dir / "manifest.json", manifest)
    with stages.measure("report"):
        build_report(run_dir, log=say)
    manifest.update(
        stages=list(stages.rows.values()),
        wall_seconds=round(time.perf_counter() - t_start, 2),
        peak_rss_mb={"parent": round(max_rss_mb(), 1), "cells_max": round(peak_cells, 1)},
    )
    write_json(run_dir / "manifest.json", manifest)
    _write_stage_table(run_dir, manifest)
    summary = (
        f"{n_cached}/{n_total} cells from cache, {n_todo} computed"
        if cache.enabled
        else f"{n_total} cells computed (cache off)"
    )
    say(f"{summary}; {fitted} sampler fit(s); wall {manifest['wall_seconds']:.1f}s")
    return run_dir, failed


def _write_stage_table(run_dir: Path, manifest: dict) -> None:
    from tabulate import tabulate

    rows = [
        [
            r["stage"],
            f"{r['seconds']:.1f}",
            f"{r['cpu_seconds']:.1f}",
            r["n"],
            "—" if r["peak_mb"] is None else f"{r['peak_mb']:.0f}",
        ]
        for r in manifest["stages"]
    ]
    text = (
        "# Seconds per stage\n\n"
        "Summed over the run's cells (a cell taken from the cache counts the seconds it took when it was "
        f"computed). Wall time of this run: {manifest['wall_seconds']:.1f}s; cells from cache: "
        f"{manifest['cache'].get('cells_from_cache', 0)}/{manifest['total_cells']}.\n\n"
        + tabulate(rows, headers=["stage", "wall s", "CPU s", "n", "peak MB"], tablefmt="github")
        + "\n"
    )
    write_text(run_dir / "stages.md", text)
