"""The generators' table: per sampler × class, how good and how costly its rows are.

One row per dataset × sampler × class that received rows, averaged over
replicates: the median and max KS statistic over features, the share of features
whose mean is within 10%, the share of valid flows (HIKARI layout), the share of
the rows added for the class that are of that class (a sampler that labels its own
rows, like the study's setup, may deliver other classes), and the training
seconds and seconds per epoch of the class's model where the sampler records them
(``info["training"]["models"][class]``: the GANs, CTGAN, TVAE, the copula).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from tabulate import tabulate

from benchmark.report.analysis import audited_groups

COLUMNS = (
    "ks_median",
    "ks_max",
    "mean_within_10pct_share",
    "validity_all",
    "of_requested_class",
    "train_s",
    "s_per_epoch",
    "epochs_run",
)


def _training(record: dict, cls: str) -> dict:
    models = (((record.get("sampler_record") or {}).get("info") or {}).get("training") or {}).get(
        "models"
    ) or {}
    m = models.get(cls)
    if not isinstance(m, dict):  # one conditional model for every class
        shared = [v for v in models.values() if isinstance(v, dict) and "classes" in v]
        m = next((v for v in shared if cls in map(str, v["classes"])), None)
        if m is None:
            return {}
    seconds = m.get("seconds", m.get("fit_seconds"))
    epochs = m.get("epochs_run")
    return {
        "train_s": seconds,
        "epochs_run": epochs,
        "s_per_epoch": m.get("seconds_per_epoch") or (seconds / epochs if seconds and epochs else None),
    }


def generator_frame(records: list[dict]) -> pd.DataFrame:
    """One row per (dataset, replicate, sampler, class) that received rows."""
    rows = []
    for key, r in audited_groups(records):
        sr = r.get("sampler_record") or {}
        requested, delivered = sr.get("requested") or {}, sr.get("delivered") or {}
        for cls, summ in r["fidelity"].items():
            if not isinstance(summ, dict) or "ks_median" not in summ:
                continue
            asked = requested.get(cls)
            row = {
                "dataset": key[0],
                "sampler": key[4],
                "class": cls,
                "seed": key[2],
                "fold": key[3],
                **{
                    c: summ.get(c) for c in ("ks_median", "ks_max", "mean_within_10pct_share", "validity_all")
                },
                # rows of this class delivered / rows asked for it (capped at 1: an exact
                # count is 1; a sampler that labels its own rows may deliver fewer)
                "of_requested_class": (
                    min(1.0, float(delivered.get(cls, 0)) / float(asked)) if asked else None
                ),
                **_training(r, cls),
            }
            if key[1] is not None:
                row["attack_share"] = key[1]
            rows.append(row)
        for cls, asked in requested.items():  # asked for, none delivered (the study's setup)
            if asked and not delivered.get(cls) and cls not in r["fidelity"]:
                row = {"dataset": key[0], "sampler": key[4], "class": cls, "seed": key[2], "fold": key[3]}
                row["of_requested_class"] = 0.0
                if key[1] is not None:
                    row["attack_share"] = key[1]
                rows.append(row)
    return pd.DataFrame(rows)


def generator_table(records: list[dict]) -> pd.DataFrame:
    """Replicate means per dataset × sampler × class."""
    g = generator_frame(records)
    if g.empty:
        return g
    keys = [k for k in ("dataset", "attack_share", "sampler", "class") if k in g.columns]
    cols = [c for c in COLUMNS if c in g.columns]
    out = g.groupby(keys, sort=True)[cols].agg(lambda s: s.astype(float).mean())
    out["replicates"] = g.groupby(keys, sort=True).size()
    return out.reset_index()


def _f(v, fmt):
    return "—" if v is None or (isinstance(v, float) and np.isnan(v)) else format(v, fmt)


HEADERS = [
    "dataset",
    "sampler",
    "class",
    "median KS",
    "max KS",
    "means within 10%",
    "valid flows",
    "of requested class",
    "train s",
    "s / epoch",
    "replicates",
]


def generator_rows(table: pd.DataFrame) -> list[list]:
    """The table's rows, formatted, in the order of ``HEADERS``."""
    return [
        [
            r["dataset"],
            r["sampler"],
            r["class"],
            _f(r.get("ks_median"), ".3f"),
            _f(r.get("ks_max"), ".3f"),
            _f(r.get("mean_within_10pct_share"), ".0%"),
            _f(r.get("validity_all"), ".1%"),
            _f(r.get("of_requested_class"), ".1%"),
            _f(r.get("train_s"), ".1f"),
            _f(r.get("s_per_epoch"), ".3f"),
            int(r["replicates"]),
        ]
        for _, r in table.iterrows()
    ]


def generator_markdown(table: pd.DataFrame) -> str:
    if table.empty:
        return "No sampler added rows.\n"
    return tabulate(generator_rows(table), headers=HEADERS, tablefmt="github") + "\n"
