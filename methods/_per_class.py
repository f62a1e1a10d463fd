"""What the per-class synthesizers (``ctgan``, ``tvae``, ``gaussian_copula``) share.

One model per class to oversample, fitted on that class's training rows only, so
every row a model adds is of the requested class.  This module is the one place
for what all of them do around their library:

- columns constant within the class are not modelled (the libraries' transformers
  cannot fit a constant column); they are written back as that constant;
- ``max_fit_rows`` (a budget, when set): a class with more training rows is fitted
  on a seeded random subset of that many rows (recorded);
- :func:`clamp_batch`: a batch larger than the class is clamped to the class size
  (and ``pac`` reduced when the class is smaller than it); recorded;
- seeding: the library's own random state is set, and fit and sample also run
  inside :func:`benchmark.seeding.seeded`, because the libraries draw from global
  RNGs their seeding does not reach, and inside :func:`in_process` (joblib's
  sequential backend), because ctgan's transformer otherwise encodes columns in
  worker processes that the seeding cannot reach; the same seed gives the same rows;
- one torch thread on the CPU (:func:`in_process`): far faster for these small
  networks when another process shares the cores;
- ``n_jobs`` (an execution parameter, not in cache keys): the classes are fitted
  in that many worker processes (:func:`fit_each`), each class seeded as in this
  process, so the rows are the same as a one-process fit (a test); the harness
  gives it the group's threads.

Per class, the record (``training.models[class]``) holds the rows fitted, the
batch actually used, the fit seconds and every fallback.
"""

from __future__ import annotations

import contextlib
import time
from typing import Any

import numpy as np
import pandas as pd

from benchmark.plugins import GenerativeSampler
from benchmark.processes import fit_each
from benchmark.seeding import seeded

# ctgan's and SDV's transformers fit a Gaussian mixture of at most this many modes
# per continuous column, capped by the number of rows (ctgan: ``min(len(data), 10)``).
MAX_MIXTURE_COMPONENTS = 10


def row_cap(n_rows: int, max_rows: int | None, seed: int) -> np.ndarray | None:
    """The ``max_fit_rows`` budget: sorted indices of a seeded random ``max_rows`` of
    ``n_rows`` rows, or None when there is no cap or the class is within it.  Shared
    by every generator with such a budget, so a quick fit costs the same at any size."""
    if not max_rows or n_rows <= int(max_rows):
        return None
    return np.sort(np.random.default_rng(seed).choice(n_rows, int(max_rows), replace=False))


@contextlib.contextmanager
def in_process(device: str = "cpu"):
    """joblib in this process, and one torch thread on the CPU.

    ctgan's transformer fans columns out to worker processes (``Parallel(n_jobs=-1)``)
    for 500+ rows; those workers neither see the seeded RNGs (so the same seed gave
    different rows) nor pay off on two cores.  And these networks are small: with
    another process on the cores, OpenMP's spinning threads made a TVAE step ~70x
    slower (0.22 s against 0.003 s); one thread is steady (the GAN samplers do the
    same, ``methods.gan.training.cpu_threads``)."""
    import joblib
    import torch

    before = torch.get_num_threads()
    if not str(device).startswith("cuda"):
        torch.set_num_threads(1)
    try:
        with joblib.parallel_config(backend="sequential"):
            yield
    finally:
        torch.set_num_threads(before)


def clamp_batch(
    n_rows: int, batch_size: int, pac: int = 1, even: bool = False
) -> tuple[int, int, str | None]:
    """A (batch, pac) pair that ctgan/TVAE accept for ``n_rows`` training rows, and a note.

    The batch is at most the class size (when the class is smaller than the batch),
    a multiple of ``pac`` (reduced to 1 for a class smaller than it) and, with
    ``even`` (ctgan asserts it), even; never below the smallest such size."""
    note = None
    if n_rows < pac:
        pac = 1
        note = f"pac reduced to 1 ({n_rows} rows)"
    step = pac * 2 if even and pac % 2 else pac
    wanted = batch_size
    if batch_size > n_rows:
        batch_size = n_rows
    batch_size = max(step, (batch_size // step) * step)
    if batch_size != wanted:
        note = (note + "; " if note else "") + f"batch {wanted} clamped to {batch_size} ({n_rows} rows)"
    return batch_size, pac, note


def mixture_note(n_rows: int) -> str | None:
    """The note for a class with fewer rows than the mixture components per column."""
    if n_rows < MAX_MIXTURE_COMPONENTS:
        return f"mixture components per column capped at {n_rows} ({n_rows} rows < {MAX_MIXTURE_COMPONENTS})"
    return None


class PerClassSynthesizer(GenerativeSampler):
    """Base of the per-class library synthesizers.

    Subclasses implement ``_fit_class(rows, schema, seed, context, rec)`` (fit one
    model on one class's non-constant columns, inside ``seeded(seed)``; notes go in
    ``rec["fallbacks"]``) and ``_sample_class(model, n, seed)`` (``n`` rows with the
    fitted columns, inside ``seeded(seed)``).
    """

    # seed of class i (in sorted order) is ``random_state + CLASS_SEED_STEP * i``
    CLASS_SEED_STEP = 1009

    # imported before the first ``seeded`` block, so that block seeds torch too
    library: str = "torch"

    def _fit(self, X, y, classes, schema, random_state, context):
        import importlib

        importlib.import_module(self.library)
        self._device = context.device
        self._columns = list(X.columns)
        self.models: dict = {}
        self.record: dict = {}
        self.fallbacks: list[str] = []
        max_rows = self.params.get("max_fit_rows")
        todo, notes_of = [], {}
        for i, c in enumerate(classes):
            rows = X[(y == c).to_numpy()].reset_index(drop=True)
            seed = random_state + self.CLASS_SEED_STEP * i
            rec: dict[str, Any] = {"rows": len(rows)}
            notes: list[str] = []
            pick = row_cap(len(rows), max_rows, seed)
            if pick is not None:
                rows = rows.iloc[pick].reset_index(drop=True)
                notes.append(f"fitted on a random {int(max_rows)} of its {rec['rows']} rows (max_fit_rows)")
                rec["rows_fitted"] = len(rows)
            const = {col: rows[col].iloc[0] for col in rows.columns if rows[col].nunique() <= 1}
            train = rows.drop(columns=list(const))
            rec["constant_columns_passed_through"] = len(const)
            self.models[c] = (None, const)
            self.record[str(c)] = rec
            notes_of[c] = notes
            if train.shape[1]:
                todo.append((c, train, seed, rec))
            else:
                rec["fit_seconds"] = 0.0
        fitted = fit_each(
            self._fit_one,
            [(train, schema, seed, self._device, rec) for _, train, seed, rec in todo],
            int(self.params.get("n_jobs") or 1),
            release=True,
        )
        for (c, *_), (model, rec) in zip(todo, fitted):
            self.models[c] = (model, self.models[c][1])
            self.record[str(c)] = rec
        for c in classes:
            rec = self.record[str(c)]
            notes = notes_of[c] + rec.pop("fallbacks", [])
            if notes:
                rec["fallbacks"] = notes
                self.fallbacks += [f"{c}: {n}" for n in notes]
            rows = rec.get("rows_fitted", rec["rows"])
            context.say(f"{self.name}: fitted class {c!r} ({rows} rows) in {rec['fit_seconds']:.1f}s")

    def _fit_one(self, train: pd.DataFrame, schema, seed: int, device: str, rec: dict):
        """(model, record) of one class; in this process or in a worker (``n_jobs``)."""
        import importlib

        from benchmark.plugins import Context

        importlib.import_module(self.library)  # before ``seeded``, so that it seeds torch too
        t0 = time.perf_counter()
        with seeded(seed), in_process(device):
            model = self._fit_class(train, schema, seed, Context(device=device), rec)
        rec["fit_seconds"] = round(time.perf_counter() - t0, 3)
        return model, rec

    def _sample(self, cls, n, random_state):
        model, const = self.models[cls]
        if model is None:  # every column constant in the class
            out = pd.DataFrame(index=range(n))
        else:
            with seeded(random_state), in_process(self._device):
                out = self._sample_class(model, n, random_state)
            out = pd.DataFrame(out).reset_index(drop=True)
        for col, v in const.items():
            out[col] = v
        return out[self._columns].astype(float)

    def _fit_class(self, rows: pd.DataFrame, schema, seed: int, context, rec: dict):
        raise NotImplementedError

    def _sample_class(self, model, n: int, seed: int) -> pd.DataFrame:
        raise NotImplementedError

    def training_record(self):
        # the same layout as the GAN samplers' records: training.models[class]
        out: dict[str, Any] = {"sampler": self.name, "models": getattr(self, "record", {})}
        if getattr(self, "fallbacks", None):
            out["fallbacks"] = list(self.fallbacks)
        return {"training": out}

    @staticmethod
    def discrete_columns(rows: pd.DataFrame, schema) -> list[str]:
        """Columns the libraries should treat as discrete: the schema's categorical and binary."""
        return [c for c in schema.of_kind("categorical", "binary") if c in rows.columns]
