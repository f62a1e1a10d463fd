"""NetworkTrafficGAN with every improvement a switch, for an ablation.

The networks keep the study's shape (see ``methods/gan/nets.py``); what changes
is what they are trained on, how they are trained and how their output becomes
rows.  Each switch is a constructor parameter; the defaults are the best
setting measured on the demo data (every improvement on, except ``conditional``:
see below).

- ``transform``: ``quantile`` (default: the class's empirical CDF as normal
  scores with dequantised ties, a linear output; see ``methods/gan/transforms.py``),
  ``minmax`` (the study's, tanh) or ``log1p`` (min-max of signed log1p, tanh);
- ``zero_indicator``: a zero-inflated column gets an is-zero channel beside its
  value channel (fitted on the non-zero values);
- ``passthrough_constants``: columns constant in the modelled rows get no
  channel; every column constant within a class is written as that constant;
- ``clip_to_class_range``: values clipped to the class's training min/max.  A
  per-class transform cannot leave that range anyway; it matters when one
  transform is shared by several classes (``conditional`` without
  ``per_class_transform``);
- ``round_counts``: integer columns rounded *before* derived columns are
  recomputed, so the harness's later rounding cannot break an identity (on
  HIKARI tables ``repair_flows`` rounds the counts as well);
- ``repair_derived``: on a table in the HIKARI layout, derived columns
  (averages, rates, ratios, totals, min/max brackets) are recomputed from the
  base columns with ``benchmark.datasets.hikari_identities.repair_flows``; on any
  other table a recorded no-op;
- ``objective`` (``bce`` | ``wgan-gp``, with ``n_critic`` critic steps, default
  5, and ``gp_weight``) and ``spectral_norm`` on the discriminator's linear layers;
- ``corr_weight``: the generator's loss gains ``corr_weight`` times the mean
  squared difference between the correlation matrix of a generated batch and
  that of the class's encoded training rows (table-GAN's "information loss"
  idea applied to correlations); 0 turns it off;
- ``early_stopping``: a validation part (``val_fraction`` of each class's
  *training* rows, never test rows) is held out from the networks' training
  (the transforms still see every training row); every ``val_every`` epochs
  the mean per-feature KS statistic between 500 generated rows and that part is
  computed, the best generator state kept, and training stops after
  ``patience`` checks without improvement.  A class whose validation part
  would be under ``min_val_rows`` (50) rows trains on all its rows without it:
  a KS statistic against fewer rows is too noisy (its standard error is about
  0.1 at 30 rows) to choose an epoch by, and the rows are worth more in
  training (measured on the demo: holding out 28 of 142 rows made the class's
  worst KS worse);
- ``conditional``: one class-conditional GAN over all the classes to oversample
  (class one-hot concatenated to z and to the discriminator's input; batches
  drawn class-balanced; the correlation term per class) instead of one GAN per
  class.  Off by default: on the demo data it was worse for every attack class
  (the per-class models see their own class in every batch);
  ``per_class_transform`` (default on): in the conditional model each class's
  rows are encoded by transforms fitted on that class's rows; off, one
  transform fitted on all the modelled classes' rows.
- ``d_dropout`` (0.3, the study's) and ``ema`` (0: off; a moving average of
  the generator's weights, BatchNorm statistics recomputed for it) are tuning
  knobs, not switches of the ablation.
- ``max_fit_rows`` (the quick budget, 1,000): a class with more fit rows (after
  the validation part is set aside) trains on a seeded random subset of them
  (recorded); its range, codes and validation part still come from all its rows.
- ``n_jobs`` (an execution parameter; the harness gives it the group's threads):
  the per-class models train in that many worker processes on the CPU, each
  seeded exactly as in one process, so the rows are the same (a test).

Categorical columns (``schema.categorical_columns``, e.g. NSL-KDD's
protocol_type, service, flag) with at most ``max_onehot`` codes are one-hot
blocks: the generator emits them through a Gumbel-softmax (temperature 0.2)
while training and a softmax when sampling, decoded by argmax over the codes
that the class shows in its training rows; so a class never receives a service
it never used, and the category goes together with the other columns as the
GAN learnt it.  A categorical column with more codes (HIKARI's ``responp``
under a port scan: hundreds of ports) is encoded like an integer column and
snapped to the nearest code the class shows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from benchmark.plugins import GenerativeSampler
from benchmark.processes import fit_each
from benchmark.registry import register_sampler
from methods.gan.nets import LATENT_DIM, Discriminator, Generator, MixedActivation
from methods.gan.records import TrainingRecord
from methods.gan.training import (
    TrainSpec,
    generate,
    ks_statistics,
    resolve_device,
    seeded,
    train_gan,
)
from methods.gan.transforms import METHODS, Codec, make_plan
from methods.network_traffic_gan import class_seed

VAL_SAMPLE_ROWS = 500  # generated rows per class per validation check


def is_hikari_layout(columns) -> bool:
    """True when most of HIKARI's 79 flow features are among ``columns``."""
    from benchmark.datasets.hikari_layout import FLOW_FEATURES

    return len(set(FLOW_FEATURES) & set(columns)) >= len(FLOW_FEATURES) // 2


@register_sampler
class NetworkTrafficGANImproved(GenerativeSampler):
    name = "network_traffic_gan_improved"
    description = "NetworkTrafficGAN with quantile transforms, a correlation loss, early stopping and flow repair (ablatable)"
    profile_params = {
        "smoke": {"epochs": 3, "batch_size": 64, "val_every": 1},
        # quick: at most 1,000 training rows per class (as network_traffic_gan)
        "quick": {"epochs": 60, "batch_size": 64, "val_every": 5, "max_fit_rows": 1_000},
        "paper": {"epochs": 500, "batch_size": 32, "val_every": 10, "max_fit_rows": None},
    }

    def __init__(
        self,
        epochs: int = 500,
        batch_size: int = 32,
        latent_dim: int = LATENT_DIM,
        lr: float = 2e-4,
        beta1: float = 0.5,
        conditional: bool = False,
        per_class_transform: bool = True,
        transform: str = "quantile",
        zero_indicator: bool = True,
        passthrough_constants: bool = True,
        clip_to_class_range: bool = True,
        round_counts: bool = True,
        repair_derived: bool = True,
        objective: str = "bce",
        spectral_norm: bool = True,
        corr_weight: float = 3.0,
        early_stopping: bool = True,
        val_fraction: float = 0.2,
        val_every: int = 10,
        patience: int = 5,
        min_val_rows: int = 50,
        d_dropout: float = 0.3,
        n_critic: int | None = None,
        gp_weight: float = 10.0,
        ema: float = 0.0,
        max_onehot: int = 32,
        max_fit_rows: int | None = None,
        n_jobs: int = 2,
    ):
        params = dict(locals())
        params.pop("self")
        params.pop("__class__", None)
        super().__init__(**params)
        if transform not in METHODS:
            raise ValueError(f"transform must be one of {METHODS}, not {transform!r}")
        if objective not in ("bce", "wgan-gp"):
            raise ValueError(f"objective must be 'bce' or 'wgan-gp', not {objective!r}")
        if not 0.0 <= val_fraction < 1.0:
            raise ValueError("val_fraction must be in [0, 1)")
        self.p = dict(self.params)
        if self.p["n_critic"] is None:
            self.p["n_critic"] = 5 if objective == "wgan-gp" else 1

    # ------------------------------------------------------------------ fitting
    def _fit(self, X, y, classes, schema, random_state, context):
        p = self.p
        self._columns = cols = list(X.columns)
        integer = [c for c in schema.integer_columns if c in cols]
        categorical = [c for c in schema.categorical_columns if c in cols]
        self._integer = [c for c in integer if c not in categorical]
        self._categorical = categorical
        self._device, note = resolve_device(context.device)
        self._record = rec = TrainingRecord(self.name)
        rec.device = str(self._device)
        rec.note(note)
        self._hikari = bool(p["repair_derived"]) and is_hikari_layout(cols)
        rec.extra["repair_derived"] = (
            "off"
            if not p["repair_derived"]
            else "applied: HIKARI flow identities recomputed"
            if self._hikari
            else "skipped: the table is not in the HIKARI layout"
        )

        y_arr = y.to_numpy()
        frames = {c: X[y_arr == c].reset_index(drop=True) for c in classes}
        self._lo = {c: f.min().to_numpy(float) for c, f in frames.items()}
        self._hi = {c: f.max().to_numpy(float) for c, f in frames.items()}
        self._codes = {
            c: {col: np.unique(f[col].to_numpy(float)) for col in categorical} for c, f in frames.items()
        }
        self._const = {
            c: {col: float(f[col].iloc[0]) for col in cols if f[col].nunique() <= 1}
            for c, f in frames.items()
        }
        # validation part per class, from its training rows only
        fit_idx, val_idx = {}, {}
        for c, f in frames.items():
            rng = np.random.default_rng(class_seed(random_state, c))
            order = rng.permutation(len(f))
            n_val = int(round(p["val_fraction"] * len(f))) if p["early_stopping"] else 0
            if p["early_stopping"] and (n_val < int(p["min_val_rows"]) or len(f) - n_val < 2):
                rec.note(
                    f"{c}: {len(f)} rows give a validation part under {p['min_val_rows']} rows; "
                    "no early stopping, trained on all its rows"
                )
                n_val = 0
            val_idx[c], fit_idx[c] = order[:n_val], order[n_val:]
            cap = p["max_fit_rows"]
            if cap and len(fit_idx[c]) > int(cap):  # ``order`` is a seeded permutation
                rec.note(
                    f"{c}: trained on a random {int(cap)} of its {len(fit_idx[c])} fit rows (max_fit_rows)"
                )
                fit_idx[c] = fit_idx[c][: int(cap)]

        groups = [list(classes)] if p["conditional"] else [[c] for c in classes]
        self._models = {}
        # groups in worker processes (n_jobs, on the CPU): each seeded as it is here
        jobs = 1 if str(self._device).startswith("cuda") else int(p["n_jobs"] or 1)
        log = context.log if jobs <= 1 or len(groups) <= 1 else None
        args = [
            (g, {c: frames[c] for c in g}, fit_idx, val_idx, integer, categorical, random_state, log)
            for g in groups
        ]
        for key, G, codecs, group, res in fit_each(self._fit_group, args, jobs, release=True):
            self._models[key] = (G, codecs, group)
            if res is None:
                self._record.note(f"{key}: every column is constant; rows are the constants")
                continue
            context.say(f"{self.name}: {key}: {res.epochs_run} epochs in {res.seconds:.1f}s")
            self._record.add(
                key, res, context.workdir, codec=codecs[group[0]].describe(), classes=[str(c) for c in group]
            )

    def _fit_group(self, group, frames, fit_idx, val_idx, integer, categorical, random_state, log):
        """(key, generator, codecs, group, training result) of one model; the result is
        None when every column is constant (nothing to learn)."""
        p, cols = self.p, self._columns
        conditional = bool(p["conditional"])
        plan = make_plan(
            [frames[c] for c in group],
            cols,
            method=p["transform"],
            zero_indicator=p["zero_indicator"],
            passthrough_constants=p["passthrough_constants"],
            categorical=categorical,
            integer=integer,
            max_onehot=int(p["max_onehot"]),
        )
        if conditional and not p["per_class_transform"]:
            shared = Codec(plan).fit(pd.concat([frames[c] for c in group], ignore_index=True))
            codecs = {c: shared for c in group}
        else:
            codecs = {c: Codec(plan).fit(frames[c]) for c in group}
        key = "conditional" if conditional else str(group[0])
        seed = class_seed(random_state, "|".join(map(str, group)))
        rng = np.random.default_rng(seed)
        data, cond, weights = [], [], []
        for k, c in enumerate(group):
            rows = frames[c].iloc[fit_idx[c]]
            data.append(codecs[c].encode(rows, rng))
            onehot = np.zeros((len(rows), len(group)), np.float32)
            onehot[:, k] = 1.0
            cond.append(onehot)
            weights.append(np.full(len(rows), 1.0 / len(rows)))
        data = np.concatenate(data)
        width = codecs[group[0]].width
        cond_arr = np.concatenate(cond) if conditional else None
        w_arr = np.concatenate(weights) if conditional else None
        if width == 0:  # every column constant: nothing to learn
            return key, None, codecs, group, None
        wgan = p["objective"] == "wgan-gp"
        spec = TrainSpec(
            epochs=int(p["epochs"]),
            batch_size=int(p["batch_size"]),
            lr=float(p["lr"]),
            betas=(float(p["beta1"]), 0.9 if wgan else 0.999),
            objective=p["objective"],
            n_critic=int(p["n_critic"]),
            gp_weight=float(p["gp_weight"]),
            ema=float(p["ema"]),
            corr_weight=float(p["corr_weight"]),
            val_every=int(p["val_every"]) if p["early_stopping"] else 0,
            patience=int(p["patience"]) if p["early_stopping"] else 0,
        )
        has_val = [c for c in group if len(val_idx[c])]
        validate = None
        if spec.val_every and has_val:

            def validate(G):
                scores = []
                for c in has_val:
                    gen = self._rows(G, codecs, group, c, VAL_SAMPLE_ROWS, seed=12345)
                    real = frames[c].iloc[val_idx[c]]
                    scores.append(float(np.mean(ks_statistics(gen.to_numpy(float), real.to_numpy(float)))))
                return float(np.mean(scores))

        with seeded(seed, self._device):
            G = Generator(
                width,
                latent_dim=int(p["latent_dim"]),
                cond_dim=len(group) if conditional else 0,
                head=MixedActivation(codecs[group[0]].spans),
            )
            D = Discriminator(
                width,
                cond_dim=len(group) if conditional else 0,
                sigmoid=False,
                spectral_norm=bool(p["spectral_norm"]),
                dropout=float(p["d_dropout"]),
            )
            res = train_gan(
                G,
                D,
                data,
                spec,
                device=self._device,
                cond=cond_arr,
                weights=w_arr,
                validate=validate,
                log=log,
            )
        return key, G, codecs, group, res

    # ------------------------------------------------------------------ sampling
    def _rows(self, G, codecs, group, cls, n, seed):
        k = group.index(cls)
        if G is None:
            Z = np.zeros((n, 0))
        else:
            cond = None
            if self.p["conditional"]:
                cond = np.zeros((n, len(group)), np.float32)
                cond[:, k] = 1.0
            Z = generate(G, n, device=self._device, seed=seed, cond=cond)
        return self._postprocess(cls, codecs[cls].decode(Z)[self._columns])

    def _postprocess(self, cls, df: pd.DataFrame) -> pd.DataFrame:
        p = self.p
        if p["passthrough_constants"]:
            for col, v in self._const[cls].items():
                df[col] = v
        if p["clip_to_class_range"]:
            df = df.clip(lower=self._lo[cls], upper=self._hi[cls], axis=1)
        if p["round_counts"] and self._integer:
            df[self._integer] = np.round(df[self._integer].to_numpy(float))
        for col in self._categorical:  # a numeric-encoded categorical: nearest code the class shows
            codes = self._codes[cls][col]
            v = df[col].to_numpy(float)
            i = np.clip(np.searchsorted(codes, v), 1, max(1, len(codes) - 1))
            lo, hi = codes[i - 1], codes[np.minimum(i, len(codes) - 1)]
            df[col] = np.where(np.abs(v - lo) <= np.abs(hi - v), lo, hi)
        if self._hikari:
            from benchmark.datasets.hikari_identities import repair_flows

            df = repair_flows(df)[self._columns]
        return df

    def _sample(self, cls, n, random_state):
        G, codecs, group = self._models[self._model_of_class(cls)]
        return self._rows(G, codecs, group, cls, int(n), seed=random_state)

    def _model_of_class(self, cls):
        return "conditional" if self.p["conditional"] else str(cls)

    def training_record(self) -> dict:
        rec = getattr(self, "_record", None)
        return rec.to_dict() if rec is not None else {}
