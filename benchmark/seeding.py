"""Seeding that a plugin can rely on: every global RNG set, and restored after."""

from __future__ import annotations

import contextlib
import random

import numpy as np


@contextlib.contextmanager
def seeded(seed: int):
    """Seed Python, NumPy and (when imported) torch for the block, then restore them.

    Upstream libraries (ctgan, sdv) draw from the global RNGs in places their own
    seeding does not reach; wrapping both their fit and their sample in this block
    makes the same seed give the same rows.
    """
    import sys

    py_state = random.getstate()
    np_state = np.random.get_state()
    torch = sys.modules.get("torch")
    torch_state = torch.random.get_rng_state() if torch is not None else None
    random.seed(seed)
    np.random.seed(seed % (2**32))
    if torch is not None:
        torch.manual_seed(seed)
    try:
        yield
    finally:
        random.setstate(py_state)
        np.random.set_state(np_state)
        if torch is not None and torch_state is not None:
            torch.random.set_rng_state(torch_state)
