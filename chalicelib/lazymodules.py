"""A package's names, imported from its modules when first asked for (PEP 562)."""
from __future__ import annotations

import importlib


def lazy_names(package: str, where: dict[str, str], namespace: dict):
    """The module `__getattr__` of `package`: a name in `where` is imported from the module
    `where` gives it, once (then it is an ordinary attribute of the package)."""

    def __getattr__(name: str):
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module}"), name)
        namespace[name] = value
        return value

    return __getattr__
