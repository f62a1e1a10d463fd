"""Wall time and peak resident memory of a block of work.

Peak memory is sampled from /proc/self/statm by a background thread (every
20 ms), so it sees what numpy, torch and xgboost allocate, not only Python
objects.  Where /proc is absent it falls back to the process high-water mark.

Child processes count too (a sampler that fits its classes in worker processes):
the sampled peak is this process's resident memory plus its descendants'
proportional set size (PSS: pages they share, such as torch's libraries, split
between the processes that map them, not counted once per process), and
CPU time adds what the descendants used during the block (from
/proc/<pid>/stat, last seen value per process; a child that lives less than one
sampling interval may be missed).
"""

from __future__ import annotations

import os
import resource
import threading
import time

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def rss_mb() -> float:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * _PAGE / 2**20
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def max_rss_mb() -> float:
    """The process's peak resident memory so far (the kernel's high-water mark)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def descendants(pid: int | None = None) -> list[int]:
    """Process ids of every descendant of ``pid`` (this process by default), from /proc."""
    out, todo = [], [pid or os.getpid()]
    while todo:
        p = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{p}/task")
        except OSError:
            continue
        for t in tasks:
            try:
                with open(f"/proc/{p}/task/{t}/children") as f:
                    kids = [int(x) for x in f.read().split()]
            except OSError:
                continue
            out += kids
            todo += kids
    return out


def proc_cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of a process so far (None when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICK
    except (OSError, IndexError, ValueError):
        return None


def proc_rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * _PAGE / 2**20
    except (OSError, IndexError, ValueError):
        return 0.0


def proc_pss_mb(pid: int) -> float:
    """Proportional set size of a process (its resident pages, shared ones divided by
    the number of processes sharing them); its RSS where smaps_rollup is absent."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
    except (OSError, IndexError, ValueError):
        pass
    return proc_rss_mb(pid)


def release_free_memory() -> bool:
    """Hand the C heap's free pages back to the system (glibc ``malloc_trim``): after
    a large CSV is parsed, its freed buffers otherwise stay resident.  False where
    it is unavailable."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.malloc_trim(0))
    except (OSError, AttributeError):
        return False


class Measure:
    """``with Measure() as m: ...`` then ``m.seconds`` (wall), ``m.cpu_seconds`` (CPU
    time of this process, all its threads: on a busy machine wall time overstates
    the work, CPU time does not) and ``m.peak_mb``."""

    def __init__(self, interval: float = 0.02):
        self.interval = interval
        self.seconds = 0.0
        self.cpu_seconds = 0.0
        self.peak_mb = 0.0

    def _sample(self) -> float:
        """This process's resident MB plus its descendants' PSS; notes their CPU seconds."""
        total = rss_mb()
        for pid in descendants():
            cpu = proc_cpu_seconds(pid)
            if cpu is None:
                continue
            self._child_base.setdefault(pid, 0.0)
            self._child_last[pid] = cpu
            total += proc_pss_mb(pid)
        return total

    def _watch(self):
        while not self._stop.wait(self.interval):
            self.peak_mb = max(self.peak_mb, self._sample())

    def __enter__(self):
        # children alive now (reused worker processes): only their CPU from here on counts
        self._child_base = {p: c for p in descendants() if (c := proc_cpu_seconds(p)) is not None}
        self._child_last = dict(self._child_base)
        self.peak_mb = self._sample()
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._watch, daemon=True)
        self._t.start()
        self._t0 = time.perf_counter()
        self._c0 = time.process_time()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self._t0
        self.cpu_seconds = time.process_time() - self._c0
        self._stop.set()
        self._t.join()
        self.peak_mb = max(self.peak_mb, self._sample())
        self.cpu_seconds += sum(max(0.0, c - self._child_base[p]) for p, c in self._child_last.items())
        return False
