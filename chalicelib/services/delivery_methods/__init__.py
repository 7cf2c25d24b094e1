"""How an institution is reached: one module per delivery method, in the manner of
FixMyStreet's `SendReport::*`.

A delivery method is a module of this package that defines:

- `NAME`: the code stored as an institution's `send_method`;
- `LABEL`: what an administrator reads when choosing it (Turkish);
- `CHANNEL`: the channel its messages travel on ("email", "webhook", ...);
- `address_problem(institution) -> str | None`: why an institution cannot be reached this
  way (a missing or unusable address), in Turkish, or None;
- `notification(keys, case_no, assignment, kind, event, params) -> Notification`: the
  message for one assignment event (`kind`: assigned, returned, reminder, closed);
- `send(senders, keys, notification, subject, body) -> None`: hands the rendered message
  to the channel's sender (the notification worker calls it, after the claim).

The package finds its modules itself: a new method is one new module here, and a
sender for its channel if the channel is new. Nothing else changes (the schema, the
administration screen and the worker read `METHODS`).
"""
from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType


def _discover() -> dict[str, ModuleType]:
    found = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        found[module.NAME] = module
    return found


METHODS: dict[str, ModuleType] = _discover()
DEFAULT = "email_link"


def method(name: str | None) -> ModuleType:
    """The method an institution's `send_method` names (the default when unset)."""
    return METHODS[name or DEFAULT]


def channels() -> dict[str, ModuleType]:
    """Channel -> the method module that sends on it (each method's own channel)."""
    return {m.CHANNEL: m for m in METHODS.values()}
