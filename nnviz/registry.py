"""Registries filled by decorators in a package's modules (`@experiment`, `@figure`):
discovery imports every module of the package once, so the registry is complete."""
from __future__ import annotations

import importlib
import pkgutil

from .errors import NNVizError

_DISCOVERED: set[str] = set()


def discover(package: str, what: str) -> None:
    """Import every submodule of `package` (e.g. "nnviz.experiments") once. A module that
    fails to import is one NNVizError naming it (`what` says what the package holds)."""
    if package in _DISCOVERED:
        return
    pkg = importlib.import_module(package)
    for mod in pkgutil.iter_modules(pkg.__path__):
        try:
            importlib.import_module(f"{package}.{mod.name}")
        except NNVizError:
            raise
        except Exception as e:
            raise NNVizError(f"{what} module {package}.{mod.name} failed to import: "
                             f"{type(e).__name__}: {e}") from e
    _DISCOVERED.add(package)
