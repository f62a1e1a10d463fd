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

import math
import re

from benchmark.errors import ConfigError

DEFAULT_GATE = "ks_median<=0.2,ks_max<=0.6,validity_all>=0.9"

# the replicate-averaged figures a rule can name (the columns of the report's
# fidelity table, ``benchmark.report.analysis.FIDELITY_COLUMNS``)
FIGURES = (
    "ks_median",
    "ks_max",
    "mean_within_10pct_share",
    "wasserstein_std_median",
    "corr_pearson_mad",
    "corr_spearman_mad",
    "detection_auc_mean",
    "exact_copy_share",
    "dcr_ratio",
    "validity_all",
    "validity_all_real",
    "share_of_requested_classes",
)


def parse_gate(spec: str | None) -> list[tuple[str, str, float]]:
    """``NAME<=VALUE`` / ``NAME>=VALUE`` rules, comma-separated (``None``: the default
    gate; ``""``: no rules).  A malformed rule, a figure not in ``FIGURES`` (it could
    never fail) or a value that is not a finite number is a ``ConfigError`` naming it."""
    spec = DEFAULT_GATE if spec is None else spec
    rules = []
    for part in filter(None, (s.strip() for s in spec.split(","))):
        m = re.fullmatch(r"([A-Za-z0-9_]+)\s*(<=|>=)\s*([-+0-9.eE]+)", part)
        if not m:
            raise ConfigError(f"fidelity gate: {part!r} is not NAME<=VALUE or NAME>=VALUE")
        name, op, value = m.groups()
        if name not in FIGURES:
            raise ConfigError(
                f"fidelity gate: {part!r}: unknown figure {name!r}; one of {', '.join(FIGURES)}"
            )
        try:
            limit = float(value)
        except ValueError:
            limit = float("nan")
        if not math.isfinite(limit):
            raise ConfigError(f"fidelity gate: {part!r}: {value!r} is not a number")
        rules.append((name, op, limit))
    return rules


def describe(spec: str | None) -> str:
    """The gate as the report prints it."""
    spec = DEFAULT_GATE if spec is None else spec
    return spec if parse_gate(spec) else "(no rules: every sampler passes)"


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
