"""``python -m benchmark``: list, run, report.

Exit status: 0 when every cell succeeded, 1 when some cell failed (recorded in
the results), 2 for an error in the input or the options (one line, no results
folder that looks successful).
"""

from __future__ import annotations

import argparse
import shlex
import sys

from benchmark.errors import BenchmarkError

EPILOG = """examples:
  python -m benchmark run --all                              # embedded demo, quick profile
  python -m benchmark run --all --dataset nsl-kdd --data DIR
  python -m benchmark run --all --dataset hikari2021 --data ALLFLOWMETER_HIKARI2021.csv
  python -m benchmark run --samplers none,smote --models rf --seeds 0,1,2 --profile smoke
"""


def _ints(text: str) -> list[int]:
    try:
        return [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected integers separated by commas, got {text!r}") from None


def _names(text: str) -> list[str]:
    return [x.strip() for x in text.split(",") if x.strip()]


def build_parser() -> argparse.ArgumentParser:
    from benchmark.datasets import ADAPTERS
    from benchmark.fidelity.gate import DEFAULT_GATE
    from benchmark.profiles import PROFILES
    from benchmark.protocol import PROTOCOLS
    from benchmark.strategy import DEFAULT

    p = argparse.ArgumentParser(
        prog="python -m benchmark",
        description="Does oversampling with a GAN really help an intrusion detector find rare attacks? "
        "One harness for every sampler and detector.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = p.add_subparsers(dest="command", required=True)

    sub.add_parser(
        "list",
        help="list datasets, samplers, detectors and profiles",
        description="List the registered datasets, samplers, detectors and profiles.",
    )

    r = sub.add_parser(
        "run",
        help="run samplers × detectors over seeds and write a results folder",
        description="Run every chosen sampler × detector over seeds on one dataset; "
        "writes results/<run-id>/ (cells.jsonl, leaderboard.csv/.md, fidelity.csv/.md, "
        "manifest.json, report).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    r.add_argument(
        "--all",
        action="store_true",
        help="every registered sampler × every detector (a --samplers or --models given as well narrows it to those)",
    )
    r.add_argument("--dataset", default="demo", choices=list(ADAPTERS), help="data source (default: demo)")
    r.add_argument("--data", help="file (hikari2021, csv) or folder (nsl-kdd) to read")
    r.add_argument("--samplers", type=_names, help="comma-separated sampler specs (name or name:key=value)")
    r.add_argument("--models", type=_names, help="comma-separated detectors")
    r.add_argument("--seeds", type=_ints, help="comma-separated seeds (default: the profile's)")
    r.add_argument("--profile", default="quick", choices=list(PROFILES), help="budget (default: quick)")
    r.add_argument("--out", default="results", help="folder for run folders (default: results)")
    r.add_argument(
        "--protocol",
        choices=PROTOCOLS,
        help="holdout | official | cv (default: official for nsl-kdd, holdout otherwise)",
    )
    r.add_argument("--task", default="binary", choices=["binary", "multiclass"], help="default: binary")
    r.add_argument(
        "--sampling-strategy",
        default=DEFAULT,
        help=f"ratio of the largest class each attack category is raised to, 'auto', "
        f"or CLASS=COUNT,... (default: {DEFAULT})",
    )
    r.add_argument(
        "--fidelity-gate",
        metavar="RULES",
        default=DEFAULT_GATE,
        help="thresholds on the fidelity figures that mark a sampler's cells as failing fidelity: "
        "NAME<=VALUE or NAME>=VALUE, comma-separated; '' for none; written to the manifest "
        f"(default: {DEFAULT_GATE})",
    )
    r.add_argument(
        "--dedupe",
        action="store_true",
        help="remove exact duplicate rows (same features and category) before splitting; rows "
        "with the same features in another category stay, and the duplicate report (features only) still counts them",
    )
    r.add_argument("--device", default="cpu", help="cpu or cuda (GPU samplers; default: cpu)")
    r.add_argument("--test-share", type=float, default=0.2, help="holdout test share (default: 0.2)")
    r.add_argument(
        "--subsample",
        type=float,
        default=0.8,
        help="official protocol: share of the training part drawn per seed (default: 0.8)",
    )
    r.add_argument("--cv-folds", type=int, default=2, help="cv protocol: folds per seed (default: 2)")
    r.add_argument("--demo-rows", type=int, help="demo: rows to simulate (default: the profile's)")
    r.add_argument("--label", help="csv: the label column")
    r.add_argument("--keep-originp", action="store_true", help="hikari2021/demo: keep originp (it leaks)")
    r.add_argument(
        "--nonfinite",
        default="zero",
        choices=["zero", "drop"],
        help="NaN/inf feature values: set to 0 (default) or drop the row; counted in the manifest",
    )
    x = r.add_argument_group("execution and cache (never change a number)")
    x.add_argument(
        "--jobs",
        type=int,
        help="groups run side by side (default: 1 locally; the cluster's "
        "CPUs with --backend ray); each worker then runs its detectors single-threaded",
    )
    x.add_argument(
        "--backend",
        default="local",
        choices=["local", "ray"],
        help="local: this machine (joblib/loky when --jobs > 1); ray: a Ray cluster "
        "(RAY_ADDRESS if set, else a local one); needs the [ray] extra",
    )
    x.add_argument(
        "--gpus-per-group",
        type=float,
        default=1.0,
        help="ray with --device cuda: GPUs each GPU group requests (default: 1; 0.5 shares one)",
    )
    x.add_argument("--cache", metavar="DIR", help="result cache folder (default: OUT/.cache)")
    x.add_argument("--no-cache", action="store_true", help="compute everything; read and write no cache")
    x.add_argument(
        "--retry-failed",
        action="store_true",
        help="recompute cells (and sampler fits) that failed before instead of reusing the failure",
    )
    r.add_argument(
        "--attack-share",
        metavar="S[,S...]",
        help="imbalance sweep: down-sample the attack rows of each training part to these shares "
        "(e.g. 0.068,0.02,0.005); the test part is untouched; one leaderboard per level",
    )

    rep = sub.add_parser(
        "report",
        help="(re)build the tables and report of a results folder",
        description="Rebuild leaderboard, fidelity tables and report from RUN_DIR's records.",
    )
    rep.add_argument("run_dir")
    return p


def cmd_list() -> int:
    from tabulate import tabulate

    from benchmark.datasets import ADAPTERS
    from benchmark.profiles import PROFILES
    from benchmark.registry import detectors, samplers

    print("datasets:")
    print(tabulate([[k, v[1]] for k, v in ADAPTERS.items()], tablefmt="plain"))
    print("\nsamplers:")
    print(
        tabulate(
            [
                [n, samplers.get(n).kind, samplers.get(n).description, samplers.origin(n)]
                for n in samplers.names()
            ],
            tablefmt="plain",
        )
    )
    print("\ndetectors:")
    print(
        tabulate(
            [[n, detectors.get(n).description, detectors.origin(n)] for n in detectors.names()],
            tablefmt="plain",
        )
    )
    print("\nprofiles:")
    print(
        tabulate(
            [[k, v.description, f"seeds {list(v.seeds)}"] for k, v in PROFILES.items()], tablefmt="plain"
        )
    )
    for reg in (samplers, detectors):
        for name, err in reg.load_errors.items():
            print(f"\nwarning: third-party {reg.kind} {name!r} failed to load: {err}", file=sys.stderr)
    return 0


def cmd_run(a: argparse.Namespace, argv: list[str]) -> int:
    from benchmark.fidelity.gate import parse_gate
    from benchmark.registry import detectors, samplers
    from benchmark.runner import RunConfig, run
    from benchmark.sweep import parse_shares

    parse_gate(a.fidelity_gate)  # a bad rule: one line, exit 2, before anything is loaded
    chosen_s = a.samplers or (samplers.names() if a.all else None)
    chosen_d = a.models or (detectors.names() if a.all else None)
    if not chosen_s or not chosen_d:
        raise BenchmarkError("nothing to run: pass --all, or --samplers and --models")
    opts = {"nonfinite": a.nonfinite}
    if a.demo_rows:
        opts["demo_rows"] = a.demo_rows
    if a.label:
        opts["label"] = a.label
    if a.keep_originp:
        opts["keep_originp"] = True
    cfg = RunConfig(
        dataset=a.dataset,
        data=a.data,
        dataset_options=opts,
        samplers=chosen_s,
        detectors=chosen_d,
        seeds=a.seeds,
        profile=a.profile,
        protocol=a.protocol,
        protocol_options={"test_share": a.test_share, "subsample": a.subsample, "cv_folds": a.cv_folds},
        task=a.task,
        sampling_strategy=a.sampling_strategy,
        fidelity_gate=a.fidelity_gate,
        out=a.out,
        device=a.device,
        dedupe=a.dedupe,
        jobs=a.jobs,
        backend=a.backend,
        cache=a.cache,
        no_cache=a.no_cache,
        retry_failed=a.retry_failed,
        gpus_per_group=a.gpus_per_group,
        attack_shares=parse_shares(a.attack_share),
        command="python -m benchmark " + " ".join(shlex.quote(x) for x in argv),
    )
    run_dir, failed = run(cfg)
    print(f"\nresults written to {run_dir}")
    if failed:
        print(f"{failed} cell(s) failed: see {run_dir / 'leaderboard.md'}", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    try:
        if args.command == "list":
            return cmd_list()
        if args.command == "run":
            return cmd_run(args, argv)
        if args.command == "report":
            from pathlib import Path

            from benchmark.report.build import build_report

            d = Path(args.run_dir)
            if not (d / "cells.jsonl").exists():
                raise BenchmarkError(f"{d} is not a results folder (no cells.jsonl)")
            build_report(d, log=print)
            return 0
    except BenchmarkError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return 0
