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

