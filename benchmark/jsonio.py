"""JSON that never breaks: numpy types made plain, NaN/inf written as null,
files written atomically (a killed process never leaves a half-written file)."""

from __future__ import annotations

import contextlib
import json
import math
import os
import threading
import uuid
from pathlib import Path

import numpy as np


def plain(obj):
    """A JSON-safe copy: numpy scalars → Python, NaN/inf → None, tuples → lists."""
    if isinstance(obj, dict):
        return {str(k): plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [plain(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return [plain(v) for v in obj.tolist()]
    if isinstance(obj, (np.bool_,)):
        return bool(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        f = float(obj)
        return f if math.isfinite(f) else None
    return obj


def dumps(obj) -> str:
    return json.dumps(plain(obj), sort_keys=False, allow_nan=False)


@contextlib.contextmanager
def atomic_path(path: str | Path, durable: bool = False):
    """``with atomic_path(p) as tmp: write tmp`` -- then ``tmp`` replaces ``p`` in one
    step.  If the block raises (or the process dies) ``p`` is untouched and the
    temporary file is removed (or left under a dot-name no reader takes for
    ``p``).  ``durable``: fsync the file and its folder (cache records)."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}.{threading.get_ident()}.{uuid.uuid4().hex[:8]}")
    try:
        yield tmp
        if durable:
            fd = os.open(tmp, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        os.replace(tmp, path)
        if durable and hasattr(os, "O_DIRECTORY"):
            fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_bytes(path: str | Path, data: bytes, durable: bool = False) -> Path:
    with atomic_path(path, durable) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def write_json(path: str | Path, obj, indent: int | None = 2, durable: bool = False) -> Path:
    return write_text(path, json.dumps(plain(obj), indent=indent, allow_nan=False) + "\n", durable)


def write_text(path: str | Path, text: str, durable: bool = False) -> Path:
    with atomic_path(path, durable) as tmp:
        tmp.write_text(text)
    return Path(path)


def read_json(path: str | Path):
    """The JSON in ``path``, or None when it is missing or not whole JSON."""
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None


def append_jsonl(path: str | Path, records) -> None:
    """Append whole lines and fsync; a reader skips a torn last line (see read_jsonl)."""
    with open(path, "a") as f:
        for r in records:
            f.write(dumps(r) + "\n")
        f.flush()
        os.fsync(f.fileno())


def read_jsonl(path: str | Path) -> list[dict]:
    out = []
    p = Path(path)
    if not p.exists():
        return out
    for line in p.read_text().splitlines():
        if not line.strip():
            continue
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            continue  # a line torn by a kill is not a record
    return out
