"""The ``nsl-kdd`` adapter: the official train and test files from a folder.

Reads ``KDDTrain+.txt`` (or ``KDDTrain+_20Percent.txt``) and ``KDDTest+.txt``
(no header; 41 features, the attack name, a difficulty score).  The difficulty
score is dropped: it was computed from the labels.  ``protocol_type``,
``service`` and ``flag`` are integer-coded by encoders fit on the training file
only; a test value unseen in training gets the reserved code 0 ("unseen").
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from benchmark.datasets.base import (
    Dataset,
    apply_nonfinite_policy,
    coerce_numeric,
    drop_constant,
    file_sha256,
)
from benchmark.errors import DataError
from benchmark.schema import ColumnSpec, TableSchema, infer_schema

WHAT = "nsl-kdd"

FEATURES = (
    "duration protocol_type service flag src_bytes dst_bytes land wrong_fragment urgent hot "
    "num_failed_logins logged_in num_compromised root_shell su_attempted num_root "
    "num_file_creations num_shells num_access_files num_outbound_cmds is_host_login "
    "is_guest_login count srv_count serror_rate srv_serror_rate rerror_rate srv_rerror_rate "
    "same_srv_rate diff_srv_rate srv_diff_host_rate dst_host_count dst_host_srv_count "
    "dst_host_same_srv_rate dst_host_diff_srv_rate dst_host_same_src_port_rate "
    "dst_host_srv_diff_host_rate dst_host_serror_rate dst_host_srv_serror_rate "
    "dst_host_rerror_rate dst_host_srv_rerror_rate"
).split()
CATEGORICAL = ("protocol_type", "service", "flag")
COLUMNS = (*FEATURES, "attack", "difficulty")

ATTACK_CATEGORY = {
    **dict.fromkeys(
        "back land neptune pod smurf teardrop apache2 udpstorm processtable mailbomb".split(), "DoS"
    ),
    **dict.fromkeys("satan ipsweep nmap portsweep mscan saint".split(), "Probe"),
    **dict.fromkeys(
        (
            "guess_passwd ftp_write imap phf multihop warezmaster warezclient spy xlock xsnoop "
            "snmpguess snmpgetattack httptunnel sendmail named worm"
        ).split(),
        "R2L",
    ),
    **dict.fromkeys("buffer_overflow loadmodule rootkit perl sqlattack xterm ps".split(), "U2R"),
    "normal": "normal",
}
TRAIN_FILES = ("KDDTrain+.txt", "KDDTrain+_20Percent.txt")
TEST_FILE = "KDDTest+.txt"
UNSEEN = "<unseen>"


def _read(path: Path) -> pd.DataFrame:
    if path.stat().st_size == 0:
        raise DataError(f"{WHAT}: file is empty: {path}")
    df = pd.read_csv(path, header=None, low_memory=False)
    if df.shape[1] != len(COLUMNS):
        raise DataError(
            f"{WHAT}: {path.name} has {df.shape[1]} fields per row, expected {len(COLUMNS)} "
            "(41 features, the attack label, the difficulty score)"
        )
    df.columns = COLUMNS
    return df


def find_files(folder: Path) -> tuple[Path, Path]:
    if not folder.exists():
        raise DataError(f"{WHAT}: folder not found: {folder}")
    if not folder.is_dir():
        raise DataError(f"{WHAT}: --data must be the folder holding {TRAIN_FILES[0]} and {TEST_FILE}")
    train = next((folder / f for f in TRAIN_FILES if (folder / f).exists()), None)
    if train is None:
        raise DataError(f"{WHAT}: no {' or '.join(TRAIN_FILES)} in {folder}")
    test = folder / TEST_FILE
    if not test.exists():
        raise DataError(f"{WHAT}: no {TEST_FILE} in {folder}")
    return train, test


def load_nslkdd(data: str | Path | None = None, *, nonfinite: str = "zero", **_ignored) -> Dataset:
    if data is None:
        raise DataError(f"{WHAT}: no folder given (pass --data DIR)")
    train_path, test_path = find_files(Path(data))
    train, test = _read(train_path), _read(test_path)
    df = pd.concat([train, test], ignore_index=True)
    split = pd.Series(["train"] * len(train) + ["test"] * len(test), name="split")

    names = df["attack"].astype(str).str.strip()
    unknown = sorted(set(names) - set(ATTACK_CATEGORY))
    if unknown:
        raise DataError(f"{WHAT}: attack label(s) without a category: {unknown}")
    category = names.map(ATTACK_CATEGORY).rename("category")

    numeric = [f for f in FEATURES if f not in CATEGORICAL]
    df = coerce_numeric(df, numeric, WHAT)
    X = df[list(FEATURES)].copy()
    unseen: dict[str, int] = {}
    cat_specs = {}
    is_train = (split == "train").to_numpy()
    for c in CATEGORICAL:
        values = X[c].astype(str).str.strip()
        known = sorted(set(values[is_train]))
        codes = {v: i + 1 for i, v in enumerate(known)}  # 0 is reserved for unseen
        n_unseen = int((~values[~is_train].isin(codes)).sum())
        if n_unseen:
            unseen[c] = n_unseen
        X[c] = values.map(codes).fillna(0).astype("int64")
        cat_specs[c] = ColumnSpec(c, "categorical", nonnegative=True, categories=tuple(range(len(known) + 1)))
    X, (category, split), record = apply_nonfinite_policy(X, nonfinite, category, split)
    record["test_values_unseen_in_train"] = unseen
    record["unseen_code"] = {"code": 0, "meaning": UNSEEN}

    # Kinds of the numeric columns from the training file only.
    inferred = infer_schema(X.loc[(split == "train").to_numpy(), numeric])
    schema = TableSchema([cat_specs.get(c) or inferred[c] for c in X.columns])
    schema.dropped.update({"attack": "target (attack name)", "difficulty": "computed from the labels: leaks"})
    X, schema = drop_constant(X, schema)
    category = category.reset_index(drop=True)
    return Dataset(
        name=WHAT,
        X=X.reset_index(drop=True),
        y=(category != "normal").astype(int).rename("attack"),
        category=category,
        schema=schema,
        benign_categories=("normal",),
        split=split.reset_index(drop=True),
        source={
            "train": {"path": str(train_path), "sha256": file_sha256(train_path), "rows": len(train)},
            "test": {"path": str(test_path), "sha256": file_sha256(test_path), "rows": len(test)},
        },
        cleaning=record,
    )
