"""``tvae``: SDV's TVAE (a variational autoencoder for tables), one model per attack class.

Through SDV 2.0's single-table API with metadata built explicitly from the schema
(``methods/_sdv.py``); a class smaller than the batch is fitted with the batch
clamped to its size, and a class with more than ``max_fit_rows`` rows on a seeded
subset of that size (both recorded, ``methods/_per_class.py``).
"""

from __future__ import annotations

from benchmark.registry import register_sampler
from methods._per_class import clamp_batch, mixture_note
from methods._sdv import SDVPerClass


@register_sampler
class TVAESampler(SDVPerClass):
    name = "tvae"
    version = "1"
    description = "TVAE (SDV 2.0 single-table), one model per attack category"
    profile_params = {
        "smoke": {"epochs": 2, "batch_size": 100, "max_fit_rows": 300},
        "quick": {"epochs": 20, "batch_size": 200, "max_fit_rows": 1_000},
        "paper": {"epochs": 300, "batch_size": 500, "max_fit_rows": None},
    }

    def __init__(
        self,
        epochs: int = 300,
        batch_size: int = 500,
        embedding_dim: int = 128,
        compress_dims=(128, 128),
        decompress_dims=(128, 128),
        l2scale: float = 1e-5,
        loss_factor: float = 2.0,
        max_fit_rows: int | None = None,
        n_jobs: int = 2,
    ):
        super().__init__(
            epochs=epochs,
            batch_size=batch_size,
            embedding_dim=embedding_dim,
            compress_dims=tuple(compress_dims),
            decompress_dims=tuple(decompress_dims),
            l2scale=l2scale,
            loss_factor=loss_factor,
            max_fit_rows=max_fit_rows,
            n_jobs=n_jobs,
        )

    def _make(self, metadata, rows, rec, context):
        from sdv.single_table import TVAESynthesizer

        p = self.params
        batch, _, note = clamp_batch(len(rows), int(p["batch_size"]), 1)
        rec["batch_size"] = batch
        rec["fallbacks"] = [n for n in (note, mixture_note(len(rows))) if n]
        return TVAESynthesizer(
            metadata,
            epochs=int(p["epochs"]),
            batch_size=batch,
            embedding_dim=int(p["embedding_dim"]),
            compress_dims=p["compress_dims"],
            decompress_dims=p["decompress_dims"],
            l2scale=p["l2scale"],
            loss_factor=p["loss_factor"],
            enable_gpu=context.device.startswith("cuda"),
            verbose=False,
        )
