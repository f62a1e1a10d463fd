"""JSON that never breaks: numpy types made plain, NaN/inf written as null,
files written atomically (a killed process never leaves a half-written file)."""

from __future__ import annotations

import json
import math
import os
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


def write_json(path: str | Path, obj, indent: int | None = 2) -> Path:
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    tmp.write_text(json.dumps(plain(obj), indent=indent, allow_nan=False) + "\n")
    os.replace(tmp, path)
    return path


def write_text(path: str | Path, text: str) -> Path:
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    tmp.write_text(text)
    os.replace(tmp, path)
    return path


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
