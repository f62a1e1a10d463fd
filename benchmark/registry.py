"""One registry object per plugin kind: list, get, add.

Built-in plugins live in the ``methods`` and ``ids_models`` packages and register
themselves with the decorators below when their module is imported; the
registry imports every module of those packages on first use.  Third-party
packages declare an entry point in the groups ``ids_benchmark.samplers`` or
``ids_benchmark.detectors`` (pointing at the plugin class, or at a module that
registers with the decorator), so ``pip install`` makes them appear with no
change to this repository.
"""

from __future__ import annotations

import importlib
import pkgutil
from importlib import metadata

from benchmark.errors import ConfigError
from benchmark.plugins import Detector, Sampler

SAMPLER_GROUP = "ids_benchmark.samplers"
DETECTOR_GROUP = "ids_benchmark.detectors"


class Registry:
    def __init__(self, kind: str, base: type, group: str, package: str):
        self.kind, self.base, self.group, self.package = kind, base, group, package
        self._items: dict[str, type] = {}
        self._origin: dict[str, str] = {}
        self._loaded = False
        self.load_errors: dict[str, str] = {}

    def register(self, cls: type | None = None, *, name: str | None = None):
        """Decorator: ``@register_sampler`` or ``@register_sampler(name="x")``."""

        def deco(c: type) -> type:
            if not (isinstance(c, type) and issubclass(c, self.base)):
                raise TypeError(f"{c!r} is not a {self.base.__name__} subclass")
            key = name or c.name
            if not key:
                raise TypeError(f"{c.__name__} has no name")
            if key in self._items and self._items[key] is not c:
                raise ConfigError(
                    f"{self.kind} {key!r} registered twice ({self._origin[key]} and {c.__module__})"
                )
            c.name = key
            self._items[key] = c
            self._origin[key] = c.__module__
            return c

        return deco(cls) if cls is not None else deco

    def load(self) -> None:
        """Import the built-in modules and the entry points, once per process.

        ``_loaded`` is set only after the built-ins imported cleanly, so a failed
        import is raised again on the next call instead of leaving a silently
        partial registry.  Call :meth:`refresh` to see packages installed since."""
        if self._loaded:
            return
        pkg = importlib.import_module(self.package)
        for m in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
            importlib.import_module(f"{self.package}.{m.name}")
        self._loaded = True
        self._load_entry_points()

    def refresh(self) -> None:
        """Look at the entry points again (after a ``pip install`` in this process)."""
        importlib.invalidate_caches()
        self.load()
        self._load_entry_points()

    def _load_entry_points(self) -> None:
        for ep in metadata.entry_points(group=self.group):
            if ep.name in self._items and self._origin.get(ep.name) == ep.value.partition(":")[0]:
                continue  # already registered from this entry point
            try:
                obj = ep.load()
            except Exception as e:  # a broken third-party plugin must not break the suite
                self.load_errors[ep.name] = f"{type(e).__name__}: {e}"
                continue
            if isinstance(obj, type) and issubclass(obj, self.base):
                if obj in self._items.values():
                    continue
                try:
                    self.register(obj, name=None if obj.name else ep.name)
                except (ConfigError, TypeError) as e:  # e.g. a name taken by a built-in
                    self.load_errors[ep.name] = f"{type(e).__name__}: {e}"
                    continue
                self.load_errors.pop(ep.name, None)
            elif isinstance(obj, type):
                self.load_errors[ep.name] = (
                    f"entry point {ep.value!r} is a class but not a {self.base.__name__} subclass"
                )
            # else: a module, which registered its plugins with the decorator on import

    def names(self) -> list[str]:
        self.load()
        return list(self._items)

    def get(self, name: str) -> type:
        self.load()
        try:
            return self._items[name]
        except KeyError:
            raise ConfigError(f"unknown {self.kind} {name!r}; registered: {', '.join(self._items)}") from None

    def origin(self, name: str) -> str:
        self.load()
        return self._origin[name]


samplers = Registry("sampler", Sampler, SAMPLER_GROUP, "methods")
detectors = Registry("detector", Detector, DETECTOR_GROUP, "ids_models")
register_sampler = samplers.register
register_detector = detectors.register


def _value(text: str):
    low = text.lower()
    if low in ("true", "yes", "on"):
        return True
    if low in ("false", "no", "off"):
        return False
    if low in ("none", "null"):
        return None
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return text


def parse_spec(spec: str) -> tuple[str, dict]:
    """``name`` or ``name:key=value:key=value`` → (name, parameter overrides).

    E.g. ``network_traffic_gan_improved:transform=minmax`` runs the improved GAN
    with one switch changed; the whole spec is the row's name in the leaderboard.
    """
    name, *parts = spec.strip().split(":")
    params = {}
    for p in parts:
        key, eq, value = p.partition("=")
        if not eq or not key:
            raise ConfigError(f"plugin spec {spec!r}: {p!r} is not key=value")
        params[key.strip()] = _value(value.strip())
    return name.strip(), params


def instantiate(registry: Registry, spec: str, profile: str):
    """The plugin for ``spec`` with the profile's budgets and the spec's overrides."""
    name, overrides = parse_spec(spec)
    cls = registry.get(name)
    try:
        return cls.for_profile(profile, **overrides)
    except TypeError as e:
        raise ConfigError(f"{registry.kind} {spec!r}: {e}") from None
