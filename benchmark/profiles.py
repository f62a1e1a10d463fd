"""Profiles change budgets, never the protocol.

- ``smoke``: seconds; for tests (tiny demo, a few epochs, small detectors, 2 seeds).
- ``quick``: the default of ``run --all``: minutes on two CPU cores.
- ``paper``: the study's settings (500 GAN epochs, batch 32), full-size detectors,
  10 seeds; hours, GPU welcome.

Each plugin declares its own per-profile budgets in ``profile_params``; this
module holds what the harness itself spends.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from benchmark.errors import ConfigError


@dataclass(frozen=True)
class Profile:
    name: str
    description: str
    seeds: tuple[int, ...]
    demo_rows: int
    # fidelity budgets: rows per side for detection AUC / distance to closest record
    detection_rows: int
    detection_folds: int
    dcr_rows: int
    # synthetic rows audited per class (a seeded sample when a sampler adds more;
    # 0 = all): keeps the fidelity audit's cost flat as the data grows
    fidelity_rows: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


PROFILES = {
    "smoke": Profile(
        "smoke", "minutes: tests and a first look (3,000 demo rows)", (0, 1), 3_000, 300, 3, 300, 2_000
    ),
    "quick": Profile(
        "quick", "minutes on two CPU cores (the default)", (0, 1, 2), 30_000, 1_000, 3, 1_000, 10_000
    ),
    "paper": Profile(
        "paper",
        "the study's settings (500 GAN epochs, batch 32), 10 seeds; hours",
        tuple(range(10)),
        30_000,
        5_000,
        5,
        5_000,
    ),
}


def get_profile(name: str) -> Profile:
    try:
        return PROFILES[name]
    except KeyError:
        raise ConfigError(f"unknown profile {name!r}; one of {', '.join(PROFILES)}") from None
