"""The fidelity gate: thresholds that mark a sampler's cells as failing fidelity.

A sampler fails the gate on a dataset when, for any class it generated rows of,
a summary figure (averaged over replicates) is on the wrong side of its
threshold.  Failing cells stay in every table — marked, never dropped.

Thresholds are set with ``--fidelity-gate`` (``name<=value`` / ``name>=value``,
comma-separated, over the summary keys of ``benchmark.fidelity.suite``) and
written to the manifest.  The defaults ask for marginals that are not grossly
off and, on HIKARI-layout data, rows that are valid flows:

- ``ks_median <= 0.2``: the typical feature's KS statistic;
- ``ks_max <= 0.6``: no feature almost disjoint from the real one;
- ``validity_all >= 0.9``: at least 90% of rows satisfy every flow identity.

Memorisation (exact copies) is reported but not gated: random oversampling
copies rows by design.
"""

from __future__ import annotations

import re

from benchmark.errors import ConfigError

DEFAULT_GATE = "ks_median<=0.2,ks_max<=0.6,validity_all>=0.9"


def parse_gate(spec: str | None) -> list[tuple[str, str, float]]:
    spec = DEFAULT_GATE if spec is None else spec
    rules = []
    for part in filter(None, (s.strip() for s in spec.split(","))):
        m = re.fullmatch(r"([A-Za-z0-9_]+)\s*(<=|>=)\s*([-+0-9.eE]+)", part)
        if not m:
            raise ConfigError(f"fidelity gate: {part!r} is not NAME<=VALUE or NAME>=VALUE")
        rules.append((m.group(1), m.group(2), float(m.group(3))))
    return rules


def check(summary: dict, rules) -> list[str]:
    """The broken rules for one class's (replicate-averaged) summary; missing figures are skipped."""
    broken = []
    for name, op, limit in rules:
        v = summary.get(name)
        if v is None:
            continue
        if (op == "<=" and v > limit) or (op == ">=" and v < limit):
            broken.append(f"{name} {v:.3g} {'>' if op == '<=' else '<'} {limit:g}")
    return broken
