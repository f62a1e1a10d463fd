"""The evaluation protocol: which rows train, which validate, which test.

Per replicate (a seed, and a fold under ``cv``):
- ``holdout``: a new stratified train/test split (80/20 by default) per seed —
  the default for ``demo``, ``hikari2021`` and ``csv``;
- ``official``: the dataset's own split (default for ``nsl-kdd``); each seed draws a
  stratified subsample (80% by default) of the official training part, so that
  deterministic detectors vary across seeds too;
- ``cv``: repeated stratified k-fold (``--cv-folds``, default 2 → 5×2 with 5 seeds);
  each fold is the test part once.

From every training part a stratified validation part (20%) is carved; it is
real data that samplers never see and is used for one thing only: choosing the
decision threshold (and, within a sampler, nothing: generators carve their own
early-stopping rows from their training rows).  Stratification is by category; a
category with a single row cannot be split, so that row stays in training (recorded).
Nothing learned ever sees a test row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from benchmark.datasets.base import Dataset
from benchmark.errors import ConfigError

PROTOCOLS = ("holdout", "official", "cv")


@dataclass
class ProtocolConfig:
    name: str
    test_share: float = 0.2
    subsample: float = 0.8
    cv_folds: int = 2
    val_share: float = 0.2

    def describe(self) -> dict:
        d = {"protocol": self.name, "validation_share_of_training": self.val_share}
        if self.name == "holdout":
            d["test_share"] = self.test_share
        elif self.name == "official":
            d["training_subsample_per_seed"] = self.subsample
        else:
            d["cv_folds"] = self.cv_folds
        return d


@dataclass
class Replicate:
    seed: int
    fold: int
    fit: np.ndarray  # rows the samplers and detectors train on
    val: np.ndarray  # rows used to choose the threshold
    test: np.ndarray  # rows scored
    notes: dict = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.seed}.{self.fold}"


def default_protocol(ds: Dataset) -> str:
    return "official" if ds.split is not None else "holdout"


def _stratified_take(idx: np.ndarray, labels: np.ndarray, share: float, rng) -> tuple[np.ndarray, dict]:
    """Split ``idx`` into (taken, rest) per label; a label with one row is never taken."""
    taken, kept_single = [], []
    for lab in np.unique(labels):
        members = idx[labels == lab]
        members = members[rng.permutation(len(members))]
        n = len(members)
        k = 0 if n < 2 else min(n - 1, int(round(share * n)))
        if n < 2:
            kept_single.append(str(lab))
        taken.append(members[:k])
    taken = np.sort(np.concatenate(taken)) if taken else np.array([], int)
    return taken, {"single_row_categories_kept_in_training": kept_single} if kept_single else {}


def _carve_validation(train: np.ndarray, cats: np.ndarray, share: float, rng):
    val, notes = _stratified_take(train, cats[train], share, rng)
    fit = np.setdiff1d(train, val, assume_unique=True)
    return fit, val, notes


def make_replicates(ds: Dataset, cfg: ProtocolConfig, seeds) -> list[Replicate]:
    cats = ds.category.to_numpy()
    all_idx = np.arange(len(cats))
    out: list[Replicate] = []
    if cfg.name not in PROTOCOLS:
        raise ConfigError(f"unknown protocol {cfg.name!r}; one of {', '.join(PROTOCOLS)}")
    if cfg.name == "official" and ds.split is None:
        raise ConfigError(f"dataset {ds.name!r} has no official split; use --protocol holdout or cv")
    for seed in seeds:
        rng = np.random.default_rng([int(seed), 20211])
        if cfg.name == "holdout":
            test, notes = _stratified_take(all_idx, cats, cfg.test_share, rng)
            train = np.setdiff1d(all_idx, test, assume_unique=True)
            folds = [(0, train, test, notes)]
        elif cfg.name == "official":
            split = ds.split.to_numpy()
            official_train = all_idx[split == "train"]
            test = all_idx[split == "test"]
            dropped, notes = _stratified_take(official_train, cats[official_train], 1 - cfg.subsample, rng)
            train = np.setdiff1d(official_train, dropped, assume_unique=True)
            folds = [(0, train, test, notes)]
        else:
            k = int(cfg.cv_folds)
            if k < 2:
                raise ConfigError("--cv-folds must be at least 2")
            fold_of = np.empty(len(cats), int)
            for lab in np.unique(cats):
                members = all_idx[cats == lab]
                members = members[rng.permutation(len(members))]
                fold_of[members] = np.arange(len(members)) % k
            folds = [(f, all_idx[fold_of != f], all_idx[fold_of == f], {}) for f in range(k)]
        for fold, train, test, notes in folds:
            vrng = np.random.default_rng([int(seed), int(fold), 7])
            fit, val, vnotes = _carve_validation(train, cats, cfg.val_share, vrng)
            out.append(Replicate(int(seed), int(fold), fit, val, test, {**notes, **vnotes}))
    return out


def row_hashes(X: pd.DataFrame) -> np.ndarray:
    """One 64-bit hash per row of features (order-sensitive, index-free)."""
    return pd.util.hash_pandas_object(X, index=False).to_numpy()


def duplicate_report(ds: Dataset, rep: Replicate, hashes: np.ndarray | None = None) -> dict:
    """Exact duplicates within the training part and between training and test."""
    h = row_hashes(ds.X) if hashes is None else hashes
    train = np.concatenate([rep.fit, rep.val])
    ht, hs = h[train], h[rep.test]
    within_train = int(len(ht) - len(np.unique(ht)))
    seen = np.isin(hs, ht)
    # a test row that equals a training row with another label (or an ambiguous one)
    conflicting = 0
    if seen.any():
        y = ds.y.to_numpy()
        g = pd.DataFrame({"h": ht, "y": y[train]}).groupby("h")["y"].agg(["min", "max"])
        lo = g["min"].reindex(hs[seen]).to_numpy()
        hi = g["max"].reindex(hs[seen]).to_numpy()
        t = y[rep.test][seen]
        conflicting = int(((lo != hi) | (lo != t)).sum())
    return {
        "train_rows": int(len(train)),
        "duplicate_rows_within_train": within_train,
        "test_rows": int(len(hs)),
        "test_rows_seen_in_train": int(seen.sum()),
        "test_rows_seen_in_train_share": float(seen.mean()) if len(hs) else 0.0,
        "test_rows_seen_with_other_label": conflicting,
    }


def dedupe(ds: Dataset) -> tuple[Dataset, dict]:
    """Remove exact duplicate rows (features and category) before any split."""
    key = pd.DataFrame({"h": row_hashes(ds.X), "c": ds.category.to_numpy()})
    keep = ~key.duplicated().to_numpy()
    if ds.split is not None:  # keep the first copy within each official part
        key["s"] = ds.split.to_numpy()
        keep = ~key.duplicated().to_numpy()
    removed = int((~keep).sum())
    per_class = ds.category[~keep].value_counts().to_dict()
    out = Dataset(
        name=ds.name,
        X=ds.X[keep].reset_index(drop=True),
        y=ds.y[keep].reset_index(drop=True),
        category=ds.category[keep].reset_index(drop=True),
        schema=ds.schema,
        benign_categories=ds.benign_categories,
        split=None if ds.split is None else ds.split[keep].reset_index(drop=True),
        source=ds.source,
        cleaning=ds.cleaning,
    )
    return out, {
        "removed_rows": removed,
        "removed_per_category": {str(k): int(v) for k, v in per_class.items()},
    }
