"""Re-exports that load on first use, so importing a package face stays cheap."""

from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any


def lazy(package: str, names: Mapping[str, str], space: dict[str, Any]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for *package*: ``names`` maps each name to the module that
    owns it; the first lookup imports that module and keeps the value in *space*."""

    def __getattr__(name: str) -> Any:
        if name in names:
            value = getattr(import_module(names[name]), name)
            space[name] = value
            return value
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__
