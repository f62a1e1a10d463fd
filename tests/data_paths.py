"""Where the tests find the real data: ../shared/data beside the checkout, or the folder
named by the environment variable IDS_BENCH_DATA.  Never copied into the repo."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("IDS_BENCH_DATA") or ROOT.parent / "shared" / "data")
