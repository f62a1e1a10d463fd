"""What the study really did: ONE unconditional NetworkTrafficGAN over every class.

The study one-hot encoded ``traffic_category``, min-max scaled the whole table
(features and the one-hot columns alike) and trained one unconditional GAN (the
first-commit architecture, see ``methods/gan/nets.py``) on all of it; the class
of a generated row can then only be read back from its one-hot outputs.  This
sampler does the same on the training part: the class indicators are among the
GAN's outputs and each generated row is labelled by the argmax of them.  So it
may return rows of classes that were never asked for (its published 1,000 rows
hold no attack at all); ``_sample`` returns ``(rows, labels)`` and the harness
records requested against delivered.

Asked for n rows of class c, it generates n unconditional rows and labels them
by argmax, whatever class that gives.  Over all the classes asked for, that is
exactly the total number of rows requested, generated once from one model (the
per-class calls only split that one batch: the rows are i.i.d. and the
generator is in eval mode, so splitting changes nothing), as the study did.

Deviations from the study, each recorded: the index columns, ``uid`` and
addresses are not generated (the harness drops them; the study generated its
row indexes as features); ``Label`` is not a separate output (it is a function
of the class); a class-constant column is kept constant (no division by zero);
with ``max_train_rows`` (the quick and smoke budgets) the GAN trains on a
class-stratified subsample of the training rows, so that it costs about what
the per-class variant costs; the ``paper`` budget uses every row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from benchmark.plugins import GenerativeSampler
from benchmark.registry import register_sampler
from methods.gan.nets import LATENT_DIM, Discriminator, Generator
from methods.gan.records import TrainingRecord
from methods.gan.training import TrainSpec, generate, resolve_device, seeded, train_gan
from methods.gan.transforms import Codec, make_plan
from methods.network_traffic_gan import NetworkTrafficGAN, class_seed

ONE_HOT_PREFIX = "traffic_category_"


def stratified_subsample(y: pd.Series, max_rows: int, seed: int) -> np.ndarray:
    """Row positions of a class-stratified subsample of at most ``max_rows`` (one row per class at least)."""
    rng = np.random.default_rng(seed)
    y_arr = y.to_numpy()
    share = max_rows / len(y_arr)
    keep = []
    for c in pd.unique(y_arr):
        idx = np.flatnonzero(y_arr == c)
        k = max(1, int(round(share * len(idx))))
        keep.append(rng.choice(idx, size=min(k, len(idx)), replace=False))
    return np.sort(np.concatenate(keep))


@register_sampler
class NetworkTrafficGANStudySetup(GenerativeSampler):
    name = "network_traffic_gan_study_setup"
    description = "The study's setup: one unconditional GAN over all classes, rows labelled by argmax"
    labels_own_rows = True  # delivered classes may differ from the requested ones
    profile_params = {
        "smoke": {"epochs": 3, "batch_size": 32, "max_train_rows": 1_000},
        "quick": {
            "epochs": NetworkTrafficGAN.profile_params["quick"]["epochs"],
            "batch_size": 32,
            "max_train_rows": 3_000,
        },
        "paper": {"epochs": 500, "batch_size": 32, "max_train_rows": None},
    }

    def __init__(
        self,
        epochs: int = 500,
        batch_size: int = 32,
        latent_dim: int = LATENT_DIM,
        lr: float = 2e-4,
        beta1: float = 0.5,
        max_train_rows: int | None = None,
    ):
        super().__init__(
            epochs=epochs,
            batch_size=batch_size,
            latent_dim=latent_dim,
            lr=lr,
            beta1=beta1,
            max_train_rows=max_train_rows,
        )
        self.p = dict(self.params)

    def _fit(self, X, y, classes, schema, random_state, context):
        p = self.p
        self._columns = list(X.columns)
        self._device, note = resolve_device(context.device)
        self._record = rec = TrainingRecord(self.name)
        rec.device = str(self._device)
        rec.note(note)
        self._classes = sorted(pd.unique(y.to_numpy()), key=str)
        self._onehot = [f"{ONE_HOT_PREFIX}{c}" for c in self._classes]
        if set(self._onehot) & set(self._columns):
            raise ValueError("a feature column is named like a class indicator column")
        rows = np.arange(len(X))
        if p["max_train_rows"] and len(X) > int(p["max_train_rows"]):
            rows = stratified_subsample(y, int(p["max_train_rows"]), class_seed(random_state, "subsample"))
            rec.note(f"trained on a class-stratified subsample of {len(rows)} of {len(X)} training rows")
        Xs = X.iloc[rows].reset_index(drop=True)
        ys = y.iloc[rows].to_numpy()
        table = Xs.copy()
        for c, col in zip(self._classes, self._onehot):
            table[col] = (ys == c).astype(float)
        cols = list(table.columns)
        self._codec = Codec(make_plan([table], cols, method="minmax")).fit(table)
        spec = TrainSpec(
            epochs=int(p["epochs"]),
            batch_size=int(p["batch_size"]),
            lr=float(p["lr"]),
            betas=(float(p["beta1"]), 0.999),
        )
        with seeded(class_seed(random_state, "unconditional"), self._device):
            self._G = Generator(self._codec.width, latent_dim=int(p["latent_dim"]))
            D = Discriminator(self._codec.width)
            res = train_gan(self._G, D, self._codec.encode(table), spec, device=self._device, log=context.log)
        context.say(f"{self.name}: {res.epochs_run} epochs in {res.seconds:.1f}s")
        rec.add(
            "unconditional",
            res,
            context.workdir,
            classes=[str(c) for c in self._classes],
            train_class_counts={str(k): int(v) for k, v in pd.Series(ys).value_counts().items()},
        )
        self._delivered: dict[str, dict[str, int]] = {}

    def generate_labelled(self, n: int, random_state: int) -> tuple[pd.DataFrame, np.ndarray]:
        """``n`` unconditional rows (features and indicator outputs) and their argmax labels."""
        Z = generate(self._G, int(n), device=self._device, seed=random_state)
        out = self._codec.decode(Z)
        labels = np.asarray(self._classes, dtype=object)[np.argmax(out[self._onehot].to_numpy(), axis=1)]
        return out, labels

    def _sample(self, cls, n, random_state):
        out, labels = self.generate_labelled(n, random_state)
        counts = pd.Series(labels).value_counts()
        self._delivered[str(cls)] = {str(k): int(v) for k, v in counts.items()}
        return out[self._columns], pd.Series(labels)

    def training_record(self) -> dict:
        rec = getattr(self, "_record", None)
        if rec is None:
            return {}
        rec.extra["delivered_by_request"] = dict(self._delivered)
        return rec.to_dict()
