"""Related applications (FixMyStreet's "nearby reports", kept inside the office): open
cases of *other* applicants in the same district and category, within RADIUS_M of each
other and RELATED_DAYS of receipt. Pure.

The case's exact location is sealed like the applicant's data. What the open-cases index
carries is only a coarse cell: latitude and longitude floored to 0.01° (about 1.1 km by
0.85 km in Türkiye), which says a neighbourhood, not a house. The cell and its eight
neighbours bound the Query; the exact distance is then computed from the candidates'
unsealed locations.
"""
from __future__ import annotations

from typing import Any

import math
from datetime import timedelta

RADIUS_M = 400
RELATED_DAYS = 30
MAX_SHOWN = 10


def cell(lat: float, lon: float) -> str:
    return f"{math.floor(lat * 100)}:{math.floor(lon * 100)}"


def neighbours(c: str) -> list[str]:
    """The cell and the eight around it: every point within RADIUS_M of a point in the
    cell lies in one of them (a cell is wider than RADIUS_M in both directions)."""
    a, b = (int(x) for x in c.split(":"))
    return [f"{a + i}:{b + j}" for i in (-1, 0, 1) for j in (-1, 0, 1)]


def distance_m(p: dict, q: dict) -> float:
    """Great-circle distance (haversine), metres."""
    r = 6_371_000
    la1, la2 = math.radians(p["lat"]), math.radians(q["lat"])
    dla, dlo = la2 - la1, math.radians(q["lon"] - p["lon"])
    h = math.sin(dla / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin(dlo / 2) ** 2
    return 2 * r * math.asin(math.sqrt(h))


def related(case, candidates: list) -> list[tuple[Any, int]]:
    """(other case, metres), nearest first: open, same district and category, another
    applicant, both located, within RADIUS_M and RELATED_DAYS of receipt."""
    if not case.location or case.closed:
        return []
    window = timedelta(days=RELATED_DAYS)
    out = []
    for other in candidates:
        if other.application_no == case.application_no or other.closed or not other.location:
            continue
        if other.district != case.district or other.category != case.category:
            continue
        if case.applicant.national_id and other.applicant.national_id == case.applicant.national_id:
            continue                                   # the same person: that is the repeat check
        if abs(other.received_at - case.received_at) > window:
            continue
        d = distance_m(case.location, other.location)
        if d <= RADIUS_M:
            out.append((other, int(round(d))))
    return sorted(out, key=lambda t: t[1])[:MAX_SHOWN]
