"""``gaussian_copula``: SDV's Gaussian copula, one model per attack class.

Each column's marginal is fitted with ``default_distribution`` (SDV's names:
``norm``, ``beta``, ``truncnorm``, ``gamma``, ``uniform``, ``gaussian_kde``) and
the columns are tied together by a Gaussian copula; no training loop, so the
budget is the distribution (and ``max_fit_rows``).  Through SDV 2.0's
single-table API with metadata built explicitly from the schema (``methods/_sdv.py``).
"""

from __future__ import annotations

from benchmark.registry import register_sampler
from methods._sdv import SDVPerClass


@register_sampler
class GaussianCopulaSampler(SDVPerClass):
    name = "gaussian_copula"
    version = "1"
    description = "Gaussian copula (SDV 2.0 single-table), one model per attack category"
    profile_params = {
        "smoke": {"default_distribution": "norm", "max_fit_rows": 300},
        "quick": {"default_distribution": "beta", "max_fit_rows": 5000},
        "paper": {"default_distribution": "beta", "max_fit_rows": None},
    }

    def __init__(self, default_distribution: str = "beta", max_fit_rows: int | None = None, n_jobs: int = 2):
        super().__init__(default_distribution=default_distribution, max_fit_rows=max_fit_rows, n_jobs=n_jobs)

    def _make(self, metadata, rows, rec, context):
        from sdv.single_table import GaussianCopulaSynthesizer

        return GaussianCopulaSynthesizer(metadata, default_distribution=self.params["default_distribution"])
