"""Related applications (domain/nearby.py): other applicants' open cases a few hundred
metres and at most 30 days apart, in the same district and category."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain import nearby as N
from chalicelib.domain.case import Applicant, Case, Status

HERE = {"lat": 40.9350, "lon": 29.1300}


def _case(no, *, metres_north=0.0, days=0, nid="10000000146", category="yol_kaldirim", status=Status.FORWARDED,
          location=True):
    at = datetime(2026, 3, 1, 9, tzinfo=timezone.utc) + timedelta(days=days)
    loc = {"lat": HERE["lat"] + metres_north / 111_195, "lon": HERE["lon"]} if location else None
    return Case(no, "h", "sikayet", "3071", category, "34-maltepe", "34", "Konu", "Açıklama",
                Applicant(nid, "A", "B", "+905321234567", "Adres"), "web", at, at.date(), date(2026, 4, 1),
                status=status, location=loc, geocell=N.cell(loc["lat"], loc["lon"]) if loc else None)


def test_other_applicants_open_cases_close_by_and_recent_are_related_nearest_first():
    case = _case("HERE000000")
    others = [_case("A000000000", metres_north=300, nid="20000000000"),
              _case("B000000000", metres_north=120, days=-20, nid="30000000000"),
              _case("C000000000", metres_north=900, nid="20000000000"),                # too far
              _case("D000000000", metres_north=50, days=-45, nid="20000000000"),       # too long ago
              _case("E000000000", metres_north=50, nid="20000000000", category="park_bahce"),
              _case("F000000000", metres_north=50, nid="20000000000", status=Status.CONCLUDED),
              _case("G000000000", metres_north=50),                                    # the same applicant
              _case("H000000000", nid="20000000000", location=False)]
    found = [(o.application_no, d) for o, d in N.related(case, others)]
    assert found == [("B000000000", 120), ("A000000000", 300)]
    assert N.related(_case("X000000000", location=False), others) == []
    assert N.related(_case("Y000000000", status=Status.CONCLUDED), others) == []     # closed: nothing


@given(st.floats(36.0, 42.0), st.floats(26.0, 44.8), st.floats(0, 399), st.floats(0, 6.283))
def test_every_point_within_the_radius_is_in_the_cell_or_a_neighbour(lat, lon, metres, angle):
    import math
    q = {"lat": lat + metres * math.cos(angle) / 111_195,
         "lon": lon + metres * math.sin(angle) / (111_195 * math.cos(math.radians(lat)))}
    assert N.distance_m({"lat": lat, "lon": lon}, q) <= N.RADIUS_M + 1
    assert N.cell(q["lat"], q["lon"]) in N.neighbours(N.cell(lat, lon))
