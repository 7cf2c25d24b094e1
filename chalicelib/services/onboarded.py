"""Which office handles an application about a place: its own once onboarded, else the one
above it (domain/offices.handling_office), from the onboarded offices read once per container
a minute. Apart from services/reference so that a submission imports this and not the
registry, the delivery methods and the spreadsheet reader (docs/performance.md, cold start)."""
from __future__ import annotations

from datetime import timedelta

from ..domain import offices as O
from .ports import Ports

ONBOARDED_TTL = timedelta(seconds=60)


def onboarded(ports: Ports) -> frozenset[str]:
    """The onboarded offices: one read per container a minute (an office that joins takes
    applications within a minute; one that leaves, likewise)."""
    now = ports.clock.now()
    cached = ports.caches.offices.get("onboarded")
    if cached is not None and now - cached[1] < ONBOARDED_TTL:
        return cached[0]
    found = ports.reference.onboarded_offices()
    ports.caches.offices["onboarded"] = (found, now)
    return found


def forget_onboarded(ports: Ports) -> None:
    ports.caches.offices.pop("onboarded", None)


def handling_office(ports: Ports, place_code: str) -> str:
    return O.handling_office(place_code, onboarded(ports))
