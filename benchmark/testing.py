"""The conformance suite every sampler and detector passes (the idea of
scikit-learn's ``check_estimator`` and imbalanced-learn's ``estimator_checks``).

    from benchmark.testing import check_sampler, check_detector
    report = check_sampler("smote")                 # a spec, a class or an instance
    print(report.table())                           # check | status | message
    check_sampler(MySampler(), raise_on_failure=True)

Both run on a small, realistic table (:func:`conformance_table`: a benign class,
an attack class and a rare attack class; a heavy-tailed duration, heavy-tailed
and small counts, a binary flag, a categorical service code, a rate in [0, 1],
a signed column and an all-zero constant column; names with ``[``, ``]``, ``<``)
unless given one, with the plugin's ``smoke`` budgets unless told otherwise.
Each returns a :class:`Report`: check name -> ``{"status": "pass"|"fail"|"skip",
"message": ...}``; ``raise_on_failure=True`` raises :class:`ConformanceError`
listing every failed check.

Sampler checks (``check_sampler``)
    declares        name, description, a known ``kind``; every ``profile_params``
                    profile is known and ``for_profile`` accepts it.
    runs            ``fit_resample`` returns a ``Resampled`` (an exception fails
                    it and skips the checks that need its output).
    shape_dtypes    the input's columns, in order, with the input's dtypes; X, y,
                    ``synthetic`` (bool) and ``sample_weight`` of one length; every
                    label is a training class.
    finite          every value finite; ``sample_weight`` finite and >= 0.
    originals       by kind: ``oversampler``, ``weighting``, ``none``: the rows not
                    marked synthetic are the input rows (values and labels), in
                    order; ``undersampler``, ``hybrid``: each is an input row with its
                    label, at most as often as in the input (rows may go, never change).
    counts          by kind:
                    ``oversampler``: ``requested`` is what the targets ask for
                    (``Sampler.additions``) and each class gains exactly its request,
                    so it ends at its target; a sampler whose model labels its own
                    rows (``labels_own_rows = True``, or a GenerativeSampler whose
                    ``_sample`` returns labels: ``info["labels_from_model"]``; e.g. an
                    unconditional GAN) must add the requested total, of training classes;
                    ``undersampler``: no row added, no attack row (a key of
                    ``targets``) removed, no class grows, and the attack share does
                    not fall;
                    ``hybrid``: ``requested`` as for oversamplers, and each class
                    keeps at most its requested synthetic rows (cleaning may remove
                    some), none of other classes;
                    ``weighting``: X and y unchanged, nothing synthetic, and the
                    weights of each attack class sum to its target count (to
                    1e-6), every other row weighs 1;
                    ``none``: the input unchanged and no weights.
    schema          ``schema.violations(output) == {}``: non-negative columns
                    non-negative, integer kinds integral, binary in {0, 1},
                    categorical codes known, constant columns constant.
    deterministic   a fresh instance with the same seed gives identical output.
    input_unchanged the caller's X and y are not modified.
    info_json       ``info`` is JSON-serialisable (it goes into ``cells.jsonl``).
    tiny_class_1, tiny_class_2, tiny_class_5
                    the rare class cut to 1, 2 and 5 rows (SMOTE's default k needs
                    6): either a ``benchmark.errors.SamplerError`` whose message
                    names the class, or output that passes the checks above (and a
                    fallback, when one was taken, recorded in ``info``; the message
                    says whether ``info`` mentions the class).  Any other exception
                    fails.

Detector checks (``check_detector``)
    declares, binary (fit returns the detector; ``classes_`` are the labels;
    ``predict_proba`` of shape (n, 2), finite, in [0, 1], rows summing to 1),
    multiclass (the same with three string labels), deterministic, input_unchanged,
    sample_weight (when ``supports_sample_weight``: up-weighting the attack rows
    raises the mean predicted attack probability, i.e. the weights are used).
"""

from __future__ import annotations

import copy
import json
from typing import Any

import numpy as np
import pandas as pd

from benchmark.errors import SamplerError
from benchmark.jsonio import plain
from benchmark.plugins import SAMPLER_KINDS, Context, Detector, Resampled, Sampler
from benchmark.profiles import PROFILES
from benchmark.schema import ColumnSpec, TableSchema

RARE = "rare_attack"
TINY_SIZES = (1, 2, 5)


class ConformanceError(AssertionError):
    """A plugin failed one or more conformance checks (the message lists them)."""


class Report(dict):
    """check name -> {"status": "pass" | "fail" | "skip", "message": str}."""

    def __init__(self, plugin: str):
        super().__init__()
        self.plugin = plugin
        # the outputs the checks looked at: "main" and "tiny_class_<n>" -> Resampled or the exception
        self.outputs: dict[str, Any] = {}

    def add(self, check: str, ok: bool | None, message: str = "") -> None:
        status = "skip" if ok is None else ("pass" if ok else "fail")
        self[check] = {"status": status, "message": message}

    @property
    def failed(self) -> dict:
        return {k: v for k, v in self.items() if v["status"] == "fail"}

    @property
    def ok(self) -> bool:
        return not self.failed

    def table(self) -> str:
        w = max([len(k) for k in self] + [5])
        lines = [f"{self.plugin}:"]
        lines += [f"  {k:<{w}}  {v['status']:<4}  {v['message']}" for k, v in self.items()]
        return "\n".join(lines)

    def raise_if_failed(self) -> None:
        if self.failed:
            lines = [f"  {k}: {v['message']}" for k, v in self.failed.items()]
            raise ConformanceError(
                f"{self.plugin} failed {len(lines)} conformance check(s):\n" + "\n".join(lines)
            )


# --------------------------------------------------------------------------- table
def conformance_table(seed: int = 0, n_benign: int = 200, n_attack: int = 40, n_rare: int = 20):
    """(X, y, schema, targets): a small flow table with every column kind and a rare class.

    Targets follow the default strategy's form: each attack class raised to
    ``ceil(0.3 * n_benign)`` rows.  The schema marks the all-zero column constant.
    """
    rng = np.random.default_rng(seed)
    parts = []
    for cls, n, shift, services in (
        ("benign", n_benign, 0.0, [1, 2, 3, 4, 5, 6]),
        ("attack", n_attack, 1.0, [2, 3]),
        (RARE, n_rare, 2.0, [5, 6]),
    ):
        parts.append(
            pd.DataFrame(
                {
                    "duration": rng.lognormal(shift, 2.0, n),
                    "bytes[fwd]": np.round(rng.lognormal(5 + shift, 2.5, n)).astype("int64"),
                    "pkts<1s": rng.poisson(3 + 2 * shift, n).astype("int64"),
                    "syn_flag": (rng.random(n) < 0.2 + 0.3 * shift).astype("int64"),
                    "service": rng.choice(services, n).astype("int64"),
                    "urg_flag_count]": np.zeros(n, dtype="int64"),
                    "rate": rng.beta(1 + shift, 2, n),
                    "delta": rng.normal(shift, 1.0, n),
                    "_class": cls,
                }
            )
        )
    df = pd.concat(parts, ignore_index=True)
    df = df.iloc[rng.permutation(len(df))].reset_index(drop=True)
    y = df.pop("_class").rename("category")
    schema = TableSchema(
        [
            ColumnSpec("duration", "continuous", nonnegative=True),
            ColumnSpec("bytes[fwd]", "count", nonnegative=True),
            ColumnSpec("pkts<1s", "count", nonnegative=True),
            ColumnSpec("syn_flag", "binary", nonnegative=True),
            ColumnSpec("service", "categorical", nonnegative=True, categories=(1, 2, 3, 4, 5, 6)),
            ColumnSpec("urg_flag_count]", "count", nonnegative=True),
            ColumnSpec("rate", "continuous", nonnegative=True),
            ColumnSpec("delta", "continuous"),
        ]
    ).with_constants_of(df)
    goal = int(np.ceil(0.3 * n_benign))
    targets = {"attack": max(goal, n_attack), RARE: max(goal, n_rare)}
    return df, y, schema, targets


# --------------------------------------------------------------------------- samplers
def _plugin_factory(registry, plugin_or_spec, profile: str):
    """(a callable giving a fresh plugin, its display name) for a spec (``name`` or
    ``name:key=value``), a plugin class, or an instance (deep-copied on each call)."""
    from benchmark.registry import instantiate

    if isinstance(plugin_or_spec, str):
        return (lambda: instantiate(registry, plugin_or_spec, profile)), plugin_or_spec
    if isinstance(plugin_or_spec, type):
        cls = plugin_or_spec
        return (lambda: cls.for_profile(profile)), cls.name or cls.__name__
    inst = plugin_or_spec
    return (lambda: copy.deepcopy(inst)), type(inst).name or type(inst).__name__


def _declares(cls, report: Report) -> None:
    problems = []
    if not getattr(cls, "name", ""):
        problems.append("no name")
    if not getattr(cls, "description", ""):
        problems.append("no description")
    kind = getattr(cls, "kind", None)
    if kind is not None and kind not in SAMPLER_KINDS:
        problems.append(f"kind {kind!r} is not one of {SAMPLER_KINDS}")
    for prof in getattr(cls, "profile_params", {}):
        if prof not in PROFILES:
            problems.append(f"profile_params names unknown profile {prof!r}")
            continue
        try:
            cls.for_profile(prof)
        except Exception as e:
            problems.append(f"for_profile({prof!r}) raised {type(e).__name__}: {e}")
    report.add("declares", not problems, "; ".join(problems) or f"kind {kind!r}" if kind else "")


def _frames_equal(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    return (
        list(a.columns) == list(b.columns)
        and len(a) == len(b)
        and all(a[c].dtype == b[c].dtype for c in a.columns)
        and np.array_equal(a.to_numpy(), b.to_numpy())
    )


def _row_keys(X: pd.DataFrame, y: pd.Series) -> pd.Series:
    h = pd.util.hash_pandas_object(X.reset_index(drop=True), index=False).to_numpy()
    return pd.Series([f"{v}|{lab}" for v, lab in zip(h, np.asarray(y))])


def _output_checks(res, X, y, schema, targets, sampler) -> dict[str, tuple[bool, str]]:
    """The checks of one output: name -> (ok, message)."""
    out: dict[str, tuple[bool, str]] = {}
    kind = sampler.kind
    synth = np.asarray(res.synthetic)
    # shape and dtypes
    msgs = []
    if not isinstance(res.X, pd.DataFrame):
        msgs.append(f"X is a {type(res.X).__name__}, not a DataFrame")
    else:
        if list(res.X.columns) != list(X.columns):
            msgs.append(f"columns {list(res.X.columns)[:6]}... differ from the input's")
        else:
            bad = [
                f"{c}: {res.X[c].dtype} (input {X[c].dtype})"
                for c in X.columns
                if res.X[c].dtype != X[c].dtype
            ]
            if bad:
                msgs.append("dtypes changed: " + ", ".join(bad[:4]))
    if synth.dtype != bool:
        msgs.append(f"synthetic has dtype {synth.dtype}, not bool")
    n = len(res.X)
    if len(res.y) != n or len(synth) != n:
        msgs.append(f"lengths differ: X {n}, y {len(res.y)}, synthetic {len(synth)}")
    if res.sample_weight is not None and np.shape(res.sample_weight) != (n,):
        msgs.append(f"sample_weight has shape {np.shape(res.sample_weight)}, expected ({n},)")
    unknown = sorted(set(map(str, pd.unique(res.y))) - set(map(str, pd.unique(y))))
    if unknown:
        msgs.append(f"labels that are not training classes: {unknown[:5]}")
    out["shape_dtypes"] = (not msgs, "; ".join(msgs))
    if msgs:
        return out
    synth = synth.astype(bool)
    # finite
    vals = res.X.to_numpy(dtype=float)
    bad_cols = [c for c, k in zip(X.columns, (~np.isfinite(vals)).sum(0)) if k]
    msg = f"non-finite values in {bad_cols[:5]}" if bad_cols else ""
    if res.sample_weight is not None:
        w = np.asarray(res.sample_weight, dtype=float)
        if not np.isfinite(w).all() or (w < 0).any():
            msg = (msg + "; " if msg else "") + "sample_weight not finite and non-negative"
    out["finite"] = (not msg, msg)
    # originals
    orig_X, orig_y = res.X[~synth].reset_index(drop=True), res.y[~synth].reset_index(drop=True)
    if kind in ("oversampler", "weighting", "none"):
        ok = _frames_equal(orig_X, X) and np.array_equal(np.asarray(orig_y), np.asarray(y))
        out["originals"] = (ok, "" if ok else f"kind {kind!r} must keep every input row and label, in order")
    else:
        have = _row_keys(X, y).value_counts()
        kept = _row_keys(orig_X, orig_y).value_counts()
        extra = int(kept.sub(have.reindex(kept.index).fillna(0)).clip(lower=0).sum())
        out["originals"] = (
            extra == 0,
            f"{extra} non-synthetic row(s) are not input rows"
            if extra
            else f"{len(X) - len(orig_X)} input row(s) removed",
        )
    # counts
    out["counts"] = _counts_check(res, X, y, targets, sampler, synth)
    # schema
    v = schema.violations(res.X)
    out["schema"] = (not v, f"violations per column: {v}" if v else "")
    return out


def _counts_check(res, X, y, targets, sampler, synth) -> tuple[bool, str]:
    kind = sampler.kind
    before = y.value_counts()
    after = res.y.value_counts()
    added = res.y[synth].value_counts()
    want = Sampler.additions(y, targets)
    if kind in ("oversampler", "hybrid"):
        req = {str(k): int(v) for k, v in res.requested.items()}
        if req != {str(k): int(v) for k, v in want.items()}:
            return False, f"requested {req} but the targets ask for {want}"
        own = getattr(sampler, "labels_own_rows", False) or bool(res.info.get("labels_from_model"))
        if kind == "oversampler" and own:
            ok = int(synth.sum()) == sum(want.values())
            return ok, f"added {int(synth.sum())} rows, requested {sum(want.values())} (labels its own rows)"
        wrong = {str(c): int(k) for c, k in added.items() if c not in want}
        if wrong:
            return False, f"synthetic rows of classes not asked for: {wrong}"
        for c, k in want.items():
            got = int(added.get(c, 0))
            if (kind == "oversampler" and got != k) or got > k:
                return False, f"class {c!r}: {got} synthetic rows for {k} requested"
        return True, f"added {dict((str(c), int(k)) for c, k in added.items())}"
    if kind == "undersampler":
        if synth.any():
            return False, "an undersampler added rows"
        for c, k in after.items():
            if k > before.get(c, 0):
                return False, f"class {c!r} grew from {int(before.get(c, 0))} to {int(k)}"
        for c in targets:
            if after.get(c, 0) != before.get(c, 0):
                return (
                    False,
                    f"attack class {c!r} lost rows ({int(before.get(c, 0))} -> {int(after.get(c, 0))})",
                )
        share_in = y.isin(list(targets)).mean()
        share_out = res.y.isin(list(targets)).mean() if len(res.y) else 0.0
        if share_out + 1e-12 < share_in:
            return False, f"attack share fell from {share_in:.3f} to {share_out:.3f}"
        return (
            True,
            f"benign rows {int((~y.isin(list(targets))).sum())} -> {int((~res.y.isin(list(targets))).sum())}",
        )
    if kind == "weighting":
        if synth.any() or not _frames_equal(res.X.reset_index(drop=True), X):
            return False, "a weighting sampler must return the input rows unchanged"
        if res.sample_weight is None:
            return False, "no sample_weight"
        w = pd.Series(np.asarray(res.sample_weight, dtype=float))
        yy = pd.Series(np.asarray(res.y))
        for c in before.index:
            total = float(w[(yy == c).to_numpy()].sum())
            goal = float(max(int(targets[c]), int(before[c]))) if c in targets else float(before[c])
            if abs(total - goal) > 1e-6 * max(1.0, goal):
                return False, f"class {c!r} weighs {total:g}, expected {goal:g}"
            if c not in targets and not np.allclose(w[(yy == c).to_numpy()], 1.0):
                return False, f"rows of non-attack class {c!r} must weigh 1"
        return True, "each attack class weighs its target count"
    if kind == "none":
        ok = (
            (not synth.any()) and res.sample_weight is None and _frames_equal(res.X.reset_index(drop=True), X)
        )
        return ok, "" if ok else "kind 'none' must return the input unchanged, without weights"
    return False, f"unknown kind {kind!r}"


def _same_output(a: Resampled, b: Resampled) -> str:
    if not _frames_equal(a.X.reset_index(drop=True), b.X.reset_index(drop=True)):
        diff = ""
        if a.X.shape == b.X.shape:
            d = (a.X.reset_index(drop=True) != b.X.reset_index(drop=True)).sum()
            diff = f" (differing values per column: {d[d > 0].to_dict()})"
        return "X differs" + diff
    if not np.array_equal(np.asarray(a.y), np.asarray(b.y)):
        return "y differs"
    if not np.array_equal(np.asarray(a.synthetic), np.asarray(b.synthetic)):
        return "synthetic mask differs"
    wa, wb = a.sample_weight, b.sample_weight
    if (wa is None) != (wb is None) or (wa is not None and not np.array_equal(wa, wb)):
        return "sample_weight differs"
    return ""


def check_sampler(
    sampler_or_spec,
    X: pd.DataFrame | None = None,
    y: pd.Series | None = None,
    schema: TableSchema | None = None,
    targets: dict | None = None,
    *,
    profile: str = "smoke",
    seed: int = 0,
    tiny_sizes=TINY_SIZES,
    tiny_class: str | None = None,
    raise_on_failure: bool = False,
) -> Report:
    """Run every sampler check (see the module docstring); returns the :class:`Report`.

    ``sampler_or_spec``: a registered spec (``"smote"``, ``"ctgan:epochs=1"``), a
    Sampler subclass (its ``profile`` budgets) or an instance (copied per run).
    Without a table, :func:`conformance_table`; ``tiny_class`` is the class cut to
    the tiny sizes (default: the rarest class in ``targets``).
    """
    if X is None:
        X, y, schema, targets = conformance_table(seed)
    if y is None or schema is None or targets is None:
        raise ValueError("give X, y, schema and targets together (or none of them)")
    y = pd.Series(np.asarray(y), name=getattr(y, "name", None) or "category")
    X = X.reset_index(drop=True)
    from benchmark.registry import samplers

    make, label = _plugin_factory(samplers, sampler_or_spec, profile)
    report = Report(f"sampler {label}")
    try:
        first = make()
    except Exception as e:
        report.add("declares", False, f"cannot instantiate: {type(e).__name__}: {e}")
        if raise_on_failure:
            report.raise_if_failed()
        return report
    _declares(type(first), report)
    if not isinstance(first, Sampler):
        report.add("runs", False, f"{type(first).__name__} is not a benchmark.plugins.Sampler")
        if raise_on_failure:
            report.raise_if_failed()
        return report

    X0, y0 = X.copy(deep=True), y.copy(deep=True)

    def run(sampler, Xin, yin, tg):
        return sampler.fit_resample(
            Xin, yin, schema=schema, targets=dict(tg), random_state=seed, context=Context()
        )

    output_checks = ("shape_dtypes", "finite", "originals", "counts", "schema")
    try:
        res = run(first, X, y, targets)
        report.outputs["main"] = res
        if not isinstance(res, Resampled):
            raise TypeError(f"fit_resample returned a {type(res).__name__}, not a Resampled")
        report.add(
            "runs", True, f"{len(X)} -> {len(res.X)} rows, {int(np.asarray(res.synthetic).sum())} synthetic"
        )
    except Exception as e:
        report.add("runs", False, f"{type(e).__name__}: {e}")
        for c in (*output_checks, "deterministic", "info_json"):
            report.add(c, None, "did not run")
        res = None
    if res is not None:
        for name, (ok, msg) in _output_checks(res, X, y, schema, targets, first).items():
            report.add(name, ok, msg)
        for c in output_checks:
            if c not in report:
                report.add(c, None, "output malformed (see shape_dtypes)")
        try:
            json.dumps(plain(res.info), allow_nan=False)
            report.add("info_json", True, "")
        except Exception as e:
            report.add("info_json", False, f"info is not JSON-serialisable: {type(e).__name__}: {e}")
        try:
            again = run(make(), X, y, targets)
            diff = _same_output(res, again)
            report.add("deterministic", not diff, diff)
        except Exception as e:
            report.add("deterministic", False, f"second run raised {type(e).__name__}: {e}")
    unchanged = _frames_equal(X, X0) and np.array_equal(np.asarray(y), np.asarray(y0))
    report.add("input_unchanged", unchanged, "" if unchanged else "the caller's X or y was modified")

    rare = tiny_class or min(targets, key=lambda c: (int((y == c).sum()), str(c)))
    for size in tiny_sizes:
        ok, msg, got = check_tiny_class(make, X, y, schema, targets, rare, size, seed=seed)
        report.add(f"tiny_class_{size}", ok, msg)
        report.outputs[f"tiny_class_{size}"] = got
    if raise_on_failure:
        report.raise_if_failed()
    return report


def check_tiny_class(make, X, y, schema, targets, rare, size, seed: int = 0):
    """Cut class ``rare`` to ``size`` rows and run a fresh sampler from ``make()``:
    ``(ok, message, Resampled or the exception)`` (see ``tiny_class_*`` above)."""
    idx = np.flatnonzero((y == rare).to_numpy())
    if len(idx) < size:
        return None, f"class {rare!r} has only {len(idx)} rows", None
    drop = idx[size:]
    keep = np.setdiff1d(np.arange(len(y)), drop)
    Xt, yt = X.iloc[keep].reset_index(drop=True), y.iloc[keep].reset_index(drop=True)
    st = schema.with_constants_of(Xt)
    tg = {c: (t if c == rare else int((yt == c).sum())) for c, t in targets.items()}
    sampler = make()
    try:
        res = sampler.fit_resample(Xt, yt, schema=st, targets=tg, random_state=seed, context=Context())
    except SamplerError as e:
        named = str(rare) in str(e)
        return (
            named,
            (f"clear error: {e}" if named else f"SamplerError does not name the class {rare!r}: {e}"),
            e,
        )
    except Exception as e:
        return False, f"{type(e).__name__} (not a SamplerError naming {rare!r}): {e}", e
    problems = [f"{k}: {m}" for k, (ok, m) in _output_checks(res, Xt, yt, st, tg, sampler).items() if not ok]
    if problems:
        return False, "; ".join(problems), res
    recorded = str(rare) in json.dumps(plain(res.info))
    msg = (
        "ran; info mentions the class (its fallback)" if recorded else "ran; info does not mention the class"
    )
    return True, msg, res


# --------------------------------------------------------------------------- detectors
def detector_table(seed: int = 0, n: int = 400):
    """(X, y_binary, y_multiclass, schema): coarse features with overlapping classes (so
    no detector can fit every row, and row weights must change its probabilities)."""
    rng = np.random.default_rng(seed)
    cls = rng.choice(["benign", "attack", RARE], n, p=[0.6, 0.3, 0.1])
    shift = pd.Series(cls).map({"benign": 0, "attack": 1, RARE: 2}).to_numpy()
    X = pd.DataFrame(
        {
            "pkts[fwd]": rng.poisson(2 + shift, n).astype("int64"),
            "flag<syn>": (rng.random(n) < 0.3 + 0.2 * shift).astype("int64"),
            "service]": rng.choice([1, 2, 3], n).astype("int64"),
            "rate": np.round(rng.beta(1 + shift, 2, n), 1),
        }
    )
    schema = TableSchema(
        [
            ColumnSpec("pkts[fwd]", "count", nonnegative=True),
            ColumnSpec("flag<syn>", "binary", nonnegative=True),
            ColumnSpec("service]", "categorical", nonnegative=True, categories=(1, 2, 3)),
            ColumnSpec("rate", "continuous", nonnegative=True),
        ]
    )
    y_bin = (cls != "benign").astype(int)
    return X, y_bin, cls.astype(object), schema


def _proba_problems(p, n, k) -> str:
    p = np.asarray(p, dtype=float)
    if p.shape != (n, k):
        return f"predict_proba has shape {p.shape}, expected {(n, k)}"
    if not np.isfinite(p).all():
        return "predict_proba has non-finite values"
    if (p < -1e-9).any() or (p > 1 + 1e-9).any():
        return "predict_proba outside [0, 1]"
    if not np.allclose(p.sum(axis=1), 1.0, atol=1e-6):
        return "predict_proba rows do not sum to 1"
    return ""


def check_detector(
    detector_or_spec, *, profile: str = "smoke", seed: int = 0, raise_on_failure: bool = False
) -> Report:
    """Run every detector check (see the module docstring); returns the :class:`Report`."""
    from benchmark.registry import detectors

    make, label = _plugin_factory(detectors, detector_or_spec, profile)
    report = Report(f"detector {label}")
    X, yb, ym, schema = detector_table(seed)
    try:
        det = make()
    except Exception as e:
        report.add("declares", False, f"cannot instantiate: {type(e).__name__}: {e}")
        if raise_on_failure:
            report.raise_if_failed()
        return report
    problems = [
        p
        for p, bad in (
            ("no name", not type(det).name),
            ("no description", not type(det).description),
            ("not a benchmark.plugins.Detector", not isinstance(det, Detector)),
        )
        if bad
    ]
    report.add("declares", not problems, "; ".join(problems))
    X0 = X.copy(deep=True)

    def fit_predict(y, w=None):
        d = make()
        got = d.fit(X, y, schema=schema, sample_weight=w, random_state=seed, context=Context())
        return d, got, d.predict_proba(X)

    p_bin = None
    for name, y, labels in (("binary", yb, [0, 1]), ("multiclass", ym, sorted(set(ym)))):
        try:
            d, got, p = fit_predict(y)
            msg = _proba_problems(p, len(X), len(labels))
            if got is not d:
                msg = msg or "fit must return the detector (self)"
            classes = [c.item() if hasattr(c, "item") else c for c in np.asarray(d.classes_)]
            if classes != labels:
                msg = msg or f"classes_ {classes} are not the sorted labels {labels}"
            report.add(name, not msg, msg)
            if name == "binary" and not msg:
                p_bin = p
        except Exception as e:
            report.add(name, False, f"{type(e).__name__}: {e}")
    if p_bin is not None:
        try:
            _, _, p2 = fit_predict(yb)
            same = np.array_equal(p_bin, p2)
            report.add("deterministic", same, "" if same else "the same seed gave different probabilities")
        except Exception as e:
            report.add("deterministic", False, f"{type(e).__name__}: {e}")
        if getattr(det, "supports_sample_weight", True):
            try:
                w = np.where(yb == 1, 20.0, 1.0)
                _, _, pw = fit_predict(yb, w)
                up = float(pw[:, 1].mean()) - float(p_bin[:, 1].mean())
                report.add(
                    "sample_weight",
                    up > 1e-3,
                    f"mean P(attack) {p_bin[:, 1].mean():.3f} -> {pw[:, 1].mean():.3f} with attack rows "
                    "weighted 20" + ("" if up > 1e-3 else ": sample_weight is ignored"),
                )
            except Exception as e:
                report.add("sample_weight", False, f"{type(e).__name__}: {e}")
        else:
            report.add("sample_weight", None, "supports_sample_weight is False")
    else:
        report.add("deterministic", None, "binary fit failed")
        report.add("sample_weight", None, "binary fit failed")
    unchanged = _frames_equal(X, X0)
    report.add("input_unchanged", unchanged, "" if unchanged else "fit or predict_proba modified X")
    if raise_on_failure:
        report.raise_if_failed()
    return report


def summary_frame(reports: list[Report]) -> pd.DataFrame:
    """Plugins × checks, each cell pass / fail / skip (for a table in a report or the docs)."""
    rows: dict[str, dict[str, Any]] = {}
    for r in reports:
        rows[r.plugin] = {k: v["status"] for k, v in r.items()}
    return pd.DataFrame.from_dict(rows, orient="index")


__all__ = [
    "ConformanceError",
    "Report",
    "check_detector",
    "check_sampler",
    "check_tiny_class",
    "conformance_table",
    "detector_table",
    "summary_frame",
]
