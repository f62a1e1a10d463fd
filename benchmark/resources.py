"""Wall time and peak resident memory of a block of work.

Peak memory is sampled from /proc/self/statm by a background thread (every
20 ms), so it sees what numpy, torch and xgboost allocate, not only Python
objects.  Where /proc is absent it falls back to the process high-water mark.
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


class Measure:
    """``with Measure() as m: ...`` then ``m.seconds`` (wall), ``m.cpu_seconds`` (CPU
    time of this process, all its threads: on a busy machine wall time overstates
    the work, CPU time does not) and ``m.peak_mb``."""

    def __init__(self, interval: float = 0.02):
        self.interval = interval
        self.seconds = 0.0
        self.cpu_seconds = 0.0
        self.peak_mb = 0.0

    def _watch(self):
        while not self._stop.wait(self.interval):
            self.peak_mb = max(self.peak_mb, rss_mb())

    def __enter__(self):
        self.peak_mb = rss_mb()
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
        self.peak_mb = max(self.peak_mb, rss_mb())
        return False
