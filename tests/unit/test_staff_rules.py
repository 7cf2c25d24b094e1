"""Who may manage whom (issue 38): pure rules, no AWS."""
from __future__ import annotations

import pytest

from chalicelib.domain.principal import Principal, administers, manages
from chalicelib.services.staff_admin import temporary_password

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


def test_an_invitation_the_identity_provider_failed_midway_is_taken_up_again(p):
    """The access record is written first; when the identity provider fails after it (a
    hung backend), the same invitation, sent again, creates the user and its e-mail.
    Before, the name could then be neither used nor invited (409 on every retry)."""
    from chalicelib.domain.errors import Conflict
    from chalicelib.services import staff_admin
    body = {"username": "katip.maltepe", "name": "Gülşen Işık", "email": "gulsen@maltepe.example", "role": "desk",
            "district": "34-maltepe"}
    real = p.identity.invite

    def hung(*args, **kwargs):
        raise TimeoutError("identity provider did not answer")
    p.identity.invite = hung
    with pytest.raises(TimeoutError):
        staff_admin.invite(p, SUP, body, client="x")
    assert p.directory.get("katip.maltepe") is not None and not p.identity.exists("katip.maltepe")
    assert not [n for n in p.publisher.notified if n.template == "staff_invite"]      # nothing sent
    other = Principal("sorumlu.kadikoy", "supervisor", "34-kadikoy", "34")
    with pytest.raises(Conflict):                          # nobody else takes the name over
        staff_admin.invite(p, other, dict(body, district="34-kadikoy"), client="x")
    p.identity.invite = real
    done = staff_admin.invite(p, SUP, body, client="x")
    assert done["district"] == "34-maltepe" and p.identity.exists("katip.maltepe")
    assert len([n for n in p.publisher.notified if n.template == "staff_invite"]) == 1
    with pytest.raises(Conflict):                          # and once it exists, it is taken
        staff_admin.invite(p, SUP, body, client="x")
