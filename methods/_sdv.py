"""What ``tvae`` and ``gaussian_copula`` share: SDV 2.0's single-table API with
metadata set explicitly from our schema, one model per class (the per-class loop,
constant columns, batch clamping and seeding: ``methods/_per_class.py``).

SDV 2.0 (checked against the installed package, ``sdv/single_table/base.py``):
``fit`` takes ``{table_name: DataFrame}`` and ``sample`` returns such a dict;
``Metadata.detect_from_dataframe`` is gone, so the metadata is built here with
``Metadata.load_from_dict`` (spec V2): every column of the schema is
``numerical`` except the schema's categorical columns, which are
``categorical``; nothing is left to detection, so no flow feature can be taken
for an ID, a datetime or PII.  Binary and count columns are numerical too (SDV
learns their range and rounding; the harness then enforces the schema).
Sampling is seeded through the synthesizer's random state (SDV otherwise uses
one fixed seed for every model) and :func:`benchmark.seeding.seeded`.
Warnings SDV raises while fitting are recorded per class, not printed.
"""

from __future__ import annotations

import warnings

import pandas as pd

from methods._per_class import PerClassSynthesizer

TABLE = "flows"


def sdv_metadata(columns, schema):
    """SDV 2.0 ``Metadata`` for ``columns``: numerical, or categorical where the schema says so."""
    from sdv.metadata import Metadata

    categorical = set(schema.categorical_columns)
    spec = {
        "METADATA_SPEC_VERSION": "V2",
        "tables": {
            TABLE: {
                "columns": {
                    str(c): {"sdtype": "categorical" if c in categorical else "numerical"} for c in columns
                }
            }
        },
    }
    return Metadata.load_from_dict(spec)


class SDVPerClass(PerClassSynthesizer):
    """Subclasses implement ``_make(metadata, rows, rec, context)`` → an SDV synthesizer."""

    library = "sdv.single_table"

    def _make(self, metadata, rows: pd.DataFrame, rec: dict, context):
        raise NotImplementedError

    def _fit_class(self, rows, schema, seed, context, rec):
        metadata = sdv_metadata(rows.columns, schema)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            synth = self._make(metadata, rows, rec, context)
            synth.fit({TABLE: rows})
        msgs = sorted({f"{w.category.__name__}: {w.message}"[:200] for w in caught})
        if msgs:
            rec["library_warnings"] = msgs[:5]
        return synth

    def _sample_class(self, synth, n, seed):
        # SDV 2.0 seeds sampling with one fixed seed unless told otherwise; give it ours
        set_state = getattr(synth, "_set_random_state", None)
        if set_state is not None:
            set_state(int(seed))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = synth.sample(int(n))
        return out[TABLE] if isinstance(out, dict) else out
