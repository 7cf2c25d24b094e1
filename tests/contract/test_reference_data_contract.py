"""The `ReferenceData` port: its fake and its DynamoDB adapter behave the same."""
from __future__ import annotations

import copy

import pytest

from chalicelib.domain.assignment import DistrictSettings, Institution
from chalicelib.domain.offices import Office
from chalicelib.services.ports import StaleCase


def test_a_places_institutions_are_versioned_and_read_one_by_one_or_in_batches(p):
    s = DistrictSettings("35-konak", [Institution("35-konak.belediye", "belediye", "B", "b@e.org", 5),
                                      Institution("35-konak.tapu", "tapu", "T", None, confirmed=False,
                                                  detsis="12345678", active=False)])
    p.reference.save_district(s)
    assert s.version == 1
    got = p.reference.district("35-konak")
    assert got.institutions[0].sla_days == 5 and got.version == 1 and got.institutions[0].confirmed
    assert got.institutions[1] == s.institutions[1]          # unconfirmed, no address, DETSİS kept, disabled
    stale = copy.deepcopy(got)
    got.institutions = got.institutions[:1]
    p.reference.save_district(got)
    with pytest.raises(StaleCase):
        p.reference.save_district(stale)
    assert p.reference.district("35-urla") is None
    assert set(p.reference.districts(["35-konak", "35-urla", "35-konak"])) == {"35-konak"}


def test_an_offices_settings_are_versioned_and_its_onboarding_is_the_set_applications_go_to(p):
    o = Office("35-konak", "kaymakamlik", "35", "Konak Kaymakamlığı", ("35-konak",), email="b@konak.example",
               kep="konak@hs01.kep.tr", detsis="11223344", routing={"yol_kaldirim": ("belediye", "emniyet")})
    before = p.reference.onboarded_offices()
    p.reference.save_office(o)
    assert o.version == 1 and p.reference.onboarded_offices() == before          # not onboarded yet
    got = p.reference.office("35-konak")
    assert got == o and got.routing == {"yol_kaldirim": ("belediye", "emniyet")}
    stale = copy.deepcopy(got)
    got.onboarded = True
    p.reference.save_office(got)
    assert "35-konak" in p.reference.onboarded_offices() and got.version == 2
    with pytest.raises(StaleCase):                      # a stale write changes neither the office nor the set
        stale.onboarded = False
        p.reference.save_office(stale)
    assert "35-konak" in p.reference.onboarded_offices()
    got.onboarded = False
    p.reference.save_office(got)
    assert "35-konak" not in p.reference.onboarded_offices()
    assert p.reference.office("35-urla") is None
