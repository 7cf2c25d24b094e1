"""The `StaffDirectory` port: its fake and its DynamoDB adapter behave the same."""
from __future__ import annotations

import copy

import pytest

from chalicelib.services.ports import (StaleCase)


def test_a_staff_record_is_created_once_and_changed_at_its_version(p):
    from chalicelib.domain.principal import StaffMember
    assert p.directory.get("masa.konak") is None
    m = StaffMember("masa.konak", "desk", "35-konak", "35")
    p.directory.save(m)
    assert m.version == 1
    with pytest.raises(StaleCase):                     # a second create
        p.directory.save(StaffMember("masa.konak", "admin"))
    got = p.directory.get("MASA.KONAK")                    # user names are case-insensitive
    assert (got.role, got.district, got.province, got.enabled, got.version) == ("desk", "35-konak", "35", True, 1)
    stale = copy.deepcopy(got)
    got.enabled = False
    p.directory.save(got)
    with pytest.raises(StaleCase):
        p.directory.save(stale)
    assert p.directory.get("masa.konak").enabled is False



def test_the_staff_of_an_office_are_listed_without_the_others(p):
    from chalicelib.domain.principal import StaffMember
    for m in (StaffMember("masa.b", "desk", "35-konak", "35", name="Bora"),
              StaffMember("masa.a", "supervisor", "35-konak", "35", email="a@konak.gov.tr"),
              StaffMember("masa.c", "desk", "35-bornova", "35"),
              StaffMember("il.izmir", "province", None, "35"),
              StaffMember("yonetici", "admin")):
        p.directory.save(m)
    konak = p.directory.members("O#35-konak")
    assert [(m.username, m.role) for m in konak] == [("masa.a", "supervisor"), ("masa.b", "desk")]
    assert konak[0].email == "a@konak.gov.tr" and konak[1].name == "Bora"
    assert [m.username for m in p.directory.members("P#35")] == ["il.izmir"]
    assert [m.username for m in p.directory.members("admin")] == ["yonetici"]
    moved = p.directory.get("masa.b")
    moved.district = "35-bornova"
    p.directory.save(moved)                         # a move changes the list it is in
    assert [m.username for m in p.directory.members("O#35-konak")] == ["masa.a"]
    assert [m.username for m in p.directory.members("O#35-bornova")] == ["masa.b", "masa.c"]
