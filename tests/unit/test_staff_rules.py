"""Who may manage whom (issue 38): pure rules, no AWS."""
from __future__ import annotations

import pytest

from chalicelib.domain.principal import Principal, administers, manages
from chalicelib.services.staff import temporary_password

ADMIN = Principal("yonetici", "admin", None, None)
IST = Principal("il.istanbul", "province", None, "34")
SUP = Principal("sorumlu.maltepe", "supervisor", "34-maltepe", "34")
DESK = Principal("masa.maltepe", "desk", "34-maltepe", "34")


@pytest.mark.parametrize("who, role, office, province, expected", [
    (ADMIN, "admin", None, None, True),
    (ADMIN, "province", None, None, True),
    (IST, "supervisor", "34-kadikoy", "34", True),
    (IST, "desk", "34-valilik", "34", True),
    (IST, "supervisor", "06-cankaya", "06", False),
    (IST, "province", None, None, False),
    (IST, "admin", None, None, False),
    (SUP, "desk", "34-maltepe", "34", True),
    (SUP, "supervisor", "34-maltepe", "34", False),
    (SUP, "desk", "34-kadikoy", "34", False),
    (DESK, "desk", "34-maltepe", "34", False),
])
def test_who_manages_whom(who, role, office, province, expected):
    assert manages(who, role, office, province) is expected


def test_a_province_admin_without_a_province_manages_nothing():
    nowhere = Principal("il.bos", "province", None, None)
    assert not manages(nowhere, "desk", "34-maltepe", None)
    assert not administers(nowhere, "34-maltepe", None)


@pytest.mark.parametrize("who, office, province, expected", [
    (ADMIN, "national", None, True), (IST, "34-maltepe", "34", True), (IST, "06-cankaya", "06", False),
    (SUP, "34-maltepe", "34", True), (SUP, "34-kadikoy", "34", False), (DESK, "34-maltepe", "34", False),
])
def test_who_administers_an_office(who, office, province, expected):
    assert administers(who, office, province) is expected


def test_a_temporary_password_meets_the_pool_policy_and_is_never_the_same():
    seen = {temporary_password() for _ in range(200)}
    assert len(seen) == 200
    for pw in seen:
        assert len(pw) >= 12 and any(c.isupper() for c in pw) and any(c.islower() for c in pw) \
            and any(c.isdigit() for c in pw)
