"""Independent calls in worker processes, with the same results as in this one."""

from __future__ import annotations

import os

# worker processes for per-class work (fits, audits) of an in-process run
DEFAULT_JOBS = min(2, os.cpu_count() or 1)


def fit_each(fn, arglists: list[tuple], n_jobs: int, release: bool = False) -> list:
    """``[fn(*args) for args in arglists]``, in up to ``n_jobs`` worker processes
    (joblib/loky, reused between calls) when there is more than one call.  Each call
    must seed itself (``benchmark.seeding.seeded``, or a ``random_state``): then the
    results are the same as in this process, in the same order.  The harness passes
    the group's threads: 1 inside ``--jobs N`` and Ray workers, so processes are
    never nested there.  :class:`benchmark.resources.Measure` counts the workers'
    CPU time and memory.

    ``release``: in a pool of its own, whose workers exit at the end (otherwise
    joblib's reusable workers, which stay for the next call).  Generator fits use
    it: a worker that has imported torch, ctgan and SDV stays ~0.5 GB resident
    while idle, and the detectors that follow make the run's largest allocations
    (at the full HIKARI size two idle workers lifted the detectors' peak from
    ~3.2 GB to ~4.3 GB)."""
    if n_jobs <= 1 or len(arglists) <= 1:
        return [fn(*a) for a in arglists]
    n = min(int(n_jobs), len(arglists))
    if release:  # a pool of its own, whose workers exit with it
        from joblib.externals.loky import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=n) as pool:
            return list(pool.map(_call, [(fn, a) for a in arglists]))
    import joblib

    par = joblib.Parallel(n_jobs=n, backend="loky")
    return par(joblib.delayed(fn)(*a) for a in arglists)


def _call(fn_args):
    fn, args = fn_args
    return fn(*args)
