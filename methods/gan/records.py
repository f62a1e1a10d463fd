"""The training record a GAN sampler returns from ``training_record()``.

JSON-serialisable and compact: per trained model the per-epoch D and G losses
(and validation scores) rounded to 5 significant digits, epochs run, seconds per
epoch, batch size and notes; for the sampler the device and every fallback.
"""

from __future__ import annotations

from .curves import write_loss_curve
from .training import CPU_THREADS


class TrainingRecord:
    def __init__(self, sampler: str):
        self.sampler = sampler
        self.device = "cpu"
        self.models: dict[str, dict] = {}
        self.fallbacks: list[str] = []
        self.curves: dict[str, str] = {}
        self.extra: dict = {}

    def note(self, msg: str | None) -> None:
        if msg and msg not in self.fallbacks:
            self.fallbacks.append(msg)

    def add(self, key: str, result, workdir: str | None = None, **extra) -> None:
        rec = result.record()
        rec.update(extra)
        self.models[str(key)] = rec
        for n in result.notes:
            if n.startswith("batch size clamped"):
                self.note(f"{key}: {n}")
        path = write_loss_curve(workdir, f"{self.sampler}_{key}", result, f"{self.sampler}: {key}")
        if path:
            self.curves[str(key)] = path

    def to_dict(self) -> dict:
        out = {"sampler": self.sampler, "device": self.device, "models": self.models}
        if self.device == "cpu":
            out["cpu_threads"] = CPU_THREADS
        if self.fallbacks:
            out["fallbacks"] = list(self.fallbacks)
        if self.curves:
            out["curves"] = dict(self.curves)
        out.update(self.extra)
        return {"training": out}
