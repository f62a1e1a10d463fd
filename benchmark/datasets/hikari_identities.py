"""The identities every real HIKARI-2021 flow satisfies, in one place.

HIKARI's 79 flow features were written by the Zeek FlowMeter plugin, which
derives many of them from a few others.  Those derivations are identities a
valid flow must satisfy; a generator whose rows break them produces flows no
network could have carried.  This module names them (``IDENTITIES``), checks
them (``check_flows``) and enforces them (``repair_flows``).

Conventions (FlowMeter's, from its ``flowmeter.zeek``):

- rates (``*_pkts_per_sec``, ``payload_bytes_per_second``) are 0 when
  ``flow_duration`` is 0, e.g. for a single-packet flow;
- ``down_up_ratio`` is 0 when the flow has no forward packet;
- a statistic over an empty vector is 0 in all five fields (min, max, tot,
  avg, std): payload statistics of a direction without packets, and IAT
  statistics of a direction (or flow) with at most one packet, since n packets
  give n - 1 inter-arrival times.  So ``X_iat.avg`` and ``X_iat.tot`` are 0 when
  there are fewer than two packets, and a flow of at most one packet has
  ``flow_duration == 0``;
- IATs, active and idle times are in microseconds, ``flow_duration`` in seconds.

Tolerances.  The real file prints values with at most six decimals and about
ten significant digits, and its ``flow_duration`` is not exactly the sum of
the flow's IATs (it runs 8 to 43 microseconds short in the real fragment).
Each identity is written without division, ``y * x ~ target``, and passes when
``|y * x - target| <= RTOL * |target| + |y| * atol(x) + |x| * atol(y)``, where
``atol`` of a printed value is ``PRINT_ATOL`` (its last printed decimal).  The
product form stays meaningful for tiny durations: a rate computed from a
duration of 3e-7 s that was printed as 0.0 still passes.  The largest relative
residual in the real fragment is 7e-10 (``X_iat.avg`` printed to ten digits; the
fragment fails at ``RTOL = 1e-10`` and passes at 1e-9); ``RTOL = 1e-6`` leaves
three orders of magnitude for real rows not seen here.  ``flow_iat.tot = flow_duration * 1e6`` gets its
own ``IAT_DURATION_RTOL = 1e-4`` plus ``IAT_DURATION_ATOL_US = 100`` (microseconds):
the fragment's worst residuals are 1.2e-5 relative and 43 us absolute.
Counts are integers when within ``INTEGER_ATOL = 1e-6`` of one.

Base and derived columns (for ``repair_flows``):

- base (kept as given): ``flow_duration``, the packet counts, the other count
  columns, ``fwd/bwd_pkts_payload.tot``, ``fwd/bwd_iat.tot``, every ``std``,
  every ``avg`` not listed below (active, idle), the subflow, bulk and window
  columns.  Counts are rounded and clipped to >= 0 and ``flow_duration`` is
  clipped to >= 0: that projects them onto their domain.
- derived (recomputed): ``X_pkts_payload.avg`` (fwd, bwd, flow),
  ``flow_pkts_payload.tot``, ``X_pkts_per_sec`` (fwd, bwd, flow),
  ``down_up_ratio``, ``payload_bytes_per_second``, ``flow_iat.tot``,
  ``X_iat.avg`` (fwd, bwd, flow), and ``min``/``max`` of the eight statistic
  groups (widened just enough to bracket ``avg``).
- forced by the counts: a direction without packets gets an all-zero payload
  group, one with fewer than two packets an all-zero IAT group, and a flow of
  at most one packet ``flow_duration = 0``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from benchmark.datasets.hikari_layout import FLOW_FEATURES, INT_FEATURES, STAT_GROUPS

RTOL = 1e-6
PRINT_ATOL = 1e-6
IAT_DURATION_RTOL = 1e-4
IAT_DURATION_ATOL_US = 100.0
INTEGER_ATOL = 1e-6

KINDS = ("tot_avg", "rate", "stat_order", "count")

# Count columns in file order.
COUNT_COLUMNS = tuple(c for c in FLOW_FEATURES if c in INT_FEATURES)

_DUR = "flow_duration"
_PKTS = {"fwd": ("fwd_pkts_tot",), "bwd": ("bwd_pkts_tot",), "flow": ("fwd_pkts_tot", "bwd_pkts_tot")}


@dataclass(frozen=True)
class Identity:
    """One identity: its name, kind, the columns it reads and a vectorised check.

    ``check(df)`` returns a boolean numpy array, True where the row satisfies
    the identity.  ``requires_all`` False means the identity checks whichever of
    its columns are present (the count identity).
    """

    name: str
    kind: str
    columns: tuple[str, ...]
    check: Callable[[pd.DataFrame], np.ndarray]
    description: str
    requires_all: bool = True

    @property
    def tolerance(self) -> str:
        """The tolerance of the check, in words (see the module docstring)."""
        return _TOLERANCES[self.kind if self.name != "iat_tot_duration" else self.name]

    def applies_to(self, columns) -> bool:
        cols = set(columns)
        if self.requires_all:
            return all(c in cols for c in self.columns)
        return any(c in cols for c in self.columns)

    def holds(self, df: pd.DataFrame) -> np.ndarray:
        return np.asarray(self.check(df), dtype=bool)


_TOLERANCES = {
    "tot_avg": f"|y*x - target| <= {RTOL:g}*|target| + |y|*atol(x) + |x|*atol(y), atol of a printed value {PRINT_ATOL:g}",
    "rate": f"|y*x - target| <= {RTOL:g}*|target| + |y|*atol(x) + |x|*atol(y), atol of a printed value {PRINT_ATOL:g}",
    "iat_tot_duration": f"|flow_iat.tot - 1e6*flow_duration| <= {IAT_DURATION_RTOL:g}*max(|.|) + {IAT_DURATION_ATOL_US:g} us",
    "stat_order": f"min <= avg + tol and avg <= max + tol, tol = {RTOL:g}*|avg| + {PRINT_ATOL:g}",
    "count": f">= 0 and within {INTEGER_ATOL:g} of an integer",
}


# -- helpers -------------------------------------------------------------------
def _col(df: pd.DataFrame, name: str) -> np.ndarray:
    return df[name].to_numpy(dtype=np.float64)


def _packets(df: pd.DataFrame, scope: str) -> np.ndarray:
    cols = _PKTS[scope]
    out = _col(df, cols[0])
    for c in cols[1:]:
        out = out + _col(df, c)
    return out


def _product_close(y, x, target, x_atol=0.0, y_atol=PRINT_ATOL) -> np.ndarray:
    """``y * x ~ target`` allowing for the print precision of ``x`` and ``y``."""
    with np.errstate(invalid="ignore", over="ignore"):
        tol = RTOL * np.abs(target) + np.abs(y) * x_atol + np.abs(x) * y_atol
        return np.abs(y * x - target) <= tol


def _zero(x) -> np.ndarray:
    return np.abs(x) <= PRINT_ATOL


# -- identity checks -----------------------------------------------------------
def _payload_avg(scope: str):
    def check(df):
        n, tot, avg = (
            _packets(df, scope),
            _col(df, f"{scope}_pkts_payload.tot"),
            _col(df, f"{scope}_pkts_payload.avg"),
        )
        return np.where(n > 0, _product_close(avg, n, tot), _zero(avg) & _zero(tot))

    return check


def _payload_tot_flow(df):
    fwd, bwd = _col(df, "fwd_pkts_payload.tot"), _col(df, "bwd_pkts_payload.tot")
    flow = _col(df, "flow_pkts_payload.tot")
    return (
        np.abs(flow - (fwd + bwd)) <= RTOL * np.maximum(np.abs(flow), np.abs(fwd) + np.abs(bwd)) + PRINT_ATOL
    )


def _rate(rate_col: str, target: Callable[[pd.DataFrame], np.ndarray]):
    def check(df):
        d, rate = _col(df, _DUR), _col(df, rate_col)
        ok = _product_close(rate, d, target(df), x_atol=PRINT_ATOL)
        return ok | ((d == 0) & _zero(rate))

    return check


def _down_up_ratio(df):
    fwd, bwd, ratio = _col(df, "fwd_pkts_tot"), _col(df, "bwd_pkts_tot"), _col(df, "down_up_ratio")
    return np.where(fwd > 0, _product_close(ratio, fwd, bwd), _zero(ratio))


def _iat_tot_duration(df):
    d_us, tot = _col(df, _DUR) * 1e6, _col(df, "flow_iat.tot")
    tol = IAT_DURATION_RTOL * np.maximum(np.abs(d_us), np.abs(tot)) + IAT_DURATION_ATOL_US
    return np.abs(tot - d_us) <= tol


def _iat_avg(scope: str):
    def check(df):
        n, tot, avg = _packets(df, scope), _col(df, f"{scope}_iat.tot"), _col(df, f"{scope}_iat.avg")
        return np.where(n > 1, _product_close(avg, n - 1, tot), _zero(avg) & _zero(tot))

    return check


def _stat_order(group: str):
    def check(df):
        lo, avg, hi = _col(df, f"{group}.min"), _col(df, f"{group}.avg"), _col(df, f"{group}.max")
        tol = RTOL * np.abs(avg) + PRINT_ATOL
        return (lo <= avg + tol) & (avg <= hi + tol)

    return check


def count_integrality(df: pd.DataFrame) -> pd.DataFrame:
    """Per present count column, True where the value is an integer (within ``INTEGER_ATOL``)."""
    cols = [c for c in COUNT_COLUMNS if c in df.columns]
    x = df[cols].to_numpy(dtype=np.float64)
    return pd.DataFrame(np.abs(x - np.rint(x)) <= INTEGER_ATOL, index=df.index, columns=cols)


def _counts(df):
    cols = [c for c in COUNT_COLUMNS if c in df.columns]
    nonneg = (df[cols].to_numpy(dtype=np.float64) >= 0).all(axis=1)
    return nonneg & count_integrality(df).to_numpy().all(axis=1)


def _build() -> tuple[Identity, ...]:
    ids = []
    for s in ("fwd", "bwd", "flow"):
        ids.append(
            Identity(
                f"payload_avg_{s}",
                "tot_avg",
                (*_PKTS[s], f"{s}_pkts_payload.tot", f"{s}_pkts_payload.avg"),
                _payload_avg(s),
                f"{s}_pkts_payload.avg = {s}_pkts_payload.tot / packets (0 without packets)",
            )
        )
    ids.append(
        Identity(
            "payload_tot_flow",
            "tot_avg",
            ("fwd_pkts_payload.tot", "bwd_pkts_payload.tot", "flow_pkts_payload.tot"),
            _payload_tot_flow,
            "flow_pkts_payload.tot = fwd_pkts_payload.tot + bwd_pkts_payload.tot",
        )
    )
    for s in ("fwd", "bwd", "flow"):
        ids.append(
            Identity(
                f"rate_{s}_pkts",
                "rate",
                (_DUR, *_PKTS[s], f"{s}_pkts_per_sec"),
                _rate(f"{s}_pkts_per_sec", lambda df, s=s: _packets(df, s)),
                f"{s}_pkts_per_sec = packets / flow_duration (0 when flow_duration is 0)",
            )
        )
    ids.append(
        Identity(
            "rate_payload_bytes",
            "rate",
            (_DUR, "flow_pkts_payload.tot", "payload_bytes_per_second"),
            _rate("payload_bytes_per_second", lambda df: _col(df, "flow_pkts_payload.tot")),
            "payload_bytes_per_second = flow_pkts_payload.tot / flow_duration (0 when flow_duration is 0)",
        )
    )
    ids.append(
        Identity(
            "down_up_ratio",
            "rate",
            ("fwd_pkts_tot", "bwd_pkts_tot", "down_up_ratio"),
            _down_up_ratio,
            "down_up_ratio = bwd_pkts_tot / fwd_pkts_tot (0 without forward packets)",
        )
    )
    ids.append(
        Identity(
            "iat_tot_duration",
            "tot_avg",
            (_DUR, "flow_iat.tot"),
            _iat_tot_duration,
            "flow_iat.tot = flow_duration * 1e6 (IATs in microseconds)",
        )
    )
    for s in ("flow", "fwd", "bwd"):
        ids.append(
            Identity(
                f"iat_avg_{s}",
                "tot_avg",
                (*_PKTS[s], f"{s}_iat.tot", f"{s}_iat.avg"),
                _iat_avg(s),
                f"{s}_iat.avg * (packets - 1) = {s}_iat.tot (both 0 with fewer than two packets)",
            )
        )
    for g in STAT_GROUPS:
        ids.append(
            Identity(
                f"stat_order_{g}",
                "stat_order",
                (f"{g}.min", f"{g}.avg", f"{g}.max"),
                _stat_order(g),
                f"{g}.min <= {g}.avg <= {g}.max",
            )
        )
    ids.append(
        Identity(
            "counts_nonneg_int",
            "count",
            COUNT_COLUMNS,
            _counts,
            "every count column is a non-negative integer",
            requires_all=False,
        )
    )
    return tuple(ids)


IDENTITIES: tuple[Identity, ...] = _build()
IDENTITY_NAMES = tuple(i.name for i in IDENTITIES)


def identities_for(columns, kinds=KINDS) -> tuple[Identity, ...]:
    """The identities whose columns are present, optionally of some kinds only."""
    return tuple(i for i in IDENTITIES if i.kind in kinds and i.applies_to(columns))


def check_flows(df: pd.DataFrame) -> pd.DataFrame:
    """One boolean column per applicable identity, plus ``all`` (their conjunction)."""
    out = {i.name: i.holds(df) for i in identities_for(df.columns)}
    result = pd.DataFrame(out, index=df.index)
    result["all"] = result.all(axis=1) if out else True
    return result


# -- repair --------------------------------------------------------------------
DERIVED_COLUMNS = (
    ("fwd_pkts_payload.avg", "bwd_pkts_payload.avg", "flow_pkts_payload.avg", "flow_pkts_payload.tot")
    + ("fwd_pkts_per_sec", "bwd_pkts_per_sec", "flow_pkts_per_sec", "down_up_ratio")
    + ("payload_bytes_per_second", "flow_iat.tot", "flow_iat.avg", "fwd_iat.avg", "bwd_iat.avg")
    + tuple(f"{g}.{s}" for g in STAT_GROUPS for s in ("min", "max"))
)
BASE_COLUMNS = tuple(c for c in FLOW_FEATURES if c not in DERIVED_COLUMNS)


def _has(df: pd.DataFrame, *cols: str) -> bool:
    return all(c in df.columns for c in cols)


def _safe_div(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)


def _zero_group(out: pd.DataFrame, group: str, empty: np.ndarray) -> None:
    for s in ("min", "max", "tot", "avg", "std"):
        c = f"{group}.{s}"
        if c in out.columns and empty.any():
            out[c] = np.where(empty, 0.0, _col(out, c))


def repair_flows(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` in which the derived columns make every identity hold.

    Works on any finite numeric table in HIKARI feature layout; identities whose
    columns are absent are skipped and non-feature columns are left alone.
    """
    out = df.copy()
    for c in COUNT_COLUMNS:
        if c in out.columns and not pd.api.types.is_integer_dtype(out[c]):
            out[c] = np.clip(np.rint(_col(out, c)), 0.0, None)
        elif c in out.columns:
            out[c] = out[c].clip(lower=0)
    if _has(out, _DUR):
        out[_DUR] = np.clip(_col(out, _DUR), 0.0, None)

    pk = {s: _packets(out, s) for s in _PKTS if _has(out, *_PKTS[s])}
    if "flow" in pk and _has(out, _DUR):
        out[_DUR] = np.where(pk["flow"] <= 1, 0.0, _col(out, _DUR))

    # payload groups
    for s in ("fwd", "bwd"):
        if s in pk:
            _zero_group(out, f"{s}_pkts_payload", pk[s] <= 0)
    if _has(out, "fwd_pkts_payload.tot", "bwd_pkts_payload.tot", "flow_pkts_payload.tot"):
        out["flow_pkts_payload.tot"] = _col(out, "fwd_pkts_payload.tot") + _col(out, "bwd_pkts_payload.tot")
    if "flow" in pk:
        _zero_group(out, "flow_pkts_payload", pk["flow"] <= 0)
    for s in ("fwd", "bwd", "flow"):
        if s in pk and _has(out, f"{s}_pkts_payload.tot", f"{s}_pkts_payload.avg"):
            out[f"{s}_pkts_payload.avg"] = _safe_div(_col(out, f"{s}_pkts_payload.tot"), pk[s])

    # rates
    if _has(out, _DUR):
        d = _col(out, _DUR)
        for s in ("fwd", "bwd", "flow"):
            if s in pk and _has(out, f"{s}_pkts_per_sec"):
                out[f"{s}_pkts_per_sec"] = _safe_div(pk[s], d)
        if _has(out, "flow_pkts_payload.tot", "payload_bytes_per_second"):
            out["payload_bytes_per_second"] = _safe_div(_col(out, "flow_pkts_payload.tot"), d)
        if _has(out, "flow_iat.tot"):
            out["flow_iat.tot"] = d * 1e6
    if "fwd" in pk and "bwd" in pk and _has(out, "down_up_ratio"):
        out["down_up_ratio"] = _safe_div(pk["bwd"], pk["fwd"])

    # IAT groups
    for s in ("flow", "fwd", "bwd"):
        if s in pk:
            _zero_group(out, f"{s}_iat", pk[s] <= 1)
            if _has(out, f"{s}_iat.tot", f"{s}_iat.avg"):
                out[f"{s}_iat.avg"] = _safe_div(_col(out, f"{s}_iat.tot"), pk[s] - 1)

    # min <= avg <= max
    for g in STAT_GROUPS:
        if _has(out, f"{g}.min", f"{g}.avg", f"{g}.max"):
            avg = _col(out, f"{g}.avg")
            out[f"{g}.min"] = np.minimum(_col(out, f"{g}.min"), avg)
            out[f"{g}.max"] = np.maximum(_col(out, f"{g}.max"), avg)
    return out
