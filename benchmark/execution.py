"""Where the groups run: in this process, in local worker processes (joblib/loky),
or on a Ray cluster.

The unit of work is a :class:`GroupTask`: one (replicate, sampler) group and the
detectors whose cells are still missing.  A worker fits the sampler once (or
takes its rows from the cache), audits the rows if that is missing, fits the
missing detectors on the same rows, writes every entry to the cache as soon as
it exists (so a kill loses at most the piece in progress) and returns the
entries.  The parent stores them again (idempotent: a key names one result), so
a cache on a worker's own disk -- a remote Ray node -- still leaves the parent
with every record.

The dataset is shipped once: joblib workers read it from one memory-mapped file
written by the parent (``joblib.dump``; each worker process loads it once),
Ray tasks get one ``ray.put`` reference.  When groups run side by side each
worker caps its plugins' threads (``n_jobs``, BLAS/OpenMP and torch threads)
so that N groups on N cores do not oversubscribe them.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from benchmark.cache import Cache, resampled_from_payload, rows_payload
from benchmark.cell import GroupSpec, audit, error_text, fit_detector, fit_sampler, parts_of
from benchmark.errors import ConfigError
from benchmark.protocol import Replicate

BACKENDS = ("local", "ray")


@dataclass
class GroupTask:
    index: int  # position of the group in the grid
    rep: Replicate
    spec: GroupSpec
    group_key: str
    fidelity_key: str
    cell_keys: dict[str, str]  # detector spec -> cell key
    todo: list[str]  # detectors whose cells are missing
    need_fidelity: bool
    materials: dict = field(default_factory=dict)  # key -> key material (stored beside the entry)
    retry_failed: bool = False
    gpus: float = 0.0


@dataclass
class GroupResult:
    index: int
    group: dict | None = None
    fidelity: dict | None = None
    cells: dict = field(default_factory=dict)  # detector spec -> cell entry
    fitted: bool = False  # the sampler was fitted in this task
    rows_from_cache: bool = False
    seconds: float = 0.0
    pid: int = 0
    error: str | None = None  # a failure of the harness itself (not of a plugin)


def _store(cache: Cache, task: GroupTask, res: GroupResult) -> None:
    m = task.materials
    if res.group is not None:
        cache.put("groups", task.group_key, m.get(task.group_key, {}), res.group)
    if res.fidelity is not None:
        cache.put("fidelity", task.fidelity_key, m.get(task.fidelity_key, {}), res.fidelity)
    for d, entry in res.cells.items():
        cache.put("cells", task.cell_keys[d], m.get(task.cell_keys[d], {}), entry)


@contextlib.contextmanager
def limit_threads(threads: int | None):
    """Cap BLAS/OpenMP and torch threads in this block (no-op for None)."""
    if threads is None:
        yield
        return
    from threadpoolctl import threadpool_limits

    torch = sys.modules.get("torch")
    before = torch.get_num_threads() if torch is not None else None
    if torch is not None:
        torch.set_num_threads(threads)
    try:
        with threadpool_limits(limits=threads):
            yield
    finally:
        if torch is not None and before is not None:
            torch.set_num_threads(before)


def execute(task: GroupTask, ds, cache_root: str | None, log=None) -> GroupResult:
    """Run one group task; plugin failures are entries, harness failures ``error``."""
    t0 = time.perf_counter()
    out = GroupResult(task.index, pid=os.getpid())
    cache = Cache(cache_root)
    try:
        with limit_threads(task.spec.threads):
            _execute(task, ds, cache, out, log)
    except Exception as e:  # a bug in the harness: this group's cells fail, the run goes on
        out.error = f"{error_text(e)}\n{traceback.format_exc(limit=8)}"
    out.seconds = time.perf_counter() - t0
    return out


def _execute(task: GroupTask, ds, cache: Cache, out: GroupResult, log) -> None:
    rep, spec = task.rep, task.spec
    parts = parts_of(ds, rep)
    group = cache.get("groups", task.group_key)
    if group is not None and group.get("status") != "ok" and task.retry_failed:
        group = None
    res = None
    if group is not None and group.get("status") == "ok":
        payload = cache.get_rows(task.group_key)
        if payload is not None:
            res = resampled_from_payload(payload, parts.X_fit, parts.cat_fit)
            out.rows_from_cache = True
    if group is None or (group.get("status") == "ok" and res is None):
        fresh, res = fit_sampler(ds, parts, rep, spec, log)
        out.fitted = True
        if res is not None:
            try:
                cache.put_rows(task.group_key, rows_payload(res, parts.X_fit, parts.cat_fit, task.group_key))
            except Exception as e:  # rows that cannot be stored are recomputed next time
                if log:
                    log(f"cache: rows of {spec.sampler} seed {rep.seed} not stored: {error_text(e)}")
        group = group if group is not None and fresh.get("status") == "ok" else fresh
        cache.put("groups", task.group_key, task.materials.get(task.group_key, {}), group)
    out.group = group
    if res is None:  # the sampler failed: every cell of the group is that failure
        return
    if task.need_fidelity:
        out.fidelity = audit(res, parts, rep, spec)
        cache.put("fidelity", task.fidelity_key, task.materials.get(task.fidelity_key, {}), out.fidelity)
    for d in task.todo:
        entry = fit_detector(ds, parts, rep, spec, d, res, log)
        out.cells[d] = entry
        cache.put("cells", task.cell_keys[d], task.materials.get(task.cell_keys[d], {}), entry)


# -- backends ------------------------------------------------------------------------
_SHARED: dict[str, object] = {}


def _worker_log(msg: str) -> None:
    print(f"  [worker {os.getpid()}] {msg}", file=sys.stderr, flush=True)


def _execute_shared(task: GroupTask, ds_path: str, cache_root: str | None) -> GroupResult:
    """A joblib worker: the dataset from the parent's memory-mapped file, loaded
    once per worker process."""
    ds = _SHARED.get(ds_path)
    if ds is None:
        import joblib

        ds = joblib.load(ds_path, mmap_mode="r")
        _SHARED.clear()
        _SHARED[ds_path] = ds
    return execute(task, ds, cache_root, log=_worker_log)


def run_serial(tasks, ds, cache_root, log=None) -> Iterator[GroupResult]:
    for t in tasks:
        yield execute(t, ds, cache_root, log=log)


def run_joblib(tasks, ds, cache_root, jobs: int, log=None) -> Iterator[GroupResult]:
    import joblib

    with tempfile.TemporaryDirectory(prefix="ids-benchmark-") as tmp:
        path = str(Path(tmp) / "dataset.joblib")
        joblib.dump(ds, path)  # once; workers memory-map it
        par = joblib.Parallel(n_jobs=jobs, backend="loky", return_as="generator_unordered", max_nbytes=None)
        yield from par(joblib.delayed(_execute_shared)(t, path, cache_root) for t in tasks)


def ray_or_exit():
    try:
        import ray
    except ImportError:
        raise ConfigError(
            "--backend ray needs Ray: pip install 'ids-oversampling-benchmark[ray]' (or pip install 'ray[default]')"
        ) from None
    return ray


def run_ray(tasks, ds, cache_root, jobs: int | None, log=None) -> Iterator[GroupResult]:
    ray = ray_or_exit()
    started = False
    if not ray.is_initialized():
        address = os.environ.get("RAY_ADDRESS")
        if address:  # a cluster: its workers import the plugins from their own environment
            ray.init(address=address, log_to_driver=True)
        else:
            # a local cluster: its workers inherit this environment, so give them this
            # process's import path (plugins registered from any importable module)
            old = os.environ.get("PYTHONPATH")
            paths = [p for p in sys.path if p and os.path.isdir(p)]
            os.environ["PYTHONPATH"] = os.pathsep.join(
                dict.fromkeys([*(old or "").split(os.pathsep), *paths])
            )
            try:
                ray.init(num_cpus=jobs or os.cpu_count(), include_dashboard=False, log_to_driver=True)
            finally:
                if old is None:
                    os.environ.pop("PYTHONPATH", None)
                else:
                    os.environ["PYTHONPATH"] = old
        started = True
    try:
        remote = ray.remote(_execute_ray)
        ds_ref = ray.put(ds)  # once; every task gets the reference
        pending = {}
        for t in tasks:
            opts = {"num_cpus": t.spec.threads or 1, "num_gpus": t.gpus, "max_retries": 0}
            pending[remote.options(**opts).remote(t, ds_ref, cache_root)] = t
        while pending:
            done, _ = ray.wait(list(pending), num_returns=1)
            for ref in done:
                t = pending.pop(ref)
                try:
                    yield ray.get(ref)
                except Exception as e:  # the task itself died (a worker lost, unpicklable input)
                    yield GroupResult(t.index, error=f"ray task failed: {error_text(e)}")
    finally:
        if started:
            ray.shutdown()


def _execute_ray(task: GroupTask, ds, cache_root: str | None) -> GroupResult:
    return execute(task, ds, cache_root, log=_worker_log)


def run_tasks(
    tasks, ds, cache: Cache, backend: str, jobs: int | None, log=None
) -> Iterator[tuple[GroupTask, GroupResult]]:
    """Run the tasks on the chosen backend; yield (task, result) as they finish and
    store every result's entries in the parent's cache."""
    if backend not in BACKENDS:
        raise ConfigError(f"unknown backend {backend!r}; one of {', '.join(BACKENDS)}")
    by_index = {t.index: t for t in tasks}
    root = str(cache.root) if cache.enabled else None
    if backend == "ray":
        it = run_ray(tasks, ds, root, jobs, log)
    elif (jobs or 1) > 1 and len(tasks) > 1:
        it = run_joblib(tasks, ds, root, jobs, log)
    else:
        it = run_serial(tasks, ds, root, log)
    for res in it:
        task = by_index[res.index]
        _store(cache, task, res)
        yield task, res
