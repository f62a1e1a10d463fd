"""Which figures a report shows, drawn from a run folder's data."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from benchmark.report import plots
from benchmark.report.samples import FILE as SAMPLES_FILE
from benchmark.report.samples import load_samples


def _safe(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in str(name))


def metric_figures(lb: pd.DataFrame, out: Path, metrics=("f1", "recall")) -> list[tuple[str, str]]:
    figs = []
    for ds, g in lb.groupby("dataset"):
        for m in metrics:
            if f"{m}_mean" not in g:
                continue
            df = pd.DataFrame(
                {
                    "detector": g["detector"],
                    "sampler": g["sampler"],
                    "mean": g[f"{m}_mean"],
                    "ci_low": g.get(f"{m}_ci_low"),
                    "ci_high": g.get(f"{m}_ci_high"),
                }
            )
            p = plots.metric_bars(
                df,
                m,
                out / f"bars_{_safe(ds)}_{m}.png",
                f"{ds}: attack {m} (mean, 95% bootstrap CI over replicates)",
            )
            figs.append((p, f"{ds}: attack {m} per sampler and detector, mean with 95% bootstrap CI"))
    return figs


def cd_figures(friedman: dict, out: Path) -> list[tuple[str, str]]:
    figs = []
    for key, res in friedman.items():
        if res.get("avg_ranks") and res.get("cd"):
            p = plots.critical_difference(
                res["avg_ranks"],
                res["cd"],
                out / f"cd_{_safe(key)}.png",
                f"{key}: average rank by F1 (Nemenyi CD = {res['cd']:.2f})",
            )
            figs.append(
                (
                    p,
                    f"{key}: critical-difference diagram over {res['n_blocks']} blocks "
                    "(detector × replicate); samplers joined by a bar are not significantly different",
                )
            )
    return figs


def ks_figures(fid: pd.DataFrame, out: Path) -> list[tuple[str, str]]:
    figs = []
    if fid.empty:
        return figs
    for ds, g in fid.groupby("dataset"):
        t = g.groupby(["sampler", "feature"], as_index=False)["ks_stat"].mean()
        p = plots.ks_heatmap(
            t,
            out / f"ks_{_safe(ds)}.png",
            f"{ds}: KS statistic, synthetic vs real (mean over classes and replicates)",
        )
        figs.append((p, f"{ds}: KS statistic per sampler × feature"))
    return figs


def first_replicate_dirs(run_dir: Path) -> dict[str, Path]:
    """sampler → artifacts folder of the first replicate that kept samples."""
    found: dict[str, Path] = {}
    for f in sorted((run_dir / "artifacts").glob(f"*/*/{SAMPLES_FILE}")):
        found.setdefault(f.parent.name, f.parent)
    return found


def sample_figures(run_dir: Path, fid: pd.DataFrame, out: Path, n_best: int = 3) -> list[tuple[str, str]]:
    figs = []
    for sampler_dir, folder in first_replicate_dirs(run_dir).items():
        s = load_samples(folder / SAMPLES_FILE)
        syn = s[s["_side"] == "synthetic"]
        if syn.empty:
            continue
        cls = syn["_class"].value_counts().index[0]
        real = s[(s["_side"] == "real") & (s["_class"] == cls)].drop(columns=["_side", "_class"])
        synth = syn[syn["_class"] == cls].drop(columns=["_side", "_class"])
        f = fid[(fid["sampler"].map(_safe) == sampler_dir) & (fid["class"].astype(str) == str(cls))]
        ks = f.groupby("feature")["ks_stat"].mean().sort_values()
        ks = ks[[c for c in ks.index if real[c].nunique() > 1]] if len(ks) else ks
        feats = list(ks.index[:n_best]) + list(ks.index[-n_best:]) if len(ks) > 2 * n_best else list(ks.index)
        if feats:
            p = plots.histograms(
                real,
                synth,
                feats,
                out / f"hist_{sampler_dir}.png",
                f"{sampler_dir} · {cls}: best and worst features by KS",
            )
            figs.append(
                (
                    p,
                    f"`{sampler_dir}`, class {cls}: real vs synthetic, the {n_best} best and "
                    f"{n_best} worst features by KS (first replicate)",
                )
            )
        p = plots.correlation_heatmaps(
            real, synth, out / f"corr_{sampler_dir}.png", f"{sampler_dir} · {cls}: Pearson correlations"
        )
        figs.append((p, f"`{sampler_dir}`, class {cls}: correlation matrices real / synthetic / difference"))
    return figs


def loss_figures(records: list[dict], out: Path) -> list[tuple[str, str]]:
    """Loss curves of every generator that recorded them (first replicate per sampler)."""
    figs, seen = [], set()
    for r in records:
        s = r.get("sampler")
        if s in seen:
            continue
        models = (((r.get("sampler_record") or {}).get("info") or {}).get("training") or {}).get("models")
        if not models:
            continue
        seen.add(s)
        curves = {
            c: {"d": m.get("d_loss", []), "g": m.get("g_loss", [])}
            for c, m in models.items()
            if m.get("d_loss")
        }
        if curves:
            p = plots.loss_curves(
                curves, out / f"loss_{_safe(s)}.png", f"{s}: losses per epoch (seed {r['seed']})"
            )
            figs.append((p, f"`{s}`: discriminator and generator loss per epoch, per class"))
    return figs
