"""Names a package imports from their owners on first use (PEP 562).

``simulation`` and ``simulation.history`` keep a map of each public name to the
module that owns it; :func:`lazy_names` gives the package's ``__getattr__`` and
``__dir__``, so ``python -m simulation run`` loads only what it uses
(docs/explanation/big-runs.md, "A fast first answer").
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_names(
    package: str, owners: Mapping[str, str], namespace: dict[str, Any], public: list[str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for ``package``: a name of ``owners`` is imported from
    its owner on first use and kept in ``namespace`` (the package's globals)."""

    def getattr_(name: str) -> Any:
        owner = owners.get(name)
        if owner is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(owner), name)
        namespace[name] = value
        return value

    def dir_() -> list[str]:
        return sorted({*namespace, *public})

    return getattr_, dir_
