"""The `ReferenceData` port: its fake and its DynamoDB adapter behave the same."""
from __future__ import annotations

import copy

import pytest

from chalicelib.domain.assignment import DistrictSettings, Institution
from chalicelib.services.ports import (StaleCase)


def test_districts_are_versioned_and_registered(p):
    s = DistrictSettings("35-konak", True, "o@example.org", [Institution("i1", "belediye", "B", "b@e.org", 5)])
    p.reference.save_district(s)
    assert s.version == 1
    p.reference.register_district("35-konak")
    p.reference.register_district("35-bornova")
    got = p.reference.district("35-konak")
    assert got.institutions[0].sla_days == 5 and got.version == 1
    stale = copy.deepcopy(got)
    got.auto_forward = False
    p.reference.save_district(got)
    with pytest.raises(StaleCase):
        p.reference.save_district(stale)
    registered = p.reference.registered_districts()
    assert registered == sorted(registered) and {"35-bornova", "35-konak"} <= set(registered)
    assert p.reference.district("35-urla") is None

