"""The study's two claims, checked on this run's numbers.

1. "The GAN improves attack recall and F1 over no resampling."  Per detector,
   the GAN's F1 and recall are paired by replicate against ``none`` (Wilcoxon
   signed-rank, Holm-corrected over the samplers of that detector).
   *Supported* when both are significantly better for every detector; *not
   supported* when any is significantly worse, or when there are enough seeds
   and no detector shows a significant gain; otherwise *inconclusive* (too few
   seeds to reach significance, or mixed results) — with the differences and
   their CIs either way.
2. "The GAN's data is statistically similar to the real data."  Per attack class,
   on the effect sizes, not on KS p-values (which at these sample sizes answer
   how many rows there are, not how similar they are): *supported* when every
   class has median KS ≤ 0.10, max KS ≤ 0.30, a real-vs-synthetic detection AUC
   ≤ 0.75, all added rows of the requested class and, on HIKARI-layout data,
   ≥ 99% valid flows; *not supported* otherwise (the failures are listed).
"""

from __future__ import annotations

import pandas as pd

from benchmark.stats import minimum_seeds_for_significance

GAN_SAMPLERS = ("network_traffic_gan", "network_traffic_gan_study_setup", "network_traffic_gan_improved")
SIMILARITY = (
    ("ks_median", "<=", 0.10),
    ("ks_max", "<=", 0.30),
    ("detection_auc_mean", "<=", 0.75),
    ("share_of_requested_classes", ">=", 1.0),
    ("validity_all", ">=", 0.99),
)


def _fmt_diff(r) -> str:
    return f"{r['mean_diff']:+.3f} [{r['ci_low']:+.3f}, {r['ci_high']:+.3f}]" + (
        f", p_holm {r['p_holm']:.3g}" if pd.notna(r.get("p_holm")) else ""
    )


def claim_improves(tests: pd.DataFrame, sampler: str, dataset: str) -> tuple[str, list[str]]:
    if tests.empty:
        return "not tested", ["no `none` baseline in this run"]
    t = tests[
        (tests["sampler"] == sampler) & (tests["dataset"] == dataset) & tests["metric"].isin(["f1", "recall"])
    ]
    if t.empty:
        return "not tested", [f"`{sampler}` did not produce results on {dataset}"]
    lines = [
        f"{r['detector']} · {r['metric']}: {r['verdict']}, Δ {_fmt_diff(r)} (n={int(r['n_pairs'])})"
        for _, r in t.iterrows()
    ]
    v = set(t["verdict"])
    if v == {"better"}:
        verdict = "supported"
    elif "worse" in v:
        verdict = "not supported"
    elif v == {"too few seeds"}:
        m = int(
            tests[(tests["dataset"] == dataset) & (tests["metric"] == "f1")].groupby("detector").size().max()
        )
        n = minimum_seeds_for_significance(0.05, comparisons=m)
        verdict = "inconclusive"
        lines.append(
            f"too few seeds for a Holm-corrected paired test over {m} samplers to reach p < 0.05 "
            f"(at least {n} replicates needed)"
        )
    elif "better" not in v and "too few seeds" not in v:
        verdict = "not supported"
    else:
        verdict = "inconclusive"
    return verdict, lines


def claim_similar(fid_class: pd.DataFrame, sampler: str, dataset: str) -> tuple[str, list[str]]:
    if fid_class.empty:
        return "not tested", ["no synthetic rows in this run"]
    f = fid_class[(fid_class["sampler"] == sampler) & (fid_class["dataset"] == dataset)]
    if f.empty:
        return "not tested", [f"`{sampler}` added no rows on {dataset}"]
    lines, failed = [], False
    for _, r in f.iterrows():
        parts = []
        for name, op, limit in SIMILARITY:
            v = r.get(name)
            if v is None or pd.isna(v):
                continue
            ok = v <= limit if op == "<=" else v >= limit
            failed |= not ok
            parts.append(f"{name} {v:.3f}{'' if ok else ' ✗'}")
        lines.append(f"{r['class']}: " + ", ".join(parts))
    return ("not supported" if failed else "supported"), lines


def claims_section(doc, tests: pd.DataFrame, fid_class: pd.DataFrame, datasets, samplers_run) -> list[dict]:
    """Write the section into ``doc``; return the verdicts as data."""
    present = [s for s in GAN_SAMPLERS if s in samplers_run]
    doc.h(2, "The study's claims, checked")
    doc.p(
        "Claim 1 — *the GAN improves attack recall and F1 over no resampling*; claim 2 — *the GAN's "
        "data is statistically similar to the real data*. Verdicts: supported, not supported or "
        "inconclusive on this run, with the numbers behind them. `network_traffic_gan` is the study's "
        "architecture trained per attack class; `network_traffic_gan_study_setup` is what the study did "
        "(one unconditional GAN over every class, rows labelled by its own class outputs); "
        "`network_traffic_gan_improved` is our improved variant, for contrast."
    )
    out = []
    if not present:
        doc.p("No NetworkTrafficGAN variant ran: nothing to check.")
        return out
    for ds in datasets:
        for s in present:
            v1, l1 = claim_improves(tests, s, ds)
            v2, l2 = claim_similar(fid_class, s, ds)
            doc.h(3, f"{ds} · `{s}`")
            doc.p(f"**Claim 1 (improves recall and F1): {v1}.**")
            doc.bullets(l1)
            doc.p(
                f"**Claim 2 (statistically similar): {v2}.** (median KS ≤ 0.10, max KS ≤ 0.30, "
                "detection AUC ≤ 0.75, all rows of the requested class, ≥ 99% valid flows)"
            )
            doc.bullets(l2)
            out.append(
                {
                    "dataset": ds,
                    "sampler": s,
                    "claim_improves": v1,
                    "claim_similar": v2,
                    "improves_evidence": l1,
                    "similar_evidence": l2,
                }
            )
    return out
