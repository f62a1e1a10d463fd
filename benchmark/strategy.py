"""The sampling strategy: how many rows each class has after resampling.

One setting, applied identically to every sampler and written to the manifest.
Only attack categories are ever raised; benign categories keep their rows.

Forms (``--sampling-strategy``):
- a ratio ``r`` in (0, 1], e.g. ``0.25`` (the default): every attack category is
  raised to at least ``ceil(r * n_majority)`` rows, where ``n_majority`` is the
  size of the largest category of the training part (``auto`` = ``1.0``, as in
  imbalanced-learn); a category already that large is left alone;
- explicit targets, e.g. ``Probing=5000,U2R=2000``: those categories raised to
  those counts (a target below the current count is an error naming the class).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from benchmark.errors import ConfigError

DEFAULT = "0.25"


@dataclass(frozen=True)
class SamplingStrategy:
    ratio: float | None = None
    explicit: tuple[tuple[str, int], ...] = ()

    @classmethod
    def parse(cls, spec: str | float | None) -> SamplingStrategy:
        spec = DEFAULT if spec is None else str(spec).strip()
        if spec == "auto":
            return cls(ratio=1.0)
        if "=" in spec:
            pairs = []
            for part in spec.split(","):
                name, _, value = part.partition("=")
                try:
                    n = int(value)
                except ValueError:
                    raise ConfigError(f"sampling strategy: {part!r} is not CLASS=COUNT") from None
                if n < 1:
                    raise ConfigError(f"sampling strategy: class {name.strip()!r} target must be >= 1")
                pairs.append((name.strip(), n))
            return cls(explicit=tuple(pairs))
        try:
            r = float(spec)
        except ValueError:
            raise ConfigError(
                f"sampling strategy {spec!r}: expected a ratio in (0, 1], 'auto' or CLASS=COUNT,..."
            ) from None
        if not 0 < r <= 1:
            raise ConfigError(f"sampling strategy ratio {r} is outside (0, 1]")
        return cls(ratio=r)

    def __str__(self) -> str:
        if self.explicit:
            return ",".join(f"{k}={v}" for k, v in self.explicit)
        return f"{self.ratio:g}"

    def targets(self, counts: dict[str, int], attack_classes) -> dict[str, int]:
        """Per attack class present in ``counts``, the count it should have.

        The keys are exactly the attack classes present (plus any explicitly named one);
        benign classes are never keys.  Undersamplers and weighting samplers rely on it."""
        attack = [c for c in attack_classes if counts.get(c, 0) > 0]
        if self.explicit:
            out = {}
            for name, n in self.explicit:
                if name not in attack_classes:
                    raise ConfigError(
                        f"sampling strategy names {name!r}, which is not an attack class here "
                        f"({', '.join(attack_classes)})"
                    )
                have = counts.get(name, 0)
                if n < have:
                    raise ConfigError(
                        f"sampling strategy: class {name!r} has {have} training rows, more than its target {n}"
                    )
                out[name] = n
            # every attack class present is a key (an unnamed one at its own count), so a
            # sampler can tell attack classes from benign ones by the keys alone
            return {**{c: counts[c] for c in attack}, **out}
        majority = max(counts.values())
        goal = math.ceil(self.ratio * majority)
        return {c: max(goal, counts[c]) for c in attack}
