"""``ctgan``: the ctgan package's CTGAN, one model per attack category.

Each category's model is fit on that category's training rows only, so every
row it adds is of the requested category.  Categorical and binary columns are
declared discrete.  For a class smaller than the batch size the batch is
clamped to the class size (rounded down to a multiple of ``pac``, and ``pac``
reduced when the class is smaller than it); both are recorded.  Seeding: ctgan
does not reach every RNG it uses, so fit and sample run inside
:func:`benchmark.seeding.seeded` as well as with ctgan's own random state.
"""

from __future__ import annotations

import time

import pandas as pd

from benchmark.plugins import GenerativeSampler
from benchmark.registry import register_sampler
from benchmark.seeding import seeded


def clamp_batch(n_rows: int, batch_size: int, pac: int) -> tuple[int, int, str | None]:
    """A (batch, pac) pair that ctgan accepts for ``n_rows`` training rows."""
    note = None
    if n_rows < pac:
        pac = 1
        note = f"pac reduced to 1 ({n_rows} rows)"
    if batch_size > n_rows:
        new = max(pac, (n_rows // pac) * pac)
        note = (note + "; " if note else "") + f"batch {batch_size} clamped to {new} ({n_rows} rows)"
        batch_size = new
    batch_size = max(pac, (batch_size // pac) * pac)
    return batch_size, pac, note


@register_sampler
class CTGANSampler(GenerativeSampler):
    name = "ctgan"
    version = "1"
    description = "CTGAN (ctgan package), one model per attack category"
    profile_params = {
        "smoke": {"epochs": 2, "batch_size": 100},
        "quick": {"epochs": 30, "batch_size": 200},
        "paper": {"epochs": 300, "batch_size": 500},
    }

    def __init__(self, epochs: int = 300, batch_size: int = 500, pac: int = 10,
                 generator_dim=(256, 256), discriminator_dim=(256, 256), embedding_dim: int = 128):
        super().__init__(epochs=epochs, batch_size=batch_size, pac=pac, generator_dim=tuple(generator_dim),
                         discriminator_dim=tuple(discriminator_dim), embedding_dim=embedding_dim)
        self.models: dict = {}
        self.record: dict = {}
        self._columns: list[str] = []

    def _fit(self, X, y, classes, schema, random_state, context):
        from ctgan import CTGAN

        self._columns = list(X.columns)
        discrete = [c for c in schema.of_kind("categorical", "binary") if c in X.columns]
        cuda = context.device.startswith("cuda")
        for i, c in enumerate(classes):
            rows = X[y == c].reset_index(drop=True)
            batch, pac, note = clamp_batch(len(rows), self.params["batch_size"], self.params["pac"])
            # columns constant within the class: ctgan's transformer cannot fit them; pass through
            const = {col: rows[col].iloc[0] for col in rows.columns if rows[col].nunique() <= 1}
            train = rows.drop(columns=list(const))
            seed = random_state + 1009 * i
            t0 = time.perf_counter()
            model = None
            if train.shape[1]:
                model = CTGAN(
                    epochs=self.params["epochs"], batch_size=batch, pac=pac,
                    generator_dim=self.params["generator_dim"],
                    discriminator_dim=self.params["discriminator_dim"],
                    embedding_dim=self.params["embedding_dim"], enable_gpu=cuda, verbose=False,
                )
                model.set_random_state(seed)
                with seeded(seed):
                    model.fit(train, discrete_columns=[d for d in discrete if d in train.columns])
            self.models[c] = (model, const, seed)
            rec = {"rows": len(rows), "batch_size": batch, "pac": pac,
                   "fit_seconds": round(time.perf_counter() - t0, 3),
                   "constant_columns_passed_through": len(const)}
            if note:
                rec["fallback"] = note
            if model is not None and getattr(model, "loss_values", None) is not None:
                lv = model.loss_values
                rec["losses"] = {
                    "g": [float(f"{v:.5g}") for v in lv.groupby("Epoch")["Generator Loss"].mean()],
                    "d": [float(f"{v:.5g}") for v in lv.groupby("Epoch")["Discriminator Loss"].mean()],
                }
            self.record[c] = rec
            context.say(f"ctgan: fitted class {c!r} ({len(rows)} rows) in {rec['fit_seconds']:.1f}s")

    def _sample(self, cls, n, random_state):
        model, const, seed = self.models[cls]
        if model is None:
            out = pd.DataFrame(index=range(n))
        else:
            model.set_random_state(random_state)
            with seeded(random_state):
                out = model.sample(n)
        for col, v in const.items():
            out[col] = v
        return out[self._columns].astype(float)

    def training_record(self):
        return {"per_class": self.record}



