"""Throttle counters: what is counted, whose, in which fixed time window."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Counter:
    """A throttle counter: `scope` (what is counted), `subject` (whose), `window` (which
    fixed time window)."""
    scope: str
    subject: str
    window: int
