"""Third-party plugins through the entry-point groups, with no change to this repository.

The example package in ``tests/plugin_example`` is really pip-installed (built
offline: ``--no-build-isolation --no-deps --no-index``), into a temporary
``--target`` folder that only this test's subprocesses see (``PYTHONPATH``): so
concurrent test runs and other processes using the shared virtualenv never see
it, and removing the folder uninstalls it even when a test is interrupted.  The
in-tree copy is never built in place (pip would leave ``build/`` and
``*.egg-info`` there): a copy is.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = Path(__file__).resolve().parent / "plugin_example"


@pytest.fixture(scope="module")
def plugin_env(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("plugin")
    src = tmp / "src"
    shutil.copytree(EXAMPLE, src, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    site = tmp / "site"
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--no-deps",
        "--no-build-isolation",
        "--no-index",
        "--disable-pip-version-check",
        "-q",
        "--target",
        str(site),
        str(src),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if done.returncode:
        pytest.fail(f"pip install of the example plugin failed:\n{done.stdout}\n{done.stderr}")
    assert list(site.glob("ids_benchmark_example_plugin-*.dist-info")), list(site.iterdir())
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(site), *filter(None, [env.get("PYTHONPATH")])])
    yield {"env": env, "site": site}
    shutil.rmtree(tmp, ignore_errors=True)  # the uninstall


def bench(args, env, timeout=300):
    return subprocess.run(
        [sys.executable, "-m", "benchmark", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_list_shows_the_installed_plugins(plugin_env):
    out = bench(["list"], plugin_env["env"])
    assert out.returncode == 0, out.stderr
    lines = {ln.split()[0]: ln for ln in out.stdout.splitlines() if ln.strip()}
    assert "example_gaussian" in lines and "ids_benchmark_example.sampler" in lines["example_gaussian"]
    assert "example_logreg" in lines and "ids_benchmark_example.detector" in lines["example_logreg"]
    assert "warning" not in out.stderr
    # and without the package they are gone (nothing was installed into the shared environment)
    env = {k: v for k, v in plugin_env["env"].items() if k != "PYTHONPATH"}
    assert "example_gaussian" not in bench(["list"], env).stdout


def test_run_uses_the_installed_plugins(plugin_env, nsl_dir, tmp_path):
    out = bench(
        [
            "run",
            "--dataset",
            "nsl-kdd",
            "--data",
            str(nsl_dir),
            "--samplers",
            "example_gaussian",
            "--models",
            "example_logreg",
            "--profile",
            "smoke",
            "--seeds",
            "0",
            "--out",
            str(tmp_path),
        ],
        plugin_env["env"],
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    (run_dir,) = [p for p in tmp_path.iterdir() if p.is_dir() and not p.name.startswith(".")]
    cells = [json.loads(line) for line in (run_dir / "cells.jsonl").read_text().splitlines()]
    mine = [c for c in cells if c["sampler"] == "example_gaussian" and c["detector"] == "example_logreg"]
    assert len(mine) == 1 and mine[0]["status"] == "ok", mine
    assert mine[0]["sampler_record"]["synthetic_rows"] > 0
    assert mine[0]["metrics"]["roc_auc"] > 0.5
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["samplers"]["example_gaussian"] == "ids_benchmark_example.sampler"
    assert manifest["detectors"]["example_logreg"] == "ids_benchmark_example.detector"


def test_the_plugins_pass_the_conformance_suite(plugin_env):
    code = (
        "from benchmark.testing import check_sampler, check_detector\n"
        "check_sampler('example_gaussian', raise_on_failure=True)\n"
        "check_detector('example_logreg', raise_on_failure=True)\n"
        "print('conformant')\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=plugin_env["env"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0 and "conformant" in out.stdout, out.stdout + out.stderr


def test_registry_refresh_sees_a_package_installed_after_first_use(plugin_env):
    """A registry loaded before the install is refreshed, not stale."""
    code = (
        "import sys\n"
        "from benchmark.registry import samplers, detectors\n"
        "assert 'example_gaussian' not in samplers.names()\n"
        f"sys.path.insert(0, {str(plugin_env['site'])!r})\n"
        "samplers.refresh(); detectors.refresh()\n"
        "assert 'example_gaussian' in samplers.names(), samplers.names()\n"
        "assert 'example_logreg' in detectors.names(), detectors.names()\n"
        "print('refreshed')\n"
    )
    env = {k: v for k, v in plugin_env["env"].items() if k != "PYTHONPATH"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0 and "refreshed" in out.stdout, out.stdout + out.stderr


def test_a_broken_or_clashing_entry_point_is_a_warning_not_a_crash(tmp_path):
    """An entry point that fails to import, or takes a built-in's name, is reported by
    ``list`` and skipped; every built-in plugin stays available."""
    site = tmp_path / "site"
    dist = site / "broken_plugin-0.1.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-plugin\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(
        "[ids_benchmark.samplers]\nbroken = no_such_module_anywhere:Thing\nsmote = clash_plugin:Smote\n"
    )
    (site / "clash_plugin.py").write_text(
        "from benchmark.plugins import Resampled, Sampler\n"
        "class Smote(Sampler):\n    name = 'smote'\n    description = 'clash'\n"
        "    def _fit_resample(self, X, y, **kw):\n        raise AssertionError\n"
    )
    env = dict(os.environ, PYTHONPATH=str(site))
    out = bench(["list"], env)
    assert out.returncode == 0, out.stderr
    assert "third-party sampler 'broken' failed to load" in out.stderr
    assert "third-party sampler 'smote' failed to load" in out.stderr and "registered twice" in out.stderr
    assert "methods.smote" in out.stdout
