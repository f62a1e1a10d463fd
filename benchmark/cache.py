"""The result cache: every piece of a run stored under a key of what it depends on.

A run is a grid of (replicate, sampler) groups; each group fits the sampler once
and scores every detector on its rows.  Three kinds of entries are stored, each
under the SHA-256 of a JSON "key material" that lists everything it depends on:

``groups/``     the sampler's result for one (dataset, replicate, sampler): its
                record (seconds, peak memory, delivered counts, info, or the
                error of a failed fit) -- ``<key>.json`` -- and, when it added or
                removed rows, the rows themselves -- ``<key>.npz``: the synthetic
                rows, their labels, the sample weights and the positions of the
                kept original rows (the originals are not stored: they are the
                replicate's training part, recomputed from the split);
``fidelity/``   the fidelity audit of that group's synthetic rows (summary, the
                per-feature table, seconds, peak memory);
``cells/``      one detector's result on that group's rows (metrics, seconds,
                peak memory, or its error).

The key material of a group holds the data fingerprint, the protocol, the
replicate (seed, fold, attack share and a hash of its row indices), the sampler
(spec, parameters with the profile's budgets, version, a hash of its code), the
sampling strategy, the profile, the device and the versions of the packages that
shape the numbers; a fidelity key adds the fidelity budgets and a hash of the
fidelity code; a cell key adds the detector (spec, parameters, version, code
hash), the task and a hash of the scoring code.  Parameters that only say how
many threads to use (``n_jobs``) are not part of any key: they do not change the
numbers.

Every write is atomic (a temporary file, fsync, rename) and every read checks
the format and the key stored inside the entry, so an entry torn by a kill, or
any file that does not parse, is a miss, never a wrong result.  Entries are
immutable: a key names one result forever, so concurrent writers (parallel
workers) can only ever write the same content.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import io
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from benchmark.jsonio import atomic_path, plain, read_json, write_json

FORMAT = 1
# Parameters that set how many threads a plugin uses, never what it computes.
EXECUTION_PARAMS = frozenset({"n_jobs", "nthread", "n_threads", "num_threads", "num_workers", "verbose"})
# The packages whose versions can change a number in a cell.
VERSIONED_PACKAGES = (
    "ids-oversampling-benchmark",
    "numpy",
    "pandas",
    "scipy",
    "scikit-learn",
    "imbalanced-learn",
    "xgboost",
    "torch",
    "ctgan",
    "sdv",
    "rdt",
)
_ROOT = Path(__file__).resolve().parent
# Harness code that shapes each kind of entry (hashed into its key).
HARNESS_CODE = {
    "group": ("plugins.py", "schema.py", "strategy.py"),
    "fidelity": ("fidelity",),
    "cell": ("metrics.py", "cell.py"),
}


def digest(material) -> str:
    """The key of a JSON-able key material (canonical JSON, SHA-256)."""
    text = json.dumps(plain(material), sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode()).hexdigest()


@functools.lru_cache(maxsize=1)
def package_versions() -> dict[str, str]:
    from importlib import metadata

    out = {"python": ".".join(map(str, sys.version_info[:2]))}
    for pkg in VERSIONED_PACKAGES:
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            pass
    return out


@functools.lru_cache(maxsize=256)
def _file_hash(path: str) -> str:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]
    except OSError:
        return "unreadable"


def harness_code_hash(kind: str) -> str:
    h = hashlib.sha256()
    for name in HARNESS_CODE[kind]:
        p = _ROOT / name
        files = sorted(p.glob("*.py")) if p.is_dir() else [p]
        for f in files:
            h.update(f"{f.relative_to(_ROOT)}:{_file_hash(str(f))};".encode())
    return h.hexdigest()[:16]


def code_hash(cls: type) -> str:
    """A hash of the source files that define a plugin: the modules of its class and
    base classes, and the modules of its own package that those import (one level
    of ``from package.x import y``).  A plugin's ``version`` is the official way to
    invalidate its results; this also catches an edit that forgot to bump it."""
    files: set[str] = set()
    for k in cls.__mro__:
        mod = sys.modules.get(k.__module__)
        f = getattr(mod, "__file__", None)
        if not f or k.__module__ in ("builtins", "abc"):
            continue
        files.add(f)
        top = k.__module__.split(".")[0]
        for v in vars(mod).values():
            name = getattr(v, "__module__", None) if not inspect.ismodule(v) else v.__name__
            if name and name.split(".")[0] == top and name != k.__module__:
                g = getattr(sys.modules.get(name), "__file__", None)
                if g:
                    files.add(g)
    h = hashlib.sha256()
    for f in sorted(files):
        h.update(f"{Path(f).name}:{_file_hash(f)};".encode())
    return h.hexdigest()[:16]


def key_params(params: dict) -> dict:
    return {k: v for k, v in params.items() if k not in EXECUTION_PARAMS}


def index_hash(*arrays) -> str:
    h = hashlib.sha256()
    for a in arrays:
        a = np.ascontiguousarray(np.asarray(a, dtype=np.int64))
        h.update(str(a.shape).encode())
        h.update(a.tobytes())
    return h.hexdigest()[:16]


class Cache:
    """A folder of entries; ``Cache(None)`` is a cache that stores nothing."""

    def __init__(self, root: str | Path | None):
        self.root = Path(root) if root else None
        self.corrupt = 0  # entries found unreadable (counted as misses)
        if self.root is not None:
            self.root.mkdir(parents=True, exist_ok=True)
            tag = self.root / "CACHEDIR.TAG"
            if not tag.exists():
                write_text_safe(
                    tag,
                    "Signature: 8a477f597d28d172789f06886806bc55\n"
                    "# ids-oversampling-benchmark result cache (safe to delete)\n",
                )

    @property
    def enabled(self) -> bool:
        return self.root is not None

    def _path(self, kind: str, key: str, suffix: str) -> Path:
        return self.root / kind / key[:2] / f"{key}{suffix}"

    # -- JSON entries (groups, fidelity, cells) ------------------------------
    def get(self, kind: str, key: str) -> dict | None:
        if not self.enabled:
            return None
        p = self._path(kind, key, ".json")
        if not p.exists():
            return None
        d = read_json(p)
        if not isinstance(d, dict) or d.get("format") != FORMAT or d.get("key") != key or "value" not in d:
            self._discard(p)
            return None
        return d["value"]

    def _discard(self, p: Path) -> None:
        """An unreadable entry (every write is atomic, so not one in progress): counted
        and removed, so that the recomputed result can take its place."""
        self.corrupt += 1
        try:
            p.unlink()
        except OSError:
            pass

    def put(self, kind: str, key: str, material: dict, value: dict) -> None:
        if not self.enabled:
            return
        p = self._path(kind, key, ".json")
        if p.exists():
            return  # immutable: the same key always names the same result
        p.parent.mkdir(parents=True, exist_ok=True)
        write_json(
            p,
            {"format": FORMAT, "kind": kind, "key": key, "material": material, "value": value},
            indent=None,
            durable=True,
        )

    def has(self, kind: str, key: str) -> bool:
        return self.get(kind, key) is not None

    # -- rows of a sampler's result ---------------------------------------------
    def has_rows(self, key: str) -> bool:
        return self.enabled and self._path("groups", key, ".npz").exists()

    def put_rows(self, key: str, payload: dict[str, np.ndarray]) -> None:
        if not self.enabled:
            return
        p = self._path("groups", key, ".npz")
        if p.exists():
            return
        p.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(p, durable=True) as tmp:
            with open(tmp, "wb") as f:
                np.savez(f, **payload)

    def get_rows(self, key: str) -> dict[str, np.ndarray] | None:
        if not self.enabled:
            return None
        p = self._path("groups", key, ".npz")
        if not p.exists():
            return None
        try:
            with np.load(p, allow_pickle=False) as z:
                out = {k: z[k] for k in z.files}
            meta = json.loads(str(out.pop("meta")))
        except Exception:  # torn or foreign file: a miss
            self._discard(p)
            return None
        if meta.get("format") != FORMAT or meta.get("key") != key:
            self._discard(p)
            return None
        out["meta"] = meta
        return out

    def stats(self) -> dict:
        if not self.enabled:
            return {"enabled": False}
        counts = {
            k: sum(1 for _ in (self.root / k).glob("*/*.json")) for k in ("groups", "fidelity", "cells")
        }
        size = sum(f.stat().st_size for f in self.root.rglob("*") if f.is_file())
        return {"enabled": True, "dir": str(self.root), "entries": counts, "mb": round(size / 2**20, 1)}


def write_text_safe(path: Path, text: str) -> None:
    try:
        with atomic_path(path) as tmp:
            tmp.write_text(text)
    except OSError:
        pass


# -- Resampled <-> arrays --------------------------------------------------------
def _label_arrays(values) -> tuple[dict[str, np.ndarray], str]:
    """Labels as pickle-free arrays (strings as codes into their distinct values),
    and how to restore them."""
    a = np.asarray(values)
    if a.dtype == object:
        if all(isinstance(v, str) for v in a):
            uniq, codes = np.unique(a.astype(str), return_inverse=True)
            return {"y_values": uniq, "y_codes": codes.astype(np.int32)}, "str"
        return {"y_json": np.asarray(json.dumps(plain(a.tolist())))}, "json"
    return {"y_syn": a}, "array"


def _restore_labels(payload: dict, how: str):
    if how == "str":
        return payload["y_values"].astype(object)[payload["y_codes"]]
    if how == "json":
        return np.asarray(json.loads(str(payload["y_json"])), dtype=object)
    return payload["y_syn"]


def _frame_hashes(X: pd.DataFrame, y) -> np.ndarray:
    h = pd.util.hash_pandas_object(X, index=False).to_numpy()
    hy = pd.util.hash_pandas_object(pd.Series(np.asarray(y)).astype(str), index=False).to_numpy()
    return h * np.uint64(1_000_003) ^ hy


def rows_payload(res, X_fit: pd.DataFrame, y_fit, key: str) -> dict[str, np.ndarray]:
    """The arrays that rebuild ``res`` given the training part: the new rows, their
    labels, the mask, the weights and the positions of the kept originals."""
    syn = np.asarray(res.synthetic, bool)
    n_orig = int((~syn).sum())
    X_orig, y_orig = res.X[~syn], np.asarray(res.y)[~syn]
    orig_index = None
    if n_orig == len(X_fit) and (n_orig == 0 or _same_rows(X_orig, y_orig, X_fit, y_fit)):
        orig_index = None  # every original, in order (oversamplers, weighting, none)
    else:
        hf = _frame_hashes(X_fit, y_fit)
        first = pd.Series(np.arange(len(hf)), index=hf)
        first = first[~first.index.duplicated()]
        pos = first.reindex(_frame_hashes(X_orig, y_orig)).to_numpy()
        if np.isnan(pos).any():
            raise ValueError("cache: a kept row is not a row of the training part; not cached")
        orig_index = pos.astype(np.int64)
    payload: dict[str, np.ndarray] = {}
    Xs = res.X[syn]
    for i, c in enumerate(res.X.columns):
        payload[f"x{i}"] = Xs[c].to_numpy()
    labels, y_how = _label_arrays(np.asarray(res.y)[syn])
    payload.update(labels)
    payload["synthetic"] = syn
    if orig_index is not None:
        payload["orig_index"] = orig_index
    if res.sample_weight is not None:
        payload["sample_weight"] = np.asarray(res.sample_weight, dtype=np.float64)
    meta = {
        "format": FORMAT,
        "key": key,
        "columns": [str(c) for c in res.X.columns],
        "dtypes": [str(t) for t in res.X.dtypes],
        "y_name": res.y.name,
        "y_dtype": str(res.y.dtype),
        "y_how": y_how,
        "requested": res.requested,
        "info": res.info,
    }
    payload["meta"] = np.asarray(json.dumps(plain(meta), allow_nan=False))
    return payload


def _same_rows(Xa: pd.DataFrame, ya, Xb: pd.DataFrame, yb) -> bool:
    return np.array_equal(_frame_hashes(Xa, ya), _frame_hashes(Xb, yb))


def resampled_from_payload(payload: dict, X_fit: pd.DataFrame, y_fit):
    """Rebuild the ``Resampled`` exactly (values, dtypes, order) from its arrays."""
    from benchmark.plugins import Resampled

    meta = payload["meta"]
    syn = payload["synthetic"].astype(bool)
    n = len(syn)
    orig_pos = np.flatnonzero(~syn)
    syn_pos = np.flatnonzero(syn)
    oi = payload.get("orig_index")
    cols = {}
    for i, (c, t) in enumerate(zip(meta["columns"], meta["dtypes"])):
        a = np.empty(n, dtype=np.dtype(t))
        src = X_fit[c].to_numpy()
        a[orig_pos] = src if oi is None else src[oi]
        a[syn_pos] = payload[f"x{i}"]
        cols[c] = a
    X = pd.DataFrame(cols)
    y_fit = np.asarray(y_fit)
    yv = np.empty(n, dtype=object if meta["y_dtype"] == "object" else np.dtype(meta["y_dtype"]))
    yv[orig_pos] = y_fit if oi is None else y_fit[oi]
    yv[syn_pos] = _restore_labels(payload, meta["y_how"])
    y = pd.Series(yv, name=meta["y_name"])
    w = payload.get("sample_weight")
    return Resampled(X, y, syn, w, dict(meta["requested"]), dict(meta["info"]))


def table_to_text(table: pd.DataFrame) -> str:
    return table.to_csv(index=False) if len(table) else ""


def table_from_text(text: str) -> pd.DataFrame:
    if not text:
        return pd.DataFrame()
    return pd.read_csv(io.StringIO(text), float_precision="round_trip")
