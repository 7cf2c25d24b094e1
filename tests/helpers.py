"""Helpers shared by the test modules (no test module imports another)."""
from __future__ import annotations

from datetime import datetime


def real_ports(*, now: datetime | None = None, publisher=None):
    """The composition root's real adapters, with the clock (and the publisher) replaced."""
    from chalicelib.bootstrap import ports
    from chalicelib.services.ports import Ports
    from tests.fakes import FixedClock
    import dataclasses
    base = ports()
    fields = {f.name: getattr(base, f.name) for f in dataclasses.fields(Ports)}
    fields.update(clock=FixedClock(now) if now else base.clock, publisher=publisher or base.publisher)
    return Ports(**fields)


class Captured:
    """A publisher that keeps notifications instead of sending them (routing messages too)."""

    def __init__(self):
        self.notified, self.routed = [], []

    def notify(self, notifications):
        self.notified.extend(notifications)

    def route(self, message):
        self.routed.append(message)

    def route_many(self, messages):
        self.routed.extend(messages)
