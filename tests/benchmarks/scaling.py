"""How a run's cost grows with the rows: a script that prints the figures.

    python tests/benchmarks/scaling.py --rows 50000,150000,555278 \
        --samplers none,smote,network_traffic_gan --models rf,xgboost --seeds 0

runs ``python -m benchmark run --dataset demo --demo-rows N --no-cache`` once per
size (each in its own process, so peak memory is the run's own), then prints,
from each run's ``manifest.json``, the wall seconds, CPU seconds and peak
resident memory of every stage, and the log-log slope of the total wall and CPU
time between sizes (1.0 = linear).  Extra arguments after ``--`` go to ``run``.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
from pathlib import Path


def run_size(rows: int, out: Path, args, extra: list[str]) -> dict:
    cmd = [
        sys.executable,
        "-m",
        "benchmark",
        "run",
        "--dataset",
        "demo",
        "--demo-rows",
        str(rows),
        "--no-cache",
        "--samplers",
        args.samplers,
        "--models",
        args.models,
        "--seeds",
        args.seeds,
        "--profile",
        args.profile,
        "--out",
        str(out),
        *extra,
    ]
    print("$", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=False, stdout=subprocess.DEVNULL)
    manifests = sorted(out.glob("*/manifest.json"))
    if not manifests:
        raise SystemExit(f"no manifest.json under {out}: the run for {rows} rows failed to start")
    return json.loads(manifests[-1].read_text())


def slope(a: float, b: float, na: int, nb: int) -> float:
    return math.log(b / a) / math.log(nb / na)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", default="50000,150000,555278")
    p.add_argument("--samplers", default="none,smote,network_traffic_gan")
    p.add_argument("--models", default="rf,xgboost")
    p.add_argument("--seeds", default="0")
    p.add_argument("--profile", default="quick")
    p.add_argument("--out", default=None, help="folder for the runs (default: a temporary one)")
    args, extra = p.parse_known_args(argv)
    extra = [e for e in extra if e != "--"]
    sizes = [int(s) for s in args.rows.split(",")]
    base = Path(args.out or tempfile.mkdtemp(prefix="scaling-"))
    runs = {n: run_size(n, base / f"rows{n}", args, extra) for n in sizes}

    stages: list[str] = []
    for m in runs.values():
        for s in m["stages"]:
            if s["stage"] not in stages:
                stages.append(s["stage"])
    print("\n| stage | " + " | ".join(f"{n:,} rows: wall s / CPU s / peak MB" for n in sizes) + " |")
    print("|---|" + "---|" * len(sizes))
    for st in stages:
        cells = []
        for n in sizes:
            s = {x["stage"]: x for x in runs[n]["stages"]}.get(st)
            cells.append(
                "—"
                if s is None
                else f"{s['seconds']:.1f} / {s.get('cpu_seconds', 0):.1f} / {s.get('peak_mb') or 0:.0f}"
            )
        print(f"| {st} | " + " | ".join(cells) + " |")
    tot = {n: (m["wall_seconds"], sum(s.get("cpu_seconds", 0) for s in m["stages"])) for n, m in runs.items()}
    print(
        "| **total** | "
        + " | ".join(
            f"{tot[n][0]:.1f} / {tot[n][1]:.1f} / {max(runs[n]['peak_rss_mb'].values()):.0f}" for n in sizes
        )
        + " |"
    )
    for i in range(len(sizes) - 1):
        a, b = sizes[i], sizes[i + 1]
        print(
            f"log-log slope {a:,} -> {b:,} rows: wall {slope(tot[a][0], tot[b][0], a, b):.2f}, "
            f"CPU {slope(tot[a][1], tot[b][1], a, b):.2f}"
        )
    if len(sizes) > 2:
        a, b = sizes[0], sizes[-1]
        print(
            f"log-log slope {a:,} -> {b:,} rows: wall {slope(tot[a][0], tot[b][0], a, b):.2f}, "
            f"CPU {slope(tot[a][1], tot[b][1], a, b):.2f}"
        )
    failed = [n for n, m in runs.items() if m.get("status") != "complete"]
    if failed:
        print(f"runs with failures or incomplete: {failed} (see their leaderboard.md)")
    print(f"runs under {base}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
