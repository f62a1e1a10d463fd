"""Errors a user can act on.  The CLI prints them as one line and exits 2."""


class BenchmarkError(Exception):
    """Base of every error the harness reports without a traceback."""


class DataError(BenchmarkError):
    """A data file is missing, empty or not in the expected layout."""


class ConfigError(BenchmarkError):
    """An unknown plugin, profile, option value or sampling strategy."""


class SamplerError(BenchmarkError):
    """A sampler cannot do what was asked (e.g. a class too small to learn from)."""
